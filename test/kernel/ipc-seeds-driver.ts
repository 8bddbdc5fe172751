// The IPC stress of ipc-stress.ts over many seeds (native only: ASan+UBSan,
// about a million operations), each against a fresh shadow model.
import { u32, print, checkFailures, mul32 } from "kts";
import { stressSuite } from "./ipc-stress";

export function main(): u32 {
  for (let s: u32 = 1; s < 51; s++) stressSuite(20000, mul32(s, 2654435761));
  print(`seeds 50 failures ${checkFailures()}`);
  return checkFailures();
}
