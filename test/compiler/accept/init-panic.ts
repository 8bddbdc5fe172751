// Issue 9, class 7: a panic while a module initializes is the same panic in both
// worlds (C runs module initializers before main; Node while it loads the modules).
import { u32, print, panic } from "kts";

function boom(): u32 {
  print("initializing");
  panic("init failed");
}

const value: u32 = boom();

export function main(): u32 {
  print(`never reached ${value}`);
  return 0;
}
