/**
 * x86_64 page-table entries (4-level, 4 KiB pages, 2 MiB pages at level 2):
 * the encoding of portable MAP_* permissions into PTE bits. Levels count from
 * 0 (PML4) to 3 (PT). Address spaces are activated by loading CR3.
 */
"use unsafe";
import { u32, u64, usize, bool } from "kts";
import { readSysreg, writeSysreg, invlpg, tlbFlushAll } from "kts/unsafe";
import { MAP_DEVICE, MAP_EXEC, MAP_USER, MAP_WRITE } from "../../kernel/mem/flags";

const P: u64 = 0x1n;
const RW: u64 = 0x2n;
const US: u64 = 0x4n;
const PWT: u64 = 0x8n;
const PCD: u64 = 0x10n;
const PS: u64 = 0x80n;
const G: u64 = 0x100n;
const NX: u64 = 0x8000_0000_0000_0000n;
const ADDR: u64 = 0x000f_ffff_ffff_f000n;

/** Entry pointing at a next-level table: permissive, the leaf decides. */
export function pteTable(pa: usize): u64 {
  return (pa & ADDR) | P | RW | US;
}

/** Leaf entry at `level` (3 = 4 KiB page, 2 = 2 MiB page). */
export function pteLeaf(pa: usize, flags: u32, level: u32): u64 {
  let e: u64 = (pa & ADDR) | P;
  if ((flags & MAP_WRITE) != 0) e = e | RW;
  if ((flags & MAP_USER) != 0) e = e | US;
  else e = e | G;
  if ((flags & MAP_EXEC) == 0) e = e | NX;
  if ((flags & MAP_DEVICE) != 0) e = e | PCD | PWT;
  if (level == 2) e = e | PS;
  return e;
}

export function ptePresent(e: u64): bool {
  return (e & P) != 0n;
}

export function pteIsLeaf(e: u64, level: u32): bool {
  return level == 3 || (level > 0 && (e & PS) != 0n);
}

export function pteAddress(e: u64): usize {
  return e & ADDR;
}

/** The portable permissions of a leaf entry. */
export function pteFlags(e: u64): u32 {
  let f: u32 = 0;
  if ((e & RW) != 0n) f = u32(f | MAP_WRITE);
  if ((e & NX) == 0n) f = u32(f | MAP_EXEC);
  if ((e & US) != 0n) f = u32(f | MAP_USER);
  if ((e & PCD) != 0n) f = u32(f | MAP_DEVICE);
  return f;
}

/** Makes the kernel address space with root table `rootPa` current on this CPU. */
export function activateKernelSpace(rootPa: usize): void {
  // SAFETY: the new tables map the kernel, the direct map and devices as before.
  writeSysreg("CR3", rootPa);
}

/** The root table this CPU is using. */
export function currentKernelSpace(): usize {
  return readSysreg("CR3") & ADDR;
}

/** Whether flushTlbPage/flushTlbAll act on every CPU (invlpg reaches only this CPU). */
export const TLB_FLUSH_BROADCAST: bool = false;

export function flushTlbPage(va: usize): void {
  invlpg(va);
}

export function flushTlbAll(): void {
  tlbFlushAll();
}

/** x86_64 keeps instruction caches coherent with stores: nothing to do after writing code. */
export function syncInstructionCache(va: usize, len: u64): void {
  if (len == 0n && va == 0n) return;
}
