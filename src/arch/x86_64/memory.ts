/**
 * x86_64 address-space constants: the direct map of physical memory at the
 * bottom of the kernel half, and the kernel image in the top 2 GiB.
 */
"use unsafe";
import { u16, usize } from "kts";

export const DIRECT_MAP_BASE: usize = 0xffff_8000_0000_0000n;
export const KERNEL_VMA: usize = 0xffff_ffff_8000_0000n;

export function physToVirt(pa: usize): usize {
  return usize(pa + DIRECT_MAP_BASE);
}

export function virtToPhys(va: usize): usize {
  if (va >= KERNEL_VMA) return usize(va - KERNEL_VMA);
  return usize(va - DIRECT_MAP_BASE);
}

/** e_machine of the ELF programs this arch runs (the ELF gate checks it). */
export const ELF_MACHINE: u16 = 62;

/**
 * Physical start of everything the loader placed: the identity-mapped boot stub
 * and its page tables (KERNEL_PHYS in linker-scripts/x86_64.ld) come before text.
 */
export function imagePhysStart(): usize {
  return 0x10_0000n;
}
