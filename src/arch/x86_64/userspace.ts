"use unsafe";
/**
 * User address spaces on x86_64. One PML4 per task: entries 0-255 (the lower
 * half) are the task's, entries 256-511 (the kernel half: the direct map, the
 * kernel image) are copied from the kernel space's root, so they point at the
 * same PDPTs and every kernel mapping below them is shared. A kernel-half
 * PML4 entry created after a user root was initialized would not reach it:
 * the kernel space must have all the top-level entries it will use by then.
 */
import { u32, u64, usize, panic } from "kts";
import { load64, store64, readSysreg, writeSysreg } from "kts/unsafe";
import { physToVirt } from "./memory";

declare function x86_boot_pml4_phys(): usize;

const ADDR: u64 = 0x000f_ffff_ffff_f000n;

/**
 * Prepares the new (empty) user root table `root` (physical): shares the kernel
 * half of the kernel space. Call it once the kernel space is active on this CPU
 * (the current root, kernel or user, has the kernel half). `asid` is unused: no
 * PCIDs, every CR3 write drops the old space's entries.
 */
export function userSpaceInit(root: usize, asid: u32): void {
  const current: usize = readSysreg("CR3") & ADDR;
  if (current == x86_boot_pml4_phys()) panic("userSpaceInit: the boot page tables are still active (enterKernelSpace first)");
  if (current == (root & ADDR)) panic("userSpaceInit: the new root is the active one");
  const src: usize = physToVirt(current);
  const dst: usize = physToVirt(root & ADDR);
  for (let i: u32 = 256; i < 512; i++) {
    const off: u64 = u64(u64(i) * 8n);
    // SAFETY: both are 4 KiB root tables reached through the direct map.
    store64(usize(dst + off), load64(usize(src + off)));
  }
}

/** This CPU now runs the user address space `root` (CR3; TLB entries of the old one go, global kernel ones stay). */
export function activateUserSpace(root: usize, asid: u32): void {
  // SAFETY: root was prepared by userSpaceInit, so the kernel half is the kernel's.
  writeSysreg("CR3", root & ADDR);
}
