// A module imported for a value: its initializer runs in both worlds.
import { u32, print } from "kts";

function announce(): u32 {
  print("initializing loud");
  return 2;
}

export const LOUD: u32 = announce();
