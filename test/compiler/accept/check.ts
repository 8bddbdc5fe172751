// check(): failed expectations are printed with their line and counted; the program goes on.
import { u32, print, check, checkFailures } from "kts";

export function main(): u32 {
  const x: u32 = 7;
  check(x == 7, "seven");
  const ok = check(x > 10, `x is ${x}`);
  check(x == 8);
  print(`ok=${ok} failures=${checkFailures()}`);
  return checkFailures();
}
