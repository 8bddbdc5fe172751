"use unsafe";
/**
 * The constant-time check of Ed25519 signing (test/crypto/ed25519-ctgrind.test.ts):
 * a native-only KTS program, linked with ctgrind.c and run under valgrind memcheck.
 * Secret inputs are marked undefined (ct_secret) before they are used and results
 * defined again (ct_public) before they are printed, so memcheck reports every
 * branch and memory address that depends on a secret. Requests on stdin, one output
 * line each:
 *   op 0 sign:          [0] [seed 32] [len u32 LE] [msg] -> as ed25519-sign-driver.ts
 *                       op 0 without the verify result: public key and signature words
 *   op 1 leaky branch:  [1] [seed 32] -> index of the first byte where the secret differs
 *                       from a public pattern, found by an early-exit loop (a branch on
 *                       secret data: memcheck must report it)
 *   op 2 leaky index:   [2] [seed 32] -> a table entry indexed by the first secret byte
 *                       (a secret memory address: memcheck must report it)
 */
import { u8, u32, u64, usize, array, slice, print, hex, panic, mul32 } from "kts";
import { addressOf } from "kts/unsafe";
import { StdinReader } from "../harness/stdin-reader";
import { ed25519PublicKey, ed25519Sign } from "../../src/lib/crypto/ed25519-sign";

declare function ct_secret(addr: usize, len: u32): void;
declare function ct_public(addr: usize, len: u32): void;

const IN = new StdinReader();
const MSG: u8[] = array(65536, 0);
const SEED: u8[] = array(32, 0);
const PUB: u8[] = array(32, 0);
const SIG: u8[] = array(64, 0);
const RESULT: u32[] = array(1, 0);
const PATTERN: u8[] = array(32, 0x5a);
const SQUARES: u32[] = array(256, 0);

function word(s: u8[], off: u32): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    r = u64(r << 8n) | u64(s[u32(off + i)]);
  }
  return r;
}

function secret(b: u8[]): void {
  ct_secret(addressOf(b), b.length);
}

function publish(b: u8[]): void {
  ct_public(addressOf(b), b.length);
}

/** Test-only, deliberately variable time: an early-exit comparison with a secret. */
function leakyFirstDifference(s: u8[]): u32 {
  for (let i: u32 = 0; i < 32; i++) {
    if (s[i] != PATTERN[i]) {
      return i;
    }
  }
  return 32;
}

/** Test-only, deliberately leaky: a table read at a secret index. */
function leakyLookup(s: u8[]): u32 {
  return SQUARES[s[0]];
}

/** Prints RESULT[0] after marking it public. */
function printResult(): void {
  ct_public(addressOf(RESULT), 4);
  const r = RESULT[0];
  print(`${r}`);
}

export function main(): u32 {
  for (let i: u32 = 0; i < 256; i++) {
    SQUARES[i] = mul32(i, i);
  }
  while (IN.fill()) {
    const op = IN.byte();
    IN.bytes(SEED);
    secret(SEED);
    if (op == 0) {
      const n = IN.u32le();
      if (n > MSG.length) {
        panic("message too long");
      }
      const msg = slice(MSG, 0, n);
      IN.bytes(msg);
      ed25519PublicKey(SEED, PUB);
      publish(PUB);
      ed25519Sign(SEED, PUB, msg, SIG);
      publish(SIG);
      const p0 = word(PUB, 0);
      const p1 = word(PUB, 8);
      const p2 = word(PUB, 16);
      const p3 = word(PUB, 24);
      const s0 = word(SIG, 0);
      const s1 = word(SIG, 8);
      const s2 = word(SIG, 16);
      const s3 = word(SIG, 24);
      const s4 = word(SIG, 32);
      const s5 = word(SIG, 40);
      const s6 = word(SIG, 48);
      const s7 = word(SIG, 56);
      print(
        `${hex(p0)} ${hex(p1)} ${hex(p2)} ${hex(p3)} ${hex(s0)} ${hex(s1)} ${hex(s2)} ${hex(s3)} ${hex(s4)} ${hex(s5)} ${hex(s6)} ${hex(s7)}`,
      );
    } else if (op == 1) {
      RESULT[0] = leakyFirstDifference(SEED);
      printResult();
    } else if (op == 2) {
      RESULT[0] = leakyLookup(SEED);
      printResult();
    } else {
      panic(`bad op ${op}`);
    }
  }
  return 0;
}
