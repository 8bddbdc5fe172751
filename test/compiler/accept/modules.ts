// Imports across modules: functions, classes, constants and module initialization order.
import { u32, print } from "kts";
import { Counter, LIMIT, counter, bumpAll } from "./lib/counter";
import { describe } from "./lib/describe";

export function main(): u32 {
  bumpAll(3);
  const c = new Counter();
  c.bump();
  print(`counter ${counter.value} local ${c.value} limit ${LIMIT}`);
  print(`describe: ${describe(counter)}`);
  return 0;
}
