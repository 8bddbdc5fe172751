/**
 * Scalars modulo the Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493,
 * as little-endian byte strings: reduction of a 64-byte hash, the canonical-S check
 * (S < L), signed sliding-window (wNAF) recoding for variable-time multiplication, and
 * the half-size split k = c/d (mod L) with |c|, |d| < 2^127 used by verification.
 *
 * scReduce64 works in 24 signed 21-bit limbs (i64). Limb j >= 12 sits at 2^(21 j) =
 * 2^(21 (j-12)) * 2^252 and 2^252 = -(L - 2^252) (mod L), whose signed radix-2^21
 * digits are FOLD below; folding twice and carrying leaves a value in [0, L). The
 * carry schedule (rounded carries first, floor carries last) keeps every
 * intermediate far below 2^63 and is the one of the ref10 reference code.
 */
import { u8, u32, i8, i32, i64, u64, bool, array, arrayOf, clz64 } from "kts";

/** -(L - 2^252) in signed radix-2^21 digits. */
const FOLD: i64[] = arrayOf([666643n, 470296n, 654183n, -997805n, 136657n, -683901n]);

/** L as four little-endian u64 limbs. */
const L_LIMBS: u64[] = arrayOf([0x5812631a5cf5d3edn, 0x14def9dea2f79cd6n, 0n, 0x1000000000000000n]);

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

/** out[0 .. 32) = a * b mod L, for a 16-byte a and a 32-byte b (little-endian). */
export function scMulShort(out: u8[], a: u8[], b: u8[]): void {
  // Schoolbook product in 32-bit limbs: t = a_i b_j + w + carry < 2^64 never overflows.
  const w: u32[] = array(16, 0);
  for (let i: u32 = 0; i < 4; i++) {
    const ai = u64(load32(a, u32(i * 4)));
    let carry: u64 = 0n;
    for (let j: u32 = 0; j < 8; j++) {
      const t = u64(ai * u64(load32(b, u32(j * 4))) + u64(w[u32(i + j)]) + carry);
      w[u32(i + j)] = u32(t);
      carry = t >> 32n;
    }
    w[u32(i + 8)] = u32(carry);
  }
  const wide: u8[] = array(64, 0);
  for (let i: u32 = 0; i < 16; i++) {
    const v = w[i];
    const o = u32(i * 4);
    wide[o] = u8(v);
    wide[u32(o + 1)] = u8(v >>> 8);
    wide[u32(o + 2)] = u8(v >>> 16);
    wide[u32(o + 3)] = u8(v >>> 24);
  }
  scReduce64(out, wide);
}

function load32(s: u8[], off: u32): u32 {
  return u32(u32(s[off]) | (u32(s[u32(off + 1)]) << 8) | (u32(s[u32(off + 2)]) << 16) | (u32(s[u32(off + 3)]) << 24));
}

/** Bit length of the 4-limb number x. */
function bitLen4(x: u64[]): u32 {
  for (let i: u32 = 4; i > 0; i--) {
    const v = x[u32(i - 1)];
    if (v != 0n) {
      return u32(i * 64 - clz64(v));
    }
  }
  return 0;
}

/** out = x << s, keeping the low n limbs (n = out.length = x.length). */
function shlN(out: u64[], x: u64[], s: u32): void {
  const n = x.length;
  const limbs = s >>> 6;
  const bits = u64(s & 63);
  for (let i: u32 = n; i > 0; i--) {
    const k = u32(i - 1);
    if (k < limbs) {
      out[k] = 0n;
    } else {
      let v = u64(x[u32(k - limbs)] << bits);
      if (k > limbs) {
        v = v | (x[u32(k - limbs - 1)] >> u64(64n - bits));
      }
      out[k] = v;
    }
  }
}

/** x = x >> 1. */
function shr1N(x: u64[]): void {
  const n = x.length;
  for (let i: u32 = 0; i < n; i++) {
    let v = x[i] >> 1n;
    if (u32(i + 1) < n) {
      v = v | u64(x[u32(i + 1)] << 63n);
    }
    x[i] = v;
  }
}

/** x = x - y if x >= y (same lengths); returns whether it subtracted. */
function subIfGe(x: u64[], y: u64[]): bool {
  const n = x.length;
  for (let i: u32 = n; i > 0; i--) {
    const a = x[u32(i - 1)];
    const b = y[u32(i - 1)];
    if (a < b) {
      return false;
    }
    if (a > b) {
      break;
    }
  }
  let borrow: u64 = 0n;
  for (let i: u32 = 0; i < n; i++) {
    const a = x[i];
    const d1 = u64(a - y[i]);
    const d2 = u64(d1 - borrow);
    let out: u64 = 0n;
    if (a < y[i] || d1 < borrow) {
      out = 1n;
    }
    x[i] = d2;
    borrow = out;
  }
  return true;
}

/** x = x + y (same lengths, the sum must fit). */
function addN(x: u64[], y: u64[]): void {
  const n = x.length;
  let carry: u64 = 0n;
  for (let i: u32 = 0; i < n; i++) {
    const s1 = u64(x[i] + y[i]);
    const s2 = u64(s1 + carry);
    let out: u64 = 0n;
    if (s1 < y[i] || s2 < s1) {
      out = 1n;
    }
    x[i] = s2;
    carry = out;
  }
}

function swapN(x: u64[], y: u64[]): void {
  const n = x.length;
  for (let i: u32 = 0; i < n; i++) {
    const t = x[i];
    x[i] = y[i];
    y[i] = t;
  }
}

/**
 * For a 32-byte scalar k < L, finds c (16 bytes, c < 2^127) and d (16 bytes holding |d|,
 * 0 < |d| < 2^126) with c = d k (mod L); returns true when d is negative.
 *
 * Extended Euclid on (L, k): remainders r_i = t_i k (mod L) with r_{i-1} |t_i| <= L. It
 * stops at the first r_i < 2^127, so r_{i-1} >= 2^127 and |t_i| <= L / 2^127 < 2^126.
 * The t_i alternate in sign (t_1 = 1), so only their magnitudes are kept. Each quotient
 * is found by binary long division (quotients are mostly a few bits).
 */
export function scHalfSize(k: u8[], c: u8[], d: u8[]): bool {
  const a: u64[] = array(4, 0n); // r_{i-1}
  const b: u64[] = array(4, 0n); // r_i
  const ta: u64[] = array(2, 0n); // |t_{i-1}|
  const tb: u64[] = array(2, 0n); // |t_i|
  const bs: u64[] = array(4, 0n);
  const ts: u64[] = array(2, 0n);
  for (let i: u32 = 0; i < 4; i++) {
    a[i] = L_LIMBS[i];
    b[i] = bitsAt(k, u32(i * 64)) | u64(bitsAt(k, u32(i * 64 + 32)) << 32n);
  }
  tb[0] = 1n;
  let negative = false;
  while (bitLen4(b) > 127) {
    // a = a mod b, |t_{i+1}| = |t_{i-1}| + q |t_i|; then shift (a, b) along.
    const s = u32(bitLen4(a) - bitLen4(b));
    shlN(bs, b, s);
    shlN(ts, tb, s);
    for (let n: u32 = u32(s + 1); n > 0; n--) {
      if (subIfGe(a, bs)) {
        addN(ta, ts);
      }
      shr1N(bs);
      shr1N(ts);
    }
    swapN(a, b);
    swapN(ta, tb);
    negative = !negative;
  }
  for (let i: u32 = 0; i < 16; i++) {
    const sh = u64((i & 7) * 8);
    c[i] = u8(b[i >>> 3] >> sh);
    d[i] = u8(tb[i >>> 3] >> sh);
  }
  return negative;
}
