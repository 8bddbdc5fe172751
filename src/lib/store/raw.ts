"use unsafe";
/**
 * Buffer copies for a Disk whose buffer is raw memory (a service's mapping of
 * the block channel's data area): the C world only (bytesAt has no meaning in
 * the Node world, whose tests give the Disk a u8[] buffer instead).
 */
import { u8, u32, usize, copyBytes } from "kts";
import { bytesAt } from "kts/unsafe";

/** Copies n bytes at addr into dst[at..]. */
export function copyFromRaw(addr: usize, dst: u8[], at: u32, n: u32): void {
  if (n == 0) return;
  copyBytes(dst, at, bytesAt(addr, n), 0, n);
}

/** Copies src[from..from+n) to addr. */
export function copyToRaw(addr: usize, src: u8[], from: u32, n: u32): void {
  if (n == 0) return;
  copyBytes(bytesAt(addr, n), 0, src, from, n);
}
