"use unsafe";
/**
 * AArch64 exception handling: vectors.S saves a frame and calls onTrap(kind,
 * frame). kind is the vector index: (source << 2) | type, source 0 = EL1 on
 * SP_EL0, 1 = EL1 on SP_EL1, 2 = EL0 AArch64, 3 = EL0 AArch32; type 0 = sync,
 * 1 = IRQ, 2 = FIQ, 3 = SError.
 *
 * IRQs (from EL1 or EL0) go to the handler the interrupt controller registered
 * (which acknowledges and ends them), then to the kernel's
 * kernel_task_schedule__onIrqExit(), still on the interrupted context's kernel
 * stack with IRQs masked; it may switch tasks. An SVC from EL0 never gets here:
 * vectors.S calls kernel_syscall_dispatch__onSyscall(frame) directly. Any other
 * synchronous exception from EL0 is a user fault: its class is printed and
 * kernel_task_lifecycle__onUserFault(EC, address, ELR) is called, which never
 * returns to the faulting context. A synchronous abort in the kernel at a
 * listed probe instruction (the exception table of vectors.S) resumes at its
 * recovery address; every other exception is fatal: a fault report (class,
 * status, ESR/FAR/ELR, all registers, code location, backtrace), then a panic.
 *
 * The frame (288 bytes): x0..x30 at 8 * n, SP_EL0 at 248, ELR 256, SPSR 264,
 * ESR 272, FAR 280; the interrupted SP_EL1 is frame + 288. The frame
 * accessors give the kernel the syscall ABI (docs/SYSCALLS.md): x8 = number,
 * x0..x5 = arguments, x0 = result.
 */
import { u32, u64, usize, bool, print, panic, hex, array } from "kts";
import { load64, store64, readSysreg, atomicLoad32, atomicStore32, addressOf } from "kts/unsafe";
import { printCodeLocation, printBacktrace } from "../../kernel/debug/symbols";
import { MAX_CPUS } from "../../kernel/boot/bootinfo";

declare function arch_probe_read64(va: usize): u64;
declare function arch_extable_start(): usize;
declare function arch_extable_end(): usize;
// The portable kernel's entry points (weak defaults in userspace.S).
declare function kernel_task_lifecycle__onUserFault(kind: u32, addr: usize, pc: usize): void;
declare function kernel_task_schedule__onIrqExit(): void;

const FRAME_SIZE = 288n;
const X8 = 64n;
const SP_EL0 = 248n;
const ELR = 256n;
const SPSR = 264n;
const ESR = 272n;
const FAR = 280n;

// Exception classes (ESR_EL1.EC).
const EC_UNKNOWN: u32 = 0x00;
const EC_WFX: u32 = 0x01;
const EC_FP: u32 = 0x07;
const EC_ILLEGAL: u32 = 0x0e;
const EC_SVC64: u32 = 0x15;
const EC_HVC64: u32 = 0x16;
const EC_SMC64: u32 = 0x17;
const EC_SYSREG: u32 = 0x18;
const EC_IABT_LOW: u32 = 0x20;
const EC_IABT_CUR: u32 = 0x21;
const EC_PC_ALIGN: u32 = 0x22;
const EC_DABT_LOW: u32 = 0x24;
const EC_DABT_CUR: u32 = 0x25;
const EC_SP_ALIGN: u32 = 0x26;
const EC_FP64: u32 = 0x2c;
const EC_SERROR: u32 = 0x2f;
const EC_BKPT_LOW: u32 = 0x30;
const EC_BKPT_CUR: u32 = 0x31;
const EC_STEP_LOW: u32 = 0x32;
const EC_STEP_CUR: u32 = 0x33;
const EC_WATCH_LOW: u32 = 0x34;
const EC_WATCH_CUR: u32 = 0x35;
const EC_BRK: u32 = 0x3c;

/** IRQ handler installed by the interrupt controller driver. */
let irqHandler: (frame: usize) => void = noIrq;

/** Per CPU: 1 while a fault report is being printed (a fault inside it stops the CPU). */
const reporting: u32[] = array(MAX_CPUS, 0);

function noIrq(frame: usize): void {
  panic(`unexpected IRQ (frame ${hex(frame)})`);
}

/** Boot CPU: no IRQ handler until the interrupt controller installs one. */
export function trapsInit(): void {
  irqHandler = noIrq;
}

export function setIrqHandler(h: (frame: usize) => void): void {
  irqHandler = h;
}

function thisCpu(): u32 {
  const c: u32 = u32(readSysreg("TPIDR_EL1"));
  if (c >= MAX_CPUS) return 0;
  return c;
}

/**
 * Reads the u64 at va; returns false instead of faulting if the access faults
 * (the trap handler logs "page fault caught: ..." and resumes the probe).
 */
export function probeRead64(va: usize): bool {
  return arch_probe_read64(va) != 0n;
}

/** The recovery address for a fault at pc, or 0 if pc is not a listed probe instruction. */
function fixupFor(pc: usize): usize {
  const end: usize = arch_extable_end();
  let p: usize = arch_extable_start();
  while (p < end) {
    if (load64(p) == pc) return load64(usize(p + 8n));
    p = usize(p + 16n);
  }
  return 0n;
}

/** The syscall number (x8) of a frame from EL0. */
export function frameSyscallNumber(frame: usize): u64 {
  return load64(usize(frame + X8));
}

/** Syscall argument i (0..5: x0..x5) of a frame from EL0. */
export function frameArg(frame: usize, i: u32): u64 {
  if (i >= 6) panic("no such syscall argument (x0..x5)");
  return load64(usize(frame + u64(i) * 8n));
}

/** Sets the syscall result (x0) the frame returns to EL0 with. */
export function frameSetResult(frame: usize, v: u64): void {
  store64(frame, v);
}

/**
 * IPC message register i (0..10: x1..x11) of a syscall frame: a short message
 * travels in them (docs/ipc.md, "Short messages in registers").
 */
export function frameMessageRegister(frame: usize, i: u32): u64 {
  if (i >= MESSAGE_REGISTERS) panic("no such message register (x1..x11)");
  return load64(usize(frame + u64(u32(i + 1)) * 8n));
}

export function frameSetMessageRegister(frame: usize, i: u32, v: u64): void {
  if (i >= MESSAGE_REGISTERS) panic("no such message register (x1..x11)");
  store64(usize(frame + u64(u32(i + 1)) * 8n), v);
}

export const MESSAGE_REGISTERS: u32 = 11;

/** The interrupted (or faulting, or next after an SVC) instruction: ELR. */
export function framePc(frame: usize): usize {
  return load64(usize(frame + ELR));
}

export function onTrap(kind: u64, frame: usize): void {
  const k: u32 = u32(kind);
  const type: u32 = k & 3;
  const source: u32 = k >>> 2;
  if (type == 1) {
    irqHandler(frame);
    kernel_task_schedule__onIrqExit();
    return;
  }
  if (type == 0 && source >= 2) {
    userFault(k, frame);
    return;
  }
  if (type == 0 && source <= 1) {
    const esr: u64 = load64(usize(frame + ESR));
    const ec: u32 = u32((esr >> 26n) & 0x3fn);
    if (ec == EC_DABT_CUR) {
      const elr: u64 = load64(usize(frame + ELR));
      const fixup: usize = fixupFor(elr);
      if (fixup != 0n) {
        print(`page fault caught: addr=${hex(load64(usize(frame + FAR)))} pc=${hex(elr)}`);
        store64(usize(frame + ELR), fixup);
        return;
      }
    }
  }
  faultReport(k, frame);
}

/**
 * A synchronous exception from EL0 other than an SVC: its class, then the
 * kernel's fault hook with kind = ESR_EL1.EC (0x24 data abort, 0x20
 * instruction abort, 0x00 undefined instruction, 0x18 trapped system register
 * access, 0x22 PC alignment, 0x26 SP alignment, 0x3c BRK, 0x07 SIMD/FP ...),
 * the faulting address (FAR; 0 when the class has none) and the ELR.
 */
function userFault(k: u32, frame: usize): void {
  const esr: u64 = load64(usize(frame + ESR));
  const ec: u32 = u32((esr >> 26n) & 0x3fn);
  const elr: usize = load64(usize(frame + ELR));
  let addr: usize = 0n;
  const abort: bool = ec == EC_IABT_LOW || ec == EC_DABT_LOW;
  const farNotValid: bool = (esr & 0x400n) != 0n; // ISS.FnV, for aborts
  if ((abort && !farNotValid) || ec == EC_PC_ALIGN || ec == EC_WATCH_LOW) addr = load64(usize(frame + FAR));
  print(`user fault on cpu ${thisCpu()} (vector ${k}): addr=${hex(addr)} pc=${hex(elr)}`);
  printClass(ec, esr);
  kernel_task_lifecycle__onUserFault(ec, addr, elr);
  panic(`onUserFault returned to a faulting user context (EC ${hex(ec)}, pc ${hex(elr)})`);
}

/** userspace.S's weak stand-ins for the kernel's entry points when the image has none. */
export function missingKernelHook(which: u64): void {
  if (which == 0n) panic("syscall from EL0, but kernel_syscall_dispatch__onSyscall is not linked into this image");
  panic("user fault, but kernel_task_lifecycle__onUserFault is not linked into this image");
}

/** Prints everything known about a fatal exception, then panics. */
function faultReport(k: u32, frame: usize): never {
  const cpu: u32 = thisCpu();
  const flag: usize = usize(addressOf(reporting) + u64(cpu) * 4n);
  const esr: u64 = load64(usize(frame + ESR));
  const far: u64 = load64(usize(frame + FAR));
  const elr: u64 = load64(usize(frame + ELR));
  const spsr: u64 = load64(usize(frame + SPSR));
  const ec: u32 = u32((esr >> 26n) & 0x3fn);
  if (atomicLoad32(flag) != 0) {
    panic(`exception ${k} while reporting a fault on cpu ${cpu}: ESR=${hex(esr)} FAR=${hex(far)} ELR=${hex(elr)}`);
  }
  atomicStore32(flag, 1);
  const type: u32 = k & 3;
  const source: u32 = k >>> 2;
  print(``);
  print(`*** fatal exception on cpu ${cpu}: vector ${k}`);
  printVector(type, source);
  if (type == 0 || type == 3) {
    printClass(ec, esr);
  }
  let sp: u64 = usize(frame + FRAME_SIZE);
  if (source == 0) sp = load64(usize(frame + SP_EL0));
  print(`  ESR=${hex(esr)} FAR=${hex(far)} ELR=${hex(elr)} SPSR=${hex(spsr)} SP=${hex(sp)}`);
  printRegisters(frame);
  print(`  faulting code:`);
  printCodeLocation(0, elr);
  print(`  link register (x30):`);
  printCodeLocation(0, load64(usize(frame + 240n)));
  print(`  backtrace (x29=${hex(load64(usize(frame + 232n)))}):`);
  printBacktrace(load64(usize(frame + 232n)));
  if (type == 0) panic(`synchronous exception EC=${hex(ec)} at ${hex(elr)} (FAR ${hex(far)}) on cpu ${cpu}`);
  if (type == 2) panic(`unexpected FIQ at ${hex(elr)} on cpu ${cpu}`);
  panic(`SError ESR=${hex(esr)} at ${hex(elr)} on cpu ${cpu}`);
}

function printVector(type: u32, source: u32): void {
  if (type == 0) print(`  type: synchronous exception`);
  else if (type == 1) print(`  type: IRQ`);
  else if (type == 2) print(`  type: FIQ`);
  else print(`  type: SError (asynchronous abort)`);
  if (source == 0) print(`  from: EL1 on SP_EL0`);
  else if (source == 1) print(`  from: EL1 (kernel)`);
  else if (source == 2) print(`  from: EL0, AArch64 (user)`);
  else print(`  from: EL0, AArch32 (user)`);
}

/** The exception class in words, and for aborts the fault status. */
function printClass(ec: u32, esr: u64): void {
  const iss: u32 = u32(esr & 0x1ff_ffffn);
  switch (ec) {
    case EC_UNKNOWN:
      print(`  class: EC=${hex(ec)} unknown reason (undefined instruction)`);
      break;
    case EC_WFX:
      print(`  class: EC=${hex(ec)} trapped WFI/WFE`);
      break;
    case EC_FP:
      print(`  class: EC=${hex(ec)} SIMD/floating-point access trapped (CPACR_EL1.FPEN)`);
      break;
    case EC_ILLEGAL:
      print(`  class: EC=${hex(ec)} illegal execution state`);
      break;
    case EC_SVC64:
      print(`  class: EC=${hex(ec)} SVC (system call), imm=${hex(iss & 0xffff)}`);
      break;
    case EC_HVC64:
      print(`  class: EC=${hex(ec)} HVC, imm=${hex(iss & 0xffff)}`);
      break;
    case EC_SMC64:
      print(`  class: EC=${hex(ec)} SMC, imm=${hex(iss & 0xffff)}`);
      break;
    case EC_SYSREG:
      print(`  class: EC=${hex(ec)} trapped MSR/MRS/system instruction, ISS=${hex(iss)}`);
      break;
    case EC_IABT_LOW:
      print(`  class: EC=${hex(ec)} instruction abort from EL0`);
      printFaultStatus(iss, false);
      break;
    case EC_IABT_CUR:
      print(`  class: EC=${hex(ec)} instruction abort in the kernel (EL1)`);
      printFaultStatus(iss, false);
      break;
    case EC_PC_ALIGN:
      print(`  class: EC=${hex(ec)} PC alignment fault`);
      break;
    case EC_DABT_LOW:
      print(`  class: EC=${hex(ec)} data abort from EL0`);
      printFaultStatus(iss, true);
      break;
    case EC_DABT_CUR:
      print(`  class: EC=${hex(ec)} data abort in the kernel (EL1)`);
      printFaultStatus(iss, true);
      break;
    case EC_SP_ALIGN:
      print(`  class: EC=${hex(ec)} SP alignment fault`);
      break;
    case EC_FP64:
      print(`  class: EC=${hex(ec)} floating-point exception`);
      break;
    case EC_SERROR:
      print(`  class: EC=${hex(ec)} SError, ISS=${hex(iss)}`);
      break;
    case EC_BKPT_LOW:
    case EC_BKPT_CUR:
      print(`  class: EC=${hex(ec)} hardware breakpoint`);
      break;
    case EC_STEP_LOW:
    case EC_STEP_CUR:
      print(`  class: EC=${hex(ec)} software step`);
      break;
    case EC_WATCH_LOW:
    case EC_WATCH_CUR:
      print(`  class: EC=${hex(ec)} watchpoint`);
      break;
    case EC_BRK:
      print(`  class: EC=${hex(ec)} BRK instruction, imm=${hex(iss & 0xffff)}`);
      break;
    default:
      print(`  class: EC=${hex(ec)} (not decoded), ISS=${hex(iss)}`);
  }
}

/** Decodes DFSC/IFSC (ISS[5:0]) and, for data aborts, the access direction. */
function printFaultStatus(iss: u32, data: bool): void {
  const fsc: u32 = iss & 0x3f;
  const level: u32 = fsc & 3;
  const group: u32 = fsc >>> 2;
  let access: u32 = 0;
  if (data) {
    access = 1;
    if ((iss & 0x40) != 0) access = 2;
    if ((iss & 0x100) != 0) access = 3;
  }
  if (group == 0) print(`  status: FSC=${hex(fsc)} address size fault, level ${level}`);
  else if (group == 1) print(`  status: FSC=${hex(fsc)} translation fault (not mapped), level ${level}`);
  else if (group == 2) print(`  status: FSC=${hex(fsc)} access flag fault, level ${level}`);
  else if (group == 3) print(`  status: FSC=${hex(fsc)} permission fault, level ${level}`);
  else if (fsc == 0x10) print(`  status: FSC=${hex(fsc)} synchronous external abort`);
  else if (group == 5) print(`  status: FSC=${hex(fsc)} synchronous external abort on a table walk, level ${level}`);
  else if (fsc == 0x21) print(`  status: FSC=${hex(fsc)} alignment fault`);
  else if (fsc == 0x30) print(`  status: FSC=${hex(fsc)} TLB conflict abort`);
  else print(`  status: FSC=${hex(fsc)} (not decoded)`);
  if (access == 1) print(`  access: read`);
  else if (access == 2) print(`  access: write`);
  else if (access == 3) print(`  access: cache maintenance`);
}

/** x0..x30 and SP_EL0, four to a line. */
function printRegisters(frame: usize): void {
  let i: u32 = 0;
  while (i < 28) {
    const a: u64 = load64(usize(frame + u64(i) * 8n));
    const b: u64 = load64(usize(frame + u64(i + 1) * 8n));
    const c: u64 = load64(usize(frame + u64(i + 2) * 8n));
    const d: u64 = load64(usize(frame + u64(i + 3) * 8n));
    print(`  x${i}=${hex(a)} x${u32(i + 1)}=${hex(b)} x${u32(i + 2)}=${hex(c)} x${u32(i + 3)}=${hex(d)}`);
    i = u32(i + 4);
  }
  const x28: u64 = load64(usize(frame + 224n));
  const x29: u64 = load64(usize(frame + 232n));
  const x30: u64 = load64(usize(frame + 240n));
  const sp0: u64 = load64(usize(frame + SP_EL0));
  print(`  x28=${hex(x28)} x29=${hex(x29)} x30=${hex(x30)} sp_el0=${hex(sp0)}`);
}
