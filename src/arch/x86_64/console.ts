"use unsafe";
/**
 * The 16550 UART on COM1 (I/O port 0x3f8): the x86_64 console. 115200 8N1,
 * FIFOs on, polled transmit. kts_putc (entry.S) jumps here for print().
 *
 * Lines do not interleave between CPUs: the first character of a line takes a
 * lock that its newline releases (a CPU already holding it, e.g. a fault report
 * interrupting its own line, goes on). Once a panic began, a CPU that waits too
 * long takes the lock over, so a CPU the panic stopped mid-line cannot silence
 * it; before that nobody does (a busy host may stall a vCPU for a long time).
 */
import { u8, u16, u32, array } from "kts";
import { addressOf, atomicCas32, atomicLoad32, atomicStore32, cpuRelax, inb, outb } from "kts/unsafe";
import { cpuIndex } from "./percpu";

const COM1: u16 = 0x3f8;
const LSR_THRE: u8 = 0x20;
const LSR_DATA_READY: u8 = 0x01;
const IER_RX_AVAILABLE: u8 = 0x01;
/** DTR, RTS, and OUT2, which gates the UART's interrupt line on PCs. */
const MCR_DTR_RTS_OUT2: u8 = 0x0b;
const MAX_SPINS: u32 = 20_000_000;

/** 0 = free, else the owning CPU's index + 1. */
const lineLock: u32[] = array(1, 0);

/** Non-zero once a panic began (runtime-c freestanding.c). */
declare function kts_panicking(): u32;

export function init(): void {
  // SAFETY: COM1 is the PC's first serial port; these writes only configure it.
  outb(u16(COM1 + 1), 0x00); // no interrupts
  outb(u16(COM1 + 3), 0x80); // DLAB on
  outb(u16(COM1 + 0), 0x01); // divisor 1: 115200 baud
  outb(u16(COM1 + 1), 0x00);
  outb(u16(COM1 + 3), 0x03); // 8N1, DLAB off
  outb(u16(COM1 + 2), 0xc7); // FIFOs on and cleared
  outb(u16(COM1 + 4), 0x03); // DTR, RTS
}

export function putc(c: u8): void {
  const me: u32 = u32(cpuIndex() + 1);
  const lock = addressOf(lineLock);
  if (atomicLoad32(lock) != me) {
    let spins: u32 = 0;
    while (!atomicCas32(lock, 0, me)) {
      cpuRelax();
      spins = u32(spins + 1);
      // Only a panic takes the line from its holder, which may have stopped mid-line: a holder
      // merely descheduled by a busy host (QEMU) must finish its line first, or lines interleave.
      if (spins >= MAX_SPINS && kts_panicking() != 0) {
        atomicStore32(lock, me);
        break;
      }
    }
  }
  if (c == 0x0a) putRaw(0x0d);
  putRaw(c);
  if (c == 0x0a) atomicStore32(lock, 0);
}

/** Gives the console back mid-line (a user write that ends without a newline, like a prompt). */
export function consoleReleaseLine(): void {
  atomicCas32(addressOf(lineLock), u32(cpuIndex() + 1), 0);
}

/** Interrupts for received bytes (delivered on CONSOLE_IRQ once a driver unmasks it). */
export function consoleRxEnable(): void {
  // SAFETY: IER and MCR of COM1; transmit stays polled.
  outb(u16(COM1 + 4), MCR_DTR_RTS_OUT2);
  outb(u16(COM1 + 1), IER_RX_AVAILABLE);
}

/** The next received byte, or 0xffffffff if none is waiting. */
export function consoleReadByte(): u32 {
  // SAFETY: reading RBR takes the byte LSR.DR announced.
  if ((inb(u16(COM1 + 5)) & LSR_DATA_READY) == 0) return 0xffff_ffff;
  return u32(inb(COM1));
}

function putRaw(c: u8): void {
  // SAFETY: polls the line status register until the transmitter has room.
  while ((inb(u16(COM1 + 5)) & LSR_THRE) == 0) {}
  outb(COM1, c);
}
