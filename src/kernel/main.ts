/**
 * The kernel's entry from the arch layer's assembly: kernelMain(bootArg) runs on
 * the boot CPU with the boot page tables, after module initializers.
 */
import { u64, usize, print } from "kts";
import { BootInfo } from "./boot/bootinfo";
import { ARCH_ID, earlyInit, powerOff } from "arch";

const bootInfo = new BootInfo();

export function kernelMain(bootArg: usize): void {
  earlyInit(bootArg, bootInfo);
  const mib: u64 = bootInfo.usableBytes() >> 20n;
  if (ARCH_ID == 1) print(`CambiOS boot OK arch=x86_64 cpus=1 mem=${mib}`);
  else print(`CambiOS boot OK arch=aarch64 cpus=1 mem=${mib}`);
  powerOff(0);
}
