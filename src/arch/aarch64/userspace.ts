"use unsafe";
/**
 * User mode on AArch64 (the arch interface's "User mode" section; the
 * assembly is userspace.S). The user half of the address space is TTBR0_EL1,
 * the kernel half TTBR1_EL1, so a user root table holds only user mappings
 * and activating one touches TTBR0 alone: its root and its ASID, so a switch
 * keeps every space's TLB entries (userSpaceInit says why that is safe).
 *
 * The kernel stack a CPU enters on from EL0 is SP_EL1, which is exactly the
 * running task's kernel stack top whenever that task is in EL0 (its first
 * entry erets from there, and every return to EL0 unwinds its trap frame back
 * to it), so setKernelStack has nothing to do.
 */
import { u32, u64, usize, panic, hex } from "kts";
import { tlbiAside1is } from "kts/unsafe";

/** The end of the user half: TTBR0 translates [0, 2^48) (T0SZ = 16). */
const USER_TOP: usize = 0x0001_0000_0000_0000n;

declare function arch_activate_user_space(ttbr0: usize): void;
declare function arch_context_switch_to_user(saveAt: usize, frame: usize, release: usize, nextSaved: usize): void;
declare function arch_context_init_user(kstackTop: usize, entry: usize, userSp: usize, arg: u64): usize;
declare function arch_context_switch(saveAt: usize, to: usize): void;
declare function arch_sync_icache(va: usize, len: u64): void;

function checkRoot(root: usize): void {
  if (root == 0n || (root & 0xfffn) != 0n) panic(`user root table ${hex(root)} is not a page-aligned physical address`);
}

/** ASIDs are 8 bits wide on every AArch64 CPU (16 only with TCR_EL1.AS); 0 is never a user space's. */
const MAX_ASID: u32 = 255;

function checkAsid(asid: u32): void {
  if (asid == 0 || asid > MAX_ASID) panic(`ASID ${asid} is not in 1..${MAX_ASID}`);
}

/**
 * Prepares a new user root table, whose space is tagged `asid`: nothing to
 * share (the kernel half is TTBR1), but an earlier space with the same ASID
 * may have left TLB entries on any CPU: they go now. None can appear after
 * this: the earlier space's task is dead and no CPU runs it any more, and a
 * CPU not running a user space has TTBR0 walks off (activateKernelSpace).
 */
export function userSpaceInit(root: usize, asid: u32): void {
  checkRoot(root);
  checkAsid(asid);
  tlbiAside1is(asid);
}

/**
 * This CPU now runs the user space whose root table is at physical address root, tagged asid.
 * @inline (the IPC fast path's switch: a call would cost its own frame)
 */
export function activateUserSpace(root: usize, asid: u32): void {
  // asid was checked when the space was made (userSpaceInit): a space's ASID never changes.
  checkRoot(root);
  arch_activate_user_space(usize(root | u64(u64(asid) << 48n)));
}

/** No-op: SP_EL1 already is the running task's kernel stack when it is in EL0. */
export function setKernelStack(cpu: u32, top: usize): void {}

/**
 * Builds, at the top of a kernel stack, a context that contextSwitch can
 * switch to and that enters EL0 at entry with SP_EL0 = userSp, x0 = arg, all
 * other registers zero and interrupts enabled, after calling the scheduler's
 * kernel_task_schedule__arrived(). Uses the 112 bytes below the (16-byte
 * aligned) top; returns its saved SP.
 */
export function contextInitUser(kstackTop: usize, entry: usize, userSp: usize, arg: u64): usize {
  if (entry >= USER_TOP || userSp > USER_TOP) panic(`contextInitUser: entry ${hex(entry)} / stack ${hex(userSp)} outside user space`);
  return arch_context_init_user(kstackTop, entry, userSp, arg);
}

/**
 * Saves this CPU's kernel context (x19-x30, DAIF, TPIDR_EL0) on the current
 * stack, stores its SP at saveAt and switches to the context whose SP is to;
 * returns when something switches back, with the caller's interrupt mask.
 */
export function contextSwitch(saveAt: usize, to: usize): void {
  arch_context_switch(saveAt, to);
}

/**
 * Saves this CPU's kernel context as contextSwitch does, stores 0 at `release`
 * (a u32: the lock that kept the context from being resumed half saved), then
 * returns to EL0 from `frame`, the next task's exception frame (its system call
 * finished, its result in the frame), with the user thread pointer from the
 * next task's saved context at `nextSaved`. Returns when something switches
 * back to the saved context.
 */
export function contextSwitchToUser(saveAt: usize, nextSaved: usize, frame: usize, release: usize): void {
  arch_context_switch_to_user(saveAt, frame, release, nextSaved);
}

/**
 * Makes code just written at [va, va + len) (through any mapping, e.g. the
 * direct map) safe to execute on every CPU. Loading user code needs it on
 * AArch64 (x86_64 keeps instruction fetch coherent by itself).
 */
export function syncInstructionCache(va: usize, len: u64): void {
  arch_sync_icache(va, len);
}
