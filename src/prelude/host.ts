/**
 * kts/host: input for KTS programs built with `--target host` (test drivers and
 * tools). Not available to the freestanding kernel or services (KT4003).
 */
import { readSync } from "node:fs";
import type { u8, u32 } from "./kts";

/**
 * Reads up to buf.length bytes of standard input into buf[0..]; returns the count,
 * 0 at end of input. Blocks until some input or end of input.
 */
export function readStdin(buf: u8[]): u32 {
  const chunk = Buffer.alloc(buf.length);
  let n = 0;
  for (;;) {
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((e as NodeJS.ErrnoException).code === "EOF") return 0;
      throw e;
    }
  }
  for (let i = 0; i < n; i++) buf[i] = chunk[i]!;
  return n;
}
