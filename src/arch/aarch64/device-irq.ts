"use unsafe";
/**
 * Device interrupts on AArch64: GICv3 SPIs (INTID 32..), routed to the boot CPU.
 * The portable kernel names a line by its INTID, masks it when it delivers the
 * interrupt to a user-space driver, and unmasks it when the driver acknowledges
 * (a level-triggered line that is still asserted then fires again). The console
 * (the virt machine's PL011) is SPI 1, INTID 33.
 */
import { u32, bool, print } from "kts";
import { gicSpiEnable, gicSpiDisable, gicSpiCount } from "./gic";

export const CONSOLE_IRQ: u32 = 33;

let handler: (line: u32) => void = unbound;

function unbound(line: u32): void {
  print(`device interrupt on line ${line} with no handler`);
  gicSpiDisable(line);
}

/** The portable kernel's entry for device interrupts. */
export function deviceIrqSetHandler(h: (line: u32) => void): void {
  handler = h;
}

/** Called by the IRQ vector for an SPI (it ends the interrupt at the GIC afterwards). */
export function deviceIrqDispatch(intid: u32): void {
  handler(intid);
}

/** Whether line names an interrupt this arch can deliver. */
export function deviceIrqValid(line: u32): bool {
  return line >= 32 && line < u32(32 + gicSpiCount());
}

/** Routes the SPI to the boot CPU, enabled. */
export function deviceIrqUnmask(line: u32): void {
  if (deviceIrqValid(line)) gicSpiEnable(line);
}

export function deviceIrqMask(line: u32): void {
  if (deviceIrqValid(line)) gicSpiDisable(line);
}
