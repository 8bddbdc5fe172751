"use unsafe";
/**
 * SYSCALL/SYSRET set-up, per CPU (syscallCpuInit, after loadCpuTables):
 *
 *  - IA32_STAR: SYSCALL loads CS = 0x08 and SS = 0x10 (kernel); SYSRET loads
 *    SS = 0x1b + 8 = 0x23 and CS = 0x1b + 16 = 0x2b (tables.ts lays the GDT
 *    out for this);
 *  - IA32_LSTAR: x86_syscall_entry (usermode.S);
 *  - IA32_FMASK: IF, TF, DF, AC, NT and IOPL cleared on entry (interrupts
 *    stay masked for the whole syscall);
 *  - EFER.SCE on.
 *
 * The entry builds a frame (frame.ts) on the kernel stack setKernelStack chose
 * and calls kernel_syscall_dispatch__onSyscall(frame); two rare paths come
 * back here: no dispatcher in the image, and a return address SYSRET cannot
 * take.
 */
import { u32, u64, usize, panic, hex, log, LOG_DEBUG } from "kts";
import { rdmsr, wrmsr } from "kts/unsafe";
import { KERNEL_CS, USER_CS } from "./tables";
import { frameGet, frameSyscallNumber, F_RIP } from "./frame";
import { userFault, VEC_GP } from "./traps";

declare function x86_syscall_entry_address(): usize;

const IA32_EFER: u32 = 0xc000_0080;
const IA32_STAR: u32 = 0xc000_0081;
const IA32_LSTAR: u32 = 0xc000_0082;
const IA32_FMASK: u32 = 0xc000_0084;
const EFER_SCE: u64 = 0x1n;
/** TF, IF, DF, IOPL, NT, AC. */
const FMASK: u64 = 0x4_7700n;

/** This CPU: SYSCALL enters the kernel at x86_syscall_entry. */
export function syscallCpuInit(): void {
  const userBase: u64 = u64(USER_CS - 16); // 0x1b: SYSRET adds 8 (SS) and 16 (CS)
  // SAFETY: the syscall MSRs of this CPU; the selectors match the GDT of tables.ts.
  wrmsr(IA32_STAR, u64((userBase << 48n) | (u64(KERNEL_CS) << 32n)));
  wrmsr(IA32_LSTAR, x86_syscall_entry_address());
  wrmsr(IA32_FMASK, FMASK);
  wrmsr(IA32_EFER, rdmsr(IA32_EFER) | EFER_SCE);
}

/** A syscall in an image without kernel_syscall_dispatch__onSyscall: a wiring error. */
export function noDispatcher(frame: usize): void {
  panic(`syscall ${frameSyscallNumber(frame)} from ${hex(frameGet(frame, F_RIP))}: no syscall dispatcher in this image`);
}

/**
 * The dispatcher left a return address outside the user half (SYSCALL at the
 * very end of it, or a frame edited wrongly): SYSRET would #GP in ring 0 on the
 * user's stack, so the task ends as for a #GP at that address instead.
 */
export function badSyscallReturn(frame: usize): void {
  const rip: usize = frameGet(frame, F_RIP);
  log(LOG_DEBUG, `user fault: syscall return to ${hex(rip)}, outside the user half`);
  userFault(VEC_GP, rip, frame);
}
