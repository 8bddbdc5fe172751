"use unsafe";
/**
 * The register frame every entry from user mode (and every trap) saves on the
 * kernel stack: trap.S builds it for exceptions and interrupts, usermode.S for
 * SYSCALL. Byte offsets from the frame address:
 *
 *   0 r15   8 r14  16 r13  24 r12  32 r11  40 r10  48 r9   56 r8
 *  64 rbp  72 rdi  80 rsi  88 rdx  96 rcx 104 rbx 112 rax
 * 120 vector (FRAME_VECTOR_SYSCALL for a syscall)  128 error code
 * 136 rip  144 cs  152 rflags  160 rsp  168 ss        (176 bytes)
 *
 * In a syscall frame rcx holds the user RIP and r11 the user RFLAGS (what the
 * SYSCALL instruction left there); rip/rflags/rsp hold the same values.
 *
 * Accessors for the kernel's syscall dispatcher: the number is rax, the
 * arguments are rdi rsi rdx r10 r8 r9 (docs/SYSCALLS.md), the result goes to rax.
 */
import { u32, u64, usize, panic } from "kts";
import { load64, store64 } from "kts/unsafe";

export const F_R15: u64 = 0n;
export const F_R14: u64 = 8n;
export const F_R13: u64 = 16n;
export const F_R12: u64 = 24n;
export const F_R11: u64 = 32n;
export const F_R10: u64 = 40n;
export const F_R9: u64 = 48n;
export const F_R8: u64 = 56n;
export const F_RBP: u64 = 64n;
export const F_RDI: u64 = 72n;
export const F_RSI: u64 = 80n;
export const F_RDX: u64 = 88n;
export const F_RCX: u64 = 96n;
export const F_RBX: u64 = 104n;
export const F_RAX: u64 = 112n;
export const F_VECTOR: u64 = 120n;
export const F_ERROR: u64 = 128n;
export const F_RIP: u64 = 136n;
export const F_CS: u64 = 144n;
export const F_RFLAGS: u64 = 152n;
export const F_RSP: u64 = 160n;
export const F_SS: u64 = 168n;
export const FRAME_BYTES: u64 = 176n;

/** The vector slot of a frame built by the SYSCALL entry (usermode.S). */
export const FRAME_VECTOR_SYSCALL: u64 = 0x100n;

export function frameGet(frame: usize, off: u64): u64 {
  // SAFETY: frame is a register frame trap.S or usermode.S built on this CPU's kernel stack.
  return load64(usize(frame + off));
}

export function frameSet(frame: usize, off: u64, v: u64): void {
  // SAFETY: as in frameGet.
  store64(usize(frame + off), v);
}

/** The system-call number (rax). */
export function frameSyscallNumber(frame: usize): u64 {
  return frameGet(frame, F_RAX);
}

/** System-call argument i (0..5: rdi rsi rdx r10 r8 r9). */
export function frameArg(frame: usize, i: u32): u64 {
  switch (i) {
    case 0: return frameGet(frame, F_RDI);
    case 1: return frameGet(frame, F_RSI);
    case 2: return frameGet(frame, F_RDX);
    case 3: return frameGet(frame, F_R10);
    case 4: return frameGet(frame, F_R8);
    case 5: return frameGet(frame, F_R9);
    default: panic("frameArg: no such syscall argument");
  }
}

/**
 * The frame offset of IPC message register i: a short message travels in
 * rdi rsi rdx r10 r8 r9 rbx rbp r12 r13 r14 (docs/ipc.md, "Short messages in
 * registers"; the user stub saves the callee-saved ones).
 */
function messageRegisterAt(i: u32): u64 {
  switch (i) {
    case 0: return F_RDI;
    case 1: return F_RSI;
    case 2: return F_RDX;
    case 3: return F_R10;
    case 4: return F_R8;
    case 5: return F_R9;
    case 6: return F_RBX;
    case 7: return F_RBP;
    case 8: return F_R12;
    case 9: return F_R13;
    case 10: return F_R14;
    default: panic("no such message register");
  }
}

export const MESSAGE_REGISTERS: u32 = 11;

export function frameMessageRegister(frame: usize, i: u32): u64 {
  return frameGet(frame, messageRegisterAt(i));
}

export function frameSetMessageRegister(frame: usize, i: u32, v: u64): void {
  frameSet(frame, messageRegisterAt(i), v);
}

/** The system-call result (rax, as the task sees it on return). */
export function frameSetResult(frame: usize, v: u64): void {
  frameSet(frame, F_RAX, v);
}

/** The user PC: the instruction after SYSCALL, or the faulting / interrupted one. */
export function framePc(frame: usize): usize {
  return frameGet(frame, F_RIP);
}
