// Benchmark: two copies yield to each other on one CPU; each yield is one
// context switch (kernel entry, scheduler, address-space switch, return).
import { u32, u64, print } from "kts";
import { sysYield, sysTime, sysTaskId } from "../../src/lib/sys/syscalls.generated";

const N = 5000;

export function main(): u32 {
  const t0: u64 = sysTime();
  for (let i: u32 = 0; i < N; i++) sysYield();
  const t1: u64 = sysTime();
  // Both tasks run interleaved: the elapsed time covers 2N switches.
  print(`bench: context_switch_task${sysTaskId()} ${u64(u64(t1 - t0) / u64(2 * N))}`);
  return 0;
}
