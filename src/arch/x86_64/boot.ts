"use unsafe";
/**
 * x86_64 early boot: the CPU tables (GDT, TSS, IDT, per-CPU GS) and the
 * SYSCALL MSRs first, so any fault from here on is reported; then the console,
 * and the loader's information into BootInfo: PVH start_info (QEMU -kernel), or
 * the Multiboot2 information (GRUB, `cambi image`), which entry.S marks with
 * bit 63 of the argument.
 */
import { u32, u64, usize, panic, print, hex } from "kts";
import { bytesAt } from "kts/unsafe";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { Mb2Error, MB2_MAX_SIZE, mb2TotalSize, parseMultiboot2 } from "../../kernel/boot/multiboot2";
import { init as consoleInit } from "./console";
import { parseStartInfo } from "./pvh";
import { loadCpuTables } from "./tables";
import { syscallCpuInit } from "./syscall";
import { markBootTime } from "./timer";
import { physToVirt } from "./memory";

declare function x86_boot_stack_top(): usize;

export const ARCH_ID: u32 = 1;
const MULTIBOOT2: u64 = 0x8000_0000_0000_0000n;

export function earlyInit(bootArg: usize, info: BootInfo): void {
  markBootTime();
  loadCpuTables(0, x86_boot_stack_top());
  syscallCpuInit();
  consoleInit();
  if ((bootArg & MULTIBOOT2) != 0n) {
    multiboot2(usize(bootArg & 0x7fff_ffff_ffff_ffffn), info);
    return;
  }
  if (!parseStartInfo(bootArg, info)) panic("no PVH start_info: boot with QEMU -kernel");
}

/** The Multiboot2 information at physical pa into info, or a panic that says what is wrong with it. */
function multiboot2(pa: usize, info: BootInfo): void {
  const va = physToVirt(pa);
  // SAFETY: the loader put the information in RAM below 4 GiB, inside the boot direct map.
  const size: u32 = mb2TotalSize(bytesAt(va, 8));
  if (size < 16 || size > MB2_MAX_SIZE) panic(`multiboot2 information at ${hex(pa)}: total_size ${size} is not 16..${MB2_MAX_SIZE}`);
  const err: Mb2Error = parseMultiboot2(bytesAt(va, size), pa, info);
  if (err == Mb2Error.Ok) {
    print(`boot: multiboot2 information at ${hex(pa)}, ${size} bytes`);
    return;
  }
  if (err == Mb2Error.BadTag) panic(`multiboot2 information at ${hex(pa)}: a tag is shorter than 8 bytes or runs past total_size`);
  if (err == Mb2Error.NoEnd) panic(`multiboot2 information at ${hex(pa)}: no end tag`);
  if (err == Mb2Error.BadCmdline) panic(`multiboot2 information at ${hex(pa)}: the command line is not NUL-terminated`);
  if (err == Mb2Error.BadModule) panic(`multiboot2 information at ${hex(pa)}: a malformed module tag`);
  if (err == Mb2Error.BadMmap) panic(`multiboot2 information at ${hex(pa)}: a malformed memory map`);
  if (err == Mb2Error.BadAcpi) panic(`multiboot2 information at ${hex(pa)}: an ACPI tag too short for its RSDP`);
  if (err == Mb2Error.NoMemoryMap) panic(`multiboot2 information at ${hex(pa)}: no memory map`);
  if (err == Mb2Error.TooManyRegions) panic(`multiboot2 information at ${hex(pa)}: more usable memory regions than the kernel holds`);
  panic(`multiboot2 information at ${hex(pa)}: error ${u32(err)}`);
}
