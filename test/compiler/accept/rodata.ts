// Issue 9: read-only module tables. `readonly` arrays of constants (and of
// function names) are placed in read-only data in C; TypeScript refuses writes
// through them in both worlds. soundness.test.ts checks the section.
import { u8, u32, print, arrayOf } from "kts";

type Step = (x: u32) => u32;

function inc(x: u32): u32 {
  return u32(x + 1);
}
function dbl(x: u32): u32 {
  return u32(x * 2);
}

export const CRC_SEED: readonly u8[] = arrayOf([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
export const STEPS: readonly Step[] = arrayOf([inc, dbl, inc]);

function sum(bytes: readonly u8[]): u32 {
  let s: u32 = 0;
  for (const b of bytes) s = u32(s + u32(b));
  return s;
}

export function main(): u32 {
  let v: u32 = 1;
  for (let i: u32 = 0; i < STEPS.length; i++) v = STEPS[i](v);
  print(`sum ${sum(CRC_SEED)} steps ${v} first ${CRC_SEED[0]}`);
  return 0;
}
