/**
 * Ed25519 key generation and signing (RFC 8032 5.1.5 and 5.1.6), constant time, for
 * services that hold secret keys (the key store). Verification is ed25519.ts.
 *
 *   ed25519PublicKey(seed, publicKey)                 A = [a]B encoded, a = clamp(SHA-512(seed)[0..32))
 *   ed25519Sign(seed, publicKey, message, signature)  R || S, r = SHA-512(prefix || M) mod L,
 *                                                     R = [r]B, k = SHA-512(R || A || M) mod L,
 *                                                     S = (r + k a) mod L
 *
 * ed25519Sign hashes the publicKey it is given, which must be ed25519PublicKey(seed):
 * it is not recomputed (that would double the cost). A wrong one gives a signature
 * that does not verify, and two signatures of one message under two different public
 * keys for the same seed share r, so S1 - S2 = (k1 - k2) a gives the secret scalar away.
 * Callers must keep the public key with the seed and never take it from a requester.
 *
 * Constant time: no branch, loop bound or array index depends on the seed, the scalar
 * a, the prefix, the nonce r or the points computed from them; only lengths (of the
 * message and of the arrays) steer control flow. [x]B is a fixed-window comb over the
 * signed radix-16 digits of x (64 digits in [-8, 8], ref10's ge_scalarmult_base): for
 * digit i it reads all eight entries j 256^(i/2) B (j = 1..8) of its table row and
 * keeps the one whose j equals |digit| with masks, then negates under a mask, then
 * adds (complete formulas, so the identity and equal points need no special case):
 * 64 additions and 4 doublings for every scalar (the point types and these formulas
 * are edwards25519.ts's, straight-line code shared with verification; the masked
 * selection is here). The point is encoded with a fixed exponentiation for 1/Z
 * (feInvert); SHA-512, scReduce64 and scMulAdd have no value-dependent control flow
 * either.
 *
 * How it is checked: test/crypto/ed25519-ctgrind.test.ts compiles this file and what it
 * imports to native x86_64 code (clang -O2, as boot images are built, and -O1; no
 * sanitizers) and runs key generation and signing under valgrind memcheck with the seed
 * marked undefined (VALGRIND_MAKE_MEM_UNDEFINED, the "ctgrind" technique): memcheck
 * then reports every conditional jump and every memory address computed from the seed.
 * The outputs are marked defined again before they are printed. The test fails on any
 * memcheck error, and shows the check works by catching two deliberately leaky test
 * functions (a branch and a table index on a secret byte). Not covered: instructions
 * whose timing depends on operand values (memcheck does not flag them; this code uses
 * no division, and its multiplications are 64x64 bit, constant time on x86_64 and
 * aarch64), the aarch64 build (same C, but no valgrind run: only its disassembly was
 * looked at), and the Node world (bigint arithmetic is not constant time; only the C
 * world holds keys).
 *
 * Secret temporaries: the expanded key SHA-512(seed), the nonce hash and r, the
 * digits, the hasher's state, block and schedule, and scMulAdd's and scReduce64's
 * products are cleared before returning (wipe.ts says when a C compiler may still drop
 * those stores). Left behind: the point coordinates and table selections of [x]B
 * (field elements on the stack of this module and of edwards25519.ts's formulas: R
 * and A are public, but the intermediate multiples reveal digits of r or a), and
 * whatever the compiled code spills to the stack or keeps in registers.
 */
import { u8, u32, i32, i8, u64, array, slice, panic, min } from "kts";
import { Fe, feCopy, feInvert, feMul, feNeg, feOne, feSet, feToBytes, feZero } from "./field25519";
import { P1P1, P2, P3, Precomp, dbl, madd, p1p1ToP2, p1p1ToP3 } from "./edwards25519";
import { scMulAdd, scReduce64 } from "./scalar25519";
import { Sha512 } from "./sha512";
import { BASE_TABLE } from "./ed25519-base-table";
import { wipeBytes, wipeSigned8, wipeWords64 } from "./wipe";

/** h = f where the mask m is all ones, h unchanged where it is zero. */
function feCmov(h: Fe, f: Fe, m: u64): void {
  h.v0 = h.v0 ^ ((h.v0 ^ f.v0) & m);
  h.v1 = h.v1 ^ ((h.v1 ^ f.v1) & m);
  h.v2 = h.v2 ^ ((h.v2 ^ f.v2) & m);
  h.v3 = h.v3 ^ ((h.v3 ^ f.v3) & m);
  h.v4 = h.v4 ^ ((h.v4 ^ f.v4) & m);
}

/** All ones when a == b, else 0 (a, b < 2^31), without a comparison. */
function equalMask(a: u32, b: u32): u64 {
  const x = u32(a ^ b);
  return u64(0n - u64(u32(x - 1) >>> 31));
}

/** x where the mask m is all ones, acc where it is zero. */
function pick(acc: u64, x: u64, m: u64): u64 {
  return acc ^ ((acc ^ x) & m);
}

/**
 * h = coordinate at (0: y+x, 5: y-x, 10: 2dxy) of the entry j of table row pos with
 * j = babs (1..8), or (init, 0, 0, 0, 0) when babs is 0: all eight entries are read and
 * the match kept with masks. pos < 32 and at <= 10 (the mask and min() tell the C
 * compiler that every index is < 3840, so it drops the bounds checks).
 */
function selectCoordinate(h: Fe, pos: u32, at: u32, babs: u32, init: u64): void {
  let v0 = init;
  let v1: u64 = 0n;
  let v2: u64 = 0n;
  let v3: u64 = 0n;
  let v4: u64 = 0n;
  const row = u32(u32((pos & 31) * 120) + min(at, 10));
  for (let j: u32 = 0; j < 8; j++) {
    const m = equalMask(babs, u32(j + 1));
    const off = u32(row + j * 15);
    v0 = pick(v0, BASE_TABLE[off], m);
    v1 = pick(v1, BASE_TABLE[u32(off + 1)], m);
    v2 = pick(v2, BASE_TABLE[u32(off + 2)], m);
    v3 = pick(v3, BASE_TABLE[u32(off + 3)], m);
    v4 = pick(v4, BASE_TABLE[u32(off + 4)], m);
  }
  feSet(h, v0, v1, v2, v3, v4);
}

/**
 * t = b 256^pos B for a digit b in [-8, 8] (the identity (1, 1, 0) for 0), reading
 * every entry of row pos, the sign applied with a mask. minus is scratch.
 */
function selectBase(t: Precomp, minus: Precomp, pos: u32, b: i8): void {
  const bu = u32(i32(b));
  const neg = bu >>> 31;
  const babs = u32(bu - u32((u32(0 - neg) & bu) << 1));
  selectCoordinate(t.ypx, pos, 0, babs, 1n);
  selectCoordinate(t.ymx, pos, 5, babs, 1n);
  selectCoordinate(t.xy2d, pos, 10, babs, 0n);
  // -(x, y) = (-x, y): y+x and y-x swap, 2dxy changes sign.
  feCopy(minus.ypx, t.ymx);
  feCopy(minus.ymx, t.ypx);
  feNeg(minus.xy2d, t.xy2d);
  const mNeg = u64(0n - u64(neg));
  feCmov(t.ypx, minus.ypx, mNeg);
  feCmov(t.ymx, minus.ymx, mNeg);
  feCmov(t.xy2d, minus.xy2d, mNeg);
}

/**
 * h = [a]B for a 32-byte little-endian a with a[31] <= 127 (a clamped scalar or a
 * value mod L), in constant time (see the header).
 */
function scalarMultBase(h: P3, a: u8[]): void {
  // Signed radix 16: a = sum e[i] 16^i, e[i] in [-8, 8) for i < 63, e[63] in [0, 8].
  const e: i8[] = array(64, 0);
  for (let i: u32 = 0; i < 32; i++) {
    e[u32(2 * i)] = i8(a[i] & 15);
    e[u32(2 * i + 1)] = i8(a[i] >>> 4);
  }
  let carry: i32 = 0;
  for (let i: u32 = 0; i < 63; i++) {
    const v = i32(i32(e[i]) + carry);
    carry = i32(v + 8) >> 4;
    e[i] = i8(v - (carry << 4));
  }
  e[63] = i8(i32(e[63]) + carry);

  const t = new Precomp();
  const minus = new Precomp();
  const r = new P1P1();
  const s = new P2();
  feZero(h.X);
  feOne(h.Y);
  feOne(h.Z);
  feZero(h.T);
  // Odd digits (16^(2k+1) = 16 256^k), then times 16, then the even digits.
  for (let k: u32 = 0; k < 32; k++) {
    selectBase(t, minus, k, e[u32(2 * k + 1)]);
    madd(r, h, t);
    p1p1ToP3(h, r);
  }
  dbl(r, h.X, h.Y, h.Z);
  p1p1ToP2(s, r);
  dbl(r, s.X, s.Y, s.Z);
  p1p1ToP2(s, r);
  dbl(r, s.X, s.Y, s.Z);
  p1p1ToP2(s, r);
  dbl(r, s.X, s.Y, s.Z);
  p1p1ToP3(h, r);
  for (let k: u32 = 0; k < 32; k++) {
    selectBase(t, minus, k, e[u32(2 * k)]);
    madd(r, h, t);
    p1p1ToP3(h, r);
  }
  wipeSigned8(e);
}

/** s[0..32) = the RFC 8032 encoding of h: y with the low bit of x in bit 255. */
function encodePoint(s: u8[], h: P3): void {
  const recip = new Fe();
  const x = new Fe();
  const y = new Fe();
  const xb: u8[] = array(32, 0);
  feInvert(recip, h.Z);
  feMul(x, h.X, recip);
  feMul(y, h.Y, recip);
  feToBytes(s, y);
  feToBytes(xb, x);
  s[31] = u8(s[31] ^ u8((xb[0] & 1) << 7));
}

/** az = SHA-512(seed), the first half clamped into the secret scalar a. */
function expandSeed(hasher: Sha512, seed: u8[], az: u8[]): void {
  hasher.init();
  hasher.update(seed);
  hasher.finalize(az);
  az[0] = u8(az[0] & 248);
  az[31] = u8((az[31] & 127) | 64);
}

function wipeHasher(hasher: Sha512): void {
  wipeWords64(hasher.h);
  wipeWords64(hasher.w);
  wipeBytes(hasher.buf);
}

/** publicKey[0..32) = the public key of the 32-byte seed (RFC 8032 5.1.5). */
export function ed25519PublicKey(seed: u8[], publicKey: u8[]): void {
  if (seed.length != 32 || publicKey.length != 32) {
    panic("ed25519PublicKey: the seed and the public key are 32 bytes");
  }
  const hasher = new Sha512();
  const az: u8[] = array(64, 0);
  const point = new P3();
  expandSeed(hasher, seed, az);
  scalarMultBase(point, slice(az, 0, 32));
  encodePoint(publicKey, point);
  wipeBytes(az);
  wipeHasher(hasher);
}

/**
 * signature[0..64) = the Ed25519 signature of message under the 32-byte seed
 * (RFC 8032 5.1.6), whose public key publicKey must be (see the header). signature
 * must not overlap message or publicKey.
 */
export function ed25519Sign(seed: u8[], publicKey: u8[], message: u8[], signature: u8[]): void {
  if (seed.length != 32 || publicKey.length != 32 || signature.length != 64) {
    panic("ed25519Sign: the seed and the public key are 32 bytes, the signature 64");
  }
  const hasher = new Sha512();
  const az: u8[] = array(64, 0);
  const digest: u8[] = array(64, 0);
  const nonce: u8[] = array(32, 0);
  const k: u8[] = array(32, 0);
  const point = new P3();
  expandSeed(hasher, seed, az);
  // r = SHA-512(prefix || M) mod L; R = [r]B.
  hasher.init();
  hasher.update(slice(az, 32, 64));
  hasher.update(message);
  hasher.finalize(digest);
  scReduce64(nonce, digest);
  const rBytes = slice(signature, 0, 32);
  scalarMultBase(point, nonce);
  encodePoint(rBytes, point);
  // k = SHA-512(R || A || M) mod L (public inputs); S = (r + k a) mod L.
  hasher.init();
  hasher.update(rBytes);
  hasher.update(publicKey);
  hasher.update(message);
  hasher.finalize(digest);
  scReduce64(k, digest);
  scMulAdd(slice(signature, 32, 64), k, slice(az, 0, 32), nonce);
  wipeBytes(az);
  wipeBytes(nonce);
  wipeBytes(digest);
  wipeHasher(hasher);
}
