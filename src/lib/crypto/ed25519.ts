/**
 * Ed25519 signature verification (RFC 8032 section 5.1.7), with the strict policy of
 * @noble/ed25519 verify(sig, msg, pub, { zip215: false }):
 *  - S must be canonical (S < L);
 *  - A and R must be canonical encodings (y < p) of curve points, and the encoding
 *    x = 0 with the sign bit set is rejected;
 *  - A must not be of small order ([8]A != identity);
 *  - the group equation is checked with the cofactor: [8]([S]B - R - [k]A) == identity,
 *    k = SHA-512(R || A || M) mod L.
 * Variable time (verification handles public data only).
 *
 * Half-size scalars: extended Euclid on (L, k) gives c = d k (mod L) with |c|, |d| < 2^127
 * (scHalfSize). Multiplying the equation by d (invertible mod L; [8] maps every point
 * into the order-L subgroup) gives the equivalent check
 *   [8]([e]B - [c]A - [d]R) == identity,  e = d S mod L,
 * whose four scalars (e split as e0 + 2^128 e1) are all about 128 bits: one interleaved
 * double-and-add of ~128 doublings instead of ~253 (T. Pornin, ePrint 2020/454).
 *
 * Points use the ref10 representations: P2 (X:Y:Z), P3 (X:Y:Z:T) with XY = ZT,
 * P1P1 ((X:Z),(Y:T)) and Precomp, with their straight-line formulas, come from
 * edwards25519.ts (shared with the signer); Cached (Y+X, Y-X, Z, 2dT) and its addition
 * are verification's own. e0 and e1 use width-5 NAF digits with constant tables of B,
 * 3B, .., 15B and of the same multiples of 2^128 B (affine (y+x, y-x, 2dxy) form,
 * Precomp); c and d use width-5 NAF digits with tables of 1, 3, .., 15 times -A and -R
 * built per call. No module state: everything (~5.5 KB) is on the stack.
 */
import { u8, u32, i32, i8, bool, array, arrayOf, slice, structs, u64 } from "kts";
import {
  Fe, feAdd, feCarry, feCopy, feIsNegative, feIsZero, feLoad, feMul, feNeg, feOne, feSq,
  feSub, feZero, fePow22523, feFromBytes,
} from "./field25519";
import { P1P1, P2, P3, Precomp, dbl, madd, msub, p1p1ToP2, p1p1ToP3 } from "./edwards25519";
import { scHalfSize, scIsCanonical, scMulShort, scReduce64, scWnaf } from "./scalar25519";
import { Sha512 } from "./sha512";

/** d = -121665/121666, 2d and sqrt(-1), in radix 2^51. */
const CONSTS: u64[] = arrayOf([
  0x34dca135978a3n, 0x1a8283b156ebdn, 0x5e7a26001c029n, 0x739c663a03cbbn, 0x52036cee2b6ffn,
  0x69b9426b2f159n, 0x35050762add7an, 0x3cf44c0038052n, 0x6738cc7407977n, 0x2406d9dc56dffn,
  0x61b274a0ea0b0n, 0xd5a5fc8f189dn, 0x7ef5e9cbd0c60n, 0x78595a6804c9en, 0x2b8324804fc1dn,
]);
const OFF_D = 0;
const OFF_D2 = 5;
const OFF_SQRTM1 = 10;

/** (2i+1)B for i in 0..8 as (y+x, y-x, 2dxy), 15 limbs per entry. */
const BASE_ODD: u64[] = arrayOf([
  0x493c6f58c3b85n, 0xdf7181c325f7n, 0xf50b0b3e4cb7n, 0x5329385a44c32n, 0x7cf9d3a33d4bn,
  0x3905d740913en, 0xba2817d673a2n, 0x23e2827f4e67cn, 0x133d2e0c21a34n, 0x44fd2f9298f81n,
  0x11205877aaa68n, 0x479955893d579n, 0x50d66309b67a0n, 0x2d42d0dbee5een, 0x6f117b689f0c6n,
  0x5b0a84cee9730n, 0x61d10c97155e4n, 0x4059cc8096a10n, 0x47a608da8014fn, 0x7a164e1b9a80fn,
  0x11fe8a4fcd265n, 0x7bcb8374faaccn, 0x52f5af4ef4d4fn, 0x5314098f98d10n, 0x2ab91587555bdn,
  0x6933f0dd0d889n, 0x44386bb4c4295n, 0x3cb6d3162508cn, 0x26368b872a2c6n, 0x5a2826af12b9bn,
  0x2bc4408a5bb33n, 0x78ebdda05442n, 0x2ffb112354123n, 0x375ee8df5862dn, 0x2945ccf146e20n,
  0x182c3a447d6ban, 0x22964e536eff2n, 0x192821f540053n, 0x2f9f19e788e5cn, 0x154a7e73eb1b5n,
  0x3dbf1812a8285n, 0xfa17ba3f9797n, 0x6f69cb49c3820n, 0x34d5a0db3858dn, 0x43aabe696b3bbn,
  0x25cd0944ea3bfn, 0x75673b81a4d63n, 0x150b925d1c0d4n, 0x13f38d9294114n, 0x461bea69283c9n,
  0x72c9aaa3221b1n, 0x267774474f74dn, 0x64b0e9b28085n, 0x3f04ef53b27c9n, 0x1d6edd5d2e531n,
  0x36dc801b8b3a2n, 0xe0a7d4935e30n, 0x1deb7cecc0d7dn, 0x53a94e20dd2cn, 0x7a9fbb1c6a0f9n,
  0x6678aa6a8632fn, 0x5ea3788d8b365n, 0x21bd6d6994279n, 0x7ace75919e4e3n, 0x34b9ed338add7n,
  0x6217e039d8064n, 0x6dea408337e6dn, 0x57ac112628206n, 0x647cb65e30473n, 0x49c05a51fadc9n,
  0x4e8bf9045af1bn, 0x514e33a45e0d6n, 0x7533c5b8bfe0fn, 0x583557b7e14c9n, 0x73c172021b008n,
  0x700848a802aden, 0x1e04605c4e5f7n, 0x5c0d01b9767fbn, 0x7d7889f42388bn, 0x4275aae2546d8n,
  0x75b0249864348n, 0x52ee11070262bn, 0x237ae54fb5acdn, 0x3bfd1d03aaab5n, 0x18ab598029d5cn,
  0x32cc5fd6089e9n, 0x426505c949b05n, 0x46a18880c7ad2n, 0x4a4221888ccdan, 0x3dc65522b53dfn,
  0xc222a2007f6dn, 0x356b79bdb77een, 0x41ee81efe12cen, 0x120a9bd07097dn, 0x234fd7eec346fn,
  0x7013b327fbf93n, 0x1336eeded6a0dn, 0x2b565a2bbf3afn, 0x253ce89591955n, 0x267882d17602n,
  0xa119732ea378n, 0x63bf1ba8e2a6cn, 0x69f94cc90df9an, 0x431d1779bfc48n, 0x497ba6fdaa097n,
  0x6cc0313cfeaa0n, 0x1a313848da499n, 0x7cb534219230an, 0x39596dedefd60n, 0x61e22917f12den,
  0x3cd86468ccf0bn, 0x48553221ac081n, 0x6c9464b4e0a6en, 0x75fba84180403n, 0x43b5cd4218d05n,
  0x2762f9bd0b516n, 0x1c6e7fbddcbb3n, 0x75909c3ace2bdn, 0x42101972d3ec9n, 0x511d61210ae4dn,
]);

/** (2i+1) 2^128 B for i in 0..8, same layout as BASE_ODD. */
const BASE128_ODD: u64[] = arrayOf([
  0x304bfacad8ea2n, 0x502917d108b07n, 0x43176ca6dd0fn, 0x5d5158f2c1d84n, 0x2b5449e58eb3bn,
  0x27562eb3dbe47n, 0x291d7b4170be7n, 0x5d1ca67dfa8e1n, 0x2a88061f298a2n, 0x1304e9e71627dn,
  0x14d26adc9cfen, 0x7f1691ba16f13n, 0x5e71828f06eacn, 0x349ed07f0fffcn, 0x4468de2d7c2ddn,
  0x264bf710ecdf6n, 0x708c58527896bn, 0x42ceae6c53394n, 0x4381b21e82b6an, 0x6af93724185b4n,
  0x6cfab8de73e68n, 0x3e6efced4bd21n, 0x56609500dben, 0x71b7824ad85dfn, 0x577629c4a7f41n,
  0x24509c6a888n, 0x2696ab12e6644n, 0xcca27f4b80d8n, 0xc7c1f11b119en, 0x701f25bb0caecn,
  0x69bd55db1beeen, 0x6e14e47f731bdn, 0x1a35e47270eacn, 0x66f225478df8en, 0x366d44191cfd3n,
  0x2d48ffb5720adn, 0x57b7f21a1df77n, 0x5550effba0645n, 0x5ec6a4098a931n, 0x221104eb3f337n,
  0x41743f2bc8c14n, 0x796b0ad8773c7n, 0x29fee5cbb689bn, 0x122665c178734n, 0x4167a4e6bc593n,
  0xe28949770eb8n, 0x5559e88147b72n, 0x35e1e6e63ef30n, 0x35b109aa7ff6fn, 0x1f6a3e54f2690n,
  0x76cd05b9c619bn, 0x69654b0901695n, 0x7a53710b77f27n, 0x79a1ea7d28175n, 0x8fc3a4c677d5n,
  0x4c199d30734ean, 0x6c622cb9acc14n, 0x5660a55030216n, 0x68f1199f11fbn, 0x4f2fad0116b90n,
  0x27ef70e37c8cbn, 0x2372e3f4f28f8n, 0x42f4cdb25caa8n, 0x39b3ed4963c3n, 0x3bc6a10aa583bn,
  0x3c5db45dc2c78n, 0x500dc0f475f9n, 0x4744178b59aadn, 0x5001529064ca0n, 0x3fd86de2aebd0n,
  0x43d82f773aecbn, 0x4c3f518d2a046n, 0x699683330c311n, 0x2162de70b6f90n, 0x5326ccb694083n,
  0x7f192a0d2da41n, 0x68ddb03add844n, 0x71ec237d96975n, 0x19cd86a727660n, 0x4d4ec054daefen,
  0x21df92dcc5416n, 0x4fc27d07b53ean, 0x758b12ec6b5cn, 0x47ead8a3049e9n, 0x336d296b4cdcan,
  0x6fc516536cb46n, 0x46b1a1f65989an, 0x45ef0a45dbdc8n, 0x65c72795e27c1n, 0x15e397726486fn,
  0x53e4ea7c67900n, 0x2635ba772b229n, 0x1383eaeb47e06n, 0x79562356c8dfen, 0x22751f67f4f51n,
  0x2b749181b45c7n, 0x306207459d2c9n, 0x485013397893cn, 0x788153ad3db19n, 0x306cf6d5c4b1bn,
  0x366fa22060ed4n, 0x5682d7c4b1586n, 0x54937b9980b67n, 0x617ec016868e7n, 0x71bd6e5254388n,
  0x32923fa62600n, 0x324b28ff0708fn, 0x5200f517d969en, 0x6ee59a06905bfn, 0x63585a3c041f3n,
  0x8e93d9457638n, 0x75d2d13b014fn, 0x7b9040f62eecdn, 0x6dd3420e9a011n, 0xff6d3f433920n,
  0x34ee871911c90n, 0x319a82e7e09e4n, 0x41abcfc6b71e8n, 0x4c6c2668f8731n, 0x311875e37124bn,
]);

class Cached {
  YplusX = new Fe();
  YminusX = new Fe();
  Z = new Fe();
  T2d = new Fe();
}

function p3ToCached(r: Cached, p: P3): void {
  const d2 = new Fe();
  feLoad(d2, CONSTS, OFF_D2);
  feAdd(r.YplusX, p.Y, p.X);
  feSub(r.YminusX, p.Y, p.X);
  feCopy(r.Z, p.Z);
  feMul(r.T2d, p.T, d2);
}

/** r = p + q, or p - q when negate. */
function addCached(r: P1P1, p: P3, q: Cached, negate: bool): void {
  const t0 = new Fe();
  feAdd(r.X, p.Y, p.X);
  feSub(r.Y, p.Y, p.X);
  if (negate) {
    feMul(r.Z, r.X, q.YminusX);
    feMul(r.Y, r.Y, q.YplusX);
  } else {
    feMul(r.Z, r.X, q.YplusX);
    feMul(r.Y, r.Y, q.YminusX);
  }
  feMul(r.T, q.T2d, p.T);
  feMul(r.X, p.Z, q.Z);
  feAdd(t0, r.X, r.X);
  feSub(r.X, r.Z, r.Y);
  feAdd(r.Y, r.Z, r.Y);
  if (negate) {
    feSub(r.Z, t0, r.T);
    feAdd(r.T, t0, r.T);
  } else {
    feAdd(r.Z, t0, r.T);
    feSub(r.T, t0, r.T);
  }
}

/** q = table[i] (table: BASE_ODD or BASE128_ODD). */
function loadBase(q: Precomp, table: u64[], i: u32): void {
  const off = u32(i * 15);
  feLoad(q.ypx, table, off);
  feLoad(q.ymx, table, u32(off + 5));
  feLoad(q.xy2d, table, u32(off + 10));
}

/** True when y = s[0..32) (bit 255 ignored) is < p. */
function isCanonicalY(s: u8[]): bool {
  if (u32(s[31] & 0x7f) != 0x7f) {
    return true;
  }
  for (let i: u32 = 30; i > 0; i--) {
    if (s[i] != 0xff) {
      return true;
    }
  }
  return s[0] < 0xed;
}

/**
 * RFC 8032 5.1.3 point decoding into h (Z = 1), strict: rejects y >= p, y values with
 * no x on the curve, and x = 0 with the sign bit set. When negate, h = -point.
 */
function decompress(h: P3, s: u8[], negate: bool): bool {
  if (!isCanonicalY(s)) {
    return false;
  }
  const one = new Fe();
  const u = new Fe();
  const v = new Fe();
  const v3 = new Fe();
  const vxx = new Fe();
  const chk = new Fe();
  const k = new Fe();
  const x = h.X;
  const y = h.Y;
  feOne(one);
  feFromBytes(y, s);
  feOne(h.Z);
  feSq(u, y);
  feLoad(k, CONSTS, OFF_D);
  feMul(v, u, k);
  feSub(u, u, one);
  feCarry(u, u); // u = y^2 - 1
  feAdd(v, v, one); // v = d y^2 + 1
  feSq(v3, v);
  feMul(v3, v3, v); // v^3
  feSq(x, v3);
  feMul(x, x, v);
  feMul(x, x, u); // u v^7
  fePow22523(x, x);
  feMul(x, x, v3);
  feMul(x, x, u); // u v^3 (u v^7)^((p-5)/8)
  feSq(vxx, x);
  feMul(vxx, vxx, v);
  feSub(chk, vxx, u);
  if (!feIsZero(chk)) {
    feAdd(chk, vxx, u);
    if (!feIsZero(chk)) {
      return false;
    }
    feLoad(k, CONSTS, OFF_SQRTM1);
    feMul(x, x, k);
  }
  const sign = u32(s[31] >>> 7) == 1;
  if (sign && feIsZero(x)) {
    return false;
  }
  if (feIsNegative(x) != (sign != negate)) {
    feNeg(x, x);
  }
  feMul(h.T, x, y);
  return true;
}

/** True when the projective point (X:Y:Z) is the identity (X = 0, Y = Z). */
function isIdentity(p: P2): bool {
  const t = new Fe();
  if (!feIsZero(p.X)) {
    return false;
  }
  feSub(t, p.Y, p.Z);
  return feIsZero(t);
}

/** q = [8]q (t is scratch). */
function timesEight(q: P2, t: P1P1): void {
  for (let i: u32 = 0; i < 3; i++) {
    dbl(t, q.X, q.Y, q.Z);
    p1p1ToP2(q, t);
  }
}

/** True when [8]p is the identity (t and q are scratch). */
function isSmallOrder(p: P3, t: P1P1, q: P2): bool {
  feCopy(q.X, p.X);
  feCopy(q.Y, p.Y);
  feCopy(q.Z, p.Z);
  timesEight(q, t);
  return isIdentity(q);
}

function maxU32(a: u32, b: u32): u32 {
  return a > b ? a : b;
}

/** tab[i] = (2i+1)p for i in 0..8. */
function buildTable(tab: Cached[], p: P3): void {
  const t = new P1P1();
  const u = new P3();
  const p2 = new P3();
  p3ToCached(tab[0], p);
  dbl(t, p.X, p.Y, p.Z);
  p1p1ToP3(p2, t);
  for (let i: u32 = 1; i < 8; i++) {
    addCached(t, p2, tab[u32(i - 1)], false);
    p1p1ToP3(u, t);
    p3ToCached(tab[i], u);
  }
}

/** t = t + digit * (the table's point), negated when negate; no-op for a zero digit. */
function addDigit(t: P1P1, u: P3, digit: i8, tab: Cached[], negate: bool): void {
  const v = i32(digit);
  if (v == 0) {
    return;
  }
  p1p1ToP3(u, t);
  if (v > 0) {
    addCached(t, u, tab[u32(v) >>> 1], negate);
  } else {
    addCached(t, u, tab[u32(-v) >>> 1], !negate);
  }
}

/** t = t + digit * (the constant table's point); no-op for a zero digit. */
function addBaseDigit(t: P1P1, u: P3, digit: i8, table: u64[]): void {
  const v = i32(digit);
  if (v == 0) {
    return;
  }
  const q = new Precomp();
  loadBase(q, table, v > 0 ? u32(v) >>> 1 : u32(-v) >>> 1);
  p1p1ToP3(u, t);
  if (v > 0) {
    madd(t, u, q);
  } else {
    msub(t, u, q);
  }
}

/**
 * t = [e]B + [c](negP ? -P : P) + [d]Q for a 32-byte e < 2^256 and 16-byte c, d, where
 * tabP and tabQ hold the odd multiples of P and Q (buildTable).
 */
function multiScalar(t: P1P1, e: u8[], c: u8[], tabP: Cached[], negP: bool, d: u8[], tabQ: Cached[]): void {
  const n0: i8[] = array(129, 0);
  const n1: i8[] = array(129, 0);
  const n2: i8[] = array(129, 0);
  const n3: i8[] = array(129, 0);
  // Width 5 for the base point too: its two tables stay 8 entries (1.9 KB), not 32 (7.7 KB), which
  // keeps the kernel image within 256 KiB for about 10 more point additions per verification.
  let top = scWnaf(n0, slice(e, 0, 16), 5);
  top = maxU32(top, scWnaf(n1, slice(e, 16, 32), 5));
  top = maxU32(top, scWnaf(n2, c, 5));
  top = maxU32(top, scWnaf(n3, d, 5));
  const r = new P2();
  const u = new P3();
  feZero(r.X);
  feOne(r.Y);
  feOne(r.Z);
  // The identity as a completed point, for all-zero scalars.
  feZero(t.X);
  feOne(t.Y);
  feOne(t.Z);
  feOne(t.T);
  for (let n: u32 = top; n > 0; n--) {
    const i = u32(n - 1);
    dbl(t, r.X, r.Y, r.Z);
    addBaseDigit(t, u, n0[i], BASE_ODD);
    addBaseDigit(t, u, n1[i], BASE128_ODD);
    addDigit(t, u, n2[i], tabP, negP);
    addDigit(t, u, n3[i], tabQ, false);
    if (i != 0) {
      p1p1ToP2(r, t);
    }
  }
}

/**
 * Verifies the 64-byte signature (R || S) of message under the 32-byte public key.
 * Returns false for wrong lengths and for everything the policy in the header rejects.
 */
export function ed25519Verify(signature: u8[], message: u8[], publicKey: u8[]): bool {
  if (signature.length != 64 || publicKey.length != 32) {
    return false;
  }
  const rBytes = slice(signature, 0, 32);
  const sBytes = slice(signature, 32, 64);
  if (!scIsCanonical(sBytes)) {
    return false;
  }
  const negA = new P3();
  if (!decompress(negA, publicKey, true)) {
    return false;
  }
  const negR = new P3();
  if (!decompress(negR, rBytes, true)) {
    return false;
  }
  const t = new P1P1();
  const q = new P2();
  if (isSmallOrder(negA, t, q)) {
    return false;
  }
  // k = SHA-512(R || A || M) mod L
  const digest: u8[] = array(64, 0);
  const k: u8[] = array(32, 0);
  const hasher = new Sha512();
  hasher.init();
  hasher.update(rBytes);
  hasher.update(publicKey);
  hasher.update(message);
  hasher.finalize(digest);
  scReduce64(k, digest);
  // c = d k (mod L), |c|, |d| < 2^127; e = |d| S mod L.
  const c: u8[] = array(16, 0);
  const d: u8[] = array(16, 0);
  const e: u8[] = array(32, 0);
  const dNegative = scHalfSize(k, c, d);
  scMulShort(e, d, sBytes);
  // d > 0: [e]B + [c](-A) + [d](-R);  d < 0 (times -1): [e]B + [c]A + [|d|](-R).
  const tabA = structs(8, Cached);
  const tabR = structs(8, Cached);
  buildTable(tabA, negA);
  buildTable(tabR, negR);
  multiScalar(t, e, c, tabA, dNegative, d, tabR);
  p1p1ToP2(q, t);
  timesEight(q, t);
  return isIdentity(q);
}
