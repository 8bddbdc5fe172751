/**
 * Calls: project functions and methods (direct C calls), function pointers,
 * assembly externs, and the prelude intrinsics (table-driven, or shaped here:
 * conversions, print/panic/assert with their templates, slices, system registers).
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type NewExpression } from "ts-morph";
import { failureOrder, INTRINSICS, MEMORY_ORDERS, ORDERS_ALLOWED, SYSREGS, type Intrinsic, type OrderKind, type ParamSpec } from "../intrinsics/table.js";
import { cElemType, cType, INTS, isIntName, sliceTypeName, T, typeName, type KType } from "../types/ktype.js";
import { coerce, condition, constOf, convert, ERR, lowerExpr, siteArgs, type Ex } from "./expressions.js";
import * as C from "../cir/nodes.js";
import type { CExpr, CStmt } from "../cir/nodes.js";
import type { FnCtx } from "./function-context.js";
import { classInitName, type ClassInfo } from "./program.js";
import { inOrder } from "./order.js";
import { reportUnusable, resolveDecl } from "./resolve.js";

/** True if the call has exactly `want` arguments; reports KT2019 otherwise. */
export function arityOk(ctx: FnCtx, call: CallExpression | NewExpression, want: number): boolean {
  const got = call.getArguments().length;
  if (got === want) return true;
  ctx.prog.report("KT2019", call, String(want), String(got));
  return false;
}

/** An argument that must be an array; reports KT2011 otherwise. */
function arrayArg(ctx: FnCtx, node: Expression): Ex {
  const a = lowerExpr(ctx, node);
  if (a.t.k === "error") return ERR;
  if (a.t.k !== "array" || !a.arr) {
    ctx.prog.report("KT2011", node, "an array", typeName(a.t));
    return ERR;
  }
  return a;
}

/** Lowers an argument for a parameter of type `want`. */
export function lowerArg(ctx: FnCtx, node: Expression, want: KType): Ex {
  const e = lowerExpr(ctx, node);
  if (e.t.k === "error") return ERR;
  if (want.k === "array") {
    if (e.t.k !== "array" || !typeEq(e.t.elem, want.elem)) {
      ctx.prog.report("KT2011", node, typeName(want), typeName(e.t));
      return ERR;
    }
    return { ...e, c: sliceOf(e) };
  }
  if (want.k === "fn") {
    if (e.t.k !== "fn" || !typeEq(e.t, want)) {
      ctx.prog.report("KT2011", node, typeName(want), typeName(e.t));
      return ERR;
    }
    return e;
  }
  return coerce(ctx, node, e, want, "passed");
}

function typeEq(a: KType, b: KType): boolean {
  return typeName(a) === typeName(b) && cType(a) === cType(b);
}

/** An array expression as a C slice value. */
export function sliceOf(e: Ex): CExpr {
  const t = e.t as Extract<KType, { k: "array" }>;
  // The cast lets read-only data (const in C) be viewed; TypeScript already refuses writes through a readonly array.
  if (e.arr && e.arr.lenConst !== undefined) return C.compound(sliceTypeName(t.elem), C.cast(`${cElemType(t.elem)} *`, e.arr.ptr), e.arr.len);
  return e.c;
}

function lowerArgs(ctx: FnCtx, call: CallExpression | NewExpression, params: KType[]): Ex[] | undefined {
  const args = call.getArguments() as Expression[];
  if (!arityOk(ctx, call, params.length)) return undefined;
  const out = args.map((a, i) => lowerArg(ctx, a, params[i]!));
  return out.some((e) => e.t.k === "error") ? undefined : out;
}

/**
 * A call of C function `fn` with args, lowered from `nodes` (the receiver
 * first for a method): evaluated left to right as in JS (order.ts).
 */
function callOf(ctx: FnCtx, fn: string, ret: KType, args: Ex[], nodes: Node[]): Ex {
  const o = inOrder(ctx, nodes, args);
  return callResult(o.wrap(C.call(fn, ...o.exs.map((a) => a.c))), ret, args);
}

/** A call through a function pointer that is not a plain name: the callee first, then the arguments, as in JS. */
function callThrough(ctx: FnCtx, call: CallExpression, callee: Node): Ex {
  const f = lowerExpr(ctx, callee);
  if (f.t.k === "error") return ERR;
  if (f.t.k !== "fn") {
    ctx.prog.report("KT1001", callee, `calling a value of type '${typeName(f.t)}'`);
    return ERR;
  }
  const args = lowerArgs(ctx, call, f.t.params);
  if (!args) return ERR;
  const o = inOrder(ctx, [callee, ...call.getArguments()], [f, ...args]);
  return callResult(o.wrap(C.call(o.exs[0]!.c, ...o.exs.slice(1).map((a) => a.c))), f.t.ret, args);
}

/** A call's result; class/array results borrowed from stack-rooted arguments stay stack-rooted. */
function callResult(c: CExpr, ret: KType, args: Ex[]): Ex {
  const stackArg = args.find((a) => a.stack);
  const stack = stackArg && (ret.k === "class" || ret.k === "array") ? { stack: true, stackName: stackArg.stackName! } : {};
  return { c, t: ret, ...stack };
}

export function lowerCall(ctx: FnCtx, call: CallExpression): Ex {
  const callee = call.getExpression();
  if (call.getTypeArguments().length > 0 && !isPreludeCall(ctx, callee)) {
    ctx.prog.report("KT1001", call, "generic calls");
    return ERR;
  }
  if (callee.getKind() === SyntaxKind.SuperKeyword) {
    ctx.prog.report("KT1010", call);
    return ERR;
  }
  if (Node.isPropertyAccessExpression(callee)) {
    const r = resolveDecl(ctx, callee.getNameNode());
    if (r.kind === "decl" && r.decl.kind === "method") {
      const m = r.decl;
      if (m.isStatic) {
        const args = lowerArgs(ctx, call, m.type.params);
        return args ? callOf(ctx, m.cname, m.type.ret, args, call.getArguments()) : ERR;
      }
      const obj = lowerExpr(ctx, callee.getExpression());
      if (obj.t.k === "error") return ERR;
      const args = lowerArgs(ctx, call, m.type.params);
      if (!args) return ERR;
      return callOf(ctx, m.cname, m.type.ret, [obj, ...args], [callee.getExpression(), ...call.getArguments()]);
    }
    if (r.kind === "lib") {
      ctx.prog.report("KT1005", callee, callee.getText());
      return ERR;
    }
    // A field holding a function pointer: `dev.handler(x)`.
    return callThrough(ctx, call, callee);
  }
  // An element of a dispatch table or another expression of function type: `table[i](x)`.
  if (!Node.isIdentifier(callee)) return callThrough(ctx, call, callee);
  const r = resolveDecl(ctx, callee);
  if (r.kind === "intrinsic") return lowerIntrinsic(ctx, call, r.name, r.module);
  if (r.kind === "lib" || r.kind === "unknown") {
    reportUnusable(ctx, callee, r.kind);
    return ERR;
  }
  if (r.kind === "local") {
    r.local.used = true;
    if (r.local.type.k === "error") return ERR;
    if (r.local.type.k !== "fn") {
      ctx.prog.report("KT1001", callee, `calling a value of type '${typeName(r.local.type)}'`);
      return ERR;
    }
    const args = lowerArgs(ctx, call, r.local.type.params);
    return args ? callOf(ctx, r.local.cname, r.local.type.ret, args, call.getArguments()) : ERR;
  }
  if (r.kind === "decl" && r.decl.kind === "fn") {
    const args = lowerArgs(ctx, call, r.decl.type.params);
    if (!args) return ERR;
    if (r.decl.extern) countUnsafe(ctx);
    return callOf(ctx, r.decl.cname, r.decl.type.ret, args, call.getArguments());
  }
  if (r.kind === "decl" && r.decl.kind === "var" && r.decl.type.k === "fn") {
    const args = lowerArgs(ctx, call, r.decl.type.params);
    return args ? callOf(ctx, r.decl.cname, r.decl.type.ret, args, call.getArguments()) : ERR;
  }
  // A nested function declaration was already reported where it is declared.
  if (r.kind === "nested" || (r.kind === "decl" && r.decl.kind === "var" && r.decl.type.k === "error")) return ERR;
  ctx.prog.report("KT1001", callee, `calling '${callee.getText()}'`);
  return ERR;
}

function isPreludeCall(ctx: FnCtx, callee: Node): boolean {
  return Node.isIdentifier(callee) && resolveDecl(ctx, callee).kind === "intrinsic";
}

function countUnsafe(ctx: FnCtx): void {
  const key = ctx.prog.siteFile(ctx.module);
  ctx.prog.unsafeSites.set(key, (ctx.prog.unsafeSites.get(key) ?? 0) + 1);
}

function specType(p: ParamSpec): KType | undefined {
  if (p === "bool") return T.bool;
  if (p === "bytes") return { k: "array", elem: T.int("u8") };
  if (p === "u32s") return { k: "array", elem: T.int("u32") };
  if (p === "u64s") return { k: "array", elem: T.int("u64") };
  if (isIntName(p)) return T.int(p);
  return undefined;
}

function lowerIntrinsic(ctx: FnCtx, call: CallExpression, name: string, module: string): Ex {
  const row: Intrinsic | undefined = INTRINSICS[name];
  const args = call.getArguments() as Expression[];
  if (!row) {
    ctx.prog.report("KT1005", call.getExpression(), name);
    return ERR;
  }
  if (row.module === "kts/unsafe") countUnsafe(ctx);
  if (row.module === "kts/host" && ctx.prog.target.kind !== "host") {
    ctx.prog.report("KT4003", call.getExpression(), name);
    return ERR;
  }
  if (row.privileged && ctx.prog.target.kind === "host") {
    ctx.prog.report("KT4003", call.getExpression(), name);
    return ERR;
  }
  const arch = ctx.prog.target.arch;
  if (row.arches && !row.arches.includes(arch)) {
    ctx.prog.report("KT4002", call.getExpression(), name, arch, row.arches[0]!);
    return ERR;
  }
  if (isIntName(name)) {
    if (!arityOk(ctx, call, 1)) return ERR;
    return convert(ctx, args[0]!, lowerExpr(ctx, args[0]!), INTS[name]);
  }
  switch (name) {
    case "print":
      return lowerPrint(ctx, call, "print");
    case "log":
      return lowerLog(ctx, call);
    case "panic":
      return lowerPrint(ctx, call, "panic");
    case "assert":
      return lowerAssert(ctx, call, false);
    case "check":
      return lowerAssert(ctx, call, true);
    case "hex":
    case "text":
      ctx.prog.report("KT4005", call, name);
      return ERR;
    case "array":
    case "arrayOf":
    case "structs":
    case "arrays":
      ctx.prog.report("KT3011", call);
      return ERR;
    case "slice":
      return lowerSlice(ctx, call);
    case "min":
    case "max":
      return lowerMinMax(ctx, call, name);
    case "readStdin":
    case "addressOf": {
      if (!arityOk(ctx, call, 1)) return ERR;
      const a = arrayArg(ctx, args[0]!);
      if (a.t.k !== "array" || !a.arr) return ERR;
      if (name === "addressOf") return { c: C.cast("uint64_t", C.cast("uintptr_t", a.arr.ptr)), t: T.int("usize") };
      if (a.t.elem.k !== "int" || a.t.elem.int.name !== "u8") {
        ctx.prog.report("KT2011", args[0]!, "u8[]", typeName(a.t));
        return ERR;
      }
      return { c: C.call("kts_read_stdin", a.arr.ptr, a.arr.len), t: T.int("u32") };
    }
    case "readSysreg":
    case "writeSysreg":
      return lowerSysreg(ctx, call, name);
    case "bytesAt": {
      // A u8[] view of raw memory: the bridge from an address to bounds-checked code.
      if (!arityOk(ctx, call, 2)) return ERR;
      const addr = lowerArg(ctx, args[0]!, T.int("usize"));
      const len = lowerArg(ctx, args[1]!, T.int("u32"));
      if (addr.t.k === "error" || len.t.k === "error") return ERR;
      const c = C.compound("kts_slice_u8", C.cast("uint8_t *", C.cast("uintptr_t", addr.c)), len.c);
      return { c, t: { k: "array", elem: T.int("u8") }, arr: { ptr: C.member(c, "ptr"), len: C.member(c, "len") } };
    }
  }
  const params = row.params.map(specType);
  if (params.some((p) => p === undefined)) {
    ctx.prog.report("KT9001", call, `intrinsic ${name} has no lowering`);
    return ERR;
  }
  // An atomic's optional memory order comes last; it is a constant, so it takes no part in the order of evaluation.
  const hasOrder = row.order !== undefined && args.length === params.length + 1;
  const order = hasOrder ? memoryOrder(ctx, call, name, row.order!, args[args.length - 1]!) : "SEQ_CST";
  if (order === undefined) return ERR;
  const operands = hasOrder ? args.slice(0, -1) : args;
  if (operands.length !== params.length) {
    ctx.prog.report("KT2019", call, row.order ? `${params.length} or ${params.length + 1}` : String(params.length), String(args.length));
    return ERR;
  }
  const lowered = operands.map((a, i) => lowerArg(ctx, a, params[i]!));
  if (lowered.some((e) => e.t.k === "error")) return ERR;
  const o = inOrder(ctx, operands, lowered);
  const template = row.cByArch ? row.cByArch[arch] : row.c!;
  const text = template.replace(/\$order/g, MEMORY_ORDERS[order]!.c).replace(/\$fail/g, MEMORY_ORDERS[failureOrder(order)]!.c);
  const c = o.wrap(C.template(text, o.exs.map((e) => e.c), siteArgs(ctx, call)));
  const ret: KType = row.ret === "void" ? T.void : row.ret === "never" ? T.never : row.ret === "bool" ? T.bool : T.int(row.ret as "u32");
  return { c, t: ret };
}

/** The name of the memory order constant `node` passes to atomic `name`, or undefined (reported). */
function memoryOrder(ctx: FnCtx, call: CallExpression, name: string, kind: OrderKind, node: Expression): string | undefined {
  const allowed = ORDERS_ALLOWED[kind];
  const r = Node.isIdentifier(node) ? resolveDecl(ctx, node) : undefined;
  const picked = r?.kind === "intrinsic" && allowed.includes(r.name) ? r.name : undefined;
  if (!picked) ctx.prog.report("KT2024", node, name, allowed.join(", "));
  return picked;
}

function lowerSysreg(ctx: FnCtx, call: CallExpression, name: "readSysreg" | "writeSysreg"): Ex {
  const args = call.getArguments() as Expression[];
  if (!arityOk(ctx, call, name === "readSysreg" ? 1 : 2)) return ERR;
  const arch = ctx.prog.target.arch;
  const known = SYSREGS[arch];
  const reg = Node.isStringLiteral(args[0]!) ? args[0].getLiteralText() : undefined;
  if (reg === undefined || !known.includes(reg)) {
    ctx.prog.report("KT4004", args[0]!, name, arch, known.join(", "));
    return ERR;
  }
  if (name === "readSysreg") {
    const asm = arch === "x86_64" ? `"mov %%${reg.toLowerCase()}, %0"` : `"mrs %0, ${reg}"`;
    return { c: C.template(`({ uint64_t kts_v; __asm__ volatile(${asm} : "=r"(kts_v) :: "memory"); kts_v; })`), t: T.int("u64") };
  }
  const v = lowerArg(ctx, args[1]!, T.int("u64"));
  if (v.t.k === "error") return ERR;
  const asm = arch === "x86_64" ? `"mov %0, %%${reg.toLowerCase()}"` : `"msr ${reg}, %0"`;
  return { c: C.template(`__asm__ volatile(${asm} :: "r"((uint64_t)($0)) : "memory")`, [v.c]), t: T.void };
}

function lowerSlice(ctx: FnCtx, call: CallExpression): Ex {
  const args = call.getArguments() as Expression[];
  if (!arityOk(ctx, call, 3)) return ERR;
  const a = arrayArg(ctx, args[0]!);
  if (a.t.k !== "array" || !a.arr) return ERR;
  const from = lowerArg(ctx, args[1]!, T.int("u32"));
  const to = lowerArg(ctx, args[2]!, T.int("u32"));
  if (from.t.k === "error" || to.t.k === "error") return ERR;
  const sub = `${sliceTypeName(a.t.elem)}_sub`;
  const site = siteArgs(ctx, call);
  const arr = a.arr;
  // The array is evaluated once (a computed one is bound first), then from, then to, as JS evaluates the arguments.
  const o = inOrder(ctx, args.slice(1), [from, to]);
  const cut = (ptr: CExpr, len: CExpr) => o.wrap(C.call(sub, ptr, len, o.exs[0]!.c, o.exs[1]!.c, ...site));
  const c = arr.lenConst !== undefined || C.isPath(a.c) ? cut(arr.ptr, arr.len) : C.bindOnce("s", a.c, (s) => cut(C.member(s, "ptr"), C.member(s, "len")));
  return { c, t: a.t, arr: { ptr: C.member(c, "ptr"), len: C.member(c, "len") }, ...(a.stack ? { stack: true, stackName: a.stackName! } : {}) };
}

/** C string literal for UTF-8 text (octal escapes never swallow following digits). */
export function cString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, "utf8")) {
    const ch = String.fromCharCode(b);
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "?") out += "\\?";
    else if (b >= 0x20 && b < 0x7f) out += ch;
    else out += "\\" + b.toString(8).padStart(3, "0");
  }
  return out + '"';
}

/**
 * A message made of a string or template literal: its holes are evaluated into
 * temporaries first (as JS evaluates a template before print() sees it), then
 * printed part by part.
 */
interface Message {
  temps: CStmt[];
  calls: CExpr[];
}

const printStr = (text: string): CExpr => C.call("kts_print_str", C.lit(cString(text)));

function messageParts(ctx: FnCtx, node: Expression): Message | undefined {
  // C prints strings up to their first NUL; Node would print all of it.
  const texts = Node.isTemplateExpression(node) ? [node.getHead().getLiteralText(), ...node.getTemplateSpans().map((s) => s.getLiteral().getLiteralText())] : Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node) ? [node.getLiteralText()] : [];
  if (texts.some((t) => t.includes("\0"))) {
    ctx.prog.report("KT1023", node);
    return undefined;
  }
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    const text = node.getLiteralText();
    return { temps: [], calls: text ? [printStr(text)] : [] };
  }
  if (!Node.isTemplateExpression(node)) {
    ctx.prog.report("KT1019", node);
    return undefined;
  }
  const msg: Message = { temps: [], calls: [] };
  const head = node.getHead().getLiteralText();
  if (head) msg.calls.push(printStr(head));
  let ok = true;
  for (const span of node.getTemplateSpans()) {
    const p = holePart(ctx, span.getExpression());
    if (p === undefined) ok = false;
    else if (p.type === undefined) msg.calls.push(C.call(p.fn, ...p.values));
    else {
      const t = C.temp("h");
      msg.temps.push(C.decl(p.type, t, p.values[0]!));
      msg.calls.push(C.call(p.fn, t));
    }
    const lit = span.getLiteral().getLiteralText();
    if (lit) msg.calls.push(printStr(lit));
  }
  return ok ? msg : undefined;
}

/** One hole: the print function, the value, and its C type (undefined for constants). */
function holePart(ctx: FnCtx, hole: Expression): { fn: string; values: CExpr[]; type?: string } | undefined {
  if (Node.isCallExpression(hole) && Node.isIdentifier(hole.getExpression())) {
    const r = resolveDecl(ctx, hole.getExpression());
    if (r.kind === "intrinsic" && r.name === "text") return textHole(ctx, hole);
    if (r.kind === "intrinsic" && r.name === "hex") {
      const args = hole.getArguments() as Expression[];
      if (!arityOk(ctx, hole, 1)) return undefined;
      const v = lowerExpr(ctx, args[0]!);
      if (v.t.k === "error") return undefined;
      if (v.t.k === "untyped") return { fn: "kts_print_hex", values: [C.lit(`${v.t.big ? BigInt.asUintN(64, v.value!) : BigInt(Number(v.value!) >>> 0)}ull`)] };
      if (v.t.k !== "int") {
        ctx.prog.report("KT2011", args[0]!, "an integer", typeName(v.t));
        return undefined;
      }
      const clean = coerce(ctx, args[0]!, v, v.t, "printed");
      if (clean.t.k === "error") return undefined;
      return v.t.int.big ? { fn: "kts_print_hex", values: [clean.c], type: "uint64_t" } : { fn: "kts_print_hex", values: [C.cast("uint32_t", clean.c)], type: "uint32_t" };
    }
  }
  const v = lowerExpr(ctx, hole);
  if (v.t.k === "error") return undefined;
  if (v.t.k === "untyped") {
    if (v.value === undefined) {
      ctx.prog.report("KT2004", hole, "this value");
      return undefined;
    }
    return { fn: "kts_print_str", values: [C.lit(cString(v.value.toString()))] };
  }
  if (v.t.k === "bool") return { fn: "kts_print_bool", values: [v.c], type: "bool" };
  if (v.t.k === "enum") return v.t.signed ? { fn: "kts_print_i64", values: [v.c], type: "int64_t" } : { fn: "kts_print_u64", values: [v.c], type: "uint64_t" };
  if (v.t.k !== "int") {
    ctx.prog.report("KT2011", hole, "an integer or bool", typeName(v.t));
    return undefined;
  }
  const clean = coerce(ctx, hole, v, v.t, "printed");
  if (clean.t.k === "error") return undefined;
  return v.t.int.signed ? { fn: "kts_print_i64", values: [clean.c], type: "int64_t" } : { fn: "kts_print_u64", values: [clean.c], type: "uint64_t" };
}

/** text(bytes, length): bytes[0 .. min(length, bytes.length)) as characters, up to the first NUL. */
function textHole(ctx: FnCtx, hole: CallExpression): { fn: string; values: CExpr[]; type?: string } | undefined {
  if (!arityOk(ctx, hole, 2)) return undefined;
  const args = hole.getArguments() as Expression[];
  const a = arrayArg(ctx, args[0]!);
  if (a.t.k !== "array" || !a.arr) return undefined;
  if (a.t.elem.k !== "int" || a.t.elem.int.name !== "u8") {
    ctx.prog.report("KT2011", args[0]!, "u8[]", typeName(a.t));
    return undefined;
  }
  const n = lowerArg(ctx, args[1]!, T.int("u32"));
  if (n.t.k === "error") return undefined;
  return { fn: "kts_print_text", values: [sliceOf(a), n.c] };
}

/** The C for printing a message between `begin` and `end` calls: its holes first, then the parts. */
function printBlock(msg: Message, begin: CExpr, end: CExpr): CExpr {
  return C.block(msg.temps, C.comma(begin, ...msg.calls, end));
}

function lowerPrint(ctx: FnCtx, call: CallExpression, kind: "print" | "panic"): Ex {
  const args = call.getArguments() as Expression[];
  if (!arityOk(ctx, call, 1)) return ERR;
  const msg = messageParts(ctx, args[0]!);
  if (!msg) return ERR;
  if (kind === "print") return { c: printBlock(msg, C.call("kts_print_begin"), C.call("kts_print_end")), t: T.void };
  return { c: printBlock(msg, C.call("kts_panic_begin"), C.call("kts_panic_end", ...siteArgs(ctx, call))), t: T.never };
}

/** log(level, message): the level is a constant LOG_*; the message is printed only at or below the threshold. */
function lowerLog(ctx: FnCtx, call: CallExpression): Ex {
  const args = call.getArguments() as Expression[];
  if (!arityOk(ctx, call, 2)) return ERR;
  const level = lowerExpr(ctx, args[0]!);
  if (level.t.k === "error") return ERR;
  if (level.value === undefined || level.value < 0n || level.value > 3n) {
    ctx.prog.report("KT2018", args[0]!);
    return ERR;
  }
  const msg = messageParts(ctx, args[1]!);
  if (!msg) return ERR;
  const lv = level.value.toString();
  const body = C.comma(C.call("kts_log_begin", C.lit(lv)), ...msg.calls, C.call("kts_print_end"));
  const printed = C.cond(C.binary("<=", C.lit(`${lv}u`), C.name("kts_log_level")), body, C.cast("void", C.ZERO));
  // The message is made whether or not the level prints it, as in JS.
  return { c: C.block(msg.temps, printed), t: T.void };
}

/** assert(): a failure panics. check(): a failure is printed and counted, and the value is cond. */
function lowerAssert(ctx: FnCtx, call: CallExpression, isCheck: boolean): Ex {
  const args = call.getArguments() as Expression[];
  if (args.length < 1 || args.length > 2) {
    ctx.prog.report("KT2019", call, "1 or 2", String(args.length));
    return ERR;
  }
  const cond = condition(ctx, args[0]!);
  const msg = args.length === 2 ? messageParts(ctx, args[1]!) : { temps: [], calls: [] };
  if (!msg) return ERR;
  const what = isCheck ? "check failed" : "assertion failed";
  msg.calls.unshift(printStr(args.length === 2 ? `${what}: ` : what));
  const end = C.call(isCheck ? "kts_check_end" : "kts_panic_end", ...siteArgs(ctx, call));
  const fail = C.comma(C.call(isCheck ? "kts_print_begin" : "kts_panic_begin"), ...msg.calls, end);
  const test = (c: CExpr) => (isCheck ? C.cond(c, C.TRUE, C.comma(fail, C.FALSE)) : C.cond(c, C.cast("void", C.ZERO), fail));
  const t = isCheck ? T.bool : T.void;
  if (msg.temps.length === 0) return { c: test(cond), t };
  // JS evaluates the condition, then the message, before the call: so does C, even when the check passes.
  const ok = C.temp("ok");
  return { c: C.block([C.decl("bool", ok, cond), ...msg.temps], test(ok)), t };
}

/** min(a, b) / max(a, b): two integers of one type (a constant takes the other's), each evaluated once, in order. */
function lowerMinMax(ctx: FnCtx, call: CallExpression, name: "min" | "max"): Ex {
  if (!arityOk(ctx, call, 2)) return ERR;
  const args = call.getArguments() as Expression[];
  let a = lowerExpr(ctx, args[0]!);
  let b = lowerExpr(ctx, args[1]!);
  if (a.t.k === "error" || b.t.k === "error") return ERR;
  const t = a.t.k === "int" ? a.t : b.t.k === "int" ? b.t : undefined;
  if (!t) {
    ctx.prog.report("KT2011", args[0]!, "an integer", typeName(a.t.k === "untyped" ? b.t : a.t));
    return ERR;
  }
  a = coerce(ctx, args[0]!, a, t, "compared");
  b = coerce(ctx, args[1]!, b, t, "compared");
  if (a.t.k === "error" || b.t.k === "error") return ERR;
  const x = C.temp("m");
  const y = C.temp("m");
  return { c: C.block([C.decl(cType(t), x, a.c), C.decl(cType(t), y, b.c)], C.cond(C.binary(name === "min" ? "<" : ">", x, y), x, y)), t };
}

/** `new C(args)` lowered into the storage `target` (a `C *` expression). */
export function lowerNew(ctx: FnCtx, expr: NewExpression, target: CExpr | undefined): Ex {
  if (target === undefined) {
    ctx.prog.report("KT3010", expr);
    return ERR;
  }
  const id = expr.getExpression();
  const r = resolveDecl(ctx, id);
  if (r.kind !== "decl" || r.decl.kind !== "class") {
    ctx.prog.report("KT1005", id, id.getText());
    return ERR;
  }
  const info: ClassInfo = r.decl.info;
  const params = info.ctorParams ?? [];
  const args = lowerArgs(ctx, expr, params);
  if (!args) return ERR;
  const o = inOrder(ctx, expr.getArguments(), args);
  return { c: o.wrap(C.call(classInitName(info), target, ...o.exs.map((a) => a.c))), t: T.void };
}

export function classOf(ctx: FnCtx, id: Node): ClassInfo | undefined {
  const r = resolveDecl(ctx, id);
  return r.kind === "decl" && r.decl.kind === "class" ? r.decl.info : undefined;
}

