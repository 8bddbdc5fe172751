/**
 * Expressions: typing and lowering to C in one pass, reporting (never throwing)
 * every construct outside the subset.
 *
 * Integer representation. A *clean* value of type T is a C value of T's C type.
 * An *unwrapped* (raw) result of arithmetic is represented exactly as the Node world
 * computes it: for 8/16/32-bit types as an int64_t holding the exact JS number (the
 * 2^53 bound analysis guarantees it fits), for 64-bit types as a uint64_t holding the
 * bigint modulo 2^64 (every operation allowed on raw 64-bit values depends only on
 * those low bits). A conversion u32(...) etc. turns either into a clean value.
 * See docs/kts-language.md for the rules this implements.
 */
import { Node, SyntaxKind, type Expression } from "ts-morph";
import { binary, cast, cond, index, isPath, lit, member, arrow, name, unary, FALSE, TRUE, ZERO, bindOnce, call, type CExpr } from "../cir/nodes.js";
import { cIntLiteral, cType, INTS, intRange, magnitudeBits, sameType, T, typeName, type IntInfo, type KType } from "../types/ktype.js";
import type { FnCtx, LocalInfo } from "./function-context.js";
import type { ClassInfo, DeclInfo } from "./program.js";
import { lowerCall, lowerNew } from "./calls.js";
import { inOrder } from "./order.js";
import { reportUnusable, resolveDecl, type Resolved } from "./resolve.js";

export interface ArrRef {
  ptr: CExpr;
  len: CExpr;
  lenConst?: number;
}

/** A typed value and the C IR that computes it. */
export interface Ex {
  c: CExpr;
  t: KType;
  raw?: boolean;
  /** A '/' or '%' result: may only be converted. */
  frac?: boolean;
  /** Magnitude bound in bits of an 8/16/32-bit value (2^53 exactness analysis). */
  bits?: number;
  /** Known integer value. */
  value?: bigint;
  /** An untyped `c ? A : B` of two constants: typed by its context. */
  choose?: { cond: CExpr; a: Ex; b: Ex };
  arr?: ArrRef;
  /** Rooted in the current function's stack (arrays, class instances). */
  stack?: boolean;
  /** Name of the stack local it is rooted in, for messages. */
  stackName?: string;
  /** Assignable place. */
  lvalue?: boolean;
}

export const ERR: Ex = { c: ZERO, t: T.error };

function intOf(t: KType): IntInfo | undefined {
  return t.k === "int" ? t.int : undefined;
}

/** Raw representation: int64_t (number world) or uint64_t (bigint world). */
export function asRaw(e: Ex): CExpr {
  const i = intOf(e.t)!;
  if (e.raw) return e.c;
  // A known value as an int64_t literal: C's int would overflow where JS's exact arithmetic does not (the differential test found `(-122629440) * 843809`).
  if (e.value !== undefined) return lit(i.big ? `${BigInt.asUintN(64, e.value)}ull` : `INT64_C(${e.value})`);
  return cast(i.big ? "uint64_t" : "int64_t", e.c);
}

function bitLength(v: bigint): number {
  const a = v < 0n ? -v : v;
  return a === 0n ? 0 : a.toString(2).length;
}

/** Adapts an untyped constant to integer type i, checking its range. */
export function constOf(ctx: FnCtx, node: Node, v: bigint, i: IntInfo): Ex {
  const { min, max } = intRange(i);
  if (v < min || v > max) {
    ctx.prog.report("KT2007", node, v.toString(), i.name);
    return ERR;
  }
  return { c: lit(cIntLiteral(v, i)), t: { k: "int", int: i }, value: v, bits: bitLength(v) };
}

/**
 * Makes e a clean value usable where type `want` is expected (assignment, argument,
 * return, comparison operand). Reports KT2001/KT2011/KT2014 otherwise.
 */
export function coerce(ctx: FnCtx, node: Node, e: Ex, want: KType, purpose: string): Ex {
  if (e.t.k === "error" || want.k === "error") return ERR;
  if (e.t.k === "untyped") {
    if (e.frac) {
      ctx.prog.report("KT2014", node, e.t.big ? "u64" : "u32");
      return ERR;
    }
    if (want.k === "int") {
      if (e.t.big !== want.int.big) {
        ctx.prog.report("KT2011", node, typeName(want), e.t.big ? "bigint" : "number");
        return ERR;
      }
      if (e.choose) {
        const a = coerce(ctx, node, e.choose.a, want, purpose);
        const b = coerce(ctx, node, e.choose.b, want, purpose);
        if (a.t.k === "error" || b.t.k === "error") return ERR;
        return { c: cond(e.choose.cond, a.c, b.c), t: want };
      }
      return constOf(ctx, node, e.value!, want.int);
    }
    ctx.prog.report("KT2011", node, typeName(want), typeName(e.t));
    return ERR;
  }
  if (!sameType(e.t, want)) {
    if (want.k === "array" && e.t.k === "array" && sameType(e.t.elem, want.elem)) return e;
    ctx.prog.report("KT2011", node, typeName(want), typeName(e.t));
    return ERR;
  }
  if (e.frac) {
    ctx.prog.report("KT2014", node, typeName(e.t));
    return ERR;
  }
  if (e.raw) {
    ctx.prog.report("KT2001", node, typeName(e.t), purpose);
    return ERR;
  }
  return e;
}

/** Converts any integer expression to integer type i (the u32(...) family). */
export function convert(ctx: FnCtx, node: Node, e: Ex, i: IntInfo): Ex {
  const t: KType = { k: "int", int: i };
  if (e.t.k === "error") return ERR;
  if (e.t.k === "untyped" && e.choose) {
    // u32(c ? 1 : 0): each constant converted, the choice kept.
    const a = convert(ctx, node, e.choose.a, i);
    const b = convert(ctx, node, e.choose.b, i);
    return { c: cond(e.choose.cond, a.c, b.c), t, bits: Math.max(bitsOf(a), bitsOf(b)) };
  }
  if (e.t.k === "untyped") {
    let v = e.value!;
    const n = BigInt(i.bits);
    v = i.signed ? BigInt.asIntN(i.bits, v) : BigInt.asUintN(Number(n), v);
    return { c: lit(cIntLiteral(v, i)), t, value: v, bits: bitLength(v) };
  }
  if (e.t.k === "enum") return { c: cast(i.c, e.c), t, bits: magnitudeBits(i) };
  // A bool converts to 1 or 0 (drivers turn flags into register bits).
  if (e.t.k === "bool") return { c: cast(i.c, cond(e.c, lit("1"), lit("0"))), t, bits: 1 };
  const from = intOf(e.t);
  if (!from) {
    ctx.prog.report("KT2011", node, "an integer", typeName(e.t));
    return ERR;
  }
  if (!e.raw && !e.frac && from.name === i.name) return e;
  const value = e.value !== undefined ? (i.signed ? BigInt.asIntN(i.bits, e.value) : BigInt.asUintN(i.bits, e.value)) : undefined;
  const c = i.c === from.c && !e.raw && !e.frac ? e.c : cast(i.c, e.c);
  return { c, t, bits: magnitudeBits(i), ...(value !== undefined ? { value } : {}) };
}

function bitsOf(e: Ex): number {
  if (e.value !== undefined) return bitLength(e.value);
  if (e.bits !== undefined) return e.bits;
  const i = intOf(e.t);
  return i ? magnitudeBits(i) : 64;
}

/** Untyped constant arithmetic with the Node world's semantics. */
function foldUntyped(ctx: FnCtx, node: Node, op: string, a: Ex, b: Ex): Ex {
  // `(c ? 1 : 2) * 3`: folded in each branch, the choice kept.
  const side = a.choose ? "a" : b.choose ? "b" : undefined;
  if (side) {
    const ch = (side === "a" ? a : b).choose!;
    const x = foldUntyped(ctx, node, op, side === "a" ? ch.a : a, side === "a" ? b : ch.a);
    const y = foldUntyped(ctx, node, op, side === "a" ? ch.b : a, side === "a" ? b : ch.b);
    if (x.t.k === "error" || y.t.k === "error") return ERR;
    if (x.t.k === "bool") return { c: cond(ch.cond, x.c, y.c), t: T.bool };
    return { c: cond(ch.cond, x.c, y.c), t: x.t, choose: { cond: ch.cond, a: x, b: y }, ...(x.frac || y.frac ? { frac: true } : {}) };
  }
  const big = (a.t as { big: boolean }).big;
  if (big !== (b.t as { big: boolean }).big) {
    ctx.prog.report("KT2002", node, typeName(a.t), typeName(b.t), typeName(b.t));
    return ERR;
  }
  if (a.frac || b.frac) {
    ctx.prog.report("KT2014", a.frac ? (node as unknown as { getLeft(): Node }).getLeft() : (node as unknown as { getRight(): Node }).getRight(), big ? "u64" : "u32");
    return ERR;
  }
  if ((op === "/" || op === "%") && b.value === 0n) {
    ctx.prog.report("KT2022", node);
    return ERR;
  }
  const x = a.value!;
  const y = b.value!;
  let r: bigint | number | boolean;
  try {
    if (big) {
      const ops: Record<string, () => bigint | boolean> = {
        "+": () => x + y, "-": () => x - y, "*": () => x * y, "/": () => x / y, "%": () => x % y,
        "&": () => x & y, "|": () => x | y, "^": () => x ^ y, "<<": () => x << y, ">>": () => x >> y,
        "<": () => x < y, ">": () => x > y, "<=": () => x <= y, ">=": () => x >= y,
        "==": () => x === y, "===": () => x === y, "!=": () => x !== y, "!==": () => x !== y,
      };
      const f = ops[op];
      if (!f) {
        ctx.prog.report("KT2005", node, op, "bigint", "");
        return ERR;
      }
      r = f();
    } else {
      const p = Number(x);
      const q = Number(y);
      const ops: Record<string, () => number | boolean> = {
        "+": () => p + q, "-": () => p - q, "*": () => p * q, "/": () => p / q, "%": () => p % q,
        "&": () => p & q, "|": () => p | q, "^": () => p ^ q, "<<": () => p << q, ">>": () => p >> q, ">>>": () => p >>> q,
        "<": () => p < q, ">": () => p > q, "<=": () => p <= q, ">=": () => p >= q,
        "==": () => p === q, "===": () => p === q, "!=": () => p !== q, "!==": () => p !== q,
      };
      const f = ops[op];
      if (!f) {
        ctx.prog.report("KT2005", node, op, "number", "");
        return ERR;
      }
      r = f();
    }
  } catch {
    ctx.prog.report("KT2014", node, "bigint");
    return ERR;
  }
  if (typeof r === "boolean") return { c: r ? TRUE : FALSE, t: T.bool };
  // A constant '/' or '%' is what JS computes (7 / 2 is 3.5 under Node): it may only be converted, which truncates.
  const frac = op === "/" || op === "%";
  if (typeof r === "number") {
    if (frac) r = Math.trunc(r);
    if (!Number.isSafeInteger(r)) {
      ctx.prog.report("KT2006", node);
      return ERR;
    }
    r = BigInt(r);
  }
  return { c: lit(r.toString()), t: { k: "untyped", big }, value: r, ...(frac ? { frac: true } : {}) };
}

const ARITH = new Set(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"]);
const COMPARE = new Set(["<", ">", "<=", ">=", "==", "===", "!=", "!=="]);

function lowerBinary(ctx: FnCtx, node: Node & { getOperatorToken(): Node; getLeft(): Expression; getRight(): Expression }): Ex {
  const op = node.getOperatorToken().getText();
  if (op === "&&" || op === "||") {
    const l = condition(ctx, node.getLeft());
    const r = condition(ctx, node.getRight());
    return { c: binary(op, l, r), t: T.bool };
  }
  if (op === "=" || /^[-+*/%&|^]=$|^(<<|>>|>>>|\*\*)=$/.test(op)) {
    ctx.prog.report("KT1006", node);
    return ERR;
  }
  if (op === "**" || op === "in" || op === "instanceof" || op === "??" || op === ",") {
    ctx.prog.report("KT1001", node.getOperatorToken(), `operator '${op}'`);
    return ERR;
  }
  const left = lowerExpr(ctx, node.getLeft());
  const right = lowerExpr(ctx, node.getRight());
  if (left.t.k === "error" || right.t.k === "error") return ERR;
  if (left.t.k === "untyped" && right.t.k === "untyped") return foldUntyped(ctx, node, op, left, right);
  // Left before right, as in JS (order.ts): the operator is built from the ordered operands.
  const o = inOrder(ctx, [node.getLeft(), node.getRight()], [left, right]);
  const r = lowerOperator(ctx, node, op, o.exs[0]!, o.exs[1]!);
  return r.t.k === "error" ? r : { ...r, c: o.wrap(r.c) };
}

/** A binary operator other than && and || on lowered operands. */
export function lowerOperator(ctx: FnCtx, node: Node & { getOperatorToken(): Node; getLeft(): Expression; getRight(): Expression }, op: string, a: Ex, b: Ex): Ex {

  if (COMPARE.has(op)) {
    const eq = op.startsWith("=") || op.startsWith("!");
    const cop = op.length === 3 ? op.slice(0, 2) : op;
    // A constant on one side must not let a wrapped value through on the other:
    // an unconverted 8/16/32-bit result is exact in both worlds (`i % 2 == 0`),
    // a 64-bit one is not (C keeps it modulo 2^64, Node exact), so it is checked.
    const exact = (e: Ex) => (e.raw || e.frac) && e.t.k === "int" && !e.t.int.big;
    if (a.t.k === "untyped") {
      if (!exact(b)) b = coerce(ctx, node.getRight(), b, b.t, "compared");
      a = coerce(ctx, node.getLeft(), a, b.t, "compared");
    } else if (b.t.k === "untyped") {
      if (!exact(a)) a = coerce(ctx, node.getLeft(), a, a.t, "compared");
      b = coerce(ctx, node.getRight(), b, a.t, "compared");
    } else {
      if (!sameType(a.t, b.t)) {
        // Name the integer type as the conversion to use (an enum converts with u32(E.X)).
        const intSide = a.t.k === "int" ? a.t : b.t.k === "int" ? b.t : b.t;
        ctx.prog.report("KT2002", node, typeName(a.t), typeName(b.t), typeName(intSide));
        return ERR;
      }
      a = coerce(ctx, node.getLeft(), a, a.t, "compared");
      b = coerce(ctx, node.getRight(), b, b.t, "compared");
    }
    if (a.t.k === "error" || b.t.k === "error") return ERR;
    const k = a.t.k;
    if (!(k === "int" || k === "enum" || (eq && k === "bool"))) {
      ctx.prog.report("KT2005", node.getOperatorToken(), op, typeName(a.t), "compare integers, enums or bools");
      return ERR;
    }
    return { c: binary(cop, a.c, b.c), t: T.bool };
  }
  if (!ARITH.has(op)) {
    ctx.prog.report("KT1001", node.getOperatorToken(), `operator '${op}'`);
    return ERR;
  }
  // Shifts: the count has its own type.
  const isShift = op === "<<" || op === ">>" || op === ">>>";
  if (isShift) return lowerShift(ctx, node, op, a, b);
  if (a.t.k === "untyped") a = adaptConst(ctx, node.getLeft(), a, b.t);
  if (b.t.k === "untyped") b = adaptConst(ctx, node.getRight(), b, a.t);
  if (a.t.k === "error" || b.t.k === "error") return ERR;
  const ia = intOf(a.t);
  if (!ia || !sameType(a.t, b.t)) {
    if (!ia || !intOf(b.t)) ctx.prog.report("KT2005", node.getOperatorToken(), op, typeName(ia ? b.t : a.t), "arithmetic needs integer operands; convert enums with u32(x)");
    else ctx.prog.report("KT2002", node, typeName(a.t), typeName(b.t), typeName(b.t));
    return ERR;
  }
  if (a.frac || b.frac) {
    ctx.prog.report("KT2014", a.frac ? node.getLeft() : node.getRight(), ia.name);
    return ERR;
  }
  if (op === "/" || op === "%") {
    a = coerce(ctx, node.getLeft(), a, a.t, "divided");
    b = coerce(ctx, node.getRight(), b, b.t, "used as a divisor");
    if (a.t.k === "error" || b.t.k === "error") return ERR;
    const fn = ia.big ? `kts_${op === "/" ? "div" : "rem"}${ia.signed ? "i" : "u"}64` : `kts_${op === "/" ? "div" : "rem"}32`;
    const args = ia.big ? [a.c, b.c] : [cast("int64_t", a.c), cast("int64_t", b.c)];
    return { c: call(fn, ...args, ...siteArgs(ctx, node)), t: a.t, raw: true, frac: true, bits: bitsOf(a) };
  }
  if (ia.big) {
    const clean = !a.raw && !b.raw && (op === "&" || op === "|" || op === "^");
    if (clean) return { c: binary(op, a.c, b.c), t: a.t };
    return { c: binary(op, asRaw(a), asRaw(b)), t: a.t, raw: true };
  }
  // 8/16/32-bit: exact JS semantics in int64_t.
  const ba = bitsOf(a);
  const bb = bitsOf(b);
  if (op === "+" || op === "-" || op === "*") {
    const bits = op === "*" ? ba + bb : Math.max(ba, bb) + 1;
    if (bits > 53) {
      ctx.prog.report("KT2006", node);
      return ERR;
    }
    return { c: binary(op, asRaw(a), asRaw(b)), t: a.t, raw: true, bits };
  }
  // & | ^ : JS converts both operands to int32.
  const u32op = binary(op, cast("uint32_t", asRaw(a)), cast("uint32_t", asRaw(b)));
  if (!a.raw && !b.raw && ia.name !== "u32") return { c: cast(ia.c, binary(op, a.c, b.c)), t: a.t };
  // A mask by a constant in [0, 2^31) is non-negative and below the mask in both worlds.
  const mask = (e: Ex) => e.value !== undefined && e.value >= 0n && e.value < 0x8000_0000n;
  if (op === "&" && (mask(a) || mask(b))) return { c: cast(ia.c, u32op), t: a.t };
  return { c: cast("int64_t", cast("int32_t", u32op)), t: a.t, raw: true, bits: 32 };
}

function adaptConst(ctx: FnCtx, node: Node, e: Ex, other: KType): Ex {
  if (other.k === "int") return coerce(ctx, node, e, other, "used");
  if (other.k === "error") return ERR;
  ctx.prog.report("KT2005", node, "arithmetic", typeName(other), "convert it to an integer type first");
  return ERR;
}

function lowerShift(ctx: FnCtx, node: Node & { getLeft(): Expression; getRight(): Expression }, op: string, a: Ex, b: Ex): Ex {
  if (a.t.k === "untyped") {
    // JS shifts a number constant as an int32 and a bigint constant exactly: i32 and u64.
    a = constOf(ctx, node.getLeft(), a.value!, a.t.big ? INTS.u64 : INTS.i32);
    if (a.t.k === "error") return ERR;
  }
  const ia = intOf(a.t);
  if (!ia) {
    ctx.prog.report("KT2005", node, op, typeName(a.t), "shift integers");
    return ERR;
  }
  if (a.frac) {
    ctx.prog.report("KT2014", node.getLeft(), ia.name);
    return ERR;
  }
  if (ia.big) {
    if (op === ">>>") {
      ctx.prog.report("KT2005", node, op, ia.name, "use '>>' on unsigned 64-bit values");
      return ERR;
    }
    if (b.t.k === "untyped") b = constOf(ctx, node.getRight(), b.value!, INTS.u64);
    if (b.t.k === "error") return ERR;
    const ib = intOf(b.t);
    if (!ib || !ib.big || ib.signed) {
      ctx.prog.report("KT2016", node.getRight());
      return ERR;
    }
    b = coerce(ctx, node.getRight(), b, b.t, "used as a shift count");
    if (b.t.k === "error") return ERR;
    const constCount = b.value !== undefined && b.value < 64n ? b.value : undefined;
    if (op === "<<") {
      const c = constCount !== undefined ? binary("<<", asRaw(a), lit(String(constCount))) : call("kts_shl64", asRaw(a), b.c, ...siteArgs(ctx, node));
      return { c, t: a.t, raw: true };
    }
    if (a.raw) {
      ctx.prog.report("KT2015", node.getLeft());
      return ERR;
    }
    if (constCount !== undefined) return { c: binary(">>", a.c, lit(String(constCount))), t: a.t };
    return { c: call(ia.signed ? "kts_sar64" : "kts_shr64", a.c, b.c), t: a.t };
  }
  if (b.t.k === "untyped") b = constOf(ctx, node.getRight(), b.value!, INTS.u32);
  if (b.t.k === "error") return ERR;
  const ib = intOf(b.t);
  if (!ib || ib.big) {
    ctx.prog.report("KT2011", node.getRight(), "an 8/16/32-bit shift count", typeName(b.t));
    return ERR;
  }
  if (b.frac) {
    ctx.prog.report("KT2014", node.getRight(), ib.name);
    return ERR;
  }
  const count = b.value !== undefined ? lit(String(Number(b.value) & 31)) : binary("&", cast("uint32_t", asRaw(b)), lit("31"));
  const x = asRaw(a);
  if (op === "<<") return { c: cast("int64_t", cast("int32_t", binary("<<", cast("uint32_t", x), count))), t: a.t, raw: true, bits: 32 };
  if (op === ">>") {
    if (ia.name === "u32") {
      ctx.prog.report("KT2010", node, ia.name);
      return ERR;
    }
    if (!a.raw) return { c: cast(ia.c, binary(">>", cast("int32_t", a.c), count)), t: a.t };
    return { c: cast("int64_t", binary(">>", cast("int32_t", cast("uint32_t", x)), count)), t: a.t, raw: true, bits: 32 };
  }
  // >>>
  if (ia.name === "u32" || (!a.raw && !ia.signed)) return { c: cast(ia.c, binary(">>", cast("uint32_t", x), count)), t: a.t };
  return { c: cast("int64_t", binary(">>", cast("uint32_t", x), count)), t: a.t, raw: true, bits: 32 };
}

/** The file and line arguments of a runtime check at `node` (where a panic says it happened). */
export function siteArgs(ctx: FnCtx, node: Node): CExpr[] {
  return [lit(`"${ctx.prog.siteFile(node)}"`), lit(String(node.getStartLineNumber()))];
}

/** Lowers a condition: must be bool. */
export function condition(ctx: FnCtx, node: Expression): CExpr {
  const e = lowerExpr(ctx, node);
  if (e.t.k === "error") return ZERO;
  if (e.t.k !== "bool") {
    ctx.prog.report("KT2009", node, typeName(e.t));
    return ZERO;
  }
  return e.c;
}

function lowerPrefix(ctx: FnCtx, node: Node & { getOperatorToken(): SyntaxKind; getOperand(): Expression }): Ex {
  const op = node.getOperatorToken();
  if (op === SyntaxKind.ExclamationToken) return { c: unary("!", condition(ctx, node.getOperand())), t: T.bool };
  if (op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken) {
    ctx.prog.report("KT2003", node, op === SyntaxKind.PlusPlusToken ? "++" : "--", "u32");
    return ERR;
  }
  const a = lowerExpr(ctx, node.getOperand());
  if (a.t.k === "error") return ERR;
  if (op === SyntaxKind.PlusToken) {
    ctx.prog.report("KT1001", node, "unary '+'");
    return ERR;
  }
  if (a.t.k === "untyped") {
    const v = a.value!;
    if (op === SyntaxKind.MinusToken) return { ...a, c: lit((-v).toString()), value: -v };
    if (op === SyntaxKind.TildeToken) {
      const r = a.t.big ? ~v : BigInt(~Number(v));
      return { ...a, c: lit(r.toString()), value: r };
    }
  }
  const ia = intOf(a.t);
  if (!ia) {
    ctx.prog.report("KT2005", node, op === SyntaxKind.MinusToken ? "-" : "~", typeName(a.t), "");
    return ERR;
  }
  if (a.frac) {
    ctx.prog.report("KT2014", node.getOperand(), ia.name);
    return ERR;
  }
  if (ia.big) return { c: op === SyntaxKind.MinusToken ? binary("-", cast("uint64_t", lit("0")), asRaw(a)) : unary("~", asRaw(a)), t: a.t, raw: true };
  if (op === SyntaxKind.MinusToken) return { c: unary("-", asRaw(a)), t: a.t, raw: true, bits: bitsOf(a) };
  return { c: cast("int64_t", cast("int32_t", unary("~", cast("uint32_t", asRaw(a))))), t: a.t, raw: true, bits: 32 };
}

function isIntNameLocal(s: string): s is keyof typeof INTS {
  return Object.prototype.hasOwnProperty.call(INTS, s);
}

function parseIntLiteral(text: string): bigint | undefined {
  const t = text.replace(/_/g, "").replace(/n$/, "");
  if (/^0[xX][0-9a-fA-F]+$|^0[bB][01]+$|^0[oO][0-7]+$|^[0-9]+$/.test(t)) return BigInt(t);
  return undefined;
}

/** Reads a value out of a resolved identifier. */
function lowerNameUse(ctx: FnCtx, node: Node, r: Resolved): Ex {
  if (r.kind === "local") {
    const l: LocalInfo = r.local;
    l.used = true;
    const c = name(l.cname);
    if (l.type.k === "array") {
      const len = l.arrayLen !== undefined ? lit(String(l.arrayLen)) : member(c, "len");
      const ptr = l.arrayLen !== undefined ? c : member(c, "ptr");
      return { c, t: l.type, arr: { ptr, len, ...(l.arrayLen !== undefined ? { lenConst: l.arrayLen } : {}) }, stack: l.stack, stackName: node.getText() };
    }
    return { c, t: l.type, lvalue: !l.isConst, stack: l.stack, stackName: node.getText() };
  }
  if (r.kind === "intrinsic") {
    // Prelude constants (LOG_INFO …): `export const NAME: u32 = <literal>`.
    const d = r.decl;
    if (Node.isVariableDeclaration(d)) {
      const tn = d.getTypeNode()?.getText();
      const v = parseIntLiteral(d.getInitializer()?.getText() ?? "");
      if (tn && isIntNameLocal(tn) && v !== undefined) return constOf(ctx, node, v, INTS[tn]);
    }
    ctx.prog.report("KT4007", node, r.name);
    return ERR;
  }
  if (r.kind === "nested") return ERR;
  if (r.kind === "lib" || r.kind === "unknown") {
    reportUnusable(ctx, node, r.kind);
    return ERR;
  }
  const d: DeclInfo = r.decl;
  switch (d.kind) {
    case "var": {
      if (d.untyped) return { c: lit(d.value!.toString()), t: { k: "untyped", big: (d.type as { big: boolean }).big }, value: d.value!, ...(d.frac ? { frac: true } : {}) };
      if (d.arrayLen !== undefined) return { c: name(d.cname), t: d.type, arr: { ptr: name(d.cname), len: lit(String(d.arrayLen)), lenConst: d.arrayLen } };
      if (d.instance) return { c: unary("&", name(d.cname)), t: d.type };
      return { c: name(d.cname), t: d.type, lvalue: !d.isConst, ...(d.value !== undefined && d.isConst ? { value: d.value } : {}) };
    }
    case "fn":
      return { c: name(d.cname), t: d.type };
    case "enumMember":
      return { c: name(d.cname), t: d.type, value: d.value };
    default:
      ctx.prog.report("KT4007", node, node.getText());
      return ERR;
  }
}

function lowerPropertyAccess(ctx: FnCtx, node: Node): Ex {
  const pa = node.asKindOrThrow(SyntaxKind.PropertyAccessExpression);
  const field = pa.getName();
  const objNode = pa.getExpression();
  // Enum members and static methods are resolved through the symbol.
  const r = resolveDecl(ctx, pa.getNameNode());
  if (r.kind === "decl" && (r.decl.kind === "enumMember" || (r.decl.kind === "method" && r.decl.isStatic))) {
    if (r.decl.kind === "method") {
      ctx.prog.report("KT4007", node, node.getText());
      return ERR;
    }
    return { c: name(r.decl.cname), t: r.decl.type, value: r.decl.value };
  }
  if (pa.hasQuestionDotToken()) {
    ctx.prog.report("KT1001", node, "optional chaining");
    return ERR;
  }
  const obj = lowerExpr(ctx, objNode);
  if (obj.t.k === "error") return ERR;
  if (obj.t.k === "array") {
    if (field === "length") return { c: obj.arr!.len, t: T.int("u32"), ...(obj.arr!.lenConst !== undefined ? { value: BigInt(obj.arr!.lenConst) } : {}) };
    ctx.prog.report("KT1005", pa.getNameNode(), `${field}`);
    return ERR;
  }
  if (obj.t.k === "class") {
    const info = obj.t.decl as ClassInfo;
    const f = info.fields.get(field);
    if (!f) {
      if (r.kind === "decl" && r.decl.kind === "method") {
        ctx.prog.report("KT4007", node, node.getText());
        return ERR;
      }
      ctx.prog.report("KT1005", pa.getNameNode(), field);
      return ERR;
    }
    const base = arrow(obj.c, f.cname);
    const stack = obj.stack ? { stack: true, stackName: obj.stackName! } : {};
    if (f.arrayLen !== undefined) return { c: base, t: f.type, arr: { ptr: base, len: lit(String(f.arrayLen)), lenConst: f.arrayLen }, ...stack };
    if (f.type.k === "class") return { c: unary("&", base), t: f.type, ...stack };
    return { c: base, t: f.type, lvalue: true };
  }
  ctx.prog.report("KT1005", pa.getNameNode(), field);
  return ERR;
}

export function lowerIndex(ctx: FnCtx, node: Node): Ex {
  const ea = node.asKindOrThrow(SyntaxKind.ElementAccessExpression);
  const arr = lowerExpr(ctx, ea.getExpression());
  if (arr.t.k === "error") return ERR;
  if (arr.t.k !== "array" || !arr.arr) {
    ctx.prog.report("KT1001", node, `indexing a value of type '${typeName(arr.t)}'`);
    return ERR;
  }
  const argNode = ea.getArgumentExpressionOrThrow();
  let idx = lowerExpr(ctx, argNode);
  if (idx.t.k === "untyped") idx = constOf(ctx, argNode, idx.value!, INTS.u32);
  if (idx.t.k === "error") return ERR;
  const ii = intOf(idx.t);
  if (!ii || ii.big || ii.signed) {
    ctx.prog.report("KT2013", argNode, typeName(idx.t));
    return ERR;
  }
  idx = coerce(ctx, argNode, idx, idx.t, "used as an index");
  if (idx.t.k === "error") return ERR;
  const elem = arr.t.elem;
  const stack = arr.stack ? { stack: true, stackName: arr.stackName! } : {};
  const site = siteArgs(ctx, ea);
  let place: CExpr;
  if (arr.arr.lenConst === undefined && !isPath(arr.c)) {
    // A computed slice (a row, slice(), bytesAt()) is evaluated once, before the index, as in JS.
    place = unary("*", bindOnce("s", arr.c, (s) => unary("&", index(member(s, "ptr"), call("kts_index", idx.c, member(s, "len"), ...site)))));
  } else {
    const checked = idx.value !== undefined && arr.arr.lenConst !== undefined && idx.value < BigInt(arr.arr.lenConst) ? idx.c : call("kts_index", idx.c, arr.arr.len, ...site);
    place = index(arr.arr.ptr, checked);
  }
  if (elem.k === "class") return { c: unary("&", place), t: elem, ...stack };
  // A row of an array of arrays: a slice, read through once; rows cannot be re-pointed.
  if (elem.k === "array") return { c: place, t: elem, arr: { ptr: member(place, "ptr"), len: member(place, "len") }, ...stack };
  return { c: place, t: elem, lvalue: true };
}

export function lowerExpr(ctx: FnCtx, node: Expression | Node): Ex {
  const done = ctx.evaluated.get(node.compilerNode);
  if (done) return done as Ex;
  try {
    return lowerExprInner(ctx, node);
  } catch (e) {
    ctx.prog.report("KT9001", node, (e as Error).message);
    return ERR;
  }
}

function lowerExprInner(ctx: FnCtx, node: Node): Ex {
  switch (node.getKind()) {
    case SyntaxKind.ParenthesizedExpression: {
      // Parentheses are the printer's business (cir/print.ts): the IR is the same without them.
      return lowerExpr(ctx, node.asKindOrThrow(SyntaxKind.ParenthesizedExpression).getExpression());
    }
    case SyntaxKind.NumericLiteral: {
      const v = parseIntLiteral(node.getText());
      if (v === undefined) {
        ctx.prog.report("KT2008", node);
        return ERR;
      }
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
        ctx.prog.report("KT2006", node);
        return ERR;
      }
      return { c: lit(v.toString()), t: { k: "untyped", big: false }, value: v };
    }
    case SyntaxKind.BigIntLiteral: {
      const v = parseIntLiteral(node.getText());
      if (v === undefined) {
        ctx.prog.report("KT2008", node);
        return ERR;
      }
      return { c: lit(v.toString()), t: { k: "untyped", big: true }, value: v };
    }
    case SyntaxKind.TrueKeyword:
      return { c: TRUE, t: T.bool };
    case SyntaxKind.FalseKeyword:
      return { c: FALSE, t: T.bool };
    case SyntaxKind.Identifier: {
      if (node.getText() === "undefined") {
        ctx.prog.report("KT1001", node, "'undefined'");
        return ERR;
      }
      return lowerNameUse(ctx, node, resolveDecl(ctx, node));
    }
    case SyntaxKind.ThisKeyword: {
      if (!ctx.cls) {
        ctx.prog.report("KT1018", node);
        return ERR;
      }
      return { c: name("self"), t: { k: "class", decl: ctx.cls } };
    }
    case SyntaxKind.BinaryExpression:
      return lowerBinary(ctx, node.asKindOrThrow(SyntaxKind.BinaryExpression));
    case SyntaxKind.PrefixUnaryExpression:
      return lowerPrefix(ctx, node.asKindOrThrow(SyntaxKind.PrefixUnaryExpression));
    case SyntaxKind.PostfixUnaryExpression:
      ctx.prog.report("KT2003", node, node.getText().endsWith("++") ? "++" : "--", "u32");
      return ERR;
    case SyntaxKind.PropertyAccessExpression:
      return lowerPropertyAccess(ctx, node);
    case SyntaxKind.ElementAccessExpression:
      return lowerIndex(ctx, node);
    case SyntaxKind.CallExpression:
      return lowerCall(ctx, node.asKindOrThrow(SyntaxKind.CallExpression));
    case SyntaxKind.NewExpression:
      return lowerNew(ctx, node.asKindOrThrow(SyntaxKind.NewExpression), undefined);
    case SyntaxKind.ConditionalExpression: {
      const ce = node.asKindOrThrow(SyntaxKind.ConditionalExpression);
      const c = condition(ctx, ce.getCondition());
      let a = lowerExpr(ctx, ce.getWhenTrue());
      let b = lowerExpr(ctx, ce.getWhenFalse());
      if (a.t.k === "error" || b.t.k === "error") return ERR;
      // As in comparisons: the typed branch is checked even when the other is a constant.
      if (a.t.k === "untyped" && b.t.k !== "untyped") {
        b = coerce(ctx, ce.getWhenFalse(), b, b.t, "chosen");
        a = coerce(ctx, ce.getWhenTrue(), a, b.t, "chosen");
      } else if (b.t.k === "untyped" && a.t.k !== "untyped") {
        a = coerce(ctx, ce.getWhenTrue(), a, a.t, "chosen");
        b = coerce(ctx, ce.getWhenFalse(), b, a.t, "chosen");
      } else if (a.t.k === "untyped") {
        if (a.t.big !== (b.t as { big: boolean }).big) {
          ctx.prog.report("KT2002", node, typeName(a.t), typeName(b.t), typeName(b.t));
          return ERR;
        }
        return { c: cond(c, a.c, b.c), t: a.t, choose: { cond: c, a, b } };
      } else {
        a = coerce(ctx, ce.getWhenTrue(), a, a.t, "chosen");
        b = coerce(ctx, ce.getWhenFalse(), b, a.t, "chosen");
      }
      if (a.t.k === "error" || b.t.k === "error") return ERR;
      if (a.t.k === "array" || a.t.k === "class") {
        ctx.prog.report("KT1001", node, "choosing between references with '?:'");
        return ERR;
      }
      return { c: cond(c, a.c, b.c), t: a.t };
    }
    case SyntaxKind.NonNullExpression:
      return lowerExpr(ctx, node.asKindOrThrow(SyntaxKind.NonNullExpression).getExpression());
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
    case SyntaxKind.TemplateExpression:
      ctx.prog.report("KT1019", node);
      return ERR;
    case SyntaxKind.ArrowFunction:
    case SyntaxKind.FunctionExpression:
      ctx.prog.report("KT3001", node, capturesText(node));
      return ERR;
    case SyntaxKind.ObjectLiteralExpression:
      ctx.prog.report("KT1007", node);
      return ERR;
    case SyntaxKind.ArrayLiteralExpression:
      ctx.prog.report("KT3011", node);
      return ERR;
    case SyntaxKind.SpreadElement:
      ctx.prog.report("KT1009", node);
      return ERR;
    case SyntaxKind.AsExpression:
    case SyntaxKind.TypeAssertionExpression:
    case SyntaxKind.SatisfiesExpression:
      ctx.prog.report("KT1001", node, "type assertions");
      return ERR;
    case SyntaxKind.AwaitExpression:
    case SyntaxKind.YieldExpression:
      ctx.prog.report("KT1014", node);
      return ERR;
    case SyntaxKind.NullKeyword:
      ctx.prog.report("KT1001", node, "'null'");
      return ERR;
    case SyntaxKind.TypeOfExpression:
    case SyntaxKind.DeleteExpression:
    case SyntaxKind.VoidExpression:
      ctx.prog.report("KT1001", node, `'${node.getFirstChild()?.getText()}'`);
      return ERR;
    default:
      ctx.prog.report("KT1001", node, describeKind(node));
      return ERR;
  }
}

export function describeKind(node: Node): string {
  return node.getKindName().replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** "captures 'x'" or "captures nothing, but closures are still not supported". */
export function capturesText(fn: Node): string {
  const captured = new Set<string>();
  const start = fn.getStart();
  const end = fn.getEnd();
  fn.forEachDescendant((d) => {
    if (!Node.isIdentifier(d)) return;
    const sym = d.getSymbol();
    for (const decl of sym?.getDeclarations() ?? []) {
      if (decl.getSourceFile() !== fn.getSourceFile()) continue;
      const pos = decl.getStart();
      if (pos >= start && pos < end) continue;
      // Captures a local or parameter of an enclosing function.
      if (decl.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) !== undefined) captured.add(d.getText());
    }
  });
  return captured.size > 0 ? `captures ${[...captured].map((s) => `'${s}'`).join(", ")}` : "is a function expression";
}

