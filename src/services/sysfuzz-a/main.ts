/** sysfuzz-a: fuzzing task 0 of the system-call fuzzer (src/services/sysfuzz/fuzzer.ts; capabilities: protocol.ts). */
import { u32 } from "kts";
import { fuzzerMain } from "../sysfuzz/fuzzer";

export function main(): u32 {
  return fuzzerMain(0);
}
