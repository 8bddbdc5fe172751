/**
 * What the IPC system calls keep per task between a blocking call and its
 * resumption, and how a task blocks: through the scheduler (the ordinary path)
 * or by switching straight to the task it released (the fast path, the L4
 * direct switch: Scheduler.handoff). Used under the scheduler lock.
 */
import { u32, u64, usize, bool, structs, unlikely } from "kts";
import { cpuIndex, frameSetResult } from "arch";
import { ipc, NO_TASK } from "../ipc/index";
import { scheduler, BlockReason, MAX_TASKS, ALL_CPUS, cpuBit } from "../sched/index";
import { resources, isSwitching } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { sweepWanted } from "../task/user-memory";
import { schedule, handoffSwitch } from "../task/schedule";
import { probeMark, PART_SWITCH } from "./probe";

/**
 * What the IPC system calls keep for one task.
 * @align 64 — indexed by task on every IPC system call: a shift, not a multiply (40 bytes of fields)
 */
export class IpcWait {
  /** The reply token of the last call it received (0: none). */
  replyToken: u64 = 0n;
  /**
   * Its inbox holds a message it has not seen. A blocking receive or call whose
   * buffer stopped being writable user memory while it waited (a mapping
   * revoked) returns BadAddress and keeps the message, with whatever
   * capabilities it carried (they are the task's already): its next receive
   * returns it, and a call is refused until then (it would overwrite it).
   */
  kept: bool = false;
  /** While blocked: the buffer its receive or call waits to fill (the fast path writes it directly). */
  buffer: usize = 0n;
  /** While blocked: its system call's register frame, and whether it takes a short message in registers (REGS_RECEIVE). */
  frame: usize = 0n;
  registers: bool = false;
  /** Whether the fast path has handed it its message or reply already, and where (nothing to deliver from the inbox). */
  delivered: u32 = NOT_DELIVERED;
}

export const NOT_DELIVERED: u32 = 0;
export const DELIVERED_IN_MEMORY: u32 = 1;
export const DELIVERED_IN_REGISTERS: u32 = 2;

/** Per task (index = task id). */
export const waits: IpcWait[] = structs(MAX_TASKS, IpcWait);

/** Records what the task blocks to receive into. */
export function waitFor(task: u32, va: usize, frame: usize, registers: bool): void {
  const w = waits[task];
  w.buffer = va;
  w.frame = frame;
  w.registers = registers;
}

/** Clears a task's record (it ended). */
export function waitClear(task: u32): void {
  const w = waits[task];
  w.replyToken = 0n;
  w.kept = false;
  w.delivered = NOT_DELIVERED;
}

/** The fast path (direct switch, direct copy) is on unless the command line says `ipc=slow` (tests run both). */
let fastPath: bool = true;

export function ipcSlowPathOnly(): void {
  fastPath = false;
}

export function ipcFastPathOn(): bool {
  return fastPath;
}

/**
 * Wakes every task the last IPC operation released (under the lock), on this
 * CPU: its partner is about to block or has just answered, so the woken task
 * runs next here, with no IPI and its partner's data still in this CPU's cache.
 */
export function wakeReleased(): void {
  const here: u32 = cpuBit(cpuIndex());
  for (let t: u32 = ipc.popWake(); t != NO_TASK; t = ipc.popWake()) wakeHere(t, here);
}

function wakeHere(t: u32, here: u32): void {
  scheduler.setAffinity(t, here);
  scheduler.wake(t);
  scheduler.setAffinity(t, ALL_CPUS);
}

/**
 * Blocks the current task for `reason` after an IPC operation, under the lock.
 * The fast path, when the operation released exactly one task and it can run
 * here now: it runs in the current task's place at once, with no trip through
 * the run queues. Otherwise every released task is woken (wakeReleased) and the
 * scheduler picks.
 */
export function blockAfter(task: u32, reason: BlockReason): void {
  // A kill that came while the task ran ends it in schedule(): the slow path.
  const next: u32 = fastPath && ipc.wakePending() == 1 && !resources[task].killPending ? ipc.peekWake() : NO_TASK;
  if (next != NO_TASK && resources[next].user && switchTo(task, next, reason, true)) return;
  wakeReleased();
  blockAndWait(task, reason);
}

/**
 * Blocks the current task and runs `next`, a user task (partnerTarget) which the
 * fast path has just made Ready in IPC without putting it on the wake list:
 * directly if the scheduler allows (Scheduler.handoff), else through the
 * scheduler. The fast path found no kill pending for the current task (eligible).
 */
export function blockAndRun(task: u32, next: u32, reason: BlockReason): void {
  if (unlikely(!switchTo(task, next, reason, false))) wakeAndWait(task, next, reason);
}

/** @cold blockAndRun when the scheduler refuses the direct switch (out of line: the fast path's callers stay small). */
function wakeAndWait(task: u32, next: u32, reason: BlockReason): void {
  wakeHere(next, cpuBit(cpuIndex()));
  blockAndWait(task, reason);
}

/**
 * The direct switch from task to next, if next may run here now; false (nothing
 * done) if not. `woken`: next is the wake list's only task (it leaves the list).
 * The caller has found next a user task, and no kill pending for task (it would
 * end in schedule(): the slow path).
 * @outline blockAndRun, a line around it, then inlines into the fast path (one
 * function's prologue, not two).
 */
function switchTo(task: u32, next: u32, reason: BlockReason, woken: bool): bool {
  const cpu: u32 = cpuIndex();
  // Not while another CPU is still saving next's context (schedule() waits for that, without the lock).
  if (isSwitching(next)) return false;
  if (!scheduler.handoff(cpu, task, next, reason)) return false;
  if (woken) ipc.popWake();
  // The lock stays held across the switch; back here with it held.
  handoffSwitch(task, next, cpu, finishedFrame(next));
  probeMark(PART_SWITCH);
  return true;
}

/**
 * next's syscall frame with its result in it, if its system call is finished
 * now: the fast path handed it its message (0 in memory, 1 in registers), so
 * resumed() would return just that, and what its stack would run on the way out
 * (unlocking, the exit's sweep: none wanted) does nothing. It then returns to
 * user mode straight from the frame (handoffSwitch), as it would from its own
 * stack (a kill pending takes it at its next entry to the kernel either way).
 * 0 if not.
 */
function finishedFrame(next: u32): usize {
  const w = waits[next];
  if (w.delivered == NOT_DELIVERED || sweepWanted()) return 0n;
  frameSetResult(w.frame, w.delivered == DELIVERED_IN_REGISTERS ? 1n : 0n);
  w.delivered = NOT_DELIVERED;
  probeMark(PART_SWITCH);
  return w.frame;
}

/** Blocks the current task with `reason`, drops the lock and runs something else until woken. */
export function blockAndWait(task: u32, reason: BlockReason): void {
  scheduler.block(task, reason);
  schedUnlock();
  schedule();
  schedLock();
  // From the last mark of the task that switched here (see probe.ts).
  probeMark(PART_SWITCH);
}
