// Imports across modules: functions, classes, constants and module initialization order.
import { u32, print } from "kts";
import { Counter, LIMIT, counter, bumpAll } from "./lib/counter";
import { describe } from "./lib/describe";

// A module variable starting from another module's typed constant (a C constant initializer).
let ceiling: u32 = LIMIT;

export function main(): u32 {
  bumpAll(3);
  const c = new Counter();
  c.bump();
  print(`counter ${counter.value} local ${c.value} limit ${LIMIT}`);
  print(`describe: ${describe(counter)}`);
  ceiling = u32(ceiling + 1);
  print(`ceiling ${ceiling}`);
  return 0;
}
