"use unsafe";
// Where the channel drivers put their region, per world: the test writes "c" to
// a native run's stdin (a page-aligned region inside a static array: addresses
// are real) and "n" to a Node run's (a fixed address in the simulated memory,
// where addressOf has no meaning). Guard bytes on both sides of the region must
// stay untouched.
import { u8, u32, usize, array } from "kts";
import { addressOf, load8, store8 } from "kts/unsafe";
import { readStdin } from "kts/host";

export const GUARD = 4096;
/** The largest region a driver may use. */
export const MAX_REGION = 65536;
const ARENA: u8[] = array(GUARD + 4096 + MAX_REGION + GUARD, 0);
const NODE_BASE: usize = 0x4000_0000n;

/** A page-aligned region base with GUARD bytes below and MAX_REGION + GUARD bytes above it that this program owns. */
export function regionBase(): usize {
  const input: u8[] = array(8, 0);
  const n = readStdin(input);
  if (n > 0 && input[0] == 0x6e) return NODE_BASE;
  return u64Align(usize(addressOf(ARENA) + usize(GUARD)));
}

function u64Align(a: usize): usize {
  return usize(a + 0xfffn) & 0xffff_ffff_ffff_f000n;
}

function guardByte(i: u32): u8 {
  return u8(i * 31 + 7);
}

/** Writes the guard pattern below base and above base + bytes. */
export function fillGuards(base: usize, bytes: u32): void {
  for (let i: u32 = 0; i < GUARD; i++) {
    store8(usize(base - usize(GUARD) + usize(i)), guardByte(i));
    store8(usize(base + usize(bytes) + usize(i)), guardByte(u32(i + GUARD)));
  }
}

/** Guard bytes that changed since fillGuards. */
export function guardDamage(base: usize, bytes: u32): u32 {
  let bad: u32 = 0;
  for (let i: u32 = 0; i < GUARD; i++) {
    if (load8(usize(base - usize(GUARD) + usize(i))) != guardByte(i)) bad = u32(bad + 1);
    if (load8(usize(base + usize(bytes) + usize(i))) != guardByte(u32(i + GUARD))) bad = u32(bad + 1);
  }
  return bad;
}
