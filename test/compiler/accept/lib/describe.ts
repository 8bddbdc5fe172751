// A second library module that depends on the first.
import { u32, print } from "kts";
import { Counter, SEED } from "./counter";

function init(): u32 {
  print(`describe module initialized after seed ${SEED}`);
  return 1;
}

const READY: u32 = init();

export function describe(c: Counter): u32 {
  return u32(c.value * 100 + READY);
}
