/**
 * Sleeping: a task blocks with a deadline and the boot CPU's tick wakes every
 * task whose deadline has passed, so a sleep lasts at least what was asked and
 * at most one tick (10 ms) longer.
 */
import { u32, u64, array } from "kts";
import { cpuIndex, monotonicNanos } from "arch";
import { scheduler, BlockReason, MAX_TASKS, MAX_CPUS, TaskState, cpuBit } from "../sched/index";
import { schedLock, schedUnlock } from "./lock";
import { schedule } from "./schedule";

/** Monotonic ns at which each sleeping task wakes; 0 = not sleeping. */
const wakeAt: u64[] = array(MAX_TASKS, 0n);

/** The sleep syscall, for the calling task. Interrupts are masked (syscall context). */
export function sleepCurrent(nanos: u64): void {
  const now: u64 = monotonicNanos();
  if (nanos == 0n) return;
  schedLock();
  const t: u32 = scheduler.current(cpuIndex());
  wakeAt[t] = nanos > u64(0xffff_ffff_ffff_ffffn - now) ? 0xffff_ffff_ffff_ffffn : u64(now + nanos);
  scheduler.block(t, BlockReason.Sleep);
  schedUnlock();
  schedule();
}

/** Under the lock, from the boot CPU's tick: wakes the sleepers whose time has come; returns the CPUs to poke. */
export function wakeSleepers(now: u64): u32 {
  let cpus: u32 = 0;
  for (let t: u32 = 0; t < MAX_TASKS; t++) {
    if (wakeAt[t] == 0n || wakeAt[t] > now) continue;
    wakeAt[t] = 0n;
    const tk = scheduler.task(t);
    if (tk.state != TaskState.Blocked || tk.reason != BlockReason.Sleep) continue;
    const cpu: u32 = scheduler.wake(t);
    if (cpu < MAX_CPUS) cpus = u32(cpus | cpuBit(cpu));
  }
  return cpus;
}
