/**
 * Test driver for Ed25519 key generation and signing (a KTS host program). Reads a
 * stream of requests from stdin, one output line per request:
 *   op 0 sign:    [0] [seed 32] [len u32 LE] [msg]  -> 4 words of the public key, 8 words
 *                 of the signature (hex(be64) each), then 1 or 0: whether ed25519Verify
 *                 accepts the signature
 *   op 1 muladd:  [1] [a 32] [b 32] [c 32]          -> 4 words hex(le64) of (a b + c) mod L
 * Any other op byte, or input ending inside a request, panics.
 */
import { u8, u32, u64, bool, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { scMulAdd } from "../../src/lib/crypto/scalar25519";
import { ed25519Verify } from "../../src/lib/crypto/ed25519";
import { ed25519PublicKey, ed25519Sign } from "../../src/lib/crypto/ed25519-sign";

const IN = new StdinReader();
const MSG: u8[] = array(65536, 0);
const SEED: u8[] = array(32, 0);
const PUB: u8[] = array(32, 0);
const SIG: u8[] = array(64, 0);
const A: u8[] = array(32, 0);
const B: u8[] = array(32, 0);
const C: u8[] = array(32, 0);
const OUT: u8[] = array(32, 0);

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
      IN.bytes(SEED);
      const n = readMessage();
      const msg = slice(MSG, 0, n);
      ed25519PublicKey(SEED, PUB);
      ed25519Sign(SEED, PUB, msg, SIG);
      const ok = u32(ed25519Verify(SIG, msg, PUB));
      const p0 = word(PUB, 0, true);
      const p1 = word(PUB, 8, true);
      const p2 = word(PUB, 16, true);
      const p3 = word(PUB, 24, true);
      const s0 = word(SIG, 0, true);
      const s1 = word(SIG, 8, true);
      const s2 = word(SIG, 16, true);
      const s3 = word(SIG, 24, true);
      const s4 = word(SIG, 32, true);
      const s5 = word(SIG, 40, true);
      const s6 = word(SIG, 48, true);
      const s7 = word(SIG, 56, true);
      print(
        `${hex(p0)} ${hex(p1)} ${hex(p2)} ${hex(p3)} ${hex(s0)} ${hex(s1)} ${hex(s2)} ${hex(s3)} ${hex(s4)} ${hex(s5)} ${hex(s6)} ${hex(s7)} ${ok}`,
      );
    } else if (op == 1) {
      IN.bytes(A);
      IN.bytes(B);
      IN.bytes(C);
      scMulAdd(OUT, A, B, C);
      const k0 = word(OUT, 0, false);
      const k1 = word(OUT, 8, false);
      const k2 = word(OUT, 16, false);
      const k3 = word(OUT, 24, false);
      print(`${hex(k0)} ${hex(k1)} ${hex(k2)} ${hex(k3)}`);
    } else {
      panic(`bad op ${op}`);
    }
  }
  return 0;
}
