// A library module: an exported class, a constant and a static instance.
import { u32, print } from "kts";

export const LIMIT: u32 = 1000;

export class Counter {
  value: u32 = 0;
  bump(): void {
    if (this.value < LIMIT) this.value = u32(this.value + 1);
  }
}

export const counter = new Counter();

function announce(): u32 {
  print("counter module initialized");
  return 7;
}

export const SEED: u32 = announce();

export function bumpAll(times: u32): void {
  for (let i: u32 = 0; i < times; i++) counter.bump();
}
