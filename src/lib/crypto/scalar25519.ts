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
 *
 * Constant time in C (signing reduces secret values with them): scReduce64 and
 * scMulAdd have no branch, loop bound or index that depends on the value, only on
 * lengths; test/crypto/ed25519-ctgrind.test.ts checks this under valgrind. scMulShort
 * is too, but scIsCanonical, scWnaf and scHalfSize are variable time: verification
 * uses them on public values only.
 */
import { u8, u32, i8, i64, u64, bool, array, arrayOf, clz64, ctz64 } from "kts";
import { wipeBytes, wipeSigned64, wipeWords32 } from "./wipe";

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
  wipeSigned64(s);
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
 * Width-w NAF (2 <= w <= 8) of the little-endian scalar s (at most 32 bytes; a 32-byte s
 * must be < 2^255): naf gets odd digits in (-2^(w-1), 2^(w-1)) or 0, with
 * sum naf[i] 2^i = s and at least w-1 zeros after every nonzero digit. naf needs
 * min(8 s.length + 1, 256) entries. Returns 1 + the index of the top nonzero digit (0 if s = 0).
 */
export function scWnaf(naf: i8[], s: u8[], w: u32): u32 {
  const x: u64[] = array(5, 0n);
  const n = s.length;
  for (let i: u32 = 0; i < n; i++) {
    const k = i >>> 3;
    x[k] = x[k] | u64(u64(s[i]) << u64((i & 7) * 8));
  }
  let limit = u32(n * 8 + 1);
  if (limit > 256) {
    limit = 256;
  }
  for (let i: u32 = 0; i < limit; i++) {
    naf[i] = 0;
  }
  const one: u64 = 1n;
  const width = u64(one << u64(w));
  const mask = u64(width - 1n);
  const half = width >> 1n;
  let pos: u32 = 0;
  let carry: u64 = 0n;
  let top: u32 = 0;
  while (pos < limit) {
    const k = pos >>> 6;
    const b = u64(pos & 63);
    const bits = (x[k] >> b) | u64(x[u32(k + 1)] << u64(64n - b));
    if (carry == 0n && (bits & 1n) == 0n) {
      // Skip the run of zeros (bits holds the 64 bits from pos on).
      pos = u32(pos + ctz64(bits));
      continue;
    }
    const win = u64(carry + (bits & mask));
    if ((win & 1n) == 0n) {
      pos = u32(pos + 1);
      continue;
    }
    if (win < half) {
      carry = 0n;
      naf[pos] = i8(win);
    } else {
      carry = 1n;
      naf[pos] = i8(i64(win) - i64(width));
    }
    top = u32(pos + 1);
    pos = u32(pos + w);
  }
  return top;
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

/**
 * out[0 .. 32) = (a b + c) mod L for 32-byte little-endian a, b, c (any values below
 * 2^256; a b + c < 2^512). Constant time: a fixed schoolbook product and scReduce64.
 * Leaves a b + c in a stack buffer that it clears (plain stores, which a C compiler
 * may drop as dead; see wipe.ts).
 */
export function scMulAdd(out: u8[], a: u8[], b: u8[], c: u8[]): void {
  // 32-bit limbs: t = a_i b_j + w + carry <= (2^32 - 1)^2 + 2 (2^32 - 1) < 2^64.
  const w: u32[] = array(16, 0);
  for (let j: u32 = 0; j < 8; j++) {
    w[j] = load32(c, u32(j * 4));
  }
  for (let i: u32 = 0; i < 8; i++) {
    const ai = u64(load32(a, u32(i * 4)));
    let carry: u64 = 0n;
    for (let j: u32 = 0; j < 8; j++) {
      const t = u64(ai * u64(load32(b, u32(j * 4))) + u64(w[u32(i + j)]) + carry);
      w[u32(i + j)] = u32(t);
      carry = t >> 32n;
    }
    // Rows before this one reach w[i + 7] at most and c only w[0 .. 8): w[i + 8] is 0.
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
  wipeBytes(wide);
  wipeWords32(w);
}

function load32(s: u8[], off: u32): u32 {
  return u32(u32(s[off]) | (u32(s[u32(off + 1)]) << 8) | (u32(s[u32(off + 2)]) << 16) | (u32(s[u32(off + 3)]) << 24));
}

/** A 256-bit unsigned number in four u64 limbs (named fields: no bounds checks). */
class W4 {
  w0: u64 = 0n;
  w1: u64 = 0n;
  w2: u64 = 0n;
  w3: u64 = 0n;
}

function bitLen4(x: W4): u32 {
  if (x.w3 != 0n) {
    return u32(256 - clz64(x.w3));
  }
  if (x.w2 != 0n) {
    return u32(192 - clz64(x.w2));
  }
  if (x.w1 != 0n) {
    return u32(128 - clz64(x.w1));
  }
  return u32(64 - clz64(x.w0));
}

/** out = (x << s) mod 2^256. */
function shl4(out: W4, x: W4, s: u32): void {
  let v0 = x.w0;
  let v1 = x.w1;
  let v2 = x.w2;
  let v3 = x.w3;
  let n = s;
  while (n >= 64) {
    v3 = v2;
    v2 = v1;
    v1 = v0;
    v0 = 0n;
    n = u32(n - 64);
  }
  if (n != 0) {
    const l = u64(n);
    const r = u64(64n - l);
    v3 = u64(v3 << l) | (v2 >> r);
    v2 = u64(v2 << l) | (v1 >> r);
    v1 = u64(v1 << l) | (v0 >> r);
    v0 = u64(v0 << l);
  }
  out.w0 = v0;
  out.w1 = v1;
  out.w2 = v2;
  out.w3 = v3;
}

function shr1(x: W4): void {
  x.w0 = (x.w0 >> 1n) | u64(x.w1 << 63n);
  x.w1 = (x.w1 >> 1n) | u64(x.w2 << 63n);
  x.w2 = (x.w2 >> 1n) | u64(x.w3 << 63n);
  x.w3 = x.w3 >> 1n;
}

/** x = x - y when x >= y; returns whether it subtracted. */
function subIfGe(x: W4, y: W4): bool {
  if (x.w3 != y.w3) {
    if (x.w3 < y.w3) {
      return false;
    }
  } else if (x.w2 != y.w2) {
    if (x.w2 < y.w2) {
      return false;
    }
  } else if (x.w1 != y.w1) {
    if (x.w1 < y.w1) {
      return false;
    }
  } else if (x.w0 < y.w0) {
    return false;
  }
  let borrow: u64 = 0n;
  let a = x.w0;
  let b = y.w0;
  if (a < b) {
    borrow = 1n;
  }
  x.w0 = u64(a - b);
  a = x.w1;
  b = u64(y.w1 + borrow); // y.w1 + 1 overflows only with x.w1 < 2^64 <= b: still a borrow
  if (a < b || b < borrow) {
    borrow = 1n;
  } else {
    borrow = 0n;
  }
  x.w1 = u64(a - b);
  a = x.w2;
  b = u64(y.w2 + borrow);
  if (a < b || b < borrow) {
    borrow = 1n;
  } else {
    borrow = 0n;
  }
  x.w2 = u64(a - b);
  x.w3 = u64(x.w3 - y.w3 - borrow);
  return true;
}

/** x = x + y (the sum must fit in 256 bits). */
function add4(x: W4, y: W4): void {
  let s = u64(x.w0 + y.w0);
  let carry: u64 = 0n;
  if (s < y.w0) {
    carry = 1n;
  }
  x.w0 = s;
  s = u64(x.w1 + y.w1 + carry);
  if (s < y.w1 || (s == y.w1 && carry == 1n)) {
    carry = 1n;
  } else {
    carry = 0n;
  }
  x.w1 = s;
  s = u64(x.w2 + y.w2 + carry);
  if (s < y.w2 || (s == y.w2 && carry == 1n)) {
    carry = 1n;
  } else {
    carry = 0n;
  }
  x.w2 = s;
  x.w3 = u64(x.w3 + y.w3 + carry);
}

function swap4(x: W4, y: W4): void {
  let t = x.w0;
  x.w0 = y.w0;
  y.w0 = t;
  t = x.w1;
  x.w1 = y.w1;
  y.w1 = t;
  t = x.w2;
  x.w2 = y.w2;
  y.w2 = t;
  t = x.w3;
  x.w3 = y.w3;
  y.w3 = t;
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
  const a = new W4(); // r_{i-1}
  const b = new W4(); // r_i
  const ta = new W4(); // |t_{i-1}|
  const tb = new W4(); // |t_i|
  const bs = new W4();
  const ts = new W4();
  a.w0 = L_LIMBS[0];
  a.w1 = L_LIMBS[1];
  a.w2 = L_LIMBS[2];
  a.w3 = L_LIMBS[3];
  b.w0 = load64le(k, 0);
  b.w1 = load64le(k, 8);
  b.w2 = load64le(k, 16);
  b.w3 = load64le(k, 24);
  tb.w0 = 1n;
  let negative = false;
  let lb = bitLen4(b);
  while (lb > 127) {
    // a = a mod b and |t_{i+1}| = |t_{i-1}| + q |t_i| by binary long division.
    const s = u32(bitLen4(a) - lb);
    shl4(bs, b, s);
    shl4(ts, tb, s);
    for (let n: u32 = u32(s + 1); n > 0; n--) {
      if (subIfGe(a, bs)) {
        add4(ta, ts);
      }
      shr1(bs);
      shr1(ts);
    }
    swap4(a, b);
    swap4(ta, tb);
    negative = !negative;
    lb = bitLen4(b);
  }
  store64le(c, 0, b.w0);
  store64le(c, 8, b.w1);
  store64le(d, 0, tb.w0);
  store64le(d, 8, tb.w1);
  return negative;
}

function load64le(s: u8[], off: u32): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 8; i > 0; i--) {
    r = u64(r << 8n) | u64(s[u32(off + i - 1)]);
  }
  return r;
}

function store64le(s: u8[], off: u32, v: u64): void {
  for (let i: u32 = 0; i < 8; i++) {
    s[u32(off + i)] = u8(v >> u64(i * 8));
  }
}
