// Benchmark: the cost of a null system call (taskId), in guest time; under
// QEMU -icount shift=0 one nanosecond is one guest instruction.
import { u32, u64, print } from "kts";
import { sysTaskId, sysTime } from "../../src/lib/sys/syscalls.generated";

const N = 20000;

export function main(): u32 {
  const t0: u64 = sysTime();
  for (let i: u32 = 0; i < N; i++) sysTaskId();
  const t1: u64 = sysTime();
  print(`bench: null_syscall ${u64(u64(t1 - t0) / u64(N))}`);
  return 0;
}
