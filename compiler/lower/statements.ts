/**
 * Statements and local declarations, lowered to C IR statements (cir/nodes.ts;
 * cir/emit.ts writes them out). Loops, switch and labels map onto C directly;
 * labelled break/continue become gotos to labels emitted only when used.
 * Locals made with array()/new live on the C stack and are tracked so they
 * cannot escape (KT3020).
 */
import { Node, SyntaxKind, type BinaryExpression, type Expression, type Statement, type VariableDeclaration } from "ts-morph";
import { cElemType, cIntLiteral, cType, sliceTypeName, T, typeName, type KType } from "../types/ktype.js";
import { lowerNew, sliceOf } from "./calls.js";
import { capturesText, coerce, condition, constOf, ERR, lowerExpr, lowerOperator, type Ex } from "./expressions.js";
import { Effect, effectOf, orderedStore } from "./order.js";
import type { FnCtx, LocalInfo } from "./function-context.js";
import { localCName } from "./program.js";
import { resolveDecl } from "./resolve.js";
import { resolveType } from "./types.js";
import * as C from "../cir/nodes.js";
import type { CExpr, CStmt } from "../cir/nodes.js";
import { lowerArrayInit, arrayInitKind, rowsDecl } from "./storage.js";

interface LabelInfo {
  name: string;
  breakLabel: string;
  continueLabel: string;
  breakUsed: boolean;
  continueUsed: boolean;
}

export class StatementLowerer {
  private labels: LabelInfo[] = [];
  private labelCounter = 0;
  /** Where statements go now: the function's body, or a nested body being collected. */
  private out: CStmt[] = [];

  constructor(readonly ctx: FnCtx) {}

  private get file(): string {
    return this.ctx.prog.siteFile(this.ctx.module);
  }

  /** Lowers a function body (or any statement list) to C statements. */
  lower(stmts: Statement[]): CStmt[] {
    return this.collect(() => this.block(stmts));
  }

  private put(...stmts: CStmt[]): void {
    this.out.push(...stmts);
  }

  /** The statements `fn` puts, collected apart from the current list. */
  private collect(fn: () => void): CStmt[] {
    const outer = this.out;
    this.out = [];
    try {
      fn();
      return this.out;
    } finally {
      this.out = outer;
    }
  }

  block(stmts: Statement[]): void {
    for (const s of stmts) this.statement(s);
  }

  statement(s: Statement | Node): void {
    try {
      this.statementInner(s);
    } catch (e) {
      this.ctx.prog.report("KT9001", s, (e as Error).stack ?? String(e));
    }
  }

  private statementInner(s: Node): void {
    const ctx = this.ctx;
    this.put({ k: "at", file: this.file, line: s.getStartLineNumber() });
    switch (s.getKind()) {
      case SyntaxKind.Block:
        this.put({ k: "scope", body: this.collect(() => this.block(s.asKindOrThrow(SyntaxKind.Block).getStatements())) });
        return;
      case SyntaxKind.EmptyStatement:
        return;
      case SyntaxKind.VariableStatement: {
        const vs = s.asKindOrThrow(SyntaxKind.VariableStatement);
        if (vs.getDeclarationKind() === "var") ctx.prog.report("KT1003", vs);
        for (const d of vs.getDeclarations()) this.local(d);
        return;
      }
      case SyntaxKind.ExpressionStatement: {
        const e = s.asKindOrThrow(SyntaxKind.ExpressionStatement).getExpression();
        const c = this.expressionStatement(e);
        if (c !== undefined) this.put(C.stmt(c));
        return;
      }
      case SyntaxKind.IfStatement: {
        const is = s.asKindOrThrow(SyntaxKind.IfStatement);
        const test = condition(ctx, is.getExpression());
        const then = this.body(is.getThenStatement());
        const els = is.getElseStatement();
        this.put({ k: "if", test, then, ...(els ? { else: this.body(els) } : {}) });
        return;
      }
      case SyntaxKind.WhileStatement: {
        const ws = s.asKindOrThrow(SyntaxKind.WhileStatement);
        const label = this.takeLabel(s);
        const test = condition(ctx, ws.getExpression());
        this.put({ k: "while", test, body: this.loopBody(ws.getStatement(), label) });
        return;
      }
      case SyntaxKind.DoStatement: {
        const ds = s.asKindOrThrow(SyntaxKind.DoStatement);
        const label = this.takeLabel(s);
        const body = this.loopBody(ds.getStatement(), label);
        this.put({ k: "do", body, test: condition(ctx, ds.getExpression()) });
        return;
      }
      case SyntaxKind.ForStatement:
        return this.forStatement(s.asKindOrThrow(SyntaxKind.ForStatement));
      case SyntaxKind.ForOfStatement:
        return this.forOf(s.asKindOrThrow(SyntaxKind.ForOfStatement));
      case SyntaxKind.ForInStatement:
        ctx.prog.report("KT1001", s, "'for...in'");
        return;
      case SyntaxKind.SwitchStatement:
        return this.switchStatement(s.asKindOrThrow(SyntaxKind.SwitchStatement));
      case SyntaxKind.LabeledStatement:
        return this.labeled(s.asKindOrThrow(SyntaxKind.LabeledStatement));
      case SyntaxKind.BreakStatement:
      case SyntaxKind.ContinueStatement: {
        const isBreak = s.getKind() === SyntaxKind.BreakStatement;
        const labelNode = (s as unknown as { getLabel(): Node | undefined }).getLabel();
        if (!labelNode) {
          this.put({ k: isBreak ? "break" : "continue" });
          return;
        }
        const info = [...this.labels].reverse().find((l) => l.name === labelNode.getText());
        if (!info) {
          ctx.prog.report("KT1015", s);
          return;
        }
        if (isBreak) info.breakUsed = true;
        else info.continueUsed = true;
        this.put({ k: "goto", name: isBreak ? info.breakLabel : info.continueLabel });
        return;
      }
      case SyntaxKind.ReturnStatement:
        return this.returnStatement(s.asKindOrThrow(SyntaxKind.ReturnStatement));
      case SyntaxKind.ThrowStatement:
        ctx.prog.report("KT1002", s);
        return;
      case SyntaxKind.TryStatement: {
        // Reported once; the blocks are still checked so every violation shows.
        ctx.prog.report("KT1002", s);
        const ts = s.asKindOrThrow(SyntaxKind.TryStatement);
        this.collect(() => {
          this.block(ts.getTryBlock().getStatements());
          const fin = ts.getFinallyBlock();
          if (fin) this.block(fin.getStatements());
        });
        return;
      }
      case SyntaxKind.FunctionDeclaration: {
        const what = capturesText(s);
        if (what.startsWith("captures")) ctx.prog.report("KT3001", s, what);
        else ctx.prog.report("KT3002", s);
        return;
      }
      case SyntaxKind.ClassDeclaration:
      case SyntaxKind.EnumDeclaration:
        ctx.prog.report("KT1001", s, "a class or enum declared inside a function");
        return;
      case SyntaxKind.TypeAliasDeclaration:
      case SyntaxKind.InterfaceDeclaration:
        return;
      default:
        ctx.prog.report("KT1001", s, s.getKindName());
    }
  }

  /** Then/else branches and loop bodies: a block's statements, or one statement. */
  private body(s: Statement): CStmt[] {
    return this.collect(() => (Node.isBlock(s) ? this.block(s.getStatements()) : this.statement(s)));
  }

  private takeLabel(s: Node): LabelInfo | undefined {
    const parent = s.getParent();
    if (parent && Node.isLabeledStatement(parent)) return this.labels.find((l) => l.name === parent.getLabel().getText() && !l.breakLabel.endsWith("_done"));
    return undefined;
  }

  /** A loop's body, ending in its continue label when a labelled continue jumps there (break labels: labeled()). */
  private loopBody(body: Statement, label: LabelInfo | undefined): CStmt[] {
    const stmts = this.body(body);
    if (label?.continueUsed) stmts.push({ k: "label", name: label.continueLabel });
    return stmts;
  }

  private labeled(ls: Node): void {
    const l = ls.asKindOrThrow(SyntaxKind.LabeledStatement);
    const name = l.getLabel().getText();
    const inner = l.getStatement();
    const isLoop = Node.isIterationStatement(inner);
    if (!isLoop && !Node.isBlock(inner) && !Node.isSwitchStatement(inner)) {
      this.ctx.prog.report("KT1015", l);
      return;
    }
    const n = this.labelCounter++;
    const info: LabelInfo = { name, breakLabel: `kts_break_${name}_${n}`, continueLabel: `kts_continue_${name}_${n}`, breakUsed: false, continueUsed: false };
    if (!isLoop) info.continueLabel = "";
    this.labels.push(info);
    this.statement(inner);
    this.labels.pop();
    if (info.breakUsed) this.put({ k: "label", name: info.breakLabel });
  }

  private forStatement(fs: Node): void {
    const f = fs.asKindOrThrow(SyntaxKind.ForStatement);
    const ctx = this.ctx;
    const label = this.takeLabel(fs);
    // The initializer's declarations are scoped to the loop: a block around it.
    const scope = this.collect(() => {
      const init = f.getInitializer();
      if (init) {
        if (Node.isVariableDeclarationList(init)) {
          if (init.getDeclarationKind() === "var") ctx.prog.report("KT1003", init);
          for (const d of init.getDeclarations()) this.local(d);
        } else {
          const c = this.expressionStatement(init as Expression);
          if (c !== undefined) this.put(C.stmt(c));
        }
      }
      const condNode = f.getCondition();
      const test = condNode ? condition(ctx, condNode) : undefined;
      const inc = f.getIncrementor();
      const update = inc ? this.forUpdate(inc, condNode, f.getStatement()) : [];
      this.put({ k: "for", ...(test ? { test } : {}), update, body: this.loopBody(f.getStatement(), label) });
    });
    this.put({ k: "scope", body: scope });
  }

  /** The for-loop update: `i++`/`i--` when the condition bounds i, else assignments. */
  private forUpdate(inc: Expression, cond: Expression | undefined, body: Statement): CExpr[] {
    const parts = Node.isBinaryExpression(inc) && inc.getOperatorToken().getText() === "," ? [inc.getLeft(), inc.getRight()] : [inc];
    const out: CExpr[] = [];
    for (const p of parts) {
      if (Node.isPostfixUnaryExpression(p) || Node.isPrefixUnaryExpression(p)) {
        const plus = p.getOperatorToken() === SyntaxKind.PlusPlusToken;
        const operand = p.getOperand();
        const r = Node.isIdentifier(operand) ? resolveDecl(this.ctx, operand) : undefined;
        const ok =
          r?.kind === "local" &&
          r.local.type.k === "int" &&
          cond !== undefined &&
          Node.isBinaryExpression(cond) &&
          cond.getOperatorToken().getText() === (plus ? "<" : ">") &&
          Node.isIdentifier(cond.getLeft()) &&
          resolveDecl(this.ctx, cond.getLeft()).kind === "local" &&
          (resolveDecl(this.ctx, cond.getLeft()) as { local: LocalInfo }).local === r.local &&
          !changes(this.ctx, body, r.local) &&
          // The counter is stepped once per iteration: no other part of the update list changes it.
          !parts.some((q) => q !== p && changes(this.ctx, q, (r as { local: LocalInfo }).local));
        if (!ok) {
          this.ctx.prog.report("KT2003", p, plus ? "++" : "--", r?.kind === "local" ? typeName(r.local.type) : "u32");
          continue;
        }
        const local = (r as { local: LocalInfo }).local;
        local.used = true;
        out.push(C.step(plus ? "++" : "--", C.name(local.cname)));
        continue;
      }
      const c = this.expressionStatement(p);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  private forOf(fs: Node): void {
    const f = fs.asKindOrThrow(SyntaxKind.ForOfStatement);
    const ctx = this.ctx;
    const label = this.takeLabel(fs);
    if (f.isAwaited()) ctx.prog.report("KT1014", f);
    const arr = lowerExpr(ctx, f.getExpression());
    const init = f.getInitializer();
    if (arr.t.k === "error") return;
    if (arr.t.k !== "array") {
      ctx.prog.report("KT1001", f.getExpression(), `'for...of' over '${typeName(arr.t)}'`);
      return;
    }
    if (!Node.isVariableDeclarationList(init) || init.getDeclarations().length !== 1) {
      ctx.prog.report("KT1001", init, "this 'for...of' binding");
      return;
    }
    const d = init.getDeclarations()[0]!;
    if (!Node.isIdentifier(d.getNameNode())) {
      ctx.prog.report("KT1008", d);
      return;
    }
    const elem = arr.t.elem;
    const s = C.temp("s");
    const i = C.temp("i");
    const name = localCName(d.getName());
    const local: LocalInfo = { cname: name, type: elem, stack: !!arr.stack, used: false, isParam: false, isConst: true, node: d };
    ctx.locals.set(d.compilerNode, local);
    const at = C.index(C.member(s, "ptr"), i);
    const bind: CStmt = elem.k === "class" ? { k: "decl", type: `${cType(elem)}const`, name: C.name(name), init: C.unary("&", at) } : { k: "decl", qual: "const", type: cType(elem), name: C.name(name), init: at };
    const body = this.loopBody(f.getStatement(), label);
    const loop: CStmt = { k: "for", init: C.decl("uint32_t", i, C.lit("0")), test: C.binary("<", i, C.member(s, "len")), update: [C.step("++", i)], body: [bind, ...(local.used ? [] : [C.stmt(C.cast("void", C.name(name)))]), ...body] };
    this.put({ k: "scope", body: [C.decl(sliceTypeName(elem), s, sliceOf(arr)), loop] });
  }

  private switchStatement(ss: Node): void {
    const sw = ss.asKindOrThrow(SyntaxKind.SwitchStatement);
    const ctx = this.ctx;
    let d = lowerExpr(ctx, sw.getExpression());
    if (d.t.k === "error") return;
    if (d.t.k !== "int" && d.t.k !== "enum") {
      ctx.prog.report("KT2005", sw.getExpression(), "switch", typeName(d.t), "switch on an integer or enum");
      return;
    }
    d = coerce(ctx, sw.getExpression(), d, d.t, "switched on");
    const seen = new Set<string>();
    const cases: { label: string; body: CStmt[] }[] = [];
    for (const clause of sw.getClauses()) {
      let label = "default";
      if (Node.isCaseClause(clause)) {
        const ce = clause.getExpression();
        let v: Ex = lowerExpr(ctx, ce);
        // An integer switch may name its cases by enum members (a decoded number against an enum).
        const enumCase = v.t.k === "enum" && d.t.k === "int" && v.value !== undefined;
        // Its value must fit the switched type: in C it would be truncated and match another value.
        if (enumCase) v = d.t.k === "int" ? constOf(ctx, ce, v.value!, d.t.int) : v;
        else if (v.t.k !== "error") v = coerce(ctx, ce, v, d.t, "used as a case");
        if (v.t.k !== "error" && v.value === undefined) ctx.prog.report("KT2018", ce);
        else if (v.value !== undefined) {
          const key = v.value.toString();
          if (seen.has(key)) ctx.prog.report("KT2017", ce, key);
          seen.add(key);
          const lit = d.t.k === "int" ? cIntLiteral(v.value, d.t.int) : v.value.toString() + (d.t.k === "enum" && d.t.signed ? "" : "u");
          label = `case ${lit}`;
        }
      }
      cases.push({ label, body: this.collect(() => this.block(clause.getStatements())) });
    }
    this.put({ k: "switch", value: d.c, cases });
  }

  private returnStatement(rs: Node): void {
    const r = rs.asKindOrThrow(SyntaxKind.ReturnStatement);
    const ctx = this.ctx;
    const e = r.getExpression();
    if (!e) {
      this.put({ k: "return" });
      return;
    }
    if (ctx.retType.k === "void") {
      const c = lowerExpr(ctx, e);
      if (c.t.k !== "error" && c.t.k !== "void" && c.t.k !== "never") ctx.prog.report("KT2011", e, "void", typeName(c.t));
      this.put(C.stmt(c.c), { k: "return" });
      return;
    }
    let v = lowerExpr(ctx, e);
    if (v.t.k === "error" || ctx.retType.k === "error") return;
    if (v.stack) {
      ctx.prog.report("KT3020", e, v.stackName ?? e.getText(), "be returned");
      return;
    }
    if (ctx.retType.k === "class") {
      if (v.t.k !== "class" || v.t.decl.cname !== ctx.retType.decl.cname) ctx.prog.report("KT2011", e, typeName(ctx.retType), typeName(v.t));
    } else v = coerce(ctx, e, v, ctx.retType, "returned");
    if (v.t.k === "error") return;
    this.put({ k: "return", value: v.c });
  }

  /** An expression used as a statement: assignments and calls. Returns its C or undefined. */
  expressionStatement(e: Expression): CExpr | undefined {
    const ctx = this.ctx;
    if (Node.isBinaryExpression(e)) {
      const op = e.getOperatorToken().getText();
      if (op === "=") return this.assignment(e.getLeft(), e.getRight());
      if (/^([-+*/%&|^]|<<|>>|>>>|\*\*)=$/.test(op)) return this.compoundAssignment(e, op);
      if (op === ",") {
        const a = this.expressionStatement(e.getLeft());
        const b = this.expressionStatement(e.getRight());
        return a !== undefined && b !== undefined ? C.comma(a, b) : undefined;
      }
    }
    const v = lowerExpr(ctx, e);
    if (v.t.k === "error") return undefined;
    if (Node.isCallExpression(e)) return v.c;
    return C.cast("void", v.c);
  }

  /**
   * `x op= y`: allowed where `x = x op y` needs no conversion (`flags |= BIT` on
   * a u8, `mask &= m` on a u64; never `+=` on an integer, which may wrap). C
   * names the target twice, so the target must not call a function and, unless
   * it is a local (which no call can change), the value must neither call nor
   * panic: JS reads the target before it evaluates the value.
   */
  private compoundAssignment(e: BinaryExpression, op: string): CExpr | undefined {
    const ctx = this.ctx;
    const left = e.getLeft();
    const right = e.getRight();
    const base = op.slice(0, -1);
    if (base === "**") {
      ctx.prog.report("KT1001", e.getOperatorToken(), "'**='");
      return undefined;
    }
    const l = lowerExpr(ctx, left);
    const r = lowerExpr(ctx, right);
    if (l.t.k === "error" || r.t.k === "error") return undefined;
    const local = Node.isIdentifier(left) && resolveDecl(ctx, left).kind === "local";
    if (effectOf(ctx, left) === Effect.Calls || (!local && effectOf(ctx, right) >= Effect.MayPanic)) {
      ctx.prog.report("KT2023", e, op, typeName(l.t), base);
      return undefined;
    }
    if (!l.lvalue) {
      ctx.prog.report("KT1001", left, "assigning to this expression");
      return undefined;
    }
    const { lvalue: _place, ...current } = l;
    const v = lowerOperator(ctx, e, base, current, r);
    if (v.t.k === "error") return undefined;
    if (v.raw || v.frac) {
      ctx.prog.report("KT2023", e, op, typeName(l.t), base);
      return undefined;
    }
    const stored = coerce(ctx, right, v, l.t, "assigned");
    return stored.t.k === "error" ? undefined : C.assign(l.c, stored.c);
  }

  /** `left = right`, its parts evaluated in JS's order (order.ts). */
  private assignment(left: Expression, right: Expression): CExpr | undefined {
    const ctx = this.ctx;
    // Whether the value still needs lowering for its own diagnostics: only when the target could not be lowered.
    let valueLowered = false;
    let targetFailed = false;
    const target = (): Ex => {
      const l = lowerExpr(ctx, left);
      if (l.t.k === "error") {
        targetFailed = true;
        return l;
      }
      if (l.t.k === "array" || l.t.k === "class") {
        ctx.prog.report("KT3021", left.getParent()!);
        return ERR;
      }
      if (!l.lvalue) {
        ctx.prog.report("KT1001", left, "assigning to this expression");
        return ERR;
      }
      return l;
    };
    const value = (l: Ex): Ex => {
      valueLowered = true;
      return coerce(ctx, right, lowerExpr(ctx, right), l.t, "assigned");
    };
    const c = orderedStore(ctx, left, right, target, value);
    // A target that did not lower still gets its value checked, so that every error is reported in one run.
    if (!valueLowered && targetFailed) lowerExpr(ctx, right);
    return c;
  }

  /** A local declaration: scalar, pointer alias, slice, or stack storage. */
  local(d: VariableDeclaration): void {
    this.localInner(d);
    // A declaration that failed (reported) still declares its name: its uses report nothing more.
    if (!this.ctx.locals.has(d.compilerNode)) {
      this.ctx.locals.set(d.compilerNode, { cname: localCName(d.getName()), type: T.error, stack: false, used: true, isParam: false, isConst: true, node: d });
    }
  }

  private localInner(d: VariableDeclaration): void {
    const ctx = this.ctx;
    const nameNode = d.getNameNode();
    if (!Node.isIdentifier(nameNode)) {
      ctx.prog.report("KT1008", nameNode);
      return;
    }
    const isConst = d.getVariableStatement()?.getDeclarationKind() === "const" || d.getParent()?.getText().startsWith("const") === true;
    const name = localCName(d.getName());
    const typeNode = d.getTypeNode();
    const declared = typeNode ? resolveType(ctx, typeNode) : undefined;
    if (declared && (declared.k === "void" || declared.k === "never")) {
      ctx.prog.report("KT2000", typeNode!, typeName(declared));
      return;
    }
    const init = d.getInitializer();
    const register = (l: Omit<LocalInfo, "cname" | "used" | "isParam" | "isConst" | "node">) => {
      ctx.locals.set(d.compilerNode, { ...l, cname: name, used: false, isParam: false, isConst, node: d });
    };
    if (!init) {
      if (!declared) {
        ctx.prog.report("KT2004", nameNode, d.getName());
        return;
      }
      if (declared.k === "array" || declared.k === "class") {
        ctx.prog.report("KT3023", d);
        return;
      }
      register({ type: declared, stack: false });
      this.put(C.decl(cType(declared), C.name(name), declared.k === "bool" ? C.FALSE : C.ZERO));
      return;
    }
    const kind = arrayInitKind(ctx, init);
    if (kind) {
      const t = lowerArrayInit(ctx, init, declared, kind);
      if (!t) return;
      register({ type: t.type, arrayLen: t.len, stack: true });
      if (t.rows) this.put(rowsDecl(name, t.rows));
      this.put({ k: "decl", type: cElemType(t.type.elem), name: C.name(name), dims: [t.len], ...(t.declInit ? { init: t.declInit } : {}) });
      this.put(...t.initStmts(C.name(name)));
      return;
    }
    if (Node.isNewExpression(init)) {
      const cls = resolveDecl(ctx, init.getExpression());
      if (cls.kind !== "decl" || cls.decl.kind !== "class") {
        ctx.prog.report("KT1005", init.getExpression(), init.getExpression().getText());
        return;
      }
      const t: KType = { k: "class", decl: cls.decl.info };
      if (declared && declared.k !== "error" && (declared.k !== "class" || declared.decl.cname !== cls.decl.info.cname)) {
        ctx.prog.report("KT2011", init, typeName(declared), typeName(t));
      }
      const storage = C.name(`${name}__obj`);
      this.put(C.decl(cls.decl.info.cname, storage), C.decl(`${cType(t)}const`, C.name(name), C.unary("&", storage)));
      const n = lowerNew(ctx, init, C.name(name));
      if (n.t.k !== "error") this.put(C.stmt(n.c));
      register({ type: t, instance: true, stack: true });
      return;
    }
    let v = lowerExpr(ctx, init);
    if (v.t.k === "error") {
      register({ type: declared ?? T.error, stack: false });
      return;
    }
    let t = declared ?? v.t;
    if (!declared) {
      if (v.t.k === "untyped") {
        ctx.prog.report("KT2004", nameNode, d.getName());
        register({ type: T.error, stack: false });
        return;
      }
      if (v.t.k === "void" || v.t.k === "never") {
        ctx.prog.report("KT2020", init);
        register({ type: T.error, stack: false });
        return;
      }
    }
    if (t.k === "array" || v.t.k === "array") {
      if (v.t.k !== "array" || (declared && declared.k !== "array")) {
        ctx.prog.report("KT2011", init, typeName(t), typeName(v.t));
        return;
      }
      t = v.t;
      register({ type: t, stack: !!v.stack });
      this.put(C.decl(cType(t), C.name(name), sliceOf(v)));
      return;
    }
    if (t.k === "class") {
      if (v.t.k !== "class" || v.t.decl.cname !== t.decl.cname) {
        ctx.prog.report("KT2011", init, typeName(t), typeName(v.t));
        return;
      }
      register({ type: t, stack: !!v.stack });
      this.put(C.decl(`${cType(t)}const`, C.name(name), v.c));
      return;
    }
    v = coerce(ctx, init, v, t, "stored");
    register({ type: t, stack: false });
    if (v.t.k === "error") return;
    this.put({ k: "decl", ...(isConst ? { qual: "const" } : {}), type: cType(t), name: C.name(name), init: v.c });
  }
}

/**
 * Does `node` change the local (the for-loop counter): an assignment of any
 * kind, or ++/-- anywhere inside it, nested loops' updates included?
 */
function changes(ctx: FnCtx, node: Node, local: LocalInfo): boolean {
  const isLocal = (n: Node) => {
    if (!Node.isIdentifier(n)) return false;
    const r = resolveDecl(ctx, n);
    return r.kind === "local" && r.local === local;
  };
  const check = (n: Node): boolean => {
    if (Node.isBinaryExpression(n)) {
      const op = n.getOperatorToken().getText();
      if (op.endsWith("=") && !["==", "===", "!=", "!==", "<=", ">="].includes(op) && isLocal(n.getLeft())) return true;
    }
    if (Node.isPostfixUnaryExpression(n) && isLocal(n.getOperand())) return true;
    if (Node.isPrefixUnaryExpression(n) && (n.getOperatorToken() === SyntaxKind.PlusPlusToken || n.getOperatorToken() === SyntaxKind.MinusMinusToken) && isLocal(n.getOperand())) return true;
    return false;
  };
  if (check(node)) return true;
  let found = false;
  node.forEachDescendant((n, t) => {
    if (found) return t.stop();
    if (check(n)) found = true;
  });
  return found;
}

