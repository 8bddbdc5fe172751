"use unsafe";
/**
 * The PL011 UART of QEMU's virt machine (0x0900_0000): the AArch64 console.
 * QEMU's model needs no baud setup; transmit is polled on FR.TXFF.
 *
 * Lines from different CPUs do not interleave: the first character of a line
 * takes the console for this CPU (a spin lock holding CPU index + 1) and the
 * newline gives it back. A CPU that already holds it (an interrupt or fault
 * printing in the middle of its own line) goes on. Once a panic began, a
 * holder that keeps it longer than LOCK_TIMEOUT_MS (a CPU the panic stopped
 * mid-line) loses it; before that nobody takes it.
 */
import { u8, u32, u64, usize, array } from "kts";
import { mmioRead32, mmioWrite32, readSysreg, addressOf, atomicLoad32, atomicStore32, atomicCas32, cpuRelax } from "kts/unsafe";
import { physToVirt } from "./memory";

const PL011_PHYS: usize = 0x0900_0000n;
const DR: usize = 0x00n;
const FR: usize = 0x18n;
const CR: usize = 0x30n;
const FR_TXFF: u32 = 0x20;
const FR_RXFE: u32 = 0x10;
const IMSC: usize = 0x38n;
/** Receive and receive-timeout interrupts. */
const IMSC_RX: u32 = 0x50;
const LOCK_TIMEOUT_MS: u64 = 200n;

/** The line lock: 0 free, else the holder's CPU index + 1. */
const lineOwner: u32[] = array(1, 0);

/** Non-zero once a panic began (runtime-c freestanding.c). */
declare function kts_panicking(): u32;

export function init(): void {
  // SAFETY: enables the UART and its transmitter (UARTEN | TXE | RXE).
  mmioWrite32(usize(physToVirt(PL011_PHYS) + CR), 0x301);
}

export function putc(c: u8): void {
  const me: u32 = u32(u32(readSysreg("TPIDR_EL1") & 0xffffn) + 1);
  const lock: usize = addressOf(lineOwner);
  if (atomicLoad32(lock) != me) takeLine(lock, me);
  if (c == 0x0a) putRaw(0x0d);
  putRaw(c);
  if (c == 0x0a) atomicStore32(lock, 0);
}

/** Gives the console back mid-line (a user write that ends without a newline, like a prompt). */
export function consoleReleaseLine(): void {
  const me: u32 = u32(u32(readSysreg("TPIDR_EL1") & 0xffffn) + 1);
  atomicCas32(addressOf(lineOwner), me, 0);
}

function takeLine(lock: usize, me: u32): void {
  if (atomicCas32(lock, 0, me)) return;
  const start: u64 = readSysreg("CNTVCT_EL0") | 0n; // "| 0n": a bare readSysreg() initializer loses its ({ }) in the C (cambi bug)
  const limit: u64 = u64(u64((readSysreg("CNTFRQ_EL0") & 0xffff_ffffn) * LOCK_TIMEOUT_MS) / 1000n);
  while (!atomicCas32(lock, 0, me)) {
    // Only a panic takes the line from its holder, which may have stopped mid-line: a holder
    // merely descheduled by a busy host (QEMU) must finish its line first, or lines interleave.
    if (kts_panicking() != 0 && u64(readSysreg("CNTVCT_EL0") - start) > limit) {
      atomicStore32(lock, me);
      return;
    }
    cpuRelax();
  }
}

/** Interrupts for received bytes (delivered on CONSOLE_IRQ once a driver unmasks it). */
export function consoleRxEnable(): void {
  // SAFETY: the interrupt mask register of the console UART.
  mmioWrite32(usize(physToVirt(PL011_PHYS) + IMSC), IMSC_RX);
}

/** The next received byte, or 0xffffffff if none is waiting. */
export function consoleReadByte(): u32 {
  const base = physToVirt(PL011_PHYS);
  // SAFETY: reading DR takes the byte FR.RXFE said was there.
  if ((mmioRead32(usize(base + FR)) & FR_RXFE) != 0) return 0xffff_ffff;
  return u32(mmioRead32(usize(base + DR)) & 0xff);
}

function putRaw(c: u8): void {
  const base = physToVirt(PL011_PHYS);
  // SAFETY: polls the flag register until the transmit FIFO has room.
  while ((mmioRead32(usize(base + FR)) & FR_TXFF) != 0) {}
  mmioWrite32(usize(base + DR), u32(c));
}
