/**
 * Array storage made by array(N, fill), arrayOf([...]) and structs(N, C): the one
 * place that checks the constant length and builds the C initializer, shared by
 * locals (stack), module-level statics and class fields (embedded).
 */
import { Node, type CallExpression, type Expression } from "ts-morph";
import { cElemType, cType, INTS, sliceTypeName, T, typeName, type KType } from "../types/ktype.js";
import { arityOk, classOf } from "./calls.js";
import { coerce, constOf, lowerExpr, type Ex } from "./expressions.js";
import type { FnCtx } from "./function-context.js";
import { resolveDecl } from "./resolve.js";
import { classInitName } from "./program.js";
import * as C from "../cir/nodes.js";
import type { CExpr, CStmt } from "../cir/nodes.js";

export type ArrayInitKind = "array" | "arrayOf" | "structs" | "arrays";
const MAX_LEN = 1 << 24;

export function arrayInitKind(ctx: FnCtx, init: Node): ArrayInitKind | undefined {
  if (!Node.isCallExpression(init)) return undefined;
  const callee = init.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const r = resolveDecl(ctx, callee);
  if (r.kind === "intrinsic" && (r.name === "array" || r.name === "arrayOf" || r.name === "structs" || r.name === "arrays")) return r.name;
  return undefined;
}

export interface ArrayStorage {
  type: Extract<KType, { k: "array" }>;
  len: number;
  /** A C initializer for the declaration, when the contents are constant. */
  declInit?: CExpr;
  /** The constant contents are all zero (`{ 0 }`). */
  zeroed?: boolean;
  /** Statements that fill the storage `place` at run time. */
  initStmts(place: CExpr): CStmt[];
  /** An array of arrays (`arrays(N, M, fill)`): its rows' storage, declared beside the rows' slices (rowsDecl). */
  rows?: RowStorage;
}

export interface RowStorage {
  elemC: string;
  count: number;
  inner: number;
}

/** The rows of array-of-arrays storage `place` (a variable or a field) live beside it in `place__rows`, one fixed C array per row. */
export function rowsPlace(place: CExpr): CExpr {
  if (place.k === "name") return C.name(`${place.name}__rows`);
  if (place.k === "member") return { ...place, field: `${place.field}__rows` };
  throw new Error("array-of-arrays storage is a variable or a field");
}

/** The declaration of the rows behind array-of-arrays storage `name`. */
export function rowsDecl(name: string, rows: RowStorage): C.CDecl {
  return { k: "decl", type: rows.elemC, name: rowsPlace(C.name(name)), dims: [rows.count, rows.inner] };
}

/** The integer value of a constant length expression, or undefined (reported). */
export function constLength(ctx: FnCtx, node: Expression): number | undefined {
  const e = lowerExpr(ctx, node);
  if (e.t.k === "error") return undefined;
  if (e.value === undefined || e.value < 1n || e.value > BigInt(MAX_LEN) || (e.t.k !== "untyped" && e.t.k !== "int")) {
    ctx.prog.report("KT2012", node);
    return undefined;
  }
  return Number(e.value);
}

export function lowerArrayInit(ctx: FnCtx, init: Node, declared: KType | undefined, kind: ArrayInitKind): ArrayStorage | undefined {
  const call = init as CallExpression;
  const args = call.getArguments() as Expression[];
  if (declared && declared.k !== "array" && declared.k !== "error") {
    ctx.prog.report("KT2011", init, typeName(declared), "an array");
    return undefined;
  }
  const declElem = declared?.k === "array" ? declared.elem : undefined;
  if (!arityOk(ctx, call, kind === "arrayOf" ? 1 : kind === "arrays" ? 3 : 2)) return undefined;
  if (kind === "arrays") return lowerArraysInit(ctx, call, declElem);
  if (kind === "structs") {
    const len = constLength(ctx, args[0]!);
    const cls = Node.isIdentifier(args[1]!) ? classOf(ctx, args[1]!) : undefined;
    if (!cls) {
      ctx.prog.report("KT2011", args[1]!, "a class", args[1]!.getText());
      return undefined;
    }
    if ((cls.ctorParams ?? []).length !== 0) {
      ctx.prog.report("KT3026", args[1]!);
      return undefined;
    }
    if (len === undefined) return undefined;
    const type = { k: "array" as const, elem: { k: "class" as const, decl: cls } };
    if (declElem && (declElem.k !== "class" || declElem.decl.cname !== cls.cname)) {
      ctx.prog.report("KT2011", init, typeName(declared!), typeName(type));
      return undefined;
    }
    const i = C.temp("i");
    return { type, len, initStmts: (place) => [C.countedLoop(i, C.lit(String(len)), [C.stmt(C.call(classInitName(cls), C.unary("&", C.index(place, i))))])] };
  }
  if (kind === "arrayOf") {
    const list = args[0]!;
    if (!Node.isArrayLiteralExpression(list)) {
      ctx.prog.report("KT2011", list, "an array literal", list.getText().slice(0, 30));
      return undefined;
    }
    const elems = list.getElements();
    if (elems.length === 0 || elems.length > MAX_LEN) {
      ctx.prog.report("KT2012", list);
      return undefined;
    }
    const lowered = elems.map((e) => lowerExpr(ctx, e));
    const elem = declElem ?? lowered.find((e) => e.t.k !== "untyped" && e.t.k !== "error")?.t;
    if (!elem) {
      ctx.prog.report("KT2004", init, "arrayOf([...])");
      return undefined;
    }
    if (elem.k !== "int" && elem.k !== "bool" && elem.k !== "enum" && elem.k !== "fn") {
      ctx.prog.report("KT2000", init, `${typeName(elem)}[] from arrayOf`);
      return undefined;
    }
    const values = lowered.map((e, k) => coerce(ctx, elems[k]!, e, elem, "stored"));
    if (values.some((v) => v.t.k === "error")) return undefined;
    // Constants and function names (addresses the linker fills in) make a static initializer.
    const allConst = values.every((v) => v.value !== undefined || C.isLit(v.c, "true") || C.isLit(v.c, "false") || (v.t.k === "fn" && v.c.k === "name"));
    const type = { k: "array" as const, elem };
    if (allConst) return { type, len: elems.length, declInit: C.initList(...values.map((v) => v.c)), initStmts: () => [] };
    return { type, len: elems.length, initStmts: (place) => values.map((v, k) => C.stmt(C.assign(C.index(place, C.lit(String(k))), v.c))) };
  }
  // array(N, fill)
  const len = constLength(ctx, args[0]!);
  const f = lowerFill(ctx, call, args[1]!, declElem);
  if (!f || len === undefined) return undefined;
  const type = { k: "array" as const, elem: f.elem };
  if (f.zero) return { type, len, declInit: C.initList(C.ZERO), zeroed: true, initStmts: () => [] };
  const i = C.temp("i");
  return { type, len, initStmts: (place) => f.around([C.countedLoop(i, C.lit(String(len)), [C.stmt(C.assign(C.index(place, i), f.c))])]) };
}

interface Fill {
  elem: KType;
  /** One element's value (a constant, or the temporary `around` sets). */
  c: CExpr;
  zero: boolean;
  /** Wraps the filling statements so that a computed fill is evaluated once, as the argument of array() is in JS. */
  around(stmts: CStmt[]): CStmt[];
}

/** The fill argument of array()/arrays(), typed by the declared element type or by itself. */
function lowerFill(ctx: FnCtx, call: CallExpression, node: Expression, declElem: KType | undefined): Fill | undefined {
  const fill0 = lowerExpr(ctx, node);
  if (fill0.t.k === "error") return undefined;
  const elem = declElem ?? (fill0.t.k === "untyped" ? undefined : fill0.t);
  if (!elem) {
    ctx.prog.report("KT2004", call, `${call.getExpression().getText()}(...)`);
    return undefined;
  }
  if (elem.k !== "int" && elem.k !== "bool" && elem.k !== "enum" && elem.k !== "fn") {
    ctx.prog.report("KT2000", call, `${typeName(elem)}[] from ${call.getExpression().getText()}(); use structs(N, C) for class elements`);
    return undefined;
  }
  const fill = coerce(ctx, node, fill0, elem, "stored");
  if (fill.t.k === "error") return undefined;
  const zero = fill.value === 0n || C.isLit(fill.c, "false");
  if (fill.value !== undefined || C.isLit(fill.c, "true") || C.isLit(fill.c, "false")) return { elem, c: fill.c, zero, around: (stmts) => stmts };
  const f = C.temp("fill");
  return { elem, c: f, zero, around: (stmts) => [{ k: "scope", body: [C.decl(cType(elem), f, fill.c), ...stmts] }] };
}

/** arrays(N, M, fill): N slices, each viewing its own row of M elements in the rows' storage. */
function lowerArraysInit(ctx: FnCtx, call: CallExpression, declElem: KType | undefined): ArrayStorage | undefined {
  const args = call.getArguments() as Expression[];
  if (declElem && declElem.k !== "array") {
    ctx.prog.report("KT2011", call, `${typeName(declElem)}[]`, "an array of arrays");
    return undefined;
  }
  const count = constLength(ctx, args[0]!);
  const inner = constLength(ctx, args[1]!);
  const f = lowerFill(ctx, call, args[2]!, declElem?.k === "array" ? declElem.elem : undefined);
  if (!f || count === undefined || inner === undefined) return undefined;
  if (count * inner > MAX_LEN) {
    ctx.prog.report("KT2012", call);
    return undefined;
  }
  const row = { k: "array" as const, elem: f.elem };
  const type = { k: "array" as const, elem: row };
  const rows: RowStorage = { elemC: cElemType(f.elem), count, inner };
  const i = C.temp("i");
  const j = C.temp("j");
  return {
    type,
    len: count,
    rows,
    initStmts: (place) => {
      const row = C.index(rowsPlace(place), i);
      return f.around([
        C.countedLoop(i, C.lit(String(count)), [
          C.stmt(C.assign(C.index(place, i), C.compound(sliceTypeName(f.elem), row, C.lit(String(inner))))),
          C.countedLoop(j, C.lit(String(inner)), [C.stmt(C.assign(C.index(row, j), f.c))]),
        ]),
      ]);
    },
  };
}
