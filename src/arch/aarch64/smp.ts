/**
 * Secondary CPUs and per-CPU identity. Placeholder until SMP bring-up lands:
 * only the boot CPU runs.
 */
import { u32 } from "kts";
import { BootInfo } from "../../kernel/boot/bootinfo";

export function cpuIndex(): u32 {
  return 0;
}

export function startSecondaryCpus(info: BootInfo, entry: (cpu: u32) => void): u32 {
  if (info.cpuCount == 0xffffffff) entry(0);
  return 1;
}
