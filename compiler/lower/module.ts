/**
 * Modules: registers every module-level declaration of the program (pass 1, so
 * that modules can use each other's functions, classes and constants), then
 * lowers each module to one C header and one C source (pass 2). Top-level
 * syntax outside the subset (imports of other packages, statements, `var`,
 * inheritance, accessors …) is reported here.
 */
import {
  Node,
  SyntaxKind,
  ts,
  type ClassDeclaration,
  type EnumDeclaration,
  type FunctionDeclaration,
  type MethodDeclaration,
  type ConstructorDeclaration,
  type ParameterDeclaration,
  type SourceFile,
  type Statement,
  type VariableDeclaration,
} from "ts-morph";
import { preludeModuleOf } from "../project/load.js";
import { cElemType, cIntLiteral, cType, FN_TYPES, T, typeName, type KType } from "../types/ktype.js";
import { ERR, lowerExpr, coerce } from "./expressions.js";
import { FnCtx, type LocalInfo } from "./function-context.js";
import { relPath } from "../project/root.js";
import { classCtorName, classInitName, localCName, type ClassInfo, type DeclInfo, type FieldInfo, type ProgramContext } from "./program.js";
import { StatementLowerer } from "./statements.js";
import { arrow, assign, call, countedLoop, index, isLit, lit, name as cName, stmt, temp, unary, ZERO, type CStmt } from "../cir/nodes.js";
import { CEmitter } from "../cir/emit.js";
import { CPrinter } from "../cir/print.js";
import { arrayInitKind, lowerArrayInit, rowsDecl } from "./storage.js";
import { resolveType } from "./types.js";
import { lowerNew } from "./calls.js";
import { declarationOf, resolveDecl } from "./resolve.js";
import { checkSyntax } from "./syntax-limits.js";

export interface ModuleOutput {
  sf: SourceFile;
  base: string;
  header: string;
  source: string;
  initFn: string;
}

type FnType = Extract<KType, { k: "fn" }>;

interface PendingFn {
  node: FunctionDeclaration | MethodDeclaration | ConstructorDeclaration;
  cname: string;
  type: FnType;
  cls?: ClassInfo;
  exported: boolean;
}

interface ModuleState {
  sf: SourceFile;
  ctx: FnCtx;
  classes: ClassInfo[];
  enums: { node: EnumDeclaration; decl: Extract<DeclInfo, { kind: "enum" }> }[];
  fns: PendingFn[];
  externs: { name: string; type: FnType; exported: boolean }[];
  vars: { node: VariableDeclaration; info: Extract<DeclInfo, { kind: "var" }>; exported: boolean }[];
  imports: SourceFile[];
}

export interface ProgramOutput {
  modules: ModuleOutput[];
  /** kts_types.h: every struct and function-pointer type of the program, in dependency order. */
  typesHeader: string;
}

export function lowerProgram(prog: ProgramContext, modules: SourceFile[]): ProgramOutput {
  checkModuleNames(prog, modules);
  // Every module's syntax is checked; one nested too deeply for the lowering stops it.
  const lowerable = modules.map((sf) => checkSyntax(prog, sf));
  if (lowerable.includes(false)) return { modules: [], typesHeader: "" };
  const states = modules.map((sf) => registerNames(prog, sf));
  for (const st of states) resolveSignatures(prog, st);
  checkClassCycles(prog, states.flatMap((st) => st.classes));
  const out = states.map((st) => emitModule(prog, st));
  const classes = states.flatMap((st) => st.classes);
  // The function-pointer types this program's C mentions (deterministic: found in its own text):
  // the modules', the struct fields' (a class field may be the only place a function type appears),
  // and those the typedefs themselves mention. A slice of function pointers needs the pointer type too.
  const fieldText = classes.flatMap((cls) => [...cls.fields.values()].map((f) => (f.type.k === "array" ? cElemType(f.type.elem) : cType(f.type)))).join(" ");
  const used = fnTypesIn(out.map((m) => m.header + m.source).join("\n") + fieldText);
  const rowSlices = [...new Set([...(out.map((m) => m.header + m.source).join("\n") + fieldText).matchAll(ROW_SLICE_NAME)].map((x) => x[0]))].sort();
  return { modules: out, typesHeader: emitTypesHeader(prog, classes, orderFnTypes(used), rowSlices) };
}

const FN_TYPE_NAME = /kts_(?:slice_)*(fn_[A-Za-z0-9_]+)/g;
/** Slices of slices (the rows of arrays of arrays): `kts_slice_slice_u32` holds `kts_slice_u32`s. */
const ROW_SLICE_NAME = /kts_slice_slice_[A-Za-z0-9_]+/g;

/** The function-pointer type names text mentions, and every one their signatures mention in turn. */
function fnTypesIn(text: string): Set<string> {
  const found = new Set<string>();
  const visit = (t: string) => {
    for (const m of t.matchAll(FN_TYPE_NAME)) {
      const name = `kts_${m[1]}`;
      if (found.has(name)) continue;
      found.add(name);
      visit(fnSignature(name));
    }
  };
  visit(text);
  return found;
}

function fnSignature(name: string): string {
  const t = FN_TYPES.get(name)!;
  return [t.ret, ...t.params].map((p) => cType(p)).join(" ");
}

/** Sorted by name, except that a type comes after the function types its signature mentions. */
function orderFnTypes(names: Set<string>): string[] {
  const done: string[] = [];
  const visit = (name: string) => {
    if (done.includes(name)) return;
    for (const m of fnSignature(name).matchAll(FN_TYPE_NAME)) if (`kts_${m[1]}` !== name) visit(`kts_${m[1]}`);
    done.push(name);
  };
  for (const name of [...names].sort()) visit(name);
  return done;
}

/** Prints declarations outside any function: they have no temporaries to name. */
const FILE_SCOPE = new CPrinter(() => {
  throw new Error("a temporary outside a function");
});

/**
 * All types in one header, so that modules may import each other in cycles:
 * module headers then hold only prototypes, which need just the type names.
 */
function emitTypesHeader(prog: ProgramContext, classes: ClassInfo[], fnTypes: string[], rowSlices: string[]): string {
  const h = ["/* Generated by cambi: the program's structs and function-pointer types. Do not edit. */", "#ifndef KTS_TYPES_H", "#define KTS_TYPES_H", '#include "kts/kts.h"', ""];
  for (const cls of classes) h.push(`typedef struct ${cls.cname} ${cls.cname};`);
  h.push("");
  for (const name of fnTypes) {
    const t = FN_TYPES.get(name)!;
    h.push(`typedef ${cType(t.ret)} (*${name})(${t.params.map((p) => cType(p)).join(", ") || "void"});`, `KTS_DEFINE_SLICE(${name.replace(/^kts_/, "kts_slice_")}, ${name})`);
  }
  for (const name of rowSlices) h.push(`KTS_DEFINE_SLICE(${name}, ${name.replace(/^kts_slice_/, "kts_")})`);
  h.push("");
  for (const cls of orderClasses(classes)) {
    h.push(`/* class ${cls.tsName} (${prog.siteFile(cls.node)}) */`, `struct ${cls.cname} {`);
    if (cls.fields.size === 0) h.push("    uint8_t kts_empty;");
    for (const f of cls.fields.values()) {
      if (f.rows) h.push(`    ${FILE_SCOPE.stmt(rowsDecl(f.cname, f.rows))}`);
      if (f.arrayLen !== undefined && f.type.k === "array") h.push(`    ${cElemType(f.type.elem)} ${f.cname}[${f.arrayLen}];`);
      else if (f.type.k === "class") h.push(`    ${f.type.decl.cname} ${f.cname};`);
      else h.push(`    ${cType(f.type)} ${f.cname};`);
    }
    const align = alignOf(prog, cls);
    h.push(align ? `} __attribute__((aligned(${align})));` : "};", `KTS_DEFINE_SLICE(kts_slice_${cls.cname}, ${cls.cname})`, "");
  }
  h.push("#endif /* KTS_TYPES_H */", "");
  return h.join("\n");
}

/**
 * A class's `@align N — why` (N a power of two, 8..4096): its C struct is
 * aligned to N, so its size is a multiple of N and an array of it is indexed
 * with a shift instead of a multiply (AArch64: one instruction, not two).
 * Field offsets do not change. KT1034 for a malformed tag.
 */
function alignOf(prog: ProgramContext, cls: ClassInfo): number | undefined {
  const node = cls.node;
  if (!Node.isJSDocable(node)) return undefined;
  let found: number | undefined;
  for (const doc of node.getJsDocs()) {
    for (const tag of doc.getTags()) {
      if (tag.getTagName() !== "align") continue;
      const m = /^(\d+)(?:\s|$)/.exec((tag.getCommentText() ?? "").trim());
      const n = m ? Number(m[1]) : 0;
      if (n >= 8 && n <= 4096 && (n & (n - 1)) === 0 && found === undefined) found = n;
      else prog.report("KT1034", tag);
    }
  }
  return found;
}

function isUnsafeDirective(s: Statement): boolean {
  return Node.isExpressionStatement(s) && Node.isStringLiteral(s.getExpression()) && s.getExpression().getText().slice(1, -1) === "use unsafe";
}

function hasExport(n: Node): boolean {
  return Node.isModifierable(n) && n.hasModifier(SyntaxKind.ExportKeyword);
}

/** Pass 1a: names, kinds and C names of everything at module level. */
/**
 * Every module's C prefix names its generated files and globals: two modules
 * whose paths map to the same prefix (dup-name.ts and dup_name.ts, a/b.ts and
 * a_b.ts) would overwrite each other's C, and a prefix starting with `kts` could
 * be the generated glue's (kts_entry.c, kts_types.h). Both are errors.
 */
function checkModuleNames(prog: ProgramContext, modules: SourceFile[]): void {
  const byPrefix = new Map<string, SourceFile>();
  for (const sf of modules) {
    const prefix = prog.modulePrefix(sf);
    const other = byPrefix.get(prefix);
    if (other) prog.report("KT1020", sf, relPath(sf.getFilePath()), relPath(other.getFilePath()), prefix);
    else if (/^kts(_|$)/i.test(prefix)) prog.report("KT1021", sf, relPath(sf.getFilePath()), prefix);
    byPrefix.set(prefix, sf);
  }
}

function registerNames(prog: ProgramContext, sf: SourceFile): ModuleState {
  const st: ModuleState = { sf, ctx: new FnCtx(prog, sf, T.void, undefined), classes: [], enums: [], fns: [], externs: [], vars: [], imports: [] };
  const stmts = sf.getStatements();
  if (stmts.length > 0 && isUnsafeDirective(stmts[0]!)) prog.unsafeModules.add(sf);
  stmts.forEach((s, idx) => {
    if (idx === 0 && isUnsafeDirective(s)) return;
    switch (s.getKind()) {
      case SyntaxKind.ImportDeclaration: {
        const imp = s.asKindOrThrow(SyntaxKind.ImportDeclaration);
        // Without a string specifier TypeScript has already reported the syntax error.
        if (!ts.isStringLiteral(imp.compilerNode.moduleSpecifier)) return;
        const spec = imp.getModuleSpecifierValue();
        if (imp.getNamespaceImport() || imp.getDefaultImport()) prog.report("KT1016", imp);
        const target = imp.getModuleSpecifierSourceFile();
        const prelude = target ? preludeModuleOf(target) : undefined;
        if (prelude === "kts/unsafe" && !prog.unsafeModules.has(sf)) prog.report("KT4001", imp.getModuleSpecifier(), spec);
        if (!target || (!prelude && (target.isInNodeModules() || target.isDeclarationFile()))) prog.report("KT1017", imp.getModuleSpecifier(), spec);
        else if (!prelude && !imp.isTypeOnly()) st.imports.push(target);
        return;
      }
      case SyntaxKind.ExportDeclaration: {
        // `export { a, b } from "./x"`: a module's front door re-exporting names.
        const ed = s.asKindOrThrow(SyntaxKind.ExportDeclaration);
        const target = ed.getModuleSpecifierSourceFile();
        if (!target || ed.isNamespaceExport() || ed.getNamedExports().length === 0) prog.report("KT1016", s);
        else if (!preludeModuleOf(target) && !ed.isTypeOnly()) st.imports.push(target);
        return;
      }
      case SyntaxKind.ExportAssignment:
        prog.report("KT1016", s);
        return;
      case SyntaxKind.TypeAliasDeclaration:
      case SyntaxKind.InterfaceDeclaration:
        return;
      case SyntaxKind.FunctionDeclaration: {
        const f = s.asKindOrThrow(SyntaxKind.FunctionDeclaration);
        const name = f.getName();
        if (!name) {
          prog.report("KT1016", f);
          return;
        }
        if (f.isAsync() || f.isGenerator()) prog.report("KT1014", f);
        // An overload signature is neither an external function nor a function of its own.
        if (!f.hasBody() && !f.hasDeclareKeyword() && f.isOverload()) {
          prog.report("KT1001", f, "a function overload signature");
          return;
        }
        if (f.getTypeParameters().length > 0) prog.report("KT1001", f, "generic functions");
        const isExtern = f.hasDeclareKeyword() || !f.hasBody();
        if (isExtern && !prog.unsafeModules.has(sf)) prog.report("KT4006", f);
        const cname = isExtern ? name : prog.cname(sf, name);
        const info: DeclInfo = { kind: "fn", cname, type: { k: "fn", params: [], ret: T.void }, extern: isExtern, node: f };
        // Overloads register once, by their implementation or first signature.
        if (isExtern || !f.isOverload()) prog.setDecl(f, info);
        return;
      }
      case SyntaxKind.VariableStatement: {
        const vs = s.asKindOrThrow(SyntaxKind.VariableStatement);
        if (vs.getDeclarationKind() === "var") prog.report("KT1003", vs);
        if (vs.hasDeclareKeyword()) prog.report("KT1001", vs, "'declare' variables");
        for (const d of vs.getDeclarations()) {
          const info: Extract<DeclInfo, { kind: "var" }> = { kind: "var", cname: prog.cname(sf, d.getName()), type: T.error, isConst: vs.getDeclarationKind() === "const", node: d };
          prog.setDecl(d, info);
          st.vars.push({ node: d, info, exported: vs.isExported() });
        }
        return;
      }
      case SyntaxKind.ClassDeclaration: {
        const c = s.asKindOrThrow(SyntaxKind.ClassDeclaration);
        const name = c.getName() ?? "anonymous";
        const info: ClassInfo = { kind: "class", cname: prog.cname(sf, name), tsName: name, node: c, module: sf, fields: new Map(), ctorParams: undefined, exported: c.isExported() };
        prog.setDecl(c, { kind: "class", info });
        st.classes.push(info);
        return;
      }
      case SyntaxKind.EnumDeclaration: {
        const e = s.asKindOrThrow(SyntaxKind.EnumDeclaration);
        const decl: Extract<DeclInfo, { kind: "enum" }> = { kind: "enum", type: { k: "enum", decl: { cname: prog.cname(sf, e.getName()), tsName: e.getName() }, signed: false }, node: e };
        prog.setDecl(e, decl);
        st.enums.push({ node: e, decl });
        return;
      }
      default:
        if (Node.isExpressionStatement(s) && Node.isStringLiteral(s.getExpression())) prog.report("KT1004", s);
        else prog.report("KT1004", s);
    }
  });
  return st;
}

function paramTypes(ctx: FnCtx, params: ParameterDeclaration[]): KType[] {
  return params.map((p) => {
    if (p.isOptional() || p.hasInitializer()) ctx.prog.report("KT1012", p);
    if (p.isRestParameter()) ctx.prog.report("KT1009", p);
    if (p.getScope() !== undefined || p.isReadonly()) ctx.prog.report("KT1001", p, "parameter properties");
    if (!Node.isIdentifier(p.getNameNode())) ctx.prog.report("KT1008", p);
    const tn = p.getTypeNode();
    if (!tn) {
      ctx.prog.report("KT2004", p, p.getName());
      return T.error;
    }
    const t = resolveType(ctx, tn);
    if (t.k === "void" || t.k === "never") ctx.prog.report("KT2000", tn, tn.getText());
    return t;
  });
}

function returnType(ctx: FnCtx, node: FunctionDeclaration | MethodDeclaration, name: string): KType {
  const tn = node.getReturnTypeNode();
  if (!tn) {
    ctx.prog.report("KT2004", node.getNameNode() ?? node, `return type of ${name}`);
    return T.error;
  }
  const t = resolveType(ctx, tn);
  if (t.k === "array") {
    ctx.prog.report("KT3022", tn);
    return T.error;
  }
  return t;
}

/** Pass 1b: enum values, class layouts, function signatures, module variable types. */
function resolveSignatures(prog: ProgramContext, st: ModuleState): void {
  const ctx = st.ctx;
  for (const { node, decl } of st.enums) {
    let next = 0n;
    const members: { m: Node; v: bigint; cname: string }[] = [];
    for (const m of node.getMembers()) {
      const init = m.getInitializer();
      let v = next;
      if (init) {
        const e = lowerExpr(ctx, init);
        if (e.t.k !== "error" && (e.value === undefined || e.t.k !== "untyped" || (e.t as { big: boolean }).big)) ctx.prog.report("KT2018", init);
        else if (e.value !== undefined) v = e.value;
      }
      next = v + 1n;
      members.push({ m, v, cname: `${decl.type.decl.cname}__${m.getName()}` });
    }
    decl.type.signed = members.some((x) => x.v < 0n);
    for (const { m, v, cname } of members) {
      const { min, max } = decl.type.signed ? { min: -(1n << 31n), max: (1n << 31n) - 1n } : { min: 0n, max: (1n << 32n) - 1n };
      if (v < min || v > max) prog.report("KT2007", m, v.toString(), decl.type.signed ? "i32" : "u32");
      prog.setDecl(m, { kind: "enumMember", type: decl.type, value: v, cname, node: m });
    }
  }
  // Plain constants first: class layouts and signatures may use them as array lengths.
  // A variable whose initializer names a variable of this module that is not plain
  // (`let t: u64 = FIRST` with `const FIRST: u64 = u64(2n * NS)`) is not plain either:
  // resolved before it, it would see no type yet, and it and every use of it would be
  // dropped without a word.
  const moduleVars = new Map(st.vars.map((v) => [v.node.compilerNode as ts.Node, v.node]));
  const plain = new Map<ts.Node, boolean>();
  const plainDecl = (d: VariableDeclaration): boolean => {
    const known = plain.get(d.compilerNode);
    if (known !== undefined) return known;
    plain.set(d.compilerNode, false); // a cycle is TypeScript's error (used before its declaration)
    const init = d.getInitializer();
    let ok = !!init && !Node.isCallExpression(init) && !Node.isNewExpression(init) && init.getDescendantsOfKind(SyntaxKind.CallExpression).length === 0;
    if (ok && init) {
      const ids = Node.isIdentifier(init) ? [init] : init.getDescendantsOfKind(SyntaxKind.Identifier);
      for (const id of ids) {
        const target = declarationOf(id);
        const other = target ? moduleVars.get(target.compilerNode) : undefined;
        if (other && other !== d && !plainDecl(other)) {
          ok = false;
          break;
        }
      }
    }
    plain.set(d.compilerNode, ok);
    return ok;
  };
  const isPlain = (v: ModuleState["vars"][number]) => plainDecl(v.node);
  // Function signatures need only types, so they come first: constants may name functions.
  for (const s of st.sf.getStatements()) {
    if (!Node.isFunctionDeclaration(s)) continue;
    const d = prog.declOf(s);
    if (!d || d.kind !== "fn") continue;
    const name = s.getName()!;
    d.type = { k: "fn", params: paramTypes(ctx, s.getParameters()), ret: returnType(ctx, s, name) };
    if (d.extern) st.externs.push({ name: d.cname, type: d.type, exported: true });
    else st.fns.push({ node: s, cname: d.cname, type: d.type, exported: s.isExported() });
  }
  for (const v of st.vars) if (isPlain(v)) resolveModuleVar(ctx, v.node, v.info);
  for (const info of st.classes) resolveClass(ctx, st, info);
  for (const v of st.vars) if (!isPlain(v)) resolveModuleVar(ctx, v.node, v.info);
}

function resolveClass(ctx: FnCtx, st: ModuleState, info: ClassInfo): void {
  const prog = ctx.prog;
  const c = info.node as ClassDeclaration;
  if (c.getExtends()) prog.report("KT1010", c.getExtends()!);
  if (c.getDecorators().length > 0) prog.report("KT1013", c.getDecorators()[0]!);
  if (c.getTypeParameters().length > 0) prog.report("KT1001", c, "generic classes");
  if (c.isAbstract()) prog.report("KT1001", c, "abstract classes");
  const mctx = new FnCtx(prog, st.sf, T.void, info);
  for (const m of c.getMembers()) {
    for (const dec of (m as unknown as { getDecorators?: () => Node[] }).getDecorators?.() ?? []) prog.report("KT1013", dec);
    if (Node.isPropertyDeclaration(m)) {
      if (m.isStatic()) {
        prog.report("KT1001", m, "static fields (use a module-level const)");
        continue;
      }
      if (!Node.isIdentifier(m.getNameNode())) {
        prog.report("KT1001", m.getNameNode(), "this field name");
        continue;
      }
      if (m.hasQuestionToken()) prog.report("KT1001", m, "an optional field");
      const tn = m.getTypeNode();
      const declared = tn ? resolveType(mctx, tn) : undefined;
      const init = m.getInitializer();
      const name = m.getName();
      const field: FieldInfo = { name, cname: localCName(name), type: declared ?? T.error, node: m };
      if (init) {
        const kind = arrayInitKind(mctx, init);
        if (kind) {
          const storage = lowerArrayInit(mctx, init, declared, kind);
          if (storage) {
            field.type = storage.type;
            field.arrayLen = storage.len;
            if (storage.rows) field.rows = storage.rows;
          }
        } else if (Node.isNewExpression(init)) {
          const r = resolveDecl(mctx, init.getExpression());
          if (r.kind === "decl" && r.decl.kind === "class") field.type = { k: "class", decl: r.decl.info };
          else prog.report("KT1005", init.getExpression(), init.getExpression().getText());
        } else if (!declared) {
          const e = lowerExpr(mctx, init);
          if (e.t.k === "untyped") prog.report("KT2004", m.getNameNode(), name);
          else field.type = e.t;
        }
      }
      if ((field.type.k === "array" && field.arrayLen === undefined) || (field.type.k === "class" && !(init && Node.isNewExpression(init)))) {
        prog.report("KT3023", m);
      }
      if (!init && !declared) prog.report("KT2004", m.getNameNode(), name);
      info.fields.set(name, field);
    } else if (Node.isConstructorDeclaration(m)) {
      if (m.isOverload()) continue;
      info.ctorParams = paramTypes(mctx, m.getParameters());
      st.fns.push({ node: m, cname: classCtorName(info), type: { k: "fn", params: info.ctorParams, ret: T.void }, cls: info, exported: true });
    } else if (Node.isMethodDeclaration(m)) {
      if (m.isOverload()) continue;
      if (m.isAsync() || m.isGenerator()) prog.report("KT1014", m);
      if (m.getTypeParameters().length > 0) prog.report("KT1001", m, "generic methods");
      if (!Node.isIdentifier(m.getNameNode())) prog.report("KT1001", m.getNameNode(), "this method name");
      const type: FnType = { k: "fn", params: paramTypes(mctx, m.getParameters()), ret: returnType(mctx, m, m.getName()) };
      const cname = `${info.cname}__${m.getName()}`;
      prog.setDecl(m, { kind: "method", cname, type, isStatic: m.isStatic(), cls: info, node: m });
      st.fns.push({ node: m, cname, type, cls: m.isStatic() ? undefined : info, exported: true });
    } else if (Node.isGetAccessorDeclaration(m) || Node.isSetAccessorDeclaration(m)) {
      prog.report("KT1011", m);
    } else if (m.getKind() !== SyntaxKind.SemicolonClassElement) {
      prog.report("KT1001", m, m.getKindName());
    }
  }
}

function resolveModuleVar(ctx: FnCtx, d: VariableDeclaration, info: Extract<DeclInfo, { kind: "var" }>): void {
  const prog = ctx.prog;
  if (!Node.isIdentifier(d.getNameNode())) {
    prog.report("KT1008", d);
    return;
  }
  const tn = d.getTypeNode();
  const declared = tn ? resolveType(ctx, tn) : undefined;
  const init = d.getInitializer();
  if (!init) {
    prog.report("KT3024", d);
    return;
  }
  const kind = arrayInitKind(ctx, init);
  if (kind) {
    const storage = lowerArrayInit(ctx, init, declared, kind);
    if (storage) {
      info.type = storage.type;
      info.arrayLen = storage.len;
    }
    return;
  }
  if (Node.isNewExpression(init)) {
    const r = resolveDecl(ctx, init.getExpression());
    if (r.kind === "decl" && r.decl.kind === "class") {
      info.type = { k: "class", decl: r.decl.info };
      info.instance = true;
    } else prog.report("KT1005", init.getExpression(), init.getExpression().getText());
    return;
  }
  const e = lowerExpr(ctx, init);
  if (e.t.k === "error") return;
  if (!declared) {
    if (e.t.k === "untyped") {
      if (!info.isConst) {
        prog.report("KT2004", d.getNameNode(), d.getName());
        return;
      }
      info.type = e.t;
      info.untyped = true;
      info.value = e.value!;
      if (e.frac) info.frac = true;
      return;
    }
    info.type = e.t;
  } else info.type = declared;
  if (info.type.k === "array" || info.type.k === "class") {
    prog.report("KT3021", d);
    info.type = T.error;
    return;
  }
  const v = coerce(ctx, init, e, info.type, "stored");
  if (v.value !== undefined && info.isConst) info.value = v.value;
}

// ---- Pass 2: emission ------------------------------------------------------

function emitModule(prog: ProgramContext, st: ModuleState): ModuleOutput {
  const base = prog.fileBase(st.sf);
  const file = prog.siteFile(st.sf);
  const guard = `KTS_${base.toUpperCase()}_H`;
  const h: string[] = [`/* Generated by cambi from ${file}. Do not edit. */`, `#ifndef ${guard}`, `#define ${guard}`, `#include "kts_types.h"`];
  const seenInc = new Set<string>();
  for (const imp of st.imports) {
    const inc = `#include "${prog.fileBase(imp)}.h"`;
    if (!seenInc.has(inc)) h.push(inc);
    seenInc.add(inc);
  }
  h.push("");
  const c: string[] = [`/* Generated by cambi from ${file}. Do not edit. */`, `#include "${base}.h"`, ""];

  // Structs live in kts_types.h (emitTypesHeader); enums are plain constants.
  for (const { decl } of st.enums) {
    h.push(`/* enum ${decl.type.decl.tsName} */`);
    for (const m of (decl.node as EnumDeclaration).getMembers()) {
      const md = prog.declOf(m);
      if (md?.kind === "enumMember") h.push(`#define ${md.cname} ${md.value.toString()}${decl.type.signed ? "" : "u"}`);
    }
    h.push("");
  }

  // Module variables.
  const init: CStmt[] = [];
  const initCtx = new FnCtx(prog, st.sf, T.void, undefined);
  // Variables go after the prototypes: an initializer may name a function.
  const varLines: string[] = [];
  for (const v of st.vars) emitModuleVar(prog, v, h, varLines, initCtx, init);

  // Prototypes.
  for (const e of st.externs) h.push(`${cType(e.type.ret)} ${e.name}(${e.type.params.map((p) => cType(p)).join(", ") || "void"});`);
  const staticProtos: string[] = [];
  for (const f of st.fns) {
    const proto = `${signature(f)};`;
    if (f.exported) h.push(proto);
    else staticProtos.push(`static KTS_UNUSED ${proto}`);
  }
  for (const cls of st.classes) {
    h.push(`void ${classInitName(cls)}(${[`${cls.cname} *self`, ...(cls.ctorParams ?? []).map((p, i) => `${cType(p)} p${i}`)].join(", ")});`);
  }
  const initFn = `${base}__kts_init`;
  h.push(`void ${initFn}(void);`);
  c.push(...staticProtos, "", ...varLines, "");

  // Bodies.
  for (const cls of st.classes) c.push(...emitClassInit(prog, st, cls), "");
  for (const f of st.fns) c.push(...emitFunction(prog, st, f), "");
  c.push(`void ${initFn}(void) {`, ...emitBody(initCtx, init), "}", "");

  h.push("", `#endif /* ${guard} */`, "");
  return { sf: st.sf, base, header: h.join("\n"), source: c.join("\n"), initFn };
}


/** The class a field embeds by value (a class field, or an owned array of class elements), if any. */
function embeddedClass(f: FieldInfo): ClassInfo | undefined {
  if (f.type.k === "class") return f.type.decl as ClassInfo;
  if (f.type.k === "array" && f.arrayLen !== undefined && f.type.elem.k === "class") return f.type.elem.decl as ClassInfo;
  return undefined;
}

/**
 * A class that contains itself by value, directly or through other classes'
 * fields, has no size in C and never finishes constructing under Node (KT3027).
 */
function checkClassCycles(prog: ProgramContext, classes: ClassInfo[]): void {
  const state = new Map<ClassInfo, "open" | "done">();
  const visit = (cls: ClassInfo): void => {
    state.set(cls, "open");
    for (const f of cls.fields.values()) {
      const dep = embeddedClass(f);
      if (!dep) continue;
      if (state.get(dep) === "open") prog.report("KT3027", f.node, cls.tsName, dep.tsName);
      else if (!state.has(dep)) visit(dep);
    }
    state.set(cls, "done");
  };
  for (const cls of classes) if (!state.has(cls)) visit(cls);
}

function orderClasses(classes: ClassInfo[]): ClassInfo[] {
  const out: ClassInfo[] = [];
  const done = new Set<ClassInfo>();
  const visit = (cls: ClassInfo) => {
    if (done.has(cls)) return;
    done.add(cls);
    for (const f of cls.fields.values()) {
      const dep = f.type.k === "class" ? f.type.decl : f.type.k === "array" && f.type.elem.k === "class" ? f.type.elem.decl : undefined;
      const depInfo = dep as ClassInfo | undefined;
      if (depInfo && classes.includes(depInfo)) visit(depInfo);
    }
    out.push(cls);
  };
  classes.forEach(visit);
  return out;
}

/** Statements as the lines of a function body (temporaries named by `ctx`, the function they belong to). */
function emitBody(ctx: FnCtx, stmts: CStmt[]): string[] {
  const e = new CEmitter(ctx.printer);
  e.emit(stmts);
  return e.lines;
}

function emitModuleVar(prog: ProgramContext, v: ModuleState["vars"][number], h: string[], c: string[], ctx: FnCtx, init: CStmt[]): void {
  const { node, info, exported } = v;
  if (info.untyped || info.type.k === "error") return;
  const storage = exported ? "" : "static KTS_UNUSED ";
  const initExpr = node.getInitializer()!;
  if (info.arrayLen !== undefined && info.type.k === "array") {
    const kind = arrayInitKind(ctx, initExpr)!;
    const s = lowerArrayInit(ctx, initExpr, info.type, kind);
    // `const T: readonly u8[] = arrayOf([...constants])`: TypeScript forbids writes in both worlds, so C puts it in read-only data.
    const typeNode = node.getTypeNode();
    const readonly = info.isConst && s?.declInit !== undefined && !!typeNode && Node.isTypeOperatorTypeNode(typeNode) && typeNode.getOperator() === SyntaxKind.ReadonlyKeyword;
    const type = `${readonly ? "const " : ""}${cElemType(info.type.elem)}`;
    const place = cName(info.cname);
    if (exported) h.push(`extern ${type} ${info.cname}[${info.arrayLen}];`);
    if (s?.rows) c.push(ctx.printer.stmt({ ...rowsDecl(info.cname, s.rows), qual: "static KTS_UNUSED KTS_ARRAY_ALIGN" }));
    const declInit = s?.declInit && (!s.zeroed || readonly) ? { init: s.declInit } : {};
    c.push(ctx.printer.stmt({ k: "decl", qual: `${storage}KTS_ARRAY_ALIGN`, type, name: place, dims: [info.arrayLen], ...declInit }));
    if (s) init.push({ k: "at", file: prog.siteFile(node), line: node.getStartLineNumber() }, ...s.initStmts(place));
    return;
  }
  if (info.instance && info.type.k === "class") {
    if (exported) h.push(`extern ${info.type.decl.cname} ${info.cname};`);
    c.push(`${storage}${info.type.decl.cname} ${info.cname};`);
    init.push({ k: "at", file: prog.siteFile(node), line: node.getStartLineNumber() });
    const n = lowerNew(ctx, initExpr.asKindOrThrow(SyntaxKind.NewExpression), unary("&", cName(info.cname)));
    if (n.t.k !== "error") init.push(stmt(n.c));
    return;
  }
  const t = cType(info.type);
  const qual = info.isConst ? "const " : "";
  if (exported) h.push(`extern ${qual}${t} ${info.cname};`);
  if (info.value !== undefined && info.type.k === "int") {
    c.push(`${storage}${qual}${t} ${info.cname} = ${cIntLiteral(info.value, info.type.int)};`);
    return;
  }
  const e = lowerExpr(ctx, initExpr);
  const val = e.t.k === "error" ? ERR : info.type.k === "fn" ? e : coerce(ctx, initExpr, e, info.type, "stored");
  const isConstC = val.value !== undefined || isLit(val.c, "true") || isLit(val.c, "false") || (info.type.k === "fn" && val.c.k === "name");
  if (isConstC) {
    // A known integer is written as a literal: C wants constant initializers, and another module's const is not one.
    const literal = val.value !== undefined && info.type.k === "int" ? cIntLiteral(val.value, info.type.int) : ctx.c(val.c);
    c.push(`${storage}${qual}${t} ${info.cname} = ${literal};`);
    return;
  }
  // Computed at start-up, in declaration order, like Node's module evaluation.
  c.push(`${exported ? "" : "static KTS_UNUSED "}${t} ${info.cname};`);
  if (info.isConst && exported) h[h.length - 1] = `extern ${t} ${info.cname};`;
  init.push({ k: "at", file: prog.siteFile(node), line: node.getStartLineNumber() });
  if (val.t.k !== "error") init.push(stmt(assign(cName(info.cname), val.c)));
}

function signature(f: PendingFn): string {
  const params = f.node.getParameters().map((p, i) => `${cType(f.type.params[i] ?? T.error)} ${localCName(p.getName())}`);
  if (f.cls) params.unshift(`${f.cls.cname} *self`);
  const noret = f.type.ret.k === "never" ? "KTS_NORETURN " : "";
  return `${noret}${cType(f.type.ret)} ${f.cname}(${params.join(", ") || "void"})`;
}

function registerParams(ctx: FnCtx, params: ParameterDeclaration[], types: KType[]): void {
  params.forEach((p, i) => {
    const l: LocalInfo = { cname: localCName(p.getName()), type: types[i] ?? T.error, stack: false, used: false, isParam: true, isConst: false, node: p };
    ctx.locals.set(p.compilerNode, l);
  });
}

function emitFunction(prog: ProgramContext, st: ModuleState, f: PendingFn): string[] {
  const ctx = new FnCtx(prog, st.sf, f.type.ret, f.cls);
  registerParams(ctx, f.node.getParameters(), f.type.params);
  const body = f.node.getBody();
  const lowered = body && Node.isBlock(body) ? new StatementLowerer(ctx).lower(body.getStatements()) : [];
  const out: string[] = [];
  const isCtor = Node.isConstructorDeclaration(f.node);
  out.push(`${f.exported ? "" : "static KTS_UNUSED "}${placement(f.node)}${signature(f)} {`);
  if (f.cls) out.push("    (void)self;");
  for (const l of ctx.locals.values()) if (l.isParam && !l.used) out.push(`    (void)${l.cname};`);
  out.push(...emitBody(ctx, lowered));
  const stmts = body && Node.isBlock(body) ? body.getStatements() : [];
  const last = stmts[stmts.length - 1];
  // Code after the last statement (the epilogue) belongs to the function's closing line.
  out.push(`#line ${f.node.getEndLineNumber()} "${prog.siteFile(f.node)}"`);
  if (f.type.ret.k !== "void" && !isCtor && !(last && Node.isReturnStatement(last))) {
    out.push(`    kts_unreachable("${prog.siteFile(f.node)}", ${f.node.getEndLineNumber()});`);
  }
  out.push("}");
  return out;
}

/**
 * Where a function's code goes, from its JSDoc: `@cold` (seldom run: cold,
 * never inlined) or `@outline` (never inlined), so that the hot function that
 * calls it stays small (a probe's check inlined, its work out of line; a
 * register-hungry loop kept out of a path that seldom needs it); `@inline`
 * (always inlined, across modules too under LTO: a hot path's helper whose
 * call would cost more than its work saves).
 */
function placement(node: Node): string {
  const tags = Node.isJSDocable(node) ? node.getJsDocs().flatMap((d) => d.getTags().map((t) => t.getTagName())) : [];
  if (tags.includes("cold")) return "KTS_COLD ";
  if (tags.includes("inline")) return "KTS_INLINE ";
  return tags.includes("outline") ? "KTS_OUTLINE " : "";
}

/** C__init(self, ctor params): field initializers in order, then the constructor body. */
function emitClassInit(prog: ProgramContext, st: ModuleState, cls: ClassInfo): string[] {
  const ctx = new FnCtx(prog, st.sf, T.void, cls);
  const out: CStmt[] = [];
  const file = prog.siteFile(st.sf);
  for (const f of cls.fields.values()) {
    const init = (f.node as unknown as { getInitializer(): Node | undefined }).getInitializer();
    if (!init) continue;
    out.push({ k: "at", file, line: f.node.getStartLineNumber() });
    const place = arrow(cName("self"), f.cname);
    const kind = arrayInitKind(ctx, init);
    if (kind) {
      const s = lowerArrayInit(ctx, init, f.type, kind);
      if (!s) continue;
      const i = temp("i");
      const len = lit(String(s.len));
      if (s.declInit && !s.zeroed) {
        // A constant table: copied from read-only data.
        const tbl = temp("init");
        out.push({ k: "decl", qual: "static const", type: cElemType(s.type.elem), name: tbl, dims: [s.len], init: s.declInit });
        out.push(countedLoop(i, len, [stmt(assign(index(place, i), index(tbl, i)))]));
      } else if (s.zeroed) out.push(countedLoop(i, len, [stmt(assign(index(place, i), ZERO))]));
      out.push(...s.initStmts(place));
    } else if (Node.isNewExpression(init)) {
      const n = lowerNew(ctx, init, unary("&", place));
      if (n.t.k !== "error") out.push(stmt(n.c));
    } else {
      const v = coerce(ctx, init, lowerExpr(ctx, init), f.type, "stored");
      if (v.t.k !== "error") out.push(stmt(assign(place, v.c)));
    }
  }
  const params = (cls.ctorParams ?? []).map((p, i) => `${cType(p)} p${i}`);
  const hasCtor = st.fns.some((fn) => fn.cls === cls && Node.isConstructorDeclaration(fn.node));
  if (hasCtor) out.push(stmt(call(classCtorName(cls), cName("self"), ...params.map((_, i) => cName(`p${i}`)))));
  // Never inlined: an initializer runs once per object (boot code), and inlined into an array's loop it is unrolled N times.
  return [`__attribute__((noinline)) void ${classInitName(cls)}(${[`${cls.cname} *self`, ...params].join(", ")}) {`, "    (void)self;", ...emitBody(ctx, out), "}"];
}

