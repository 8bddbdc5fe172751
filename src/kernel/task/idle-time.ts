/**
 * Time each CPU spends halted in its idle loop, waiting for an interrupt: what
 * the rest is busy with is then known (memInfo reports the sum; benchmarks under
 * QEMU -icount subtract it, as halted time follows the host's clock there).
 * Each CPU writes only its own slot.
 */
import { u32, u64, array } from "kts";
import { MAX_CPUS } from "../boot/bootinfo";

const idle: u64[] = array(MAX_CPUS, 0n);

export function idleAdd(cpu: u32, nanos: u64): void {
  idle[cpu] = u64(idle[cpu] + nanos);
}

/** Halted nanoseconds, summed over the CPUs. */
export function idleTotal(): u64 {
  let total: u64 = 0n;
  for (let c: u32 = 0; c < MAX_CPUS; c++) total = u64(total + idle[c]);
  return total;
}
