"use unsafe";
/**
 * Kernel contexts of tasks, and the kernel stack a CPU enters on from user mode.
 *
 * A saved context is what x86_context_switch (usermode.S) pushed on a task's
 * kernel stack, and is named by its SP. From that SP up (8 bytes each):
 * rflags, r15, r14, r13, r12, rbx, rbp, return address. contextSwitch keeps
 * RFLAGS in the context, so a task resumes with interrupts as masked as when it
 * switched away (syscall and IRQ-exit paths: masked).
 *
 * A new user context (contextInitUser) has the same shape: its return address
 * is x86_user_first_entry, which enters ring 3 with iretq from r12 = entry,
 * r13 = user SP, r14 = argument (in rdi); it starts with interrupts masked
 * and uses the 64 bytes below kstackTop.
 */
import { u32, u64, usize, panic, hex } from "kts";
import { store64 } from "kts/unsafe";
import { pcpuSet, PCPU_SYSCALL_STACK } from "./percpu";
import { setTssRsp0 } from "./tables";

declare function x86_context_switch(saveAt: usize, to: usize): void;
declare function x86_context_switch_to_user(saveAt: usize, frame: usize, release: usize): void;
declare function x86_user_first_entry_address(): usize;

const CONTEXT_BYTES: u64 = 64n;
/** RFLAGS of a new context until its iretq: interrupts masked (bit 1 is always set). */
const RFLAGS_MASKED: u64 = 0x2n;
const USER_TOP: u64 = 0x8000_0000_0000n;

/**
 * Builds, at the top of a kernel stack, a context that contextSwitch can switch
 * to and that enters user mode at `entry` with stack `userSp` and `arg` in rdi.
 * Returns the context's SP.
 */
export function contextInitUser(kstackTop: usize, entry: usize, userSp: usize, arg: u64): usize {
  if (entry >= USER_TOP || userSp > USER_TOP) panic(`contextInitUser: entry ${hex(entry)} / stack ${hex(userSp)} outside user space`);
  const top: usize = kstackTop & 0xffff_ffff_ffff_fff0n;
  const sp: usize = usize(top - CONTEXT_BYTES);
  // SAFETY: the caller's kernel stack: the 64 bytes below its (aligned) top.
  store64(sp, RFLAGS_MASKED);
  store64(usize(sp + 8n), 0n); // r15
  store64(usize(sp + 16n), arg); // r14
  store64(usize(sp + 24n), userSp); // r13
  store64(usize(sp + 32n), entry); // r12
  store64(usize(sp + 40n), 0n); // rbx
  store64(usize(sp + 48n), 0n); // rbp
  store64(usize(sp + 56n), x86_user_first_entry_address());
  return sp;
}

/**
 * Saves this CPU's kernel context (callee-saved registers, RFLAGS) on the
 * current stack, stores its SP at address `saveAt`, and resumes the context
 * whose SP is `to`. Returns when something switches back to the saved one.
 */
export function contextSwitch(saveAt: usize, to: usize): void {
  x86_context_switch(saveAt, to);
}

/**
 * Saves this CPU's kernel context as contextSwitch does, stores 0 at `release`
 * (a u32: the lock that kept the context from being resumed half saved), then
 * returns to user mode from `frame`, the next task's syscall frame (its system
 * call finished, its result in the frame). `nextSaved` (the next task's saved
 * SP) is not needed here: x86_64 keeps no user state in a kernel context.
 * Returns when something switches back to the saved context.
 */
export function contextSwitchToUser(saveAt: usize, nextSaved: usize, frame: usize, release: usize): void {
  x86_context_switch_to_user(saveAt, frame, release);
}

/**
 * This CPU (index `cpu`, the caller's cpuIndex()) now enters the kernel from
 * user mode on the stack ending at `top`: TSS RSP0 (interrupts, exceptions) and
 * the SYSCALL entry's stack.
 */
export function setKernelStack(cpu: u32, top: usize): void {
  const t: usize = top & 0xffff_ffff_ffff_fff0n;
  setTssRsp0(cpu, t);
  pcpuSet(cpu, PCPU_SYSCALL_STACK, t);
}
