"use unsafe";
/**
 * TLB shootdown: after a mapping of the shared kernel space changes, no CPU may
 * go on using the old translation. AArch64's TLBI ...IS instructions reach every
 * CPU in the inner-shareable domain by themselves; x86_64 has no broadcast
 * invalidation, so every other CPU flushes the pages itself in a cross-call.
 * shootdownAll does the same for every non-global translation (removed user
 * mappings, task/user-memory.ts).
 */
import { u32, u64, usize, array } from "kts";
import { addressOf, atomicStore32 } from "kts/unsafe";
import { flushTlbPage, flushTlbAll, TLB_FLUSH_BROADCAST } from "arch";
import { crossCallOthers, lockAnswering } from "../task/crosscall";
import { kernelSpace, frames } from "./index";
import { MapError, PAGE_SIZE } from "./paging";

let pendingVa: usize = 0n;
let pendingSize: u64 = 0n;
const busy: u32[] = array(1, 0);

function flushRange(va: usize, size: u64): void {
  for (let off: u64 = 0n; off < size; off = u64(off + PAGE_SIZE)) flushTlbPage(usize(va + off));
}

function flushPending(cpu: u32): void {
  flushRange(pendingVa, pendingSize);
}

/** Every CPU stops using translations of [va, va + size). Not under the scheduler lock. */
export function shootdown(va: usize, size: u64): void {
  flushRange(va, size);
  if (TLB_FLUSH_BROADCAST) return;
  // The range is shared with the other CPUs' flushPending: one shootdown at a time
  // (a CPU waiting its turn answers the cross-call in progress).
  lockAnswering(addressOf(busy), 1);
  pendingVa = va;
  pendingSize = size;
  crossCallOthers(flushPending);
  atomicStore32(addressOf(busy), 0);
}

/** Unmaps [va, va + size) from the kernel space, on every CPU. */
export function kernelUnmap(va: usize, size: u64): MapError {
  const e: MapError = kernelSpace.unmap(va, size);
  shootdown(va, size);
  return e;
}

/** Maps [va, va + size) to [pa, ...) in the kernel space (new mappings need no shootdown). */
export function kernelMap(va: usize, pa: usize, size: u64, flags: u32): MapError {
  return kernelSpace.map(frames, va, pa, size, flags, false);
}

function flushAllHere(cpu: u32): void {
  flushTlbAll();
}

/**
 * Every CPU drops every non-global translation it caches (user mappings that
 * were removed). Not under the scheduler lock.
 */
export function shootdownAll(): void {
  flushTlbAll();
  if (!TLB_FLUSH_BROADCAST) crossCallOthers(flushAllHere);
}
