"use unsafe";
/**
 * Interrupt controller and timer. Placeholder until the drivers land: no
 * interrupts, a clock that does not advance.
 */
import { u32, u64 } from "kts";
import { halt } from "kts/unsafe";
import { BootInfo } from "../../kernel/boot/bootinfo";

export function interruptsInit(info: BootInfo): void {
  if (info.cpuCount == 0xffffffff) halt();
}

export function timerStart(hz: u32, onTick: () => void): void {
  if (hz == 0) onTick();
}

export function monotonicNanos(): u64 {
  return 0n;
}

/** Sleeps until the next interrupt. */
export function waitForInterrupt(): void {
  halt();
}
