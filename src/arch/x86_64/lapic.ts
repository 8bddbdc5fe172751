"use unsafe";
/**
 * The local APIC in xAPIC mode: MMIO registers at the physical base in
 * IA32_APIC_BASE (the same on every CPU), reached through the direct map.
 * Enable/spurious vector, EOI, inter-processor interrupts, and the timer.
 */
import { u32, u64, usize, bool, panic } from "kts";
import { mmioRead32, mmioWrite32, rdmsr, wrmsr, cpuRelax, irqSave, irqRestore } from "kts/unsafe";
import { physToVirt } from "./memory";

const IA32_APIC_BASE: u32 = 0x1b;
const APIC_BASE_ENABLE: u64 = 0x800n;
const APIC_BASE_X2APIC: u64 = 0x400n;
const APIC_BASE_ADDR: u64 = 0x000f_ffff_ffff_f000n;

const REG_ID: u64 = 0x20n;
const REG_TPR: u64 = 0x80n;
const REG_EOI: u64 = 0xb0n;
const REG_SVR: u64 = 0xf0n;
const REG_ESR: u64 = 0x280n;
const REG_ICR_LO: u64 = 0x300n;
const REG_ICR_HI: u64 = 0x310n;
const REG_LVT_TIMER: u64 = 0x320n;
const REG_LVT_LINT0: u64 = 0x350n;
const REG_LVT_LINT1: u64 = 0x360n;
const REG_LVT_ERROR: u64 = 0x370n;
const REG_TIMER_INIT: u64 = 0x380n;
const REG_TIMER_CUR: u64 = 0x390n;
const REG_TIMER_DIV: u64 = 0x3e0n;

const LVT_MASKED: u32 = 0x1_0000;
const LVT_PERIODIC: u32 = 0x2_0000;
const LVT_NMI: u32 = 0x400;
const SVR_ENABLE: u32 = 0x100;
const ICR_PENDING: u32 = 0x1000;
const ICR_INIT: u32 = 0x500;
const ICR_STARTUP: u32 = 0x600;
const ICR_NMI: u32 = 0x400;
const ICR_ASSERT: u32 = 0x4000;
const ICR_MODE: u32 = 0x700;
/** Timer divide configuration 0b0011: divide by 16. */
const TIMER_DIV_16: u32 = 0x3;

let base: usize = 0n;
let ready: bool = false;

function read(reg: u64): u32 {
  // SAFETY: base maps this CPU's local APIC register page (MMIO).
  return mmioRead32(usize(base + reg));
}

function write(reg: u64, v: u32): void {
  // SAFETY: as in read.
  mmioWrite32(usize(base + reg), v);
}

/** Whether the boot CPU has set the APIC up (IPIs can be sent). */
export function lapicReady(): bool {
  return ready;
}

/** The physical MMIO base from IA32_APIC_BASE. */
export function lapicPhysBase(): u64 {
  return rdmsr(IA32_APIC_BASE) & APIC_BASE_ADDR;
}

/** This CPU's APIC id. */
export function lapicId(): u32 {
  return read(REG_ID) >>> 24;
}

/**
 * Turns this CPU's local APIC on: globally enabled (IA32_APIC_BASE), software
 * enabled with the spurious vector, all priorities accepted, LINT0 masked (the
 * 8259 is off), LINT1 as NMI on the boot CPU, errors to errorVector.
 */
export function lapicEnable(spuriousVector: u32, errorVector: u32, bsp: bool): void {
  // SAFETY: IA32_APIC_BASE of this CPU; only the enable bit changes.
  const msr: u64 = rdmsr(IA32_APIC_BASE);
  if ((msr & APIC_BASE_X2APIC) != 0n) panic("the local APIC is in x2APIC mode: only xAPIC (MMIO) is supported");
  if ((msr & APIC_BASE_ENABLE) == 0n) wrmsr(IA32_APIC_BASE, msr | APIC_BASE_ENABLE);
  base = physToVirt(msr & APIC_BASE_ADDR);
  write(REG_SVR, u32(SVR_ENABLE | (spuriousVector & 0xff)));
  write(REG_TPR, 0);
  write(REG_LVT_LINT0, LVT_MASKED);
  write(REG_LVT_LINT1, bsp ? LVT_NMI : LVT_MASKED);
  write(REG_LVT_TIMER, LVT_MASKED);
  write(REG_LVT_ERROR, errorVector & 0xff);
  write(REG_ESR, 0);
  write(REG_ESR, 0);
  write(REG_EOI, 0);
  if (bsp) ready = true;
}

/** The error status (written first, as the register requires), then cleared. */
export function lapicErrorStatus(): u32 {
  write(REG_ESR, 0);
  return read(REG_ESR);
}

export function lapicEoi(): void {
  write(REG_EOI, 0);
}

function waitIcrIdle(): bool {
  for (let i: u32 = 0; i < 1_000_000; i++) {
    if ((read(REG_ICR_LO) & ICR_PENDING) == 0) return true;
    cpuRelax();
  }
  return false;
}

/**
 * Sends an IPI (ICR low word `low`) to the CPU with APIC id `dest`. Only the
 * start-up IPIs (INIT, STARTUP) wait for the delivery status: the scheduler's
 * frequent wake-ups do not read the APIC at all (the Pentium 4 and later accept
 * a new ICR write at once; and QEMU 7.2's multi-threaded TCG can crash on an
 * MMIO read racing a PCI BAR remapping on another CPU, which the bus service
 * does while it enumerates).
 */
export function sendIpi(dest: u32, low: u32): bool {
  // SAFETY: interrupts off so no handler on this CPU writes the ICR between the two halves.
  const s: usize = irqSave();
  const startup: bool = (low & ICR_MODE) == ICR_INIT || (low & ICR_MODE) == ICR_STARTUP;
  if (startup) waitIcrIdle();
  write(REG_ICR_HI, u32(dest << 24));
  write(REG_ICR_LO, low);
  const ok: bool = startup ? waitIcrIdle() : true;
  irqRestore(s);
  return ok;
}

/** Fixed-vector IPI to one CPU. */
export function sendFixedIpi(dest: u32, vector: u32): bool {
  return sendIpi(dest, vector & 0xff);
}

export function sendInit(dest: u32): bool {
  return sendIpi(dest, u32(ICR_INIT | ICR_ASSERT));
}

/** STARTUP IPI: the CPU starts in real mode at physical page << 12. */
export function sendStartup(dest: u32, page: u32): bool {
  return sendIpi(dest, u32(ICR_STARTUP | ICR_ASSERT | (page & 0xff)));
}

/** An NMI to the CPU with APIC id `dest`. */
export function sendNmi(dest: u32): bool {
  return sendIpi(dest, u32(ICR_NMI | ICR_ASSERT));
}

/** Timer counting down from 0xffffffff, masked, one-shot, divide by 16 (for calibration). */
export function timerFreeRun(): void {
  write(REG_TIMER_DIV, TIMER_DIV_16);
  write(REG_LVT_TIMER, LVT_MASKED);
  write(REG_TIMER_INIT, 0xffff_ffff);
}

export function timerCurrent(): u32 {
  return read(REG_TIMER_CUR);
}

export function timerStop(): void {
  write(REG_LVT_TIMER, LVT_MASKED);
  write(REG_TIMER_INIT, 0);
}

/** Periodic timer interrupt at `vector` every `count` ticks of the divide-by-16 clock. */
export function timerPeriodic(vector: u32, count: u32): void {
  write(REG_TIMER_DIV, TIMER_DIV_16);
  write(REG_LVT_TIMER, u32(LVT_PERIODIC | (vector & 0xff)));
  write(REG_TIMER_INIT, count);
}
