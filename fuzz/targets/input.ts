// The fuzzer's bytes as a stream of fields, for targets that read a script
// rather than one document: little-endian integers taken in order; past the
// end every read is 0 and done() is true.
import { u8, u16, u32, u64, bool } from "kts";

export class Input {
  at: u32 = 0;
  len: u32 = 0;
  over: bool = false;

  start(length: u32): void {
    this.at = 0;
    this.len = length;
    this.over = false;
  }

  done(): bool {
    return this.over || this.at >= this.len;
  }

  u8(b: u8[]): u8 {
    if (this.at >= this.len || this.at >= b.length) {
      this.over = true;
      return 0;
    }
    const v: u8 = b[this.at];
    this.at = u32(this.at + 1);
    return v;
  }

  u16(b: u8[]): u16 {
    const lo: u16 = u16(this.u8(b));
    return u16(lo | u16(u16(this.u8(b)) << 8));
  }

  u32(b: u8[]): u32 {
    const lo: u32 = u32(this.u16(b));
    return u32(lo | u32(u32(this.u16(b)) << 16));
  }

  u64(b: u8[]): u64 {
    const lo: u64 = u64(this.u32(b));
    return u64(lo | u64(u64(this.u32(b)) << 32n));
  }
}
