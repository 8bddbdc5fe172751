/**
 * Tables of names: KTS has no string values, so every name a program prints
 * (with print's text() hole) or matches against typed words is spelled once
 * as ASCII bytes in a table of NUL-terminated names, and used by index.
 */
import { u8, u32, bool } from "kts";

/** findName's answer when no name matches. */
export const NO_NAME: u32 = 0xffff_ffff;

/** Offset of the index-th name in table, or table.length if the table has fewer names. */
export function nameStart(table: u8[], index: u32): u32 {
  let at: u32 = 0;
  for (let n: u32 = 0; n < index; n++) {
    while (at < table.length && table[at] != 0) at = u32(at + 1);
    if (at >= table.length) return table.length;
    at = u32(at + 1);
  }
  return at;
}

/** Length of the name starting at start (up to its NUL or the table's end). */
export function nameLength(table: u8[], start: u32): u32 {
  let end: u32 = start;
  while (end < table.length && table[end] != 0) end = u32(end + 1);
  return u32(end - start);
}

/** The index of the name equal to word[start .. start + length), or NO_NAME. */
export function findName(table: u8[], word: u8[], start: u32, length: u32): u32 {
  let at: u32 = 0;
  let index: u32 = 0;
  while (at < table.length) {
    const n: u32 = nameLength(table, at);
    if (n == length && n > 0) {
      let same: bool = true;
      for (let i: u32 = 0; i < n; i++) {
        if (table[u32(at + i)] != word[u32(start + i)]) {
          same = false;
          break;
        }
      }
      if (same) return index;
    }
    at = u32(at + n + 1);
    index = u32(index + 1);
  }
  return NO_NAME;
}

/**
 * Copies the index-th name into out at position at ("?" if the table has no such
 * name), as far as out has room; returns the position after it.
 */
export function copyName(table: u8[], index: u32, out: u8[], at: u32): u32 {
  const start: u32 = nameStart(table, index);
  const n: u32 = nameLength(table, start);
  let pos: u32 = at;
  if (n == 0) {
    if (pos < out.length) out[pos] = 0x3f; // '?'
    return pos < out.length ? u32(pos + 1) : pos;
  }
  for (let i: u32 = 0; i < n; i++) {
    if (pos >= out.length) break;
    out[pos] = table[u32(start + i)];
    pos = u32(pos + 1);
  }
  return pos;
}
