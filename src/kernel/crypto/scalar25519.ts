/**
 * Scalars modulo the Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493,
 * as 32-byte little-endian strings: reduction of a 64-byte hash, the canonical-S check
 * (S < L) and signed sliding-window (wNAF) recoding for variable-time multiplication.
 *
 * scReduce64 works in 24 signed 21-bit limbs (i64). Limb j >= 12 sits at 2^(21 j) =
 * 2^(21 (j-12)) * 2^252 and 2^252 = -(L - 2^252) (mod L), whose signed radix-2^21
 * digits are FOLD below; folding twice and carrying leaves a value in [0, L). The
 * carry schedule (rounded carries first, floor carries last) keeps every
 * intermediate far below 2^63 and is the one of the ref10 reference code.
 */
import { u8, u32, i8, i32, i64, u64, bool, array, arrayOf } from "kts";

/** -(L - 2^252) in signed radix-2^21 digits. */
const FOLD: i64[] = arrayOf([666643n, 470296n, 654183n, -997805n, 136657n, -683901n]);

/** L, little-endian. */
const L_BYTES: u8[] = arrayOf([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** Up to 32 bits of h starting at bit pos (reads bytes pos/8 .. pos/8+3, within h). */
function bitsAt(h: u8[], pos: u32): u64 {
  const b = pos >>> 3;
  let v: u64 = 0n;
  for (let i: u32 = 0; i < 4; i++) {
    const j = u32(b + i);
    if (j < h.length) {
      v = v | u64(u64(h[j]) << u64(i * 8));
    }
  }
  return v >> u64(pos & 7);
}

/** s[j] (j >= 12) is folded into s[j-12 .. j-7]. */
function fold(s: i64[], j: u32): void {
  const x = s[j];
  s[j] = 0n;
  const base = u32(j - 12);
  for (let t: u32 = 0; t < 6; t++) {
    const k = u32(base + t);
    s[k] = i64(s[k] + x * FOLD[t]);
  }
}

/** Rounded carries s[i] -> s[i+1] for i in [from, to): leaves s[i] in [-2^20, 2^20). */
function carryRound(s: i64[], from: u32, to: u32): void {
  for (let i: u32 = from; i < to; i++) {
    const c = i64(s[i] + 0x100000n) >> 21n;
    s[u32(i + 1)] = i64(s[u32(i + 1)] + c);
    s[i] = i64(s[i] - i64(c << 21n));
  }
}

/** Floor carries s[i] -> s[i+1] for i in [from, to): leaves s[i] in [0, 2^21). */
function carryFloor(s: i64[], from: u32, to: u32): void {
  for (let i: u32 = from; i < to; i++) {
    const c = s[i] >> 21n;
    s[u32(i + 1)] = i64(s[u32(i + 1)] + c);
    s[i] = i64(s[i] - i64(c << 21n));
  }
}

/** out[0..32) = h[0..64) mod L (little-endian). out must not alias h. */
export function scReduce64(out: u8[], h: u8[]): void {
  const s: i64[] = array(24, 0n);
  for (let i: u32 = 0; i < 23; i++) {
    s[i] = i64(bitsAt(h, u32(i * 21)) & 0x1fffffn);
  }
  s[23] = i64(bitsAt(h, 483)); // the top 29 bits
  for (let j: u32 = 23; j > 17; j--) {
    fold(s, j);
  }
  carryRound(s, 6, 17);
  for (let j: u32 = 17; j > 11; j--) {
    fold(s, j);
  }
  carryRound(s, 0, 12);
  fold(s, 12);
  carryFloor(s, 0, 12);
  fold(s, 12);
  carryFloor(s, 0, 11);
  // Pack twelve 21-bit limbs (the last may hold 22 bits) into 32 bytes.
  let acc: u64 = 0n;
  let bits: u32 = 0;
  let o: u32 = 0;
  for (let i: u32 = 0; i < 12; i++) {
    acc = acc | u64(u64(s[i]) << u64(bits));
    bits = u32(bits + 21);
    while (bits >= 8 && o < 32) {
      out[o] = u8(acc);
      o = u32(o + 1);
      acc = acc >> 8n;
      bits = u32(bits - 8);
    }
  }
  while (o < 32) {
    out[o] = u8(acc);
    o = u32(o + 1);
    acc = acc >> 8n;
  }
}

/** True when the 32-byte little-endian s is < L. */
export function scIsCanonical(s: u8[]): bool {
  for (let i: u32 = 32; i > 0; i--) {
    const a = s[u32(i - 1)];
    const l = L_BYTES[u32(i - 1)];
    if (a < l) {
      return true;
    }
    if (a > l) {
      return false;
    }
  }
  return false;
}

/**
 * Width-w NAF of the 32-byte little-endian scalar s (s < 2^255, 2 <= w <= 8):
 * naf[0..256) gets odd digits in (-2^(w-1), 2^(w-1)) or 0, with sum naf[i] 2^i = s and
 * at least w-1 zeros after every nonzero digit.
 */
export function scWnaf(naf: i8[], s: u8[], w: u32): void {
  for (let i: u32 = 0; i < 256; i++) {
    naf[i] = 0;
  }
  const one: u32 = 1;
  const width = u32(one << w);
  const mask = u64(width - 1);
  let pos: u32 = 0;
  let carry: u32 = 0;
  while (pos < 256) {
    const win = u32(u64(carry) + (bitsAt(s, pos) & mask));
    if (u32(win & 1) == 0) {
      pos = u32(pos + 1);
      continue;
    }
    if (win < width >>> 1) {
      carry = 0;
      naf[pos] = i8(win);
    } else {
      carry = 1;
      naf[pos] = i8(i32(win) - i32(width));
    }
    pos = u32(pos + w);
  }
}
