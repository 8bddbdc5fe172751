/**
 * x86_64 early boot: console first (so everything after can report), then the
 * PVH start_info into BootInfo.
 */
import { u32, usize, panic } from "kts";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { init as consoleInit } from "./console";
import { parseStartInfo } from "./pvh";

export const ARCH_ID: u32 = 1;

export function earlyInit(bootArg: usize, info: BootInfo): void {
  consoleInit();
  if (!parseStartInfo(bootArg, info)) panic("no PVH start_info: boot with QEMU -kernel");
}
