"use unsafe";
/**
 * Interrupts and time on x86_64.
 *
 * interruptsInit (boot CPU): the legacy 8259 PICs remapped to vectors 0x20-0x2f
 * and masked; this CPU's local APIC enabled; the MADT parsed (CPUs into
 * BootInfo, the IOAPIC found and all its pins masked); the TSC and the local
 * APIC timer calibrated together against PIT channel 2 (50 ms, gated through
 * port 0x61, read back from OUT2).
 *
 * timerStart (each CPU): the local APIC timer periodic at hz, each tick calls
 * onTick(); then interrupts are enabled. monotonicNanos() is the TSC since
 * earlyInit, scaled to nanoseconds (0 until the calibration).
 *
 * Vectors: 0x20-0x2f 8259 (masked; a spurious one is ignored), 0x40 timer,
 * 0x50-0x67 device interrupts (IOAPIC GSI 0-23, device-irq.ts),
 * 0xf0 wake-up IPI, 0xfe APIC error, 0xff APIC spurious.
 */
import { u8, u32, u64, bool, print, panic, hex, mulHi64 } from "kts";
import { inb, outb, rdtsc, irqEnable } from "kts/unsafe";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { Madt, parseMadt } from "./acpi";
import { ioapicInit } from "./ioapic";
import { pciHostFromAcpi } from "./pci-host";
import { isDeviceVector, deviceIrqDispatch } from "./device-irq";
import {
  lapicEnable, lapicEoi, lapicId, lapicErrorStatus, sendFixedIpi,
  timerFreeRun, timerCurrent, timerStop, timerPeriodic,
} from "./lapic";
import { setIrqHandler, setNmiHandler } from "./traps";
import { isStopping, haltHere } from "./cpu";
import { cpuIndex, pcpuGet, pcpuSet, PCPU_APIC_ID } from "./percpu";
import { MAX_CPUS } from "../../kernel/boot/bootinfo";

declare function x86_sti_hlt(): void;

export const VEC_PIC_BASE: u32 = 0x20;
export const VEC_TIMER: u32 = 0x40;
export const VEC_WAKE: u32 = 0xf0;
export const VEC_APIC_ERROR: u32 = 0xfe;
export const VEC_SPURIOUS: u32 = 0xff;

const PIT_HZ: u64 = 1_193_182n;
/** 50 ms of PIT ticks (fits the 16-bit counter). */
const PIT_CALIBRATION_COUNT: u32 = 59_659;
const PIT_MAX_POLLS: u32 = 100_000_000;

const madt = new Madt();

/** TSC ticks per second, and the TSC at earlyInit (time zero). */
let tscHz: u64 = 0n;
let tscBase: u64 = 0n;
/** Nanoseconds per TSC tick, times 2^32. */
let tscScale: u64 = 0n;
/** Local APIC timer ticks per second (divide by 16). */
let lapicHz: u64 = 0n;

let tickHandler: () => void = noTick;

function noTick(): void {}

function picDisable(): void {
  // SAFETY: the 8259 pair at 0x20/0xa0: ICW1-4 remap IRQs 0-15 to 0x20-0x2f, then every line masked.
  outb(0x20, 0x11);
  outb(0xa0, 0x11);
  outb(0x21, u8(VEC_PIC_BASE));
  outb(0xa1, u8(VEC_PIC_BASE + 8));
  outb(0x21, 0x04);
  outb(0xa1, 0x02);
  outb(0x21, 0x01);
  outb(0xa1, 0x01);
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
}

/** Measures the TSC and the local APIC timer over PIT_CALIBRATION_COUNT PIT ticks. */
function calibrate(): void {
  // SAFETY: port 0x61 bit 0 gates PIT channel 2, bit 1 drives the speaker (kept off), bit 5 reads OUT2.
  const ctl: u8 = inb(0x61);
  outb(0x61, u8((ctl & 0xfc) | 0x01));
  outb(0x43, 0xb0); // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary
  outb(0x42, u8(PIT_CALIBRATION_COUNT & 0xff));
  timerFreeRun();
  const a0: u32 = timerCurrent();
  const t0: u64 = rdtsc();
  outb(0x42, u8(PIT_CALIBRATION_COUNT >>> 8)); // counting starts now
  let polls: u32 = 0;
  while ((inb(0x61) & 0x20) == 0) {
    polls = u32(polls + 1);
    if (polls == PIT_MAX_POLLS) panic("timer calibration: PIT channel 2 never reached its terminal count");
  }
  const t1: u64 = rdtsc();
  const a1: u32 = timerCurrent();
  timerStop();
  outb(0x61, u8(ctl & 0xfc));
  tscHz = u64(u64(u64(t1 - t0) * PIT_HZ) / u64(PIT_CALIBRATION_COUNT));
  lapicHz = u64(u64(u64(a0 - a1) * PIT_HZ) / u64(PIT_CALIBRATION_COUNT));
  if (tscHz < 1_000_000n || lapicHz < 10_000n) panic(`timer calibration failed: tsc ${tscHz} Hz, apic timer ${lapicHz} Hz`);
  tscScale = u64((1_000_000_000n << 32n) / tscHz);
  if (tscBase == 0n) tscBase = t0;
}

/** Records time zero of monotonicNanos (earlyInit, boot CPU). */
export function markBootTime(): void {
  tscBase = rdtsc();
}

function onIrq(vector: u32): void {
  if (vector == VEC_TIMER) {
    lapicEoi();
    tickHandler();
    return;
  }
  if (vector == VEC_SPURIOUS) return;
  if (vector >= VEC_PIC_BASE && vector < u32(VEC_PIC_BASE + 16)) return; // 8259 spurious (IRQ 7/15): no EOI
  if (vector == VEC_WAKE) {
    lapicEoi();
    return;
  }
  if (isDeviceVector(vector)) {
    deviceIrqDispatch(vector);
    lapicEoi();
    return;
  }
  if (vector == VEC_APIC_ERROR) {
    print(`local APIC error: ESR=${hex(lapicErrorStatus())} on cpu ${cpuIndex()}`);
    lapicEoi();
    return;
  }
  print(`unexpected interrupt: vector ${vector} on cpu ${cpuIndex()}`);
  lapicEoi();
}

/** NMIs: the stop request of a panicking CPU, or else reported and ignored. */
function onNmi(): void {
  if (isStopping()) haltHere();
  print(`NMI on cpu ${cpuIndex()}`);
}

/** This CPU's local APIC: enabled, timer off (APs call it before their entry). */
export function lapicInitThisCpu(bsp: bool): u32 {
  lapicEnable(VEC_SPURIOUS, VEC_APIC_ERROR, bsp);
  return lapicId();
}

export function interruptsInit(info: BootInfo): void {
  picDisable();
  setIrqHandler(onIrq);
  setNmiHandler(onNmi);
  const bspId: u32 = lapicInitThisCpu(true);
  pcpuSet(0, PCPU_APIC_ID, u64(bspId));
  if (!parseMadt(info, bspId, madt)) print(`acpi: no MADT (rsdp ${hex(info.rsdp)}): one CPU, no IOAPIC`);
  if (madt.ioapicPhys != 0n) ioapicInit(madt.ioapicPhys, madt.ioapicGsiBase);
  pciHostFromAcpi(info);
  calibrate();
}

/** This CPU: the local APIC timer periodic at hz calling onTick, then interrupts on. */
export function timerStart(hz: u32, onTick: () => void): void {
  if (hz == 0 || lapicHz == 0n) panic(`timerStart(${hz}) before calibration`);
  tickHandler = onTick;
  const count: u64 = u64(lapicHz / u64(hz));
  timerPeriodic(VEC_TIMER, count > 0xffff_ffffn ? 0xffff_ffff : u32(count));
  irqEnable();
}

/** Nanoseconds since timer calibration, from the TSC. */
export function monotonicNanos(): u64 {
  // Before calibration the scale is 0, and so is the answer (no branch for it).
  const d: u64 = u64(rdtsc() - tscBase);
  const hi: u64 = mulHi64(d, tscScale);
  const lo: u64 = u64(d * tscScale);
  return u64(hi << 32n) | (lo >> 32n);
}

/**
 * Interrupts CPU `cpu` (vector VEC_WAKE) so that it notices work the scheduler
 * gave it now instead of at its next tick: an idle CPU leaves its hlt, a busy
 * one reschedules on the way out of the interrupt.
 */
export function wakeCpu(cpu: u32): void {
  if (cpu >= MAX_CPUS) return;
  sendFixedIpi(u32(pcpuGet(cpu, PCPU_APIC_ID) & 0xffn), VEC_WAKE);
}

/** Enables interrupts and sleeps until the next one (sti; hlt: no wakeup is lost in between). */
export function waitForInterrupt(): void {
  x86_sti_hlt();
}

/** Busy-waits for ns nanoseconds (TSC; interrupts are left as they are). After interruptsInit only. */
export function delayNanos(ns: u64): void {
  if (tscScale == 0n) panic("delayNanos before timer calibration");
  const end: u64 = u64(monotonicNanos() + ns);
  while (monotonicNanos() < end) {}
}

/** TSC and local APIC timer frequencies (Hz), for diagnostics. */
export function tscFrequency(): u64 {
  return tscHz;
}

export function lapicTimerFrequency(): u64 {
  return lapicHz;
}
