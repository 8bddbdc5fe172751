// A failed assertion reports its message and line.
import { u32, print, assert } from "kts";

export function main(): u32 {
  const x: u32 = 41;
  assert(x < 100);
  print("first assertion held");
  assert(x == 42, `x should be 42, is ${x}`);
  return 0;
}
