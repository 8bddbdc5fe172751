// A module whose initializer prints: whether it runs shows whether the module was evaluated.
import { u32, print } from "kts";

function announce(name: u32): u32 {
  print(`initializing noisy ${name}`);
  return name;
}

export const NOISY_ID: u32 = announce(7);

export class Shape {
  sides: u32 = 3;
}
