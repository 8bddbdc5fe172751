// A clean module: cambi check reports nothing and exits 0.
import { u32 } from "kts";

export function twice(x: u32): u32 {
  return u32(x * 2);
}
