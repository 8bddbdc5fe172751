"use unsafe";
/**
 * Per-task resources beside the scheduler's Task (src/kernel/sched): the user
 * address space, the kernel stack, the saved kernel context, and exit status.
 * Indexed by the scheduler's task index. Contexts live in a flat array so the
 * arch's contextSwitch can be given the address of a task's slot.
 */
import { u8, u32, u64, usize, bool, array, structs } from "kts";
import { addressOf, atomicLoad32, atomicStore32 } from "kts/unsafe";
import { AddressSpace } from "../mem/paging";
import { MAX_TASKS } from "../sched/index";

/** @align 256 — indexed by task on every IPC system call: a shift, not a multiply (136 bytes of fields) */
export class TaskResources {
  live: bool = false;
  user: bool = false;
  space = new AddressSpace();
  /** Kernel stack [kstackBase, kstackBase + KSTACK_SIZE) in the direct map. */
  kstackBase: usize = 0n;
  exitCode: u64 = 0n;
  faults: u32 = 0;
  /** Set by taskKill for a task running on another CPU: it ends at its next interrupt. */
  killPending: bool = false;
  /** Its boot-manifest service index, or NO_SERVICE. */
  service: u32 = NO_SERVICE;
  /** Its program or service name (NUL-padded), for ps and logs. */
  name: u8[] = array(TASK_NAME_BYTES, 0);
}

export const NO_SERVICE: u32 = 0xffff_ffff;
export const TASK_NAME_BYTES = 32;

export const KSTACK_FRAMES: u32 = 4;
export const KSTACK_SIZE: u64 = 0x4000n;

export const resources: TaskResources[] = structs(MAX_TASKS, TaskResources);
/** Saved kernel SP of each task while it is not running (written by contextSwitch). */
const savedSp: u64[] = array(MAX_TASKS, 0n);
/** 1 while a CPU is still switching away from the task (its context not yet saved). */
const switching: u32[] = array(MAX_TASKS, 0);

/** Marks the task as being switched away from (or done); ordered with the saved SP. */
export function setSwitching(t: u32, on: bool): void {
  atomicStore32(usize(addressOf(switching) + u64(t % MAX_TASKS) * 4n), on ? 1 : 0);
}

export function isSwitching(t: u32): bool {
  return atomicLoad32(usize(addressOf(switching) + u64(t % MAX_TASKS) * 4n)) != 0;
}

export function savedSpAddress(t: u32): usize {
  // SAFETY: slot t of this module's static array (t < MAX_TASKS by the bounds check below).
  return usize(addressOf(savedSp) + u64(t % MAX_TASKS) * 8n);
}

export function savedSpOf(t: u32): usize {
  return savedSp[t];
}

export function setSavedSp(t: u32, sp: usize): void {
  savedSp[t] = sp;
}
