"use unsafe";
/**
 * x86_64 early boot: the CPU tables (GDT, TSS, IDT, per-CPU GS) and the
 * SYSCALL MSRs first, so any fault from here on is reported; then the console,
 * and the PVH start_info into BootInfo.
 */
import { u32, usize, panic } from "kts";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { init as consoleInit } from "./console";
import { parseStartInfo } from "./pvh";
import { loadCpuTables } from "./tables";
import { syscallCpuInit } from "./syscall";
import { markBootTime } from "./timer";

declare function x86_boot_stack_top(): usize;

export const ARCH_ID: u32 = 1;

export function earlyInit(bootArg: usize, info: BootInfo): void {
  markBootTime();
  loadCpuTables(0, x86_boot_stack_top());
  syscallCpuInit();
  consoleInit();
  if (!parseStartInfo(bootArg, info)) panic("no PVH start_info: boot with QEMU -kernel");
}
