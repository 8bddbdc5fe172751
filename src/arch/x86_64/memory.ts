/**
 * x86_64 address-space constants: the direct map of physical memory at the
 * bottom of the kernel half, and the kernel image in the top 2 GiB.
 */
import { usize } from "kts";

export const DIRECT_MAP_BASE: usize = 0xffff_8000_0000_0000n;
export const KERNEL_VMA: usize = 0xffff_ffff_8000_0000n;

export function physToVirt(pa: usize): usize {
  return usize(pa + DIRECT_MAP_BASE);
}

export function virtToPhys(va: usize): usize {
  if (va >= KERNEL_VMA) return usize(va - KERNEL_VMA);
  return usize(va - DIRECT_MAP_BASE);
}
