"use unsafe";
/**
 * The frame allocator's lock: tasks are created and reaped on any CPU, so
 * alloc and free race without it (the bitmap's words are read-modify-write).
 * Taking it masks this CPU's interrupts, like the scheduler lock; it nests
 * inside the scheduler lock, never around it.
 */
import { u32, u64, array, spinWait } from "kts";
import { addressOf, atomicCas32, atomicStore32, irqSave, irqRestore } from "kts/unsafe";
import { cpuIndex } from "arch";
import { MAX_CPUS } from "../boot/bootinfo";

const word: u32[] = array(1, 0);
const savedFlags: u64[] = array(MAX_CPUS, 0n);

export function frameLock(): void {
  const flags: u64 = irqSave();
  // SAFETY: a word of this module's own static storage.
  while (!atomicCas32(addressOf(word), 0, 1)) spinWait();
  savedFlags[cpuIndex()] = flags;
}

export function frameUnlock(): void {
  const flags: u64 = savedFlags[cpuIndex()];
  atomicStore32(addressOf(word), 0);
  irqRestore(flags);
}
