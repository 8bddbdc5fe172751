/**
 * Test driver for Ed25519 key generation and signing (a KTS host program). Reads a
 * stream of requests from stdin, one output line per request:
 *   op 0 sign:    [0] [seed 32] [len u32 LE] [msg]  -> 4 words of the public key, 8 words
 *                 of the signature (hex(be64) each), then 1 or 0: whether ed25519Verify
 *                 accepts the signature
 *   op 1 muladd:  [1] [a 32] [b 32] [c 32]          -> 4 words hex(le64) of (a b + c) mod L
 * Any other op byte, or input ending inside a request, panics.
 */
import { u8, u32, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { printScalarWords, readSized, word64 } from "./driver-io";
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

export function main(): u32 {
  while (IN.fill()) {
    const op = IN.byte();
    if (op == 0) {
      IN.bytes(SEED);
      const n = readSized(IN, MSG);
      const msg = slice(MSG, 0, n);
      ed25519PublicKey(SEED, PUB);
      ed25519Sign(SEED, PUB, msg, SIG);
      const ok = u32(ed25519Verify(SIG, msg, PUB));
      const p0 = word64(PUB, 0, true);
      const p1 = word64(PUB, 8, true);
      const p2 = word64(PUB, 16, true);
      const p3 = word64(PUB, 24, true);
      const s0 = word64(SIG, 0, true);
      const s1 = word64(SIG, 8, true);
      const s2 = word64(SIG, 16, true);
      const s3 = word64(SIG, 24, true);
      const s4 = word64(SIG, 32, true);
      const s5 = word64(SIG, 40, true);
      const s6 = word64(SIG, 48, true);
      const s7 = word64(SIG, 56, true);
      print(
        `${hex(p0)} ${hex(p1)} ${hex(p2)} ${hex(p3)} ${hex(s0)} ${hex(s1)} ${hex(s2)} ${hex(s3)} ${hex(s4)} ${hex(s5)} ${hex(s6)} ${hex(s7)} ${ok}`,
      );
    } else if (op == 1) {
      IN.bytes(A);
      IN.bytes(B);
      IN.bytes(C);
      scMulAdd(OUT, A, B, C);
      printScalarWords(OUT);
    } else {
      panic(`bad op ${op}`);
    }
  }
  return 0;
}
