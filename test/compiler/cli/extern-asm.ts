"use unsafe";
// An assembly function declared for KTS: called by its own (unmangled) C name.
import { u64 } from "kts";

declare function arch_read_counter(): u64;

export function ticks(): u64 {
  return u64(arch_read_counter() + 1n);
}
