"use unsafe";
/**
 * The scheduler lock: one spinlock taken (with this CPU's interrupts already
 * off: syscalls, IRQ exits and boot paths all run masked) around every call
 * into the scheduler and the task table.
 */
import { u32, array, spinWait } from "kts";
import { addressOf, atomicCas32, atomicStore32 } from "kts/unsafe";

const word: u32[] = array(1, 0);

export function schedLock(): void {
  // SAFETY: a word of this module's own static storage.
  const a = addressOf(word);
  while (!atomicCas32(a, 0, 1)) spinWait();
}

export function schedUnlock(): void {
  atomicStore32(addressOf(word), 0);
}
