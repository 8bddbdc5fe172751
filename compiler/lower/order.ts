/**
 * Evaluation order, decided in one place. JavaScript evaluates operands and
 * arguments left to right; C leaves the order of most of them unspecified, and
 * clang picks whichever suits it. The order is visible when an operand calls a
 * function (which may print, change module state or panic) and another operand
 * is anything but a constant or a local (locals cannot change under a call: KTS
 * has no closures and no assignment expressions), or when two operands may
 * each panic (a bounds check, a division): then the operands before the last
 * are evaluated into temporaries first, in order, inside a GNU statement
 * expression, and the last one reads them. Everything else keeps plain C.
 */
import { Node } from "ts-morph";
import { isIntName } from "../types/ktype.js";
import { lowerExpr, type Ex } from "./expressions.js";
import { assign, block, decl, member, temp, type CExpr, type CStmt } from "../cir/nodes.js";
import type { FnCtx } from "./function-context.js";
import { resolveDecl } from "./resolve.js";

/** What evaluating an operand can do, besides computing its value. */
export const enum Effect {
  /** A constant or a local: nothing, and nothing can change it. */
  Stable,
  /** Reads memory a call could change (module variables, fields, elements). */
  Reads,
  /** May panic: a bounds check, a division or a 64-bit shift. */
  MayPanic,
  /** Calls a function. */
  Calls,
}

/** Prelude calls that only compute a value (conversions). */
function pureIntrinsic(name: string): boolean {
  return isIntName(name);
}

export function effectOf(ctx: FnCtx, node: Node): Effect {
  if (Node.isParenthesizedExpression(node)) return effectOf(ctx, node.getExpression());
  if (Node.isNumericLiteral(node) || Node.isBigIntLiteral(node) || node.getText() === "true" || node.getText() === "false") return Effect.Stable;
  if (Node.isIdentifier(node)) {
    const r = resolveDecl(ctx, node);
    if (r.kind === "local") return Effect.Stable;
    if (r.kind === "decl" && r.decl.kind === "var") return r.decl.isConst ? Effect.Stable : Effect.Reads;
    return r.kind === "decl" && (r.decl.kind === "enumMember" || r.decl.kind === "fn") ? Effect.Stable : Effect.Reads;
  }
  let effect = Effect.Reads;
  const visit = (n: Node): void => {
    if (effect === Effect.Calls) return;
    if (Node.isCallExpression(n) || Node.isNewExpression(n)) {
      const callee = n.getExpression();
      const r = Node.isIdentifier(callee) ? resolveDecl(ctx, callee) : undefined;
      if (!(r?.kind === "intrinsic" && pureIntrinsic(r.name))) {
        effect = Effect.Calls;
        return;
      }
    } else if (Node.isElementAccessExpression(n)) effect = Math.max(effect, Effect.MayPanic);
    else if (Node.isBinaryExpression(n) && ["/", "%", "<<"].includes(n.getOperatorToken().getText())) effect = Math.max(effect, Effect.MayPanic);
    n.forEachChild(visit);
  };
  visit(node);
  return effect;
}

/** Whether evaluating a before b, or b before a, can be told apart. */
function conflict(a: Effect, b: Effect): boolean {
  if (a === Effect.Stable || b === Effect.Stable) return false;
  return a === Effect.Calls || b === Effect.Calls || (a === Effect.MayPanic && b === Effect.MayPanic);
}

export interface Ordered {
  /** The operands to build the result from (hoisted ones now name their temporary). */
  exs: Ex[];
  /** Wraps the C of the whole result so that the temporaries are set first. */
  wrap(c: CExpr): CExpr;
}

/**
 * Operands `nodes` (lowered to `exs`), evaluated left to right as in JS. The
 * result must be built from the returned `exs` and passed through `wrap`.
 */
export function inOrder(ctx: FnCtx, nodes: Node[], exs: Ex[]): Ordered {
  const effects = nodes.map((n) => effectOf(ctx, n));
  let needed = false;
  for (let j = 1; j < effects.length && !needed; j++) for (let i = 0; i < j && !needed; i++) needed = conflict(effects[i]!, effects[j]!);
  if (!needed) return { exs, wrap: (c) => c };
  const binds: CStmt[] = [];
  const last = exs.length - 1;
  const out = exs.map((e, i) => {
    // Untyped constants and arrays stay in place (an array's C is its storage, read through its pointer and length).
    if (i === last || effects[i] === Effect.Stable || e.t.k === "untyped" || e.t.k === "array") return e;
    const t = temp("o");
    binds.push(decl("__auto_type", t, e.c));
    const { lvalue: _place, ...value } = e;
    return { ...value, c: t };
  });
  return { exs: out, wrap: (c) => block(binds, c) };
}

/**
 * The order of `target = value` where the target is an element or a field:
 * JS evaluates the target's parts (an element's array and index; a field's
 * object, with any bounds checks in them), then the value, and only then checks
 * an element's index against its array and stores. `lowerTarget` and
 * `lowerValue` lower the two sides (the target after the parts it reads were
 * fixed); the result is the C of the whole assignment.
 */
export function orderedStore(ctx: FnCtx, target: Node, value: Node, lowerTarget: () => Ex, lowerValue: (t: Ex) => Ex): CExpr | undefined {
  const valueEffect = effectOf(ctx, value);
  const parts: Node[] = Node.isElementAccessExpression(target)
    ? [target.getExpression(), target.getArgumentExpressionOrThrow()]
    : Node.isPropertyAccessExpression(target)
      ? [target.getExpression()]
      : [];
  const partEffects = parts.map((p) => effectOf(ctx, p));
  // JS checks an element's index when it stores, after the value: a value that may call or panic goes first.
  const checkAfter = Node.isElementAccessExpression(target) && valueEffect >= Effect.MayPanic;
  if (!checkAfter && !partEffects.some((e) => conflict(e, valueEffect))) {
    const t = lowerTarget();
    if (t.t.k === "error") return undefined;
    const v = lowerValue(t);
    return v.t.k === "error" ? undefined : assign(t.c, v.c);
  }
  const binds: CStmt[] = [];
  // The target's parts first, in order (unless nothing can change them), then the value, then the store.
  for (const [k, part] of parts.entries()) {
    if (partEffects[k] === Effect.Stable) continue;
    const p = lowerExpr(ctx, part);
    if (p.t.k === "error") return undefined;
    if (p.t.k === "untyped") continue;
    const tmp = temp("o");
    const { lvalue: _place, ...rest } = p;
    if (p.arr) {
      // An array part: its storage's address (the length is constant) or the slice it computes.
      const fixed = p.arr.lenConst !== undefined;
      binds.push(decl("__auto_type", tmp, fixed ? p.arr.ptr : p.c));
      ctx.evaluated.set(part.compilerNode, { ...rest, c: tmp, arr: fixed ? { ...p.arr, ptr: tmp } : { ptr: member(tmp, "ptr"), len: member(tmp, "len") } });
    } else {
      binds.push(decl("__auto_type", tmp, p.c));
      ctx.evaluated.set(part.compilerNode, { ...rest, c: tmp });
    }
  }
  const t = lowerTarget();
  for (const part of parts) ctx.evaluated.delete(part.compilerNode);
  if (t.t.k === "error") return undefined;
  const v = lowerValue(t);
  if (v.t.k === "error") return undefined;
  const tv = temp("o");
  binds.push(decl("__auto_type", tv, v.c));
  return block(binds, assign(t.c, tv));
}
