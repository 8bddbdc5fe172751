/**
 * Recursion in the source: the program's direct calls between its own
 * functions (functions, methods, constructors, class initializers; calls
 * through pointers are not followed), its cycles (strongly connected
 * components), and the `@recursion N — why` marks that bound them. A mark says
 * that no function of its cycle is on a stack more than N times at once; the
 * kernel link (compiler/build/stack-depth.ts) counts a marked cycle's frames N
 * times, and a kernel build (`boundedRecursion`) refuses an unmarked cycle.
 * Reported here: a malformed mark (KT1030), a mark on a function in no cycle
 * (KT1031), two marks in one cycle (KT1032), an unmarked cycle where recursion
 * must be bounded (KT1033).
 */
import { Node, SyntaxKind, type SourceFile } from "ts-morph";
import { relPath } from "../project/root.js";
import { classCtorName, classInitName, type ClassInfo, type ProgramContext } from "./program.js";

export interface RecursionMark {
  /** C name and `file.ts:line name` of the marked function. */
  cname: string;
  site: string;
  bound: number;
  reason: string;
}

/** A cycle of direct calls in the source: its functions by C name (sorted), and its mark if it has one. */
export interface SourceCycle {
  members: { cname: string; site: string }[];
  mark?: RecursionMark;
}

interface FnNode {
  cname: string;
  /** `file.ts:line name`, for messages. */
  site: string;
  /** Where a diagnostic about it points, and whose JSDoc may hold the mark. */
  decl: Node;
  calls: Set<string>;
}

const TAG = "recursion";

/**
 * The program's cycles of direct calls, with their marks; reports the marks'
 * mistakes and, with `bounded`, every cycle without a mark.
 */
export function findRecursion(prog: ProgramContext, modules: SourceFile[], bounded: boolean): SourceCycle[] {
  const fns = new Map<string, FnNode>();
  const add = (cname: string, decl: Node, name: string, bodies: (Node | undefined)[]) => {
    const calls = new Set<string>();
    for (const b of bodies) if (b) collectCalls(prog, b, calls);
    const line = decl.getSourceFile().getLineAndColumnAtPos(decl.getStart()).line;
    fns.set(cname, { cname, site: `${relPath(decl.getSourceFile().getFilePath())}:${line} ${name}`, decl, calls });
  };
  for (const sf of modules) {
    for (const s of sf.getStatements()) {
      if (Node.isFunctionDeclaration(s)) {
        const d = prog.declOf(s);
        if (d?.kind === "fn" && !d.extern && s.hasBody()) add(d.cname, s, s.getName() ?? "", [s.getBody()]);
      } else if (Node.isClassDeclaration(s)) {
        const c = prog.declOf(s);
        if (c?.kind !== "class") continue;
        const cls = c.info;
        const ctor = s.getConstructors().find((k) => k.hasBody());
        // The initializer runs the field initializers, then the constructor.
        const init: (Node | undefined)[] = s.getProperties().map((p) => p.getInitializer());
        const initCalls = new Set<string>();
        if (ctor) {
          add(classCtorName(cls), ctor, `${cls.tsName}.constructor`, [ctor.getBody()]);
          initCalls.add(classCtorName(cls));
        }
        add(classInitName(cls), s, `new ${cls.tsName}`, init);
        for (const x of initCalls) fns.get(classInitName(cls))!.calls.add(x);
        for (const m of s.getMethods()) {
          const d = prog.declOf(m);
          if (d?.kind === "method" && m.hasBody()) add(d.cname, m, `${cls.tsName}.${m.getName()}`, [m.getBody()]);
        }
      }
    }
  }

  const marks = new Map<string, RecursionMark>();
  for (const f of fns.values()) {
    const m = markOf(prog, f);
    if (m) marks.set(f.cname, m);
  }

  const cycles: SourceCycle[] = [];
  const inCycle = new Set<string>();
  for (const scc of stronglyConnected(fns.keys(), (n) => fns.get(n)!.calls)) {
    const only = scc[0]!;
    if (scc.length === 1 && !fns.get(only)!.calls.has(only)) continue;
    const members = scc.map((n) => fns.get(n)!).sort((a, b) => a.cname.localeCompare(b.cname));
    for (const m of members) inCycle.add(m.cname);
    const marked = members.filter((m) => marks.has(m.cname));
    const cycle: SourceCycle = { members: members.map((m) => ({ cname: m.cname, site: m.site })) };
    if (marked.length > 1) prog.report("KT1032", nameNode(marked[1]!.decl), tsName(marked[1]!), marked.map(tsName).join("', '"));
    if (marked.length >= 1) cycle.mark = marks.get(marked[0]!.cname)!;
    else if (bounded) {
      const first = [...members].sort((a, b) => a.site.localeCompare(b.site, undefined, { numeric: true }))[0]!;
      prog.report("KT1033", nameNode(first.decl), tsName(first), members.map((m) => m.site).join(", "));
    }
    cycles.push(cycle);
  }
  for (const [cname, m] of marks) if (!inCycle.has(cname)) prog.report("KT1031", nameNode(fns.get(cname)!.decl), tsName(fns.get(cname)!));
  return cycles.sort((a, b) => a.members[0]!.cname.localeCompare(b.members[0]!.cname));
}

/** The `@recursion N — why` tag of a function's JSDoc, or undefined (KT1030 if it is malformed). */
function markOf(prog: ProgramContext, f: FnNode): RecursionMark | undefined {
  const decl = f.decl;
  if (!Node.isJSDocable(decl) || Node.isClassDeclaration(decl)) return undefined;
  let found: RecursionMark | undefined;
  for (const doc of decl.getJsDocs()) {
    for (const tag of doc.getTags()) {
      if (tag.getTagName() !== TAG) continue;
      const text = (tag.getCommentText() ?? "").replace(/\s+/g, " ").trim();
      const m = /^(\d+)\s*(?:[—–:-]+\s*)?(\S.*)$/.exec(text);
      const bound = m ? Number(m[1]) : 0;
      if (!m || bound < 1 || bound > 1_000_000 || found) {
        prog.report("KT1030", tag);
        continue;
      }
      found = { cname: f.cname, site: f.site, bound, reason: m[2]!.replace(/\s*\*\/$/, "") };
    }
  }
  return found;
}

/** The TypeScript name in a site (`file.ts:line name`). */
function tsName(f: { site: string }): string {
  return f.site.replace(/^\S* /, "");
}

function nameNode(decl: Node): Node {
  if (Node.isConstructorDeclaration(decl)) return decl.getFirstChildByKind(SyntaxKind.ConstructorKeyword) ?? decl;
  return (Node.hasName(decl) ? decl.getNameNode() : undefined) ?? decl;
}

/** The C functions body calls directly: functions and methods of the program by name, `new C()` as C's initializer. */
function collectCalls(prog: ProgramContext, body: Node, out: Set<string>): void {
  body.forEachDescendant((n) => {
    if (Node.isCallExpression(n)) {
      const callee = n.getExpression();
      const id = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : Node.isIdentifier(callee) ? callee : undefined;
      const target = id ? declsOf(id).map((d) => prog.declOf(d)).find((d) => d !== undefined) : undefined;
      if ((target?.kind === "fn" && !target.extern) || target?.kind === "method") out.add(target.cname);
    } else if (Node.isNewExpression(n)) {
      const target = declsOf(n.getExpression()).map((d) => prog.declOf(d)).find((d) => d !== undefined);
      if (target?.kind === "class") out.add(classInitName(target.info as ClassInfo));
    }
  });
}

function declsOf(id: Node): Node[] {
  let sym = id.getSymbol();
  if (!sym) return [];
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  return sym.getDeclarations();
}

/**
 * Strongly connected components (Tarjan) of the graph of `names` and their
 * `callees` (names outside the graph are ignored), callees' components before
 * their callers'; iterative, so deep call chains cannot overflow. The kernel's
 * stack check (compiler/build/stack-depth.ts) finds the image's cycles with it.
 */
export function stronglyConnected(names: Iterable<string>, callees: (name: string) => Iterable<string>): string[][] {
  const all = new Set(names);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of [...all].sort()) {
    if (index.has(root)) continue;
    const work: { v: string; edges: string[]; i: number }[] = [];
    const open = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      work.push({ v, edges: [...callees(v)].filter((c) => all.has(c)).sort(), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.edges.length) {
        const w = top.edges[top.i++]!;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
          if (w === top.v) break;
        }
        out.push(scc);
      }
    }
  }
  return out;
}
