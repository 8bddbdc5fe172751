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
import { u8, u32, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { printScalarWords, readSized, word64 } from "./driver-io";
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

function printDigest(d: u8[]): void {
  const w0 = word64(d, 0, true);
  const w1 = word64(d, 8, true);
  const w2 = word64(d, 16, true);
  const w3 = word64(d, 24, true);
  const w4 = word64(d, 32, true);
  const w5 = word64(d, 40, true);
  const w6 = word64(d, 48, true);
  const w7 = word64(d, 56, true);
  print(`${hex(w0)} ${hex(w1)} ${hex(w2)} ${hex(w3)} ${hex(w4)} ${hex(w5)} ${hex(w6)} ${hex(w7)}`);
}

export function main(): u32 {
  while (IN.fill()) {
    const op = IN.byte();
    if (op == 0) {
      const n = readSized(IN, MSG);
      sha512(slice(MSG, 0, n), OUT);
      printDigest(OUT);
    } else if (op == 1) {
      IN.bytes(slice(SIG, 0, 64));
      IN.bytes(slice(PUB, 0, 32));
      const n = readSized(IN, MSG);
      let r: u32 = 0;
      if (ed25519Verify(SIG, slice(MSG, 0, n), PUB)) {
        r = 1;
      }
      print(`${r}`);
    } else if (op == 2) {
      IN.bytes(slice(WIDE, 0, 64));
      scReduce64(OUT, WIDE);
      printScalarWords(OUT);
    } else if (op == 3) {
      const n = readSized(IN, MSG);
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
      const c0 = word64(HALF_C, 0, false);
      const c1 = word64(HALF_C, 8, false);
      const d0 = word64(HALF_D, 0, false);
      const d1 = word64(HALF_D, 8, false);
      print(`${hex(c0)} ${hex(c1)} ${hex(d0)} ${hex(d1)} ${neg}`);
    } else {
      panic(`bad op ${op}`);
    }
  }
  return 0;
}
