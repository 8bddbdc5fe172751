/**
 * Name resolution by declaration identity: an identifier's symbol (through import
 * aliases) leads to its declaration node, which is a local of the current function,
 * a module-level declaration of the program, a prelude export (an intrinsic), or
 * something from TypeScript's lib or node_modules, which KTS cannot use.
 */
import { Node } from "ts-morph";
import { preludeModuleOf, type PreludeModule } from "../project/load.js";
import type { FnCtx, LocalInfo } from "./function-context.js";
import type { DeclInfo } from "./program.js";
import { INTRINSICS } from "../intrinsics/table.js";
import { isIntName } from "../types/ktype.js";

export type Resolved =
  | { kind: "local"; local: LocalInfo }
  | { kind: "decl"; decl: DeclInfo }
  | { kind: "intrinsic"; name: string; module: PreludeModule; decl: Node }
  | { kind: "lib" }
  /** A function declared inside a function (reported where it is declared). */
  | { kind: "nested" }
  | { kind: "unknown" };

export function resolveDecl(ctx: FnCtx, id: Node): Resolved {
  let sym = id.getSymbol();
  if (!sym) return { kind: "unknown" };
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  const decls = sym.getDeclarations();
  for (const d of decls) {
    const local = ctx.locals.get(d.compilerNode);
    if (local) return { kind: "local", local };
    const decl = ctx.prog.declOf(d);
    if (decl) return { kind: "decl", decl };
  }
  for (const d of decls) {
    if (Node.isFunctionDeclaration(d) && !Node.isSourceFile(d.getParent())) return { kind: "nested" };
    const sf = d.getSourceFile();
    const mod = preludeModuleOf(sf);
    if (mod) return { kind: "intrinsic", name: sym.getName(), module: mod, decl: d };
    if (sf.isInNodeModules() || sf.isDeclarationFile()) return { kind: "lib" };
  }
  return { kind: "unknown" };
}

/** The declaration node behind an identifier, or undefined. */
export function declarationOf(id: Node): Node | undefined {
  let sym = id.getSymbol();
  if (!sym) return undefined;
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  return sym.getDeclarations()[0];
}


/**
 * The prelude module that exports `name` ("kts" for the integer types and bool),
 * or undefined: for a name that resolves to nothing, whether an import is all
 * that is missing.
 */
export function preludeHomeOf(name: string): string | undefined {
  if (isIntName(name) || name === "bool") return "kts";
  return Object.hasOwn(INTRINSICS, name) ? INTRINSICS[name]!.module : undefined;
}

/**
 * Reports an identifier KTS cannot use: a prelude name this file does not import
 * (KT2021), another lib global (KT1005), or nothing at all (TypeScript's own
 * TS2304 says so).
 */
export function reportUnusable(ctx: FnCtx, id: Node, kind: "lib" | "unknown"): void {
  const home = preludeHomeOf(id.getText());
  if (home) ctx.prog.report("KT2021", id, id.getText(), home);
  else if (kind === "lib") ctx.prog.report("KT1005", id, id.getText());
  // A name that resolves to nothing at all: TypeScript reports it (TS2304), which stops the build; a second error would only repeat it.
  else if (id.getSymbol() !== undefined) ctx.prog.report("KT2020", id, id.getText());
}
