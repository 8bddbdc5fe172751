/**
 * Byte-level reading of flattened device trees, shared by the DTB parser
 * (src/kernel/boot/dtb.ts) and the arch layer's device lookups: big-endian
 * cells, overflow-safe range checks and string helpers. Callers check ranges
 * with room() before reading.
 */
import { u8, u32, u64, bool } from "kts";

/** Returned for "no such offset/length" (past any block). */
export const NOT_FOUND: u32 = 0xffffffff;

/** Big-endian u32 at b[o..o+4); the caller has checked the range. */
export function be32(b: u8[], o: u32): u32 {
  return u32((u32(b[o]) << 24) | (u32(b[u32(o + 1)]) << 16) | (u32(b[u32(o + 2)]) << 8) | u32(b[u32(o + 3)]));
}

/** Big-endian u64 at b[o..o+8); the caller has checked the range. */
export function be64(b: u8[], o: u32): u64 {
  return u64((u64(be32(b, o)) << 32n) | u64(be32(b, u32(o + 4))));
}

/** One (n = 1) or two (n = 2) big-endian cells at b[o..); the caller has checked the range. */
export function cells(b: u8[], o: u32, n: u32): u64 {
  if (n == 1) return u64(be32(b, o));
  return be64(b, o);
}

/** True if [p, p + n) lies inside [.., end), without overflow. */
export function room(p: u32, end: u32, n: u32): bool {
  return p <= end && u32(end - p) >= n;
}

/** x rounded up to a multiple of 4; NOT_FOUND (past any block) if that overflows. */
export function align4(x: u32): u32 {
  if (x > 0xfffffffc) return NOT_FOUND;
  return u32(u32(x + 3) & 0xfffffffc);
}

/** Length of the NUL-terminated string at b[from..], which must end before end; NOT_FOUND if it does not. */
export function strLen(b: u8[], from: u32, end: u32): u32 {
  for (let i: u32 = from; i < end; i++) {
    if (b[i] == 0) return u32(i - from);
  }
  return NOT_FOUND;
}

/** True if b[off..off+len) equals t. */
export function bytesEqual(b: u8[], off: u32, len: u32, t: u8[]): bool {
  if (len != t.length) return false;
  for (let i: u32 = 0; i < len; i++) {
    if (b[u32(off + i)] != t[i]) return false;
  }
  return true;
}
