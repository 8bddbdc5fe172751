/**
 * The words of a command line, found byte by byte: where each starts and how
 * long it is, matching against a names table, and reading numbers (decimal,
 * or hex with 0x). Pure logic, tested on the host with the line editor.
 */
import { u8, u32, u64, bool, array } from "kts";
import { findName, NO_NAME } from "../../lib/names";

export const MAX_WORDS = 8;
/** parseNumber's answer for a word that is no number. */
export const NOT_A_NUMBER: u64 = 0xffff_ffff_ffff_ffffn;

function isSpace(b: u8): bool {
  return b == 0x20 || b == 0x09;
}

export class Words {
  start: u32[] = array(MAX_WORDS, 0);
  length: u32[] = array(MAX_WORDS, 0);
  count: u32 = 0;

  /** Splits line[0 .. length) at spaces; words past MAX_WORDS are dropped. */
  split(line: u8[], length: u32): void {
    this.count = 0;
    let at: u32 = 0;
    while (at < length && this.count < MAX_WORDS) {
      while (at < length && isSpace(line[at])) at = u32(at + 1);
      if (at >= length) break;
      const begin: u32 = at;
      while (at < length && !isSpace(line[at])) at = u32(at + 1);
      this.start[this.count] = begin;
      this.length[this.count] = u32(at - begin);
      this.count = u32(this.count + 1);
    }
  }

  /** Index in table of word i (NO_NAME if it is none of them, or there is no word i). */
  lookup(line: u8[], i: u32, table: u8[]): u32 {
    if (i >= this.count) return NO_NAME;
    return findName(table, line, this.start[i], this.length[i]);
  }

  /** Word i as a number, NOT_A_NUMBER if it is none (or missing, or over 64 bits). */
  number(line: u8[], i: u32): u64 {
    if (i >= this.count) return NOT_A_NUMBER;
    return parseNumber(line, this.start[i], this.length[i]);
  }
}

/** line[start .. start + length) as a decimal or 0x-hex number, or NOT_A_NUMBER. */
export function parseNumber(line: u8[], start: u32, length: u32): u64 {
  if (length == 0) return NOT_A_NUMBER;
  let at: u32 = start;
  const end: u32 = u32(start + length);
  let base: u64 = 10n;
  if (length > 2 && line[at] == 0x30 && (line[u32(at + 1)] == 0x78 || line[u32(at + 1)] == 0x58)) {
    base = 16n;
    at = u32(at + 2);
  }
  let v: u64 = 0n;
  while (at < end) {
    const d: u64 = digitValue(line[at]);
    if (d >= base) return NOT_A_NUMBER;
    if (v > u64(u64(0xffff_ffff_ffff_fffen - d) / base)) return NOT_A_NUMBER;
    v = u64(v * base + d);
    at = u32(at + 1);
  }
  return v;
}

/** The value of a hex or decimal digit, 99 for anything else. */
function digitValue(b: u8): u64 {
  if (b >= 0x30 && b <= 0x39) return u64(b - 0x30);
  if (b >= 0x61 && b <= 0x66) return u64(b - 0x57);
  if (b >= 0x41 && b <= 0x46) return u64(b - 0x37);
  return 99n;
}

function hexValue(c: u8): u32 {
  if (c >= 0x30 && c <= 0x39) return u32(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return u32(c - 0x57);
  if (c >= 0x41 && c <= 0x46) return u32(c - 0x37);
  return 16;
}

/** line[start .. start + length) as exactly out.length bytes in hex (a hash, a principal); false if it is not. */
export function parseHexBytes(line: u8[], start: u32, length: u32, out: u8[]): bool {
  if (length != u32(out.length * 2)) return false;
  for (let i: u32 = 0; i < out.length; i++) {
    const hi: u32 = hexValue(line[u32(start + 2 * i)]);
    const lo: u32 = hexValue(line[u32(start + 2 * i + 1)]);
    if (hi > 15 || lo > 15) return false;
    out[i] = u8((hi << 4) | lo);
  }
  return true;
}
