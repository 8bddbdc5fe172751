/**
 * The Edwards25519 group code that Ed25519 verification (ed25519.ts, variable time) and
 * signing (ed25519-sign.ts, constant time) share: ref10's point representations
 *   P2      (X:Y:Z), x = X/Z, y = Y/Z
 *   P3      (X:Y:Z:T) with XY = ZT
 *   P1P1    the "completed" point ((X:Z),(Y:T)) that a doubling or an addition yields
 *   Precomp (y+x, y-x, 2dxy) of an affine point (Z = 1), the form of both modules'
 *           constant tables
 * and the formulas between them: the conversions, doubling, and adding (madd) or
 * subtracting (msub) a Precomp. The additions are complete: the identity and equal
 * points need no special case.
 *
 * Only straight-line code belongs here: no branch, loop bound or array index may depend
 * on a coordinate, so that the signer can use every function on secret points (the
 * field operations are constant time too, field25519.ts). What is variable time stays
 * in ed25519.ts (point decoding, the digit signs that choose madd or msub, the Cached
 * form and its addition, which only verification uses); the signer's masked table
 * selection stays in ed25519-sign.ts.
 */
import { Fe, feAdd, feMul, feSq, feSub, feSub4p } from "./field25519";

export class P2 {
  X = new Fe();
  Y = new Fe();
  Z = new Fe();
}

export class P3 {
  X = new Fe();
  Y = new Fe();
  Z = new Fe();
  T = new Fe();
}

export class P1P1 {
  X = new Fe();
  Y = new Fe();
  Z = new Fe();
  T = new Fe();
}

export class Precomp {
  ypx = new Fe();
  ymx = new Fe();
  xy2d = new Fe();
}

export function p1p1ToP2(r: P2, p: P1P1): void {
  feMul(r.X, p.X, p.T);
  feMul(r.Y, p.Y, p.Z);
  feMul(r.Z, p.Z, p.T);
}

export function p1p1ToP3(r: P3, p: P1P1): void {
  feMul(r.X, p.X, p.T);
  feMul(r.Y, p.Y, p.Z);
  feMul(r.Z, p.Z, p.T);
  feMul(r.T, p.X, p.Y);
}

/** r = 2(X:Y:Z) (ref10 ge_p2_dbl; of a P3 too, whose T coordinate is not needed). */
export function dbl(r: P1P1, x: Fe, y: Fe, z: Fe): void {
  const t0 = new Fe();
  feSq(r.X, x);
  feSq(r.Z, y);
  feSq(r.T, z);
  feAdd(r.T, r.T, r.T);
  feAdd(r.Y, x, y);
  feSq(t0, r.Y);
  feAdd(r.Y, r.Z, r.X);
  feSub(r.Z, r.Z, r.X);
  feSub4p(r.X, t0, r.Y);
  feSub4p(r.T, r.T, r.Z);
}

/**
 * r = p + q for q = (ypx, ymx, xy2d) in Precomp form. msub passes -q: -(x, y) = (-x, y)
 * swaps y+x and y-x and changes the sign of 2dxy, which only swaps where the sum and
 * the difference of 2Z and the 2dxy term go (plus, minus = r.Z, r.T for +q; r.T, r.Z
 * for -q). So msub costs exactly the field operations of madd: no negation, no branch.
 */
function maddTo(r: P1P1, p: P3, ypx: Fe, ymx: Fe, xy2d: Fe, plus: Fe, minus: Fe): void {
  const t0 = new Fe();
  const t1 = new Fe();
  feAdd(r.X, p.Y, p.X);
  feSub(r.Y, p.Y, p.X);
  feMul(r.Z, r.X, ypx);
  feMul(r.Y, r.Y, ymx);
  feMul(t1, xy2d, p.T);
  feAdd(t0, p.Z, p.Z);
  feSub(r.X, r.Z, r.Y);
  feAdd(r.Y, r.Z, r.Y);
  feAdd(plus, t0, t1);
  feSub(minus, t0, t1);
}

/** r = p + q (ref10 ge_madd). */
export function madd(r: P1P1, p: P3, q: Precomp): void {
  maddTo(r, p, q.ypx, q.ymx, q.xy2d, r.Z, r.T);
}

/** r = p - q (ref10 ge_msub). */
export function msub(r: P1P1, p: P3, q: Precomp): void {
  maddTo(r, p, q.ymx, q.ypx, q.xy2d, r.T, r.Z);
}
