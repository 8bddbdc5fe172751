/**
 * One walk over each module's syntax tree, before any lowering, for what the
 * lowering would otherwise pass over silently or crash on: definite assignment
 * (`x!: T`), `accessor` fields, class index signatures, `declare enum`,
 * `export default class`, and nesting deeper than the C compiler (256 levels
 * of brackets) or the lowering's recursion can take. It walks TypeScript's
 * own nodes with an explicit stack, so a ten-thousand-term expression is a
 * diagnostic, not a stack overflow. Returns false if the module must not be
 * lowered.
 */
import { ts, type SourceFile } from "ts-morph";
import type { ProgramContext } from "./program.js";

/** Levels of syntax (statements, blocks, expressions) below a module's top. */
export const MAX_DEPTH = 60;

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === kind);
}

export function checkSyntax(prog: ProgramContext, sf: SourceFile): boolean {
  const root = sf.compilerNode;
  let ok = true;
  const stack: [ts.Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) {
      if (ok) prog.reportSpan("KT1025", sf, n, String(MAX_DEPTH));
      ok = false;
      continue;
    }
    if ((ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n)) && n.exclamationToken) prog.reportSpan("KT1022", sf, n);
    else if (ts.isPropertyDeclaration(n) && hasModifier(n, ts.SyntaxKind.AccessorKeyword)) prog.reportSpan("KT1001", sf, n, "an 'accessor' field");
    else if (ts.isIndexSignatureDeclaration(n) && ts.isClassDeclaration(n.parent)) prog.reportSpan("KT1001", sf, n, "an index signature");
    else if (ts.isEnumDeclaration(n) && hasModifier(n, ts.SyntaxKind.DeclareKeyword)) prog.reportSpan("KT1001", sf, n, "a 'declare' enum");
    else if (ts.isClassDeclaration(n) && hasModifier(n, ts.SyntaxKind.DefaultKeyword)) prog.reportSpan("KT1016", sf, n);
    ts.forEachChild(n, (c) => {
      stack.push([c, depth + 1]);
    });
  }
  return ok;
}
