// Recursion that never ends runs out of stack: the same panic and status in both worlds,
// `panic: stack overflow` without a site (where the stack runs out depends on each world's
// stack and frame sizes). What was printed before it is kept.
import { u32, print, array } from "kts";

let deepest: u32 = 0;

function down(n: u32): u32 {
  const frame: u32[] = array(4, n);
  deepest = n;
  return u32(down(u32(n + 1)) * 3 + frame[u32(n % 4)]);
}

export function main(): u32 {
  print(`before the recursion`);
  return down(0);
}
