"use unsafe";
/**
 * The 16550 UART on COM1 (I/O port 0x3f8): the x86_64 console. 115200 8N1,
 * FIFOs on, polled transmit. kts_putc (entry.S) jumps here for print().
 */
import { u8, u16 } from "kts";
import { inb, outb } from "kts/unsafe";

const COM1: u16 = 0x3f8;
const LSR_THRE: u8 = 0x20;

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
  if (c == 0x0a) putRaw(0x0d);
  putRaw(c);
}

function putRaw(c: u8): void {
  // SAFETY: polls the line status register until the transmitter has room.
  while ((inb(u16(COM1 + 5)) & LSR_THRE) == 0) {}
  outb(COM1, c);
}
