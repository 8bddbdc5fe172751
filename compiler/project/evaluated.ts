/**
 * Which modules Node evaluates. esbuild, like tsc, drops an import whose
 * bindings are used only in types (or not at all), so a module reached only
 * through such imports is never evaluated under Node and its initializers never
 * run. C initializes exactly the modules this finds, in load order. Syntactic,
 * as esbuild is: a binding counts as used where its name appears outside type
 * annotations, import clauses and property names.
 */
import { ts, type SourceFile } from "ts-morph";

/** The names a module uses as values. */
function valueNames(sf: SourceFile): Set<string> {
  const names = new Set<string>();
  const stack: ts.Node[] = [sf.compilerNode];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ts.isImportDeclaration(n) || ts.isTypeNode(n) || ts.isTypeAliasDeclaration(n) || ts.isInterfaceDeclaration(n)) continue;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const propertyName = p && (ts.isPropertyAccessExpression(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertyAssignment(p) || ts.isEnumMember(p)) && (p as { name?: ts.Node }).name === n;
      if (!propertyName) names.add(n.text);
    }
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
  return names;
}

/** Whether Node keeps this import (and so evaluates the module it names). */
function keptByNode(imp: ts.ImportDeclaration | ts.ExportDeclaration, used: () => Set<string>): boolean {
  if (ts.isExportDeclaration(imp)) return !imp.isTypeOnly;
  const clause = imp.importClause;
  if (!clause) return true; // `import "./x"`: for its effects
  if (clause.isTypeOnly) return false;
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamedImports(bindings)) return bindings.elements.some((e) => !e.isTypeOnly && used().has(e.name.text));
  return true;
}

export function evaluatedModules(entry: SourceFile, isProjectModule: (sf: SourceFile) => boolean): Set<SourceFile> {
  const out = new Set<SourceFile>();
  const visit = (sf: SourceFile) => {
    if (out.has(sf)) return;
    out.add(sf);
    let names: Set<string> | undefined;
    const used = () => (names ??= valueNames(sf));
    for (const decl of [...sf.getImportDeclarations(), ...sf.getExportDeclarations()]) {
      const spec = decl.compilerNode.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || !keptByNode(decl.compilerNode, used)) continue;
      const dep = decl.getModuleSpecifierSourceFile();
      if (dep && isProjectModule(dep)) visit(dep);
    }
  };
  visit(entry);
  return out;
}
