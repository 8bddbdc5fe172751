"use unsafe";
/**
 * The scheduler lock: one spinlock around every call into the scheduler, the
 * task table, IPC and capabilities. Taking it masks this CPU's interrupts (and
 * releasing it restores them), so a timer tick can never spin on a lock its own
 * CPU holds. Not re-entrant.
 */
import { u32, u64, array, spinWait } from "kts";
import { addressOf, atomicCas32, atomicStore32, irqSave, irqRestore } from "kts/unsafe";

const word: u32[] = array(1, 0);
/**
 * The holder's interrupt state from before it took the lock: written and read
 * only by the CPU holding the lock, so one word serves every CPU (and no
 * cpuIndex() is needed on this path, which every system call takes).
 */
let holderFlags: u64 = 0n;

export function schedLock(): void {
  const flags: u64 = irqSave();
  // SAFETY: a word of this module's own static storage.
  const a = addressOf(word);
  while (!atomicCas32(a, 0, 1)) spinWait();
  holderFlags = flags;
}

export function schedUnlock(): void {
  const flags: u64 = holderFlags;
  atomicStore32(addressOf(word), 0);
  irqRestore(flags);
}
