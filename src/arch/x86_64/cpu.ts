"use unsafe";
/**
 * CPU control for x86_64: halting (this CPU, or the whole machine on a panic),
 * CPUID, and leaving QEMU through the
 * isa-debug-exit device (exit status (code << 1) | 1).
 */
import { u8, u16, u32, usize, panic } from "kts";
import { addressOf, halt, irqDisable, outb } from "kts/unsafe";

declare function x86_cpuid(leaf: u32, subleaf: u32, out: usize): void;

const DEBUG_EXIT_PORT: u16 = 0xf4;

/** Stops the other CPUs (installed by the interrupt controller driver once it can send IPIs). */
let stopOthers: () => void = nothing;
let stopping: boolean = false;

function nothing(): void {}

export function setStopOthers(fn: () => void): void {
  stopOthers = fn;
}

/** Stops this CPU for good: interrupts off, halted (only an NMI wakes it, and it halts again). */
export function haltHere(): never {
  for (;;) {
    irqDisable();
    halt();
  }
}

/** Stops the machine: the other CPUs first (once, by IPI), then this one. Panics end here. */
export function haltForever(): never {
  irqDisable();
  if (!stopping) {
    stopping = true;
    stopOthers();
  }
  haltHere();
}

export function isStopping(): boolean {
  return stopping;
}

/** CPUID leaf/subleaf into out[0..3] = eax, ebx, ecx, edx. */
export function cpuid(leaf: u32, subleaf: u32, out: u32[]): void {
  if (out.length < 4) panic("cpuid needs 4 words");
  // SAFETY: out has room for the 4 words written.
  x86_cpuid(leaf, subleaf, addressOf(out));
}

/** Ends the machine: under QEMU the process exits with (code << 1) | 1. */
export function powerOff(code: u32): never {
  // SAFETY: isa-debug-exit is configured by cambi run at this port; elsewhere it is ignored.
  outb(DEBUG_EXIT_PORT, u8(code));
  haltForever();
}
