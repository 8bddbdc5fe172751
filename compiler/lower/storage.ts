/**
 * Array storage made by array(N, fill), arrayOf([...]) and structs(N, C): the one
 * place that checks the constant length and builds the C initializer, shared by
 * locals (stack), module-level statics and class fields (embedded).
 */
import { Node, type CallExpression, type Expression } from "ts-morph";
import { cType, INTS, T, typeName, type KType } from "../types/ktype.js";
import { arityOk, classOf } from "./calls.js";
import { coerce, constOf, lowerExpr, type Ex } from "./expressions.js";
import type { FnCtx } from "./function-context.js";
import { resolveDecl } from "./resolve.js";
import { classInitName } from "./program.js";

export type ArrayInitKind = "array" | "arrayOf" | "structs";
const MAX_LEN = 1 << 24;

export function arrayInitKind(ctx: FnCtx, init: Node): ArrayInitKind | undefined {
  if (!Node.isCallExpression(init)) return undefined;
  const callee = init.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const r = resolveDecl(ctx, callee);
  if (r.kind === "intrinsic" && (r.name === "array" || r.name === "arrayOf" || r.name === "structs")) return r.name;
  return undefined;
}

export interface ArrayStorage {
  type: Extract<KType, { k: "array" }>;
  len: number;
  /** A C initializer for the declaration, when the contents are constant. */
  declInit?: string;
  /** Statements that fill the storage named `place` at run time. */
  initLines(place: string): string[];
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
  if (!arityOk(ctx, call, kind === "arrayOf" ? 1 : 2)) return undefined;
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
    const i = ctx.tmp("i");
    return { type, len, initLines: (place) => [`for (uint32_t ${i} = 0; ${i} < ${len}; ${i}++) ${classInitName(cls)}(&${place}[${i}]);`] };
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
    const allConst = values.every((v) => v.value !== undefined || v.c === "true" || v.c === "false" || (v.t.k === "fn" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v.c)));
    const type = { k: "array" as const, elem };
    if (allConst) return { type, len: elems.length, declInit: `{ ${values.map((v) => v.c).join(", ")} }`, initLines: () => [] };
    return { type, len: elems.length, initLines: (place) => values.map((v, k) => `${place}[${k}] = ${v.c};`) };
  }
  // array(N, fill)
  const len = constLength(ctx, args[0]!);
  let fill: Ex = lowerExpr(ctx, args[1]!);
  if (fill.t.k === "error" || len === undefined) return undefined;
  const elem = declElem ?? (fill.t.k === "untyped" ? undefined : fill.t);
  if (!elem) {
    ctx.prog.report("KT2004", init, "array(...)");
    return undefined;
  }
  if (elem.k !== "int" && elem.k !== "bool" && elem.k !== "enum" && elem.k !== "fn") {
    ctx.prog.report("KT2000", init, `${typeName(elem)}[] from array(); use structs(N, C) for class elements`);
    return undefined;
  }
  fill = coerce(ctx, args[1]!, fill, elem, "stored");
  if (fill.t.k === "error") return undefined;
  const type = { k: "array" as const, elem };
  if (fill.value === 0n || fill.c === "false") return { type, len, declInit: "{ 0 }", initLines: () => [] };
  const i = ctx.tmp("i");
  if (fill.value !== undefined || fill.c === "true") return { type, len, initLines: (place) => [`for (uint32_t ${i} = 0; ${i} < ${len}; ${i}++) ${place}[${i}] = ${fill.c};`] };
  // The fill is evaluated once, as the argument of array() is in JS.
  const f = ctx.tmp("fill");
  return { type, len, initLines: (place) => [`{ ${cType(elem)} ${f} = ${fill.c}; for (uint32_t ${i} = 0; ${i} < ${len}; ${i}++) ${place}[${i}] = ${f}; }`] };
}

