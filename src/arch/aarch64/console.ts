"use unsafe";
/**
 * The PL011 UART of QEMU's virt machine (0x0900_0000): the AArch64 console.
 * QEMU's model needs no baud setup; transmit is polled on FR.TXFF.
 */
import { u8, u32, usize } from "kts";
import { mmioRead32, mmioWrite32 } from "kts/unsafe";
import { physToVirt } from "./memory";

const PL011_PHYS: usize = 0x0900_0000n;
const DR: usize = 0x00n;
const FR: usize = 0x18n;
const CR: usize = 0x30n;
const FR_TXFF: u32 = 0x20;

export function init(): void {
  // SAFETY: enables the UART and its transmitter (UARTEN | TXE | RXE).
  mmioWrite32(usize(physToVirt(PL011_PHYS) + CR), 0x301);
}

export function putc(c: u8): void {
  if (c == 0x0a) putRaw(0x0d);
  putRaw(c);
}

function putRaw(c: u8): void {
  const base = physToVirt(PL011_PHYS);
  // SAFETY: polls the flag register until the transmit FIFO has room.
  while ((mmioRead32(usize(base + FR)) & FR_TXFF) != 0) {}
  mmioWrite32(usize(base + DR), u32(c));
}
