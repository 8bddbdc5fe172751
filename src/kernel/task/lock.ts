"use unsafe";
/**
 * The scheduler lock: one spinlock around every call into the scheduler, the
 * task table, IPC and capabilities. Taking it masks this CPU's interrupts (and
 * releasing it restores them), so a timer tick can never spin on a lock its own
 * CPU holds. Not re-entrant.
 */
import { u32, u64, usize, bool, array, spinWait } from "kts";
import { addressOf, atomicCas32, atomicStore32, irqSave, irqRestore } from "kts/unsafe";
import { MAX_CPUS } from "../sched/index";

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

/**
 * The lock's word, for contextSwitchToUser: a switch that returns straight to
 * another task's user mode releases the lock (stores 0) once this context is
 * saved. From a system call: interrupts stay masked until that return.
 */
export function schedLockWord(): usize {
  // SAFETY: a word of this module's own static storage.
  return addressOf(word);
}

/**
 * Per CPU: the lock is held across a context switch, for whatever runs next on
 * that CPU (the IPC fast path's direct switch keeps it: the task it switches to
 * takes it first thing anyway).
 */
const passedOn: bool[] = array(MAX_CPUS, false);

/** Before a context switch on cpu, with the lock held: the next context there holds it. */
export function schedLockPass(cpu: u32): void {
  passedOn[cpu] = true;
}

/** Right after a context switch on cpu: takes the lock, unless the switch passed it (then it is held already). */
export function schedLockArrived(cpu: u32): void {
  if (passedOn[cpu]) {
    passedOn[cpu] = false;
    return;
  }
  schedLock();
}
