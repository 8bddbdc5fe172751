"use unsafe";
/**
 * Switching tasks on this CPU: pick the next task, make its address space and
 * kernel stack current, and switch kernel contexts. Called with interrupts
 * masked from syscalls (yield, exit, blocking) and from the end of every IRQ
 * (onIrqExit, after the EOI), when the scheduler asks for it, and from idle
 * loops; interrupts are masked for the duration (and restored when this context
 * is switched back to).
 *
 * A task being switched away from is marked `switching` until its context is
 * saved, so another CPU that picks it up waits instead of resuming a stale SP.
 */
import { u32, usize, bool, array, spinWait } from "kts";
import { irqSave, irqRestore } from "kts/unsafe";
import { cpuIndex, activateUserSpace, setKernelStack, contextSwitch, contextSwitchToUser, wakeCpu } from "arch";
import { scheduler, NO_TASK, NO_CPU, TaskState, MAX_CPUS } from "../sched/index";
import { enterKernelSpace } from "../mem/index";
import { resources, setSwitching, isSwitching, savedSpAddress, savedSpOf, KSTACK_SIZE } from "./table";
import { schedLock, schedUnlock, schedLockPass, schedLockArrived, schedLockWord } from "./lock";
import { claimReap, reap, killIfPending, endIfKilled } from "./lifecycle";
import { crossCallServe } from "./crosscall";

/** The task each CPU last switched away from (its `switching` flag is cleared on arrival). */
const previous: u32[] = array(MAX_CPUS, 0xffff_ffff);

/** Switches to the scheduler's choice for this CPU, if it differs from the current task. */
export function schedule(): void {
  // A task killed while it was in a system call ends here, before it can block and miss its end
  // (and this switches away from it for good).
  endIfKilled(scheduler.current(cpuIndex()));
  const flags = irqSave();
  const cpu: u32 = cpuIndex();
  schedLock();
  const prev: u32 = scheduler.current(cpu);
  const next: u32 = scheduler.pickNext(cpu);
  // pickNext may have moved a task to another CPU (affinity): that CPU hears now.
  const kick: u32 = scheduler.takeKick(cpu);
  // Marked in the same critical section that made prev pickable again: another
  // CPU that picks it now waits until its context is saved (arrived()).
  const switching: bool = next != prev && next != NO_TASK;
  if (switching) setSwitching(prev, true);
  schedUnlock();
  poke(kick);
  if (!switching) {
    irqRestore(flags);
    return;
  }
  while (isSwitching(next)) spinWait();
  const r = resources[next];
  if (r.user) {
    activateUserSpace(r.space.root, r.space.asid());
    setKernelStack(cpu, usize(r.kstackBase + KSTACK_SIZE));
  } else {
    enterKernelSpace();
  }
  previous[cpu] = prev;
  contextSwitch(savedSpAddress(prev), savedSpOf(next));
  arrived();
  irqRestore(flags);
}

/**
 * The context switch of the IPC fast path (Scheduler.handoff already made `next`
 * this CPU's current task, under the lock, and `next`'s own context is saved:
 * not switching): the second half of schedule(), with the lock held throughout.
 * From a system call, so interrupts are masked already. Returns, when `prev`
 * runs again, with the lock held and its arrival done.
 *
 * `frame` 0: the lock passes to `next` (schedLockPass), which resumes where it
 * switched away. Otherwise `next`'s system call is finished, its result in its
 * syscall frame `frame`: it returns to user mode straight from that frame
 * (contextSwitchToUser), and the lock is released once `prev`'s context is
 * saved, so `prev` needs no `switching` mark and `next` no arrival.
 */
export function handoffSwitch(prev: u32, next: u32, cpu: u32, frame: usize): void {
  const r = resources[next];
  activateUserSpace(r.space.root, r.space.asid());
  setKernelStack(cpu, usize(r.kstackBase + KSTACK_SIZE));
  if (frame != 0n) {
    contextSwitchToUser(savedSpAddress(prev), savedSpOf(next), frame, schedLockWord());
  } else {
    // As schedule() does: a CPU that picks prev up waits until its context is saved.
    setSwitching(prev, true);
    previous[cpu] = prev;
    schedLockPass(cpu);
    contextSwitch(savedSpAddress(prev), savedSpOf(next));
  }
  // Perhaps on another CPU now.
  const here: u32 = cpuIndex();
  schedLockArrived(here);
  const reapThis: u32 = arrivedLocked(here);
  if (reapThis == NO_TASK) return;
  schedUnlock();
  reap(reapThis);
  schedLock();
}

/** After a wake-up placed work on `cpu`: interrupt that CPU now unless it is this one (or none). */
export function poke(cpu: u32): void {
  if (cpu != NO_CPU && cpu != cpuIndex()) wakeCpu(cpu);
}

/** poke() for every CPU whose bit is set in mask. */
export function pokeMask(mask: u32): void {
  for (let c: u32 = 0; c < MAX_CPUS; c++) if (u32(mask & u32(1 << c)) != 0) poke(c);
}

/** Runs on the new context right after a switch: the previous task's context is saved now. */
export function arrived(): void {
  const cpu: u32 = cpuIndex();
  schedLockArrived(cpu);
  const reapThis: u32 = arrivedLocked(cpu);
  schedUnlock();
  if (reapThis != NO_TASK) reap(reapThis);
}

/** arrived() under the lock, on cpu: the task the caller must reap (outside the lock), or NO_TASK. */
function arrivedLocked(cpu: u32): u32 {
  const prev: u32 = previous[cpu];
  if (prev == 0xffff_ffff) return NO_TASK;
  setSwitching(prev, false);
  previous[cpu] = 0xffff_ffff;
  return claimReap(prev) ? prev : NO_TASK;
}

/**
 * The arch calls this at the end of every IRQ, after the EOI, with interrupts
 * masked. Only user code is preempted here: kernel code (the idle loops, boot
 * and test code) is never switched away in the middle of what it is doing; it
 * calls schedule() at its own safe points. Syscalls run with IRQs masked, so an
 * IRQ in a user task always interrupted user mode.
 */
export function onIrqExit(): void {
  crossCallServe();
  const cpu: u32 = cpuIndex();
  const t: u32 = scheduler.current(cpu);
  if (!resources[t].user) return;
  killIfPending(t);
  if (scheduler.needsResched(cpu)) schedule();
}
