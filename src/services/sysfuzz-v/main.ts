/** sysfuzz-v: the system-call fuzzers' victim, which they start and kill (src/services/sysfuzz/victim.ts). */
import { u32 } from "kts";
import { victimMain } from "../sysfuzz/victim";

export function main(): u32 {
  return victimMain();
}
