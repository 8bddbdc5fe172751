"use unsafe";
/**
 * x86_64 trap handling: trap.S saves a frame and calls onTrap(vector, frame).
 *
 *  - vectors 32-255 (interrupts) go to the handler the interrupt controller
 *    driver installed (setIrqHandler), which sends the EOI; then, from any
 *    mode, the kernel's kernel_task_schedule__onIrqExit() runs (it may switch
 *    tasks), still on the interrupted context's stack with interrupts masked;
 *  - NMI goes to the NMI handler (used to stop the other CPUs on a panic);
 *  - an exception in user mode (ring 3) goes to the kernel's
 *    kernel_task_lifecycle__onUserFault(vector, CR2 for a #PF else 0, RIP),
 *    which ends the task and never returns to it (#DF and #MC stay fatal);
 *  - a #PF or #GP in kernel mode whose RIP is in the exception table (trap.S)
 *    resumes at the fixup: that is how probeRead64 reports a fault instead of
 *    taking one;
 *  - every other exception is fatal: a report (name, vector, error code, RIP,
 *    CR2, all registers, code location, backtrace), then a panic.
 */
import { u32, u64, usize, bool, print, panic, hex, array, log, LOG_DEBUG } from "kts";
import { addressOf, load64, store64, readSysreg } from "kts/unsafe";
import { printCodeLocation, printBacktrace } from "../../kernel/debug/symbols";
import { cpuIndex, pcpuGet, pcpuSet, PCPU_FAULT_DEPTH } from "./percpu";
import { haltHere } from "./cpu";
import {
  F_R15 as R15, F_R14 as R14, F_R13 as R13, F_R12 as R12, F_R11 as R11, F_R10 as R10, F_R9 as R9, F_R8 as R8,
  F_RBP as RBP, F_RDI as RDI, F_RSI as RSI, F_RDX as RDX, F_RCX as RCX, F_RBX as RBX, F_RAX as RAX,
  F_ERROR as ERROR, F_RIP as RIP, F_CS as CS, F_RFLAGS as RFLAGS, F_RSP as RSP, F_SS as SS,
} from "./frame";

declare function x86_extable_start(): usize;
declare function x86_extable_end(): usize;
declare function x86_probe_read64(va: usize, out: usize): u32;
declare function x86_hook_user_fault(kind: u32, addr: usize, pc: usize): u32;
declare function x86_hook_irq_exit(): void;

const VEC_NMI: u32 = 2;
const VEC_DF: u32 = 8;
export const VEC_GP: u32 = 13;
export const VEC_PF: u32 = 14;
const VEC_MC: u32 = 18;

let irqHandler: (vector: u32) => void = noIrq;
let nmiHandler: () => void = noNmi;

function noIrq(vector: u32): void {
  print(`unexpected interrupt: vector ${vector} on cpu ${cpuIndex()}`);
}

function noNmi(): void {
  print(`NMI on cpu ${cpuIndex()}`);
}

/** The interrupt controller driver's handler for vectors 32-255. */
export function setIrqHandler(h: (vector: u32) => void): void {
  irqHandler = h;
}

export function setNmiHandler(h: () => void): void {
  nmiHandler = h;
}

function reg(frame: usize, off: u64): u64 {
  // SAFETY: frame is the register frame trap.S (or usermode.S) built on this CPU's stack.
  return load64(usize(frame + off));
}

export function onTrap(vector: u64, frame: usize): void {
  const v: u32 = u32(vector);
  if (v >= 32) {
    irqHandler(v);
    x86_hook_irq_exit();
    return;
  }
  if (v == VEC_NMI) {
    nmiHandler();
    return;
  }
  const user: bool = (reg(frame, CS) & 3n) != 0n;
  if (user && v != VEC_DF && v != VEC_MC) {
    const addr: usize = v == VEC_PF ? readSysreg("CR2") | 0n : 0n;
    log(LOG_DEBUG, `user fault: vector ${v} error=${hex(reg(frame, ERROR))} rip=${hex(reg(frame, RIP))} rsp=${hex(reg(frame, RSP))} addr=${hex(addr)} on cpu ${cpuIndex()}`);
    userFault(v, addr, frame);
  }
  if ((v == VEC_PF || v == VEC_GP) && !user && applyFixup(v, frame)) return;
  fatal(v, frame);
}

/**
 * Hands a fault in user mode (the frame is a user frame) to the kernel, which
 * ends the task and switches away for good. Without a task layer in the image
 * the fault gets the fatal report instead.
 */
export function userFault(kind: u32, addr: usize, frame: usize): never {
  if (x86_hook_user_fault(kind, addr, reg(frame, RIP)) == 0) fatal(kind, frame);
  panic(`onUserFault returned to the faulting context (vector ${kind}, rip ${hex(reg(frame, RIP))})`);
}

/** Resumes at the exception-table fixup of the faulting RIP, if it has one. */
function applyFixup(v: u32, frame: usize): bool {
  const rip: u64 = reg(frame, RIP);
  const end: usize = x86_extable_end();
  for (let e: usize = x86_extable_start(); e < end; e = usize(e + 16n)) {
    // SAFETY: the exception table is read-only data in the kernel image, 16 bytes an entry.
    if (load64(e) != rip) continue;
    if (v == VEC_PF) print(`page fault caught: addr=${hex(readSysreg("CR2"))} rip=${hex(rip)}`);
    else print(`general protection fault caught: rip=${hex(rip)}`);
    store64(usize(frame + RIP), load64(usize(e + 8n)));
    return true;
  }
  return false;
}

/**
 * Reads the u64 at va; false (after logging "page fault caught: ...") instead of
 * a fatal fault when the access faults. For tests that provoke a page fault.
 */
export function probeRead64(va: usize): bool {
  const out: u64[] = array(1, 0n);
  return x86_probe_read64(va, addressOf(out)) != 0;
}

function fatal(v: u32, frame: usize): never {
  const cpu = cpuIndex();
  const depth: u64 = pcpuGet(cpu, PCPU_FAULT_DEPTH);
  const rip: u64 = reg(frame, RIP);
  if (depth != 0n) {
    print(`nested exception ${v} at ${hex(rip)} on cpu ${cpu} while reporting a fault`);
    haltHere();
  }
  pcpuSet(cpu, PCPU_FAULT_DEPTH, 1n);
  const err: u64 = reg(frame, ERROR);
  const user: bool = (reg(frame, CS) & 3n) != 0n;
  printHeader(v, cpu, user);
  print(`  error=${hex(err)} rip=${hex(rip)} cs=${hex(reg(frame, CS))} rflags=${hex(reg(frame, RFLAGS))}`);
  print(`  rsp=${hex(reg(frame, RSP))} ss=${hex(reg(frame, SS))} cr2=${hex(readSysreg("CR2"))} cr3=${hex(readSysreg("CR3"))}`);
  if (v == VEC_PF) {
    print(`  page fault: present=${(err & 1n) != 0n} write=${(err & 2n) != 0n} user=${(err & 4n) != 0n} reserved-bit=${(err & 8n) != 0n} fetch=${(err & 16n) != 0n}`);
  }
  print(`  rax=${hex(reg(frame, RAX))} rbx=${hex(reg(frame, RBX))} rcx=${hex(reg(frame, RCX))} rdx=${hex(reg(frame, RDX))}`);
  print(`  rsi=${hex(reg(frame, RSI))} rdi=${hex(reg(frame, RDI))} rbp=${hex(reg(frame, RBP))} r8=${hex(reg(frame, R8))}`);
  print(`  r9=${hex(reg(frame, R9))} r10=${hex(reg(frame, R10))} r11=${hex(reg(frame, R11))} r12=${hex(reg(frame, R12))}`);
  print(`  r13=${hex(reg(frame, R13))} r14=${hex(reg(frame, R14))} r15=${hex(reg(frame, R15))}`);
  print(`  at:`);
  printCodeLocation(0, rip);
  print(`  backtrace:`);
  printBacktrace(reg(frame, RBP));
  panic(`unhandled exception ${v} (error ${hex(err)}) at ${hex(rip)} on cpu ${cpu}`);
}

function printHeader(v: u32, cpu: u32, user: bool): void {
  const mode: u32 = user ? 3 : 0;
  switch (v) {
    case 0: print(`fault: #DE divide error (vector 0) on cpu ${cpu}, ring ${mode}`); break;
    case 1: print(`fault: #DB debug (vector 1) on cpu ${cpu}, ring ${mode}`); break;
    case 3: print(`fault: #BP breakpoint (vector 3) on cpu ${cpu}, ring ${mode}`); break;
    case 4: print(`fault: #OF overflow (vector 4) on cpu ${cpu}, ring ${mode}`); break;
    case 5: print(`fault: #BR bound range exceeded (vector 5) on cpu ${cpu}, ring ${mode}`); break;
    case 6: print(`fault: #UD invalid opcode (vector 6) on cpu ${cpu}, ring ${mode}`); break;
    case 7: print(`fault: #NM device not available (vector 7) on cpu ${cpu}, ring ${mode}`); break;
    case 8: print(`fault: #DF double fault (vector 8) on cpu ${cpu}, ring ${mode}`); break;
    case 9: print(`fault: coprocessor segment overrun (vector 9) on cpu ${cpu}, ring ${mode}`); break;
    case 10: print(`fault: #TS invalid TSS (vector 10) on cpu ${cpu}, ring ${mode}`); break;
    case 11: print(`fault: #NP segment not present (vector 11) on cpu ${cpu}, ring ${mode}`); break;
    case 12: print(`fault: #SS stack-segment fault (vector 12) on cpu ${cpu}, ring ${mode}`); break;
    case 13: print(`fault: #GP general protection (vector 13) on cpu ${cpu}, ring ${mode}`); break;
    case 14: print(`fault: #PF page fault (vector 14) on cpu ${cpu}, ring ${mode}`); break;
    case 16: print(`fault: #MF x87 floating-point error (vector 16) on cpu ${cpu}, ring ${mode}`); break;
    case 17: print(`fault: #AC alignment check (vector 17) on cpu ${cpu}, ring ${mode}`); break;
    case 18: print(`fault: #MC machine check (vector 18) on cpu ${cpu}, ring ${mode}`); break;
    case 19: print(`fault: #XM SIMD floating-point (vector 19) on cpu ${cpu}, ring ${mode}`); break;
    case 20: print(`fault: #VE virtualization exception (vector 20) on cpu ${cpu}, ring ${mode}`); break;
    case 21: print(`fault: #CP control protection (vector 21) on cpu ${cpu}, ring ${mode}`); break;
    case 28: print(`fault: #HV hypervisor injection (vector 28) on cpu ${cpu}, ring ${mode}`); break;
    case 29: print(`fault: #VC VMM communication (vector 29) on cpu ${cpu}, ring ${mode}`); break;
    case 30: print(`fault: #SX security exception (vector 30) on cpu ${cpu}, ring ${mode}`); break;
    default: print(`fault: reserved exception (vector ${v}) on cpu ${cpu}, ring ${mode}`); break;
  }
}
