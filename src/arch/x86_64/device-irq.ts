"use unsafe";
/**
 * Device interrupts on x86_64: IOAPIC pins (GSIs) routed to vectors
 * VEC_DEVICE_BASE + gsi on the boot CPU. The portable kernel names a line by its
 * GSI, masks it when it delivers the interrupt to a user-space driver, and
 * unmasks it when the driver acknowledges. The console (COM1) is ISA IRQ 4,
 * identity-mapped to GSI 4 on the PC. ISA lines (GSI 0..15) are edge-triggered;
 * PCI INTx lines (16..) are level-triggered, active high (as the q35 DSDT says).
 */
import { u32, u64, bool, print } from "kts";
import { ioapicRoute, ioapicMask } from "./ioapic";
import { pcpuGet, PCPU_APIC_ID } from "./percpu";

export const CONSOLE_IRQ: u32 = 4;
export const VEC_DEVICE_BASE: u32 = 0x50;
/** GSIs the kernel hands out (the first IOAPIC's 24 pins). */
const DEVICE_LINES: u32 = 24;
const FIRST_PCI_LINE: u32 = 16;

let handler: (line: u32) => void = unbound;

function unbound(line: u32): void {
  print(`device interrupt on line ${line} with no handler`);
  ioapicMask(line);
}

/** The portable kernel's entry for device interrupts. */
export function deviceIrqSetHandler(h: (line: u32) => void): void {
  handler = h;
}

export function isDeviceVector(vector: u32): bool {
  return vector >= VEC_DEVICE_BASE && vector < u32(VEC_DEVICE_BASE + DEVICE_LINES);
}

/** Called by the interrupt dispatcher for a device vector (the local APIC gets its EOI there). */
export function deviceIrqDispatch(vector: u32): void {
  handler(u32(vector - VEC_DEVICE_BASE));
}

/** Whether line names an interrupt this arch can deliver. */
export function deviceIrqValid(line: u32): bool {
  return line < DEVICE_LINES;
}

/** Routes the line to the boot CPU, unmasked. */
export function deviceIrqUnmask(line: u32): void {
  if (!deviceIrqValid(line)) return;
  ioapicRoute(line, u32(VEC_DEVICE_BASE + line), u32(pcpuGet(0, PCPU_APIC_ID) & 0xffn), line >= FIRST_PCI_LINE);
}

export function deviceIrqMask(line: u32): void {
  if (deviceIrqValid(line)) ioapicMask(line);
}
