"use unsafe";
/**
 * Raw console input and output: bytes without a newline (the shell's prompt,
 * the echo of typed characters), which print() cannot write (it writes whole
 * lines, so the two never interleave within a line), and reading what the
 * console UART received.
 */
import { u8, u32, u64, array } from "kts";
import { addressOf } from "kts/unsafe";
import { sysWrite, sysConsoleRead } from "./sys/syscalls.generated";

const one: u8[] = array(1, 0);

/** Writes bytes[0 .. length) to the console as they are. */
export function putBytes(bytes: u8[], length: u32): void {
  const n: u32 = length < bytes.length ? length : bytes.length;
  if (n > 0) sysWrite(addressOf(bytes), u64(n));
}

export function putByte(b: u8): void {
  one[0] = b;
  sysWrite(addressOf(one), 1n);
}

/** Copies up to into.length bytes the console has received into into (needs the console's IRQ capability); returns the count or -error. */
export function readConsole(irq: u64, into: u8[]): u64 {
  return sysConsoleRead(irq, addressOf(into), u64(into.length));
}
