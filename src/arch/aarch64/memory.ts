/**
 * AArch64 address-space constants: physical memory is mapped linearly in the
 * TTBR1 half at PHYS_OFFSET, and the kernel is linked inside that map.
 */
import { usize } from "kts";

export const PHYS_OFFSET: usize = 0xffff_0000_0000_0000n;

export function physToVirt(pa: usize): usize {
  return usize(pa + PHYS_OFFSET);
}

export function virtToPhys(va: usize): usize {
  return usize(va - PHYS_OFFSET);
}
