/**
 * Buffered standard input for KTS host drivers (test programs built with
 * --target host and run under Node): bytes, little-endian u32s, and exact
 * reads that panic on truncated input.
 */
import { u8, u32, bool, array, panic } from "kts";
import { readStdin } from "kts/host";

const BUFFER = 65536;

export class StdinReader {
  buf: u8[] = array(BUFFER, 0);
  pos: u32 = 0;
  len: u32 = 0;
  eof: bool = false;

  /** Makes at least one byte available; false at end of input. */
  fill(): bool {
    if (this.pos < this.len) return true;
    if (this.eof) return false;
    this.pos = 0;
    this.len = readStdin(this.buf);
    if (this.len == 0) this.eof = true;
    return this.len > 0;
  }

  byte(): u8 {
    if (!this.fill()) panic("truncated input");
    const b: u8 = this.buf[this.pos];
    this.pos = u32(this.pos + 1);
    return b;
  }

  u32le(): u32 {
    const b0: u32 = u32(this.byte());
    const b1: u32 = u32(this.byte());
    const b2: u32 = u32(this.byte());
    const b3: u32 = u32(this.byte());
    return u32(b0 | (b1 << 8) | (b2 << 16) | (b3 << 24));
  }

  /** Reads exactly dst.length bytes into dst. */
  bytes(dst: u8[]): void {
    let done: u32 = 0;
    while (done < dst.length) {
      if (!this.fill()) panic("truncated input");
      let take: u32 = u32(this.len - this.pos);
      if (take > u32(dst.length - done)) take = u32(dst.length - done);
      for (let i: u32 = 0; i < take; i++) dst[u32(done + i)] = this.buf[u32(this.pos + i)];
      this.pos = u32(this.pos + take);
      done = u32(done + take);
    }
  }
}
