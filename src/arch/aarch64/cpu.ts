"use unsafe";
/**
 * CPU control for AArch64: halting, and PSCI (through HVC on QEMU virt, or SMC
 * if the device tree says so) to power CPUs on and the machine off.
 */
import { u32, u64, bool } from "kts";
import { halt, irqDisable } from "kts/unsafe";

declare function arch_psci_call(fn: u64, a1: u64, a2: u64, a3: u64): u64;
declare function arch_psci_call_smc(fn: u64, a1: u64, a2: u64, a3: u64): u64;

const PSCI_SYSTEM_OFF: u64 = 0x8400_0008n;

/** The PSCI conduit: false = HVC (the default), true = SMC. */
let psciSmc: bool = false;

export function haltForever(): never {
  for (;;) {
    irqDisable();
    halt();
  }
}

/** Ends the machine through PSCI SYSTEM_OFF (QEMU exits with status 0). */
export function powerOff(code: u32): never {
  void0(code);
  psci(PSCI_SYSTEM_OFF, 0n, 0n, 0n);
  haltForever();
}

function void0(x: u32): void {
  if (x == 0xffffffff) return;
}

/** Selects the PSCI conduit (from the device tree's /psci "method"). */
export function psciUseSmc(smc: bool): void {
  psciSmc = smc;
}

/** PSCI calls for other modules (CPU_ON …). */
export function psci(fn: u64, a1: u64, a2: u64, a3: u64): u64 {
  if (psciSmc) return arch_psci_call_smc(fn, a1, a2, a3);
  return arch_psci_call(fn, a1, a2, a3);
}
