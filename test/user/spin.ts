// A user task that never yields: only the timer can take the CPU from it.
import { u32, u64, print } from "kts";
import { sysTaskId, sysTime } from "../../src/lib/sys/syscalls.generated";

export function main(): u32 {
  const id: u64 = sysTaskId();
  const start: u64 = sysTime();
  let spins: u64 = 0n;
  while (u64(sysTime() - start) < 300_000_000n) spins = u64(spins + 1n);
  print(`spinner ${id} done after ${spins} polls`);
  return 7;
}
