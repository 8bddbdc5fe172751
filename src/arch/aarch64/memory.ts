/**
 * AArch64 address-space constants: physical memory is mapped linearly in the
 * TTBR1 half at PHYS_OFFSET, and the kernel is linked inside that map.
 */
"use unsafe";
import { u16, usize } from "kts";

export const PHYS_OFFSET: usize = 0xffff_0000_0000_0000n;

export function physToVirt(pa: usize): usize {
  return usize(pa + PHYS_OFFSET);
}

export function virtToPhys(va: usize): usize {
  return usize(va - PHYS_OFFSET);
}

/** e_machine of the ELF programs this arch runs (the ELF gate checks it). */
export const ELF_MACHINE: u16 = 183;

declare function arch_kernel_text_start(): usize;

/** Physical start of everything the loader placed (the Image starts with text). */
export function imagePhysStart(): usize {
  return virtToPhys(arch_kernel_text_start());
}
