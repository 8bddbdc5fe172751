"use unsafe";
/**
 * AArch64 exception handling: vectors.S saves a frame and calls onTrap(kind,
 * frame). Synchronous exceptions from the kernel are fatal and reported with
 * ESR/FAR/ELR; IRQs go to the registered handler.
 */
import { u32, u64, usize, panic, hex } from "kts";
import { load64 } from "kts/unsafe";

const ELR = 256n;
const ESR = 272n;
const FAR = 280n;

/** IRQ handler installed by the interrupt controller driver. */
let irqHandler: (frame: usize) => void = noIrq;

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

export function onTrap(kind: u64, frame: usize): void {
  const k: u32 = u32(kind);
  const slot: u32 = k & 3;
  if (slot == 1) {
    irqHandler(frame);
    return;
  }
  const esr: u64 = load64(usize(frame + ESR));
  const far: u64 = load64(usize(frame + FAR));
  const elr: u64 = load64(usize(frame + ELR));
  const ec: u64 = (esr >> 26n) & 0x3fn;
  panic(`exception ${k} EC=${hex(ec)} ESR=${hex(esr)} FAR=${hex(far)} ELR=${hex(elr)}`);
}
