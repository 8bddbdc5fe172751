/**
 * AArch64 page-table entries (4 KiB granule, 48-bit VAs, levels 0-3, 2 MiB
 * blocks at level 2): the encoding of portable MAP_* permissions. Kernel
 * tables are installed in TTBR1_EL1; MAIR attr0 = device, attr1 = normal WB.
 */
"use unsafe";
import { u32, u64, usize, bool } from "kts";
import { readSysreg, writeSysreg, dsbIsh, isb, tlbiVmalle1is, tlbiVaae1is } from "kts/unsafe";
import { MAP_DEVICE, MAP_EXEC, MAP_USER, MAP_WRITE } from "../../kernel/mem/flags";

const VALID: u64 = 0x1n;
const TABLE: u64 = 0x3n; // table at levels 0-2, page at level 3
const ATTR_NORMAL: u64 = 0x4n; // AttrIndx = 1
const AP_EL0: u64 = 0x40n; // AP[1]: EL0 access
const AP_RO: u64 = 0x80n; // AP[2]: read-only
const SH_INNER: u64 = 0x300n;
const AF: u64 = 0x400n;
const NG: u64 = 0x800n;
const PXN: u64 = 0x0020_0000_0000_0000n;
const UXN: u64 = 0x0040_0000_0000_0000n;
const ADDR: u64 = 0x0000_ffff_ffff_f000n;

export function pteTable(pa: usize): u64 {
  return (pa & ADDR) | TABLE;
}

export function pteLeaf(pa: usize, flags: u32, level: u32): u64 {
  let e: u64 = (pa & ADDR) | AF | (level == 3 ? TABLE : VALID);
  if ((flags & MAP_DEVICE) == 0) e = e | ATTR_NORMAL | SH_INNER;
  if ((flags & MAP_WRITE) == 0) e = e | AP_RO;
  const exec: bool = (flags & MAP_EXEC) != 0;
  if ((flags & MAP_USER) != 0) {
    e = e | AP_EL0 | NG | PXN;
    if (!exec) e = e | UXN;
  } else {
    e = e | UXN;
    if (!exec) e = e | PXN;
  }
  return e;
}

export function ptePresent(e: u64): bool {
  return (e & VALID) != 0n;
}

export function pteIsLeaf(e: u64, level: u32): bool {
  return level == 3 || (level > 0 && (e & TABLE) == VALID);
}

export function pteAddress(e: u64): usize {
  return e & ADDR;
}

export function pteFlags(e: u64): u32 {
  let f: u32 = 0;
  if ((e & AP_RO) == 0n) f = u32(f | MAP_WRITE);
  const user: bool = (e & AP_EL0) != 0n;
  if (user) f = u32(f | MAP_USER);
  if ((user && (e & UXN) == 0n) || (!user && (e & PXN) == 0n)) f = u32(f | MAP_EXEC);
  if ((e & ATTR_NORMAL) == 0n) f = u32(f | MAP_DEVICE);
  return f;
}

const TCR_EPD0: u64 = 0x80n;

export function activateKernelSpace(rootPa: usize): void {
  // SAFETY: the new tables map the kernel, the direct map and devices as before.
  dsbIsh();
  writeSysreg("TTBR1_EL1", rootPa);
  // The boot identity map in TTBR0 is no longer needed: with its walks off, a
  // null or user-half access faults (user address spaces will turn them back on).
  writeSysreg("TCR_EL1", readSysreg("TCR_EL1") | TCR_EPD0);
  isb();
  tlbiVmalle1is();
}

export function currentKernelSpace(): usize {
  return readSysreg("TTBR1_EL1") & ADDR;
}

/** Whether flushTlbPage/flushTlbAll act on every CPU (TLBI VAE1IS/VMALLE1IS reach every CPU). */
export const TLB_FLUSH_BROADCAST: bool = true;

export function flushTlbPage(va: usize): void {
  // Every ASID's entry for va (user spaces are tagged with their own: userspace.ts), and a global one.
  tlbiVaae1is(va);
}

export function flushTlbAll(): void {
  tlbiVmalle1is();
}
