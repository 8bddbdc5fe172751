/**
 * Test driver for SHA-512, scalar reduction and Ed25519 verification (a KTS host
 * program). Reads a stream of requests from stdin, one output line per request:
 *   op 0 SHA-512:      [0] [len u32 LE] [msg]                 -> 8 words: hex(be64) ...
 *   op 1 verify:       [1] [sig 64] [pub 32] [len u32 LE] [msg] -> 1 or 0
 *   op 2 mod L:        [2] [64 bytes]                          -> 4 words: hex(le64) ...
 *   op 3 chunked hash: [3] [len u32 LE] [msg] [chunk u32 LE]   -> like op 0, hashed with
 *                      Sha512.update() on chunks of the given size
 *   op 4 half-size:    [4] [k 32]                              -> hex(c lo) hex(c hi) hex(|d| lo)
 *                      hex(|d| hi) sign, for c = d k (mod L) from scHalfSize (sign 1: d < 0)
 * Any other op byte, or input ending inside a request, panics.
 */
import { u8, u32, u64, bool, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { Sha512, sha512 } from "../../src/lib/crypto/sha512";
import { scHalfSize, scReduce64 } from "../../src/lib/crypto/scalar25519";
import { ed25519Verify } from "../../src/lib/crypto/ed25519";

const IN = new StdinReader();
const MSG: u8[] = array(65536, 0);
const SIG: u8[] = array(64, 0);
const PUB: u8[] = array(32, 0);
const WIDE: u8[] = array(64, 0);
const OUT: u8[] = array(64, 0);
const HALF_C: u8[] = array(16, 0);
const HALF_D: u8[] = array(16, 0);
const HASHER = new Sha512();

function word(s: u8[], off: u32, bigEndian: bool): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    const b = u64(s[u32(off + i)]);
    if (bigEndian) {
      r = u64(r << 8n) | b;
    } else {
      r = r | u64(b << u64(i * 8));
    }
  }
  return r;
}

function printDigest(d: u8[]): void {
  const w0 = word(d, 0, true);
  const w1 = word(d, 8, true);
  const w2 = word(d, 16, true);
  const w3 = word(d, 24, true);
  const w4 = word(d, 32, true);
  const w5 = word(d, 40, true);
  const w6 = word(d, 48, true);
  const w7 = word(d, 56, true);
  print(`${hex(w0)} ${hex(w1)} ${hex(w2)} ${hex(w3)} ${hex(w4)} ${hex(w5)} ${hex(w6)} ${hex(w7)}`);
}

function readMessage(): u32 {
  const n = IN.u32le();
  if (n > MSG.length) {
    panic("message too long");
  }
  IN.bytes(slice(MSG, 0, n));
  return n;
}

export function main(): u32 {
  while (IN.fill()) {
    const op = IN.byte();
    if (op == 0) {
      const n = readMessage();
      sha512(slice(MSG, 0, n), OUT);
      printDigest(OUT);
    } else if (op == 1) {
      IN.bytes(slice(SIG, 0, 64));
      IN.bytes(slice(PUB, 0, 32));
      const n = readMessage();
      let r: u32 = 0;
      if (ed25519Verify(SIG, slice(MSG, 0, n), PUB)) {
        r = 1;
      }
      print(`${r}`);
    } else if (op == 2) {
      IN.bytes(slice(WIDE, 0, 64));
      scReduce64(OUT, WIDE);
      const k0 = word(OUT, 0, false);
      const k1 = word(OUT, 8, false);
      const k2 = word(OUT, 16, false);
      const k3 = word(OUT, 24, false);
      print(`${hex(k0)} ${hex(k1)} ${hex(k2)} ${hex(k3)}`);
    } else if (op == 3) {
      const n = readMessage();
      const chunk = IN.u32le();
      HASHER.init();
      let i: u32 = 0;
      while (i < n) {
        let end = u32(i + chunk);
        if (end > n || chunk == 0) {
          end = n;
        }
        HASHER.update(slice(MSG, i, end));
        i = end;
      }
      HASHER.finalize(OUT);
      printDigest(OUT);
    } else if (op == 4) {
      IN.bytes(slice(OUT, 0, 32));
      let neg: u32 = 0;
      if (scHalfSize(slice(OUT, 0, 32), HALF_C, HALF_D)) {
        neg = 1;
      }
      const c0 = word(HALF_C, 0, false);
      const c1 = word(HALF_C, 8, false);
      const d0 = word(HALF_D, 0, false);
      const d1 = word(HALF_D, 8, false);
      print(`${hex(c0)} ${hex(c1)} ${hex(d0)} ${hex(d1)} ${neg}`);
    } else {
      panic(`bad op ${op}`);
    }
  }
  return 0;
}
