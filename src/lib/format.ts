/**
 * Text assembled in bytes, for what print() templates cannot say directly:
 * padded columns, names from tables, optional fields. A program builds a Line
 * and prints it with print(`${text(line.bytes, line.length)}`).
 */
import { u8, u32, u64, array } from "kts";
import { copyName } from "./names";

export const LINE_BYTES = 200;

/** Writes v in decimal into out at position at (as far as there is room); returns the position after it. */
export function formatDecimal(out: u8[], at: u32, v: u64): u32 {
  const digits: u8[] = array(20, 0);
  let n: u32 = 0;
  let rest: u64 = v;
  do {
    digits[n] = u8(u64(0x30n + u64(rest % 10n)));
    rest = u64(rest / 10n);
    n = u32(n + 1);
  } while (rest != 0n);
  let pos: u32 = at;
  while (n > 0 && pos < out.length) {
    n = u32(n - 1);
    out[pos] = digits[n];
    pos = u32(pos + 1);
  }
  return pos;
}

/** How many decimal digits v has. */
export function decimalDigits(v: u64): u32 {
  let n: u32 = 1;
  let rest: u64 = u64(v / 10n);
  while (rest != 0n) {
    n = u32(n + 1);
    rest = u64(rest / 10n);
  }
  return n;
}

export class Line {
  bytes: u8[] = array(LINE_BYTES, 0);
  length: u32 = 0;

  clear(): void {
    this.length = 0;
  }

  /** Appends one byte; a full line drops it. */
  byte(c: u8): void {
    if (this.length < this.bytes.length) {
      this.bytes[this.length] = c;
      this.length = u32(this.length + 1);
    }
  }

  /** Appends src[from .. from + count). */
  append(src: u8[], from: u32, count: u32): void {
    for (let i: u32 = 0; i < count; i++) {
      if (u32(from + i) >= src.length) break;
      this.byte(src[u32(from + i)]);
    }
  }

  decimal(v: u64): void {
    this.length = formatDecimal(this.bytes, this.length, v);
  }

  /** v in decimal, at least width digits (leading zeros): the fraction of a fixed-point number. */
  decimalZeros(v: u64, width: u32): void {
    for (let n: u32 = decimalDigits(v); n < width; n++) this.byte(0x30);
    this.decimal(v);
  }

  /** v in lower-case hex with 0x. */
  hex(v: u64): void {
    this.byte(0x30);
    this.byte(0x78);
    let shift: u64 = 60n;
    while (shift > 0n && (v >> shift) == 0n) shift = u64(shift - 4n);
    for (;;) {
      const d: u8 = u8((v >> shift) & 0xfn);
      this.byte(d < 10 ? u8(0x30 + d) : u8(0x57 + d));
      if (shift == 0n) break;
      shift = u64(shift - 4n);
    }
  }

  /** The low `digits` hex digits of v, lower case, no 0x (a PCI id: "1af4"). */
  hexDigits(v: u64, digits: u32): void {
    for (let k: u32 = digits; k > 0; k--) {
      const d: u8 = u8((v >> u64(4 * (k - 1))) & 0xfn);
      this.byte(d < 10 ? u8(0x30 + d) : u8(0x57 + d));
    }
  }

  /** src[0 .. n) as 2n lower-case hex digits: a hash, key or principal. */
  hexBytes(src: u8[], n: u32): void {
    const m: u32 = n < src.length ? n : src.length;
    for (let i: u32 = 0; i < m; i++) this.hexDigits(u64(src[i]), 2);
  }

  /** A message label as its four characters ("SPBG"); unprintable ones as '?'. */
  label(v: u32): void {
    for (let k: u32 = 4; k > 0; k--) {
      const c: u8 = u8(v >>> u32(8 * (k - 1)));
      this.byte(c >= 0x20 && c < 0x7f ? c : 0x3f);
    }
  }

  /** The index-th name of a names table ("?" if none). */
  name(table: u8[], index: u32): void {
    this.length = copyName(table, index, this.bytes, this.length);
  }

  /** Spaces up to column (at least one space if the line is already there, so columns never run together). */
  padTo(column: u32): void {
    if (this.length > 0 && this.length >= column) this.byte(0x20);
    while (this.length < column && this.length < this.bytes.length) this.byte(0x20);
  }
}
