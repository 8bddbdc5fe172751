"use unsafe";
/**
 * Interrupts and time on AArch64: the GICv3 (gic.ts) and the generic timer's
 * virtual timer (CNTV_*, PPI 27), one per CPU. Each CPU's timer is programmed
 * by compare value (CNTV_CVAL_EL0 advances by a fixed interval, so ticks do not
 * drift); the IRQ handler acknowledges, re-arms, calls the kernel's tick
 * function and ends the interrupt. Time comes from the virtual counter
 * CNTVCT_EL0 at CNTFRQ_EL0 Hz.
 */
import { u32, u64, usize, print, panic, hex, array, mulHi64 } from "kts";
import { readSysreg, writeSysreg, isb, dsbIsh, irqEnable, halt } from "kts/unsafe";
import { BootInfo, MAX_CPUS } from "../../kernel/boot/bootinfo";
import { setIrqHandler } from "./traps";
import { deviceIrqDispatch } from "./device-irq";
import { gicDistInit, gicCpuInit, gicEnablePrivate, gicAcknowledge, gicEndOfInterrupt, INTID_SPURIOUS_FIRST } from "./gic";
import { cpuIndex, cpuMpidr } from "./smp";

/** The EL1 virtual timer's PPI. */
const INTID_VIRTUAL_TIMER: u32 = 27;
/** The software-generated interrupt that wakes a CPU for new work. */
const INTID_WAKE: u32 = 0;
const CNTV_CTL_ENABLE: u64 = 1n;
const CNTV_CTL_IMASK: u64 = 2n;
const NANOS_PER_SECOND: u64 = 1_000_000_000n;

let tickHandler: () => void = noTick;
/** Counter ticks between timer interrupts, per CPU (0: timer off). */
const interval: u64[] = array(MAX_CPUS, 0n);
/** The counter at earlyInit, and its frequency. */
let counterBase: u64 = 0n;
let counterHz: u64 = 0n;
/** Nanoseconds per tick, 32.32 fixed point (0 until clockInit): a multiply instead of divisions per reading. */
let counterScale: u64 = 0n;

function noTick(): void {}

/** Boot CPU, first thing: remembers where "since boot" starts. */
export function clockInit(): void {
  counterHz = readSysreg("CNTFRQ_EL0") & 0xffff_ffffn;
  counterBase = readSysreg("CNTVCT_EL0") | 0n; // "| 0n": a bare readSysreg() initializer loses its ({ }) in the C (cambi bug)
  counterScale = counterHz == 0n ? 0n : u64(u64(NANOS_PER_SECOND << 32n) / counterHz);
}

/** The counter's frequency in Hz. */
export function counterFrequency(): u64 {
  return counterHz;
}

/** Boot CPU: the distributor, this CPU's redistributor and CPU interface, the IRQ handler. */
export function interruptsInit(info: BootInfo): void {
  if (counterHz == 0n) clockInit();
  if (counterHz == 0n) panic("CNTFRQ_EL0 is 0: the generic timer's frequency is unknown");
  if (info.cpuCount > MAX_CPUS) panic(`BootInfo lists ${info.cpuCount} CPUs`);
  gicDistInit();
  gicCpuInit(0);
  setIrqHandler(onIrq);
}

/** This CPU: a periodic tick of hz per second calling onTick, then IRQs unmasked. */
export function timerStart(hz: u32, onTick: () => void): void {
  if (hz == 0) panic("timerStart: hz must not be 0");
  const cpu: u32 = cpuIndex();
  let iv: u64 = u64(counterHz / u64(hz));
  if (iv == 0n) iv = 1n;
  tickHandler = onTick;
  interval[cpu] = iv;
  writeSysreg("CNTV_CTL_EL0", CNTV_CTL_IMASK);
  writeSysreg("CNTV_CVAL_EL0", u64(readSysreg("CNTVCT_EL0") + iv));
  writeSysreg("CNTV_CTL_EL0", CNTV_CTL_ENABLE);
  isb();
  gicEnablePrivate(cpu, INTID_VIRTUAL_TIMER);
  gicEnablePrivate(cpu, INTID_WAKE);
  irqEnable();
}

/**
 * Interrupts CPU `cpu` (SGI INTID_WAKE) so that it notices work the scheduler
 * gave it now instead of at its next tick: an idle CPU leaves its wait, a busy
 * one reschedules on the way out of the interrupt.
 */
export function wakeCpu(cpu: u32): void {
  if (cpu >= MAX_CPUS) return;
  const aff: u64 = cpuMpidr(cpu);
  // ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16], target list [15:0] (bit Aff0).
  const v: u64 = u64(((aff >> 32n) & 0xffn) << 48n) | u64(((aff >> 16n) & 0xffn) << 32n) | u64(u64(INTID_WAKE) << 24n) | u64(((aff >> 8n) & 0xffn) << 16n) | u64(1n << (aff & 0xfn));
  dsbIsh();
  writeSysreg("ICC_SGI1R_EL1", v);
  isb();
}

/** Nanoseconds since earlyInit, from the virtual counter (exact when the frequency divides 10^9 << 32, as QEMU's does). */
export function monotonicNanos(): u64 {
  // Before clockInit the scale is 0, and so is the answer (no branch for it).
  const scale: u64 = counterScale;
  const t: u64 = u64(readSysreg("CNTVCT_EL0") - counterBase);
  return u64(mulHi64(t, scale) << 32n) | (u64(t * scale) >> 32n);
}

/** Sleeps until the next interrupt (IRQs unmasked first). */
export function waitForInterrupt(): void {
  irqEnable();
  halt();
}

/** The IRQ vector's handler: one interrupt per exception. */
function onIrq(frame: usize): void {
  const intid: u32 = gicAcknowledge();
  if (intid >= INTID_SPURIOUS_FIRST) return;
  const cpu: u32 = cpuIndex();
  if (intid == INTID_VIRTUAL_TIMER) {
    timerInterrupt(cpu);
  } else if (intid == INTID_WAKE) {
    // Nothing to do here: the interrupt's end (onIrqExit) or the idle loop reschedules.
  } else if (intid >= 32) {
    deviceIrqDispatch(intid);
  } else {
    print(`cpu ${cpu}: unexpected interrupt ${intid} (frame ${hex(frame)})`);
  }
  gicEndOfInterrupt(intid);
}

/** Re-arms this CPU's timer one interval later (skipping missed ticks), then ticks. */
function timerInterrupt(cpu: u32): void {
  const iv: u64 = interval[cpu];
  if (iv == 0n) {
    writeSysreg("CNTV_CTL_EL0", CNTV_CTL_IMASK);
    return;
  }
  let next: u64 = u64(readSysreg("CNTV_CVAL_EL0") + iv);
  const now: u64 = readSysreg("CNTVCT_EL0") | 0n; // "| 0n": a bare readSysreg() initializer loses its ({ }) in the C (cambi bug)
  if (next <= now) next = u64(now + iv);
  writeSysreg("CNTV_CVAL_EL0", next);
  isb();
  tickHandler();
}
