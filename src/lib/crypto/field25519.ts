/**
 * Arithmetic in GF(2^255 - 19) for Ed25519: radix 2^51, five u64 limbs held in a Fe
 * object (named fields, so the hot paths have no bounds checks).
 *
 * Constant time in C (signing relies on it): no function here branches on or indexes
 * by a limb value; feInvert and fePow22523 are fixed chains; feCanonical, feToBytes,
 * feIsZero and feIsNegative compute their results arithmetically (the callers' tests
 * of the bool results are theirs to judge).
 *
 * Limb bounds: feMul/feSq/feCarry outputs are "reduced" (every limb < 2^51 + 2^13).
 * feMul/feSq accept limbs < 2^54. feSub needs a reduced subtrahend; feSub4p accepts
 * a subtrahend with limbs < 2^53 - 76. All functions allow out to alias an input.
 *
 * Products: without a 128-bit type, each column sum c = sum(a*b) is rebuilt from
 *   W = sum(u64(a*b))                  (c mod 2^64, wrapping)
 *   H = sum(mulHi64(a, b << 10))       (sum of floor(a*b / 2^54), exact as b < 2^54)
 * c = Q*2^54 + (W mod 2^54) with Q = H + delta, where delta (the carries out of the
 * five low parts, 0..4) is ((W >> 54) - H) mod 2^10. No per-product carry tests.
 */
import { u8, u32, u64, bool, mulHi64 } from "kts";

export class Fe {
  v0: u64 = 0n;
  v1: u64 = 0n;
  v2: u64 = 0n;
  v3: u64 = 0n;
  v4: u64 = 0n;
}

const M51: u64 = 0x7ffffffffffffn;
const M54: u64 = 0x3fffffffffffffn;

export function feSet(h: Fe, v0: u64, v1: u64, v2: u64, v3: u64, v4: u64): void {
  h.v0 = v0;
  h.v1 = v1;
  h.v2 = v2;
  h.v3 = v3;
  h.v4 = v4;
}

/** h = limbs t[off .. off+5) (a constant table entry, already reduced). */
export function feLoad(h: Fe, t: u64[], off: u32): void {
  h.v0 = t[off];
  h.v1 = t[u32(off + 1)];
  h.v2 = t[u32(off + 2)];
  h.v3 = t[u32(off + 3)];
  h.v4 = t[u32(off + 4)];
}

export function feCopy(h: Fe, f: Fe): void {
  h.v0 = f.v0;
  h.v1 = f.v1;
  h.v2 = f.v2;
  h.v3 = f.v3;
  h.v4 = f.v4;
}

export function feZero(h: Fe): void {
  feSet(h, 0n, 0n, 0n, 0n, 0n);
}

export function feOne(h: Fe): void {
  feSet(h, 1n, 0n, 0n, 0n, 0n);
}

export function feAdd(h: Fe, f: Fe, g: Fe): void {
  h.v0 = u64(f.v0 + g.v0);
  h.v1 = u64(f.v1 + g.v1);
  h.v2 = u64(f.v2 + g.v2);
  h.v3 = u64(f.v3 + g.v3);
  h.v4 = u64(f.v4 + g.v4);
}

/** h = f - g + 2p; g reduced. */
export function feSub(h: Fe, f: Fe, g: Fe): void {
  h.v0 = u64(f.v0 + 0xfffffffffffdan - g.v0);
  h.v1 = u64(f.v1 + 0xffffffffffffen - g.v1);
  h.v2 = u64(f.v2 + 0xffffffffffffen - g.v2);
  h.v3 = u64(f.v3 + 0xffffffffffffen - g.v3);
  h.v4 = u64(f.v4 + 0xffffffffffffen - g.v4);
}

/** h = f - g + 4p; g limbs < 2^53 - 76. */
export function feSub4p(h: Fe, f: Fe, g: Fe): void {
  h.v0 = u64(f.v0 + 0x1fffffffffffb4n - g.v0);
  h.v1 = u64(f.v1 + 0x1ffffffffffffcn - g.v1);
  h.v2 = u64(f.v2 + 0x1ffffffffffffcn - g.v2);
  h.v3 = u64(f.v3 + 0x1ffffffffffffcn - g.v3);
  h.v4 = u64(f.v4 + 0x1ffffffffffffcn - g.v4);
}

/** Propagates carries so that every limb is < 2^51 + 2^13 (f limbs < 2^63). */
export function feCarry(h: Fe, f: Fe): void {
  let c0 = f.v0;
  let c1 = u64(f.v1 + (c0 >> 51n));
  c0 = c0 & M51;
  let c2 = u64(f.v2 + (c1 >> 51n));
  c1 = c1 & M51;
  let c3 = u64(f.v3 + (c2 >> 51n));
  c2 = c2 & M51;
  let c4 = u64(f.v4 + (c3 >> 51n));
  c3 = c3 & M51;
  c0 = u64(c0 + (c4 >> 51n) * 19n);
  c4 = c4 & M51;
  c1 = u64(c1 + (c0 >> 51n));
  c0 = c0 & M51;
  feSet(h, c0, c1, c2, c3, c4);
}

/** h = -f (reduced result); f reduced. */
export function feNeg(h: Fe, f: Fe): void {
  const z = new Fe();
  feSub(z, z, f);
  feCarry(h, z);
}

/**
 * Final carry step shared by feMul and feSq: the five column sums are given as
 * (wI, hI) pairs as described in the header.
 */
function feFold(
  out: Fe,
  w0: u64, h0: u64, w1: u64, h1: u64, w2: u64, h2: u64, w3: u64, h3: u64, w4: u64, h4: u64,
): void {
  let q = u64(h0 + (u64((w0 >> 54n) - h0) & 0x3ffn));
  const r0 = w0 & M51;
  let c = u64((q << 3n) + ((w0 >> 51n) & 7n));
  q = u64(h1 + (u64((w1 >> 54n) - h1) & 0x3ffn));
  let v = u64((w1 & M54) + c);
  let r1 = v & M51;
  c = u64((q << 3n) + (v >> 51n));
  q = u64(h2 + (u64((w2 >> 54n) - h2) & 0x3ffn));
  v = u64((w2 & M54) + c);
  const r2 = v & M51;
  c = u64((q << 3n) + (v >> 51n));
  q = u64(h3 + (u64((w3 >> 54n) - h3) & 0x3ffn));
  v = u64((w3 & M54) + c);
  const r3 = v & M51;
  c = u64((q << 3n) + (v >> 51n));
  q = u64(h4 + (u64((w4 >> 54n) - h4) & 0x3ffn));
  v = u64((w4 & M54) + c);
  const r4 = v & M51;
  c = u64((q << 3n) + (v >> 51n));
  v = u64(r0 + c * 19n);
  r1 = u64(r1 + (v >> 51n));
  out.v0 = v & M51;
  out.v1 = r1;
  out.v2 = r2;
  out.v3 = r3;
  out.v4 = r4;
}

/** h = f * g. */
export function feMul(h: Fe, f: Fe, g: Fe): void {
  const f0 = f.v0;
  const f1 = f.v1;
  const f2 = f.v2;
  const f3 = f.v3;
  const f4 = f.v4;
  const g0 = g.v0;
  const g1 = g.v1;
  const g2 = g.v2;
  const g3 = g.v3;
  const g4 = g.v4;
  const s0 = u64(g0 << 10n);
  const s1 = u64(g1 << 10n);
  const s2 = u64(g2 << 10n);
  const s3 = u64(g3 << 10n);
  const s4 = u64(g4 << 10n);
  const f1n = u64(f1 * 19n);
  const f2n = u64(f2 * 19n);
  const f3n = u64(f3 * 19n);
  const f4n = u64(f4 * 19n);
  feFold(
    h,
    u64(f0 * g0 + f4n * g1 + f3n * g2 + f2n * g3 + f1n * g4),
    u64(mulHi64(f0, s0) + mulHi64(f4n, s1) + mulHi64(f3n, s2) + mulHi64(f2n, s3) + mulHi64(f1n, s4)),
    u64(f0 * g1 + f1 * g0 + f4n * g2 + f3n * g3 + f2n * g4),
    u64(mulHi64(f0, s1) + mulHi64(f1, s0) + mulHi64(f4n, s2) + mulHi64(f3n, s3) + mulHi64(f2n, s4)),
    u64(f0 * g2 + f1 * g1 + f2 * g0 + f4n * g3 + f3n * g4),
    u64(mulHi64(f0, s2) + mulHi64(f1, s1) + mulHi64(f2, s0) + mulHi64(f4n, s3) + mulHi64(f3n, s4)),
    u64(f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4n * g4),
    u64(mulHi64(f0, s3) + mulHi64(f1, s2) + mulHi64(f2, s1) + mulHi64(f3, s0) + mulHi64(f4n, s4)),
    u64(f0 * g4 + f1 * g3 + f2 * g2 + f3 * g1 + f4 * g0),
    u64(mulHi64(f0, s4) + mulHi64(f1, s3) + mulHi64(f2, s2) + mulHi64(f3, s1) + mulHi64(f4, s0)),
  );
}

/** h = f^2. */
export function feSq(h: Fe, f: Fe): void {
  const f0 = f.v0;
  const f1 = f.v1;
  const f2 = f.v2;
  const f3 = f.v3;
  const f4 = f.v4;
  const s0 = u64(f0 << 10n);
  const s1 = u64(f1 << 10n);
  const s2 = u64(f2 << 10n);
  const s3 = u64(f3 << 10n);
  const s4 = u64(f4 << 10n);
  const f0d = u64(f0 << 1n);
  const f1d = u64(f1 << 1n);
  const f1t = u64(f1 * 38n);
  const f2t = u64(f2 * 38n);
  const f3t = u64(f3 * 38n);
  const f3n = u64(f3 * 19n);
  const f4n = u64(f4 * 19n);
  feFold(
    h,
    u64(f0 * f0 + f1t * f4 + f2t * f3),
    u64(mulHi64(f0, s0) + mulHi64(f1t, s4) + mulHi64(f2t, s3)),
    u64(f0d * f1 + f2t * f4 + f3n * f3),
    u64(mulHi64(f0d, s1) + mulHi64(f2t, s4) + mulHi64(f3n, s3)),
    u64(f0d * f2 + f1 * f1 + f3t * f4),
    u64(mulHi64(f0d, s2) + mulHi64(f1, s1) + mulHi64(f3t, s4)),
    u64(f0d * f3 + f1d * f2 + f4n * f4),
    u64(mulHi64(f0d, s3) + mulHi64(f1d, s2) + mulHi64(f4n, s4)),
    u64(f0d * f4 + f1d * f3 + f2 * f2),
    u64(mulHi64(f0d, s4) + mulHi64(f1d, s3) + mulHi64(f2, s2)),
  );
}

/** h = f^(2^n), n >= 1. */
export function feSqN(h: Fe, f: Fe, n: u32): void {
  feSq(h, f);
  for (let i: u32 = 1; i < n; i++) {
    feSq(h, h);
  }
}

/** h = f^((p-5)/8) = f^(2^252 - 3). */
export function fePow22523(h: Fe, f: Fe): void {
  const t0 = new Fe();
  const t1 = new Fe();
  const t2 = new Fe();
  feSq(t0, f); // 2
  feSqN(t1, t0, 2); // 8
  feMul(t1, f, t1); // 9
  feMul(t0, t0, t1); // 11
  feSq(t0, t0); // 22
  feMul(t0, t1, t0); // 2^5 - 1
  feSqN(t1, t0, 5);
  feMul(t0, t1, t0); // 2^10 - 1
  feSqN(t1, t0, 10);
  feMul(t1, t1, t0); // 2^20 - 1
  feSqN(t2, t1, 20);
  feMul(t1, t2, t1); // 2^40 - 1
  feSqN(t1, t1, 10);
  feMul(t0, t1, t0); // 2^50 - 1
  feSqN(t1, t0, 50);
  feMul(t1, t1, t0); // 2^100 - 1
  feSqN(t2, t1, 100);
  feMul(t1, t2, t1); // 2^200 - 1
  feSqN(t1, t1, 50);
  feMul(t0, t1, t0); // 2^250 - 1
  feSqN(t0, t0, 2); // 2^252 - 4
  feMul(h, t0, f); // 2^252 - 3
}

/**
 * h = 1/f = f^(p-2) = f^(2^255 - 21) (0 for f = 0). A fixed chain of 254 squarings and
 * 11 multiplications: the same operations for every f (constant time).
 */
export function feInvert(h: Fe, f: Fe): void {
  const t0 = new Fe();
  const t1 = new Fe();
  const t2 = new Fe();
  const t3 = new Fe();
  feSq(t0, f); // 2
  feSqN(t1, t0, 2); // 8
  feMul(t1, f, t1); // 9
  feMul(t0, t0, t1); // 11
  feSq(t2, t0); // 22
  feMul(t1, t1, t2); // 2^5 - 1
  feSqN(t2, t1, 5);
  feMul(t1, t2, t1); // 2^10 - 1
  feSqN(t2, t1, 10);
  feMul(t2, t2, t1); // 2^20 - 1
  feSqN(t3, t2, 20);
  feMul(t2, t3, t2); // 2^40 - 1
  feSqN(t2, t2, 10);
  feMul(t1, t2, t1); // 2^50 - 1
  feSqN(t2, t1, 50);
  feMul(t2, t2, t1); // 2^100 - 1
  feSqN(t3, t2, 100);
  feMul(t2, t3, t2); // 2^200 - 1
  feSqN(t2, t2, 50);
  feMul(t1, t2, t1); // 2^250 - 1
  feSqN(t1, t1, 5); // 2^255 - 2^5
  feMul(h, t1, t0); // 2^255 - 21
}

/** h = f fully reduced: the unique representative in [0, p), limbs < 2^51. */
export function feCanonical(h: Fe, f: Fe): void {
  const t = new Fe();
  feCarry(t, f);
  feCarry(t, t);
  // t < 2^255 + 2^13 here; q = 1 exactly when t >= p.
  let q = u64(t.v0 + 19n) >> 51n;
  q = u64(t.v1 + q) >> 51n;
  q = u64(t.v2 + q) >> 51n;
  q = u64(t.v3 + q) >> 51n;
  q = u64(t.v4 + q) >> 51n;
  let c0 = u64(t.v0 + q * 19n);
  let c1 = u64(t.v1 + (c0 >> 51n));
  c0 = c0 & M51;
  let c2 = u64(t.v2 + (c1 >> 51n));
  c1 = c1 & M51;
  let c3 = u64(t.v3 + (c2 >> 51n));
  c2 = c2 & M51;
  const c4 = u64(t.v4 + (c3 >> 51n)) & M51;
  c3 = c3 & M51;
  feSet(h, c0, c1, c2, c3, c4);
}

export function feIsZero(f: Fe): bool {
  const t = new Fe();
  feCanonical(t, f);
  return (t.v0 | t.v1 | t.v2 | t.v3 | t.v4) == 0n;
}

/** The low bit of the canonical value ("negative" in RFC 8032 terms). */
export function feIsNegative(f: Fe): bool {
  const t = new Fe();
  feCanonical(t, f);
  return (t.v0 & 1n) == 1n;
}

function load64(s: u8[], off: u32): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    r = r | u64(u64(s[u32(off + i)]) << u64(i * 8));
  }
  return r;
}

/** h = the 255-bit little-endian integer in s[0..32) (bit 255 ignored), not reduced. */
export function feFromBytes(h: Fe, s: u8[]): void {
  const w0 = load64(s, 0);
  const w1 = load64(s, 8);
  const w2 = load64(s, 16);
  const w3 = load64(s, 24);
  h.v0 = w0 & M51;
  h.v1 = ((w0 >> 51n) | u64(w1 << 13n)) & M51;
  h.v2 = ((w1 >> 38n) | u64(w2 << 26n)) & M51;
  h.v3 = ((w2 >> 25n) | u64(w3 << 39n)) & M51;
  h.v4 = (w3 >> 12n) & M51;
}

/** s[0..32) = canonical little-endian encoding of f. */
export function feToBytes(s: u8[], f: Fe): void {
  const t = new Fe();
  feCanonical(t, f);
  const w0 = t.v0 | u64(t.v1 << 51n);
  const w1 = (t.v1 >> 13n) | u64(t.v2 << 38n);
  const w2 = (t.v2 >> 26n) | u64(t.v3 << 25n);
  const w3 = (t.v3 >> 39n) | u64(t.v4 << 12n);
  for (let i: u32 = 0; i < 8; i++) {
    const sh = u64(i * 8);
    s[i] = u8(w0 >> sh);
    s[u32(i + 8)] = u8(w1 >> sh);
    s[u32(i + 16)] = u8(w2 >> sh);
    s[u32(i + 24)] = u8(w3 >> sh);
  }
}
