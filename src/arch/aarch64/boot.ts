"use unsafe";
/**
 * AArch64 early boot: console first, then the device tree (physical address in
 * x0 from the loader) into BootInfo.
 */
import { u32, usize, panic } from "kts";
import { bytesAt, load32 } from "kts/unsafe";
import { BootInfo, RegionKind } from "../../kernel/boot/bootinfo";
import { init as consoleInit } from "./console";
import { trapsInit } from "./traps";
import { physToVirt } from "./memory";

export const ARCH_ID: u32 = 2;

function be32(p: usize): u32 {
  const v: u32 = load32(p);
  return u32(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24));
}

export function earlyInit(bootArg: usize, info: BootInfo): void {
  consoleInit();
  trapsInit();
  info.dtb = bootArg;
  const dtb = physToVirt(bootArg);
  // SAFETY: x0 from the loader points at the DTB header, inside the boot map.
  if (bootArg == 0n || be32(dtb) != 0xd00dfeed) panic(`no device tree at ${bootArg}: boot with QEMU -kernel`);
  const size: u32 = be32(usize(dtb + 4n));
  const blob = bytesAt(dtb, size);
  if (blob.length == 0) panic("empty device tree");
  // The DTB parser arrives in src/kernel/boot/dtb.ts; until then assume QEMU's RAM layout.
  info.addRegion(0x4000_0000n, 0x800_0000n, RegionKind.Usable);
}
