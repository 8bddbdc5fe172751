"use unsafe";
/**
 * CPU control for x86_64: halting, and leaving QEMU through the isa-debug-exit
 * device (exit status (code << 1) | 1).
 */
import { u8, u16, u32 } from "kts";
import { halt, irqDisable, outb } from "kts/unsafe";

const DEBUG_EXIT_PORT: u16 = 0xf4;

export function haltForever(): never {
  for (;;) {
    irqDisable();
    halt();
  }
}

/** Ends the machine: under QEMU the process exits with (code << 1) | 1. */
export function powerOff(code: u32): never {
  // SAFETY: isa-debug-exit is configured by cambi run at this port; elsewhere it is ignored.
  outb(DEBUG_EXIT_PORT, u8(code));
  haltForever();
}
