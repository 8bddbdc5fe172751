/**
 * Program-wide lowering state: the diagnostic bag, the target, C names, and the
 * registry of every module-level declaration (functions, variables, classes,
 * enums) keyed by its ts-morph node, so that identifiers are resolved by
 * declaration identity and never by spelling.
 */
import path from "node:path";
import { Node, type SourceFile, type ts } from "ts-morph";
import { DiagnosticBag } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/messages.js";
import { relPath } from "../project/load.js";
import type { Arch } from "../intrinsics/table.js";
import type { KType, NamedDecl } from "../types/ktype.js";
import type { RowStorage } from "./storage.js";
import { moduleMemberName, modulePrefix } from "../cir/names.js";

export interface Target {
  kind: "host" | "freestanding";
  arch: Arch;
}

export interface FieldInfo {
  name: string;
  cname: string;
  type: KType;
  /** Length of an embedded (owned) array field. */
  arrayLen?: number;
  /** The rows behind an embedded array of arrays. */
  rows?: RowStorage;
  node: Node;
}

export interface ClassInfo extends NamedDecl {
  kind: "class";
  node: Node;
  module: SourceFile;
  fields: Map<string, FieldInfo>;
  ctorParams: KType[] | undefined;
  exported: boolean;
}

export type DeclInfo =
  | { kind: "fn"; cname: string; type: Extract<KType, { k: "fn" }>; extern: boolean; node: Node }
  | {
      kind: "var";
      cname: string;
      type: KType;
      isConst: boolean;
      /** Known integer value (folded at uses when `untyped`). */
      value?: bigint;
      untyped?: boolean;
      /** An untyped '/' or '%' result (Node keeps the fraction): usable only converted. */
      frac?: boolean;
      arrayLen?: number; // owned static array
      instance?: boolean; // static class instance
      node: Node;
    }
  | { kind: "class"; info: ClassInfo }
  | { kind: "method"; cname: string; type: Extract<KType, { k: "fn" }>; isStatic: boolean; cls: ClassInfo; node: Node }
  | { kind: "enum"; type: Extract<KType, { k: "enum" }>; node: Node }
  | { kind: "enumMember"; type: Extract<KType, { k: "enum" }>; value: bigint; cname: string; node: Node };

export class ProgramContext {
  readonly diags = new DiagnosticBag();
  /** Keyed by the compiler node of the declaration (stable across wrappers). */
  private readonly decls = new Map<ts.Node, DeclInfo>();
  /** Modules that declared "use unsafe". */
  readonly unsafeModules = new Set<SourceFile>();
  /** Unsafe API call sites per module (cambi check --unsafe). */
  readonly unsafeSites = new Map<string, number>();

  constructor(readonly target: Target) {}

  declOf(node: Node): DeclInfo | undefined {
    return this.decls.get(node.compilerNode);
  }

  setDecl(node: Node, info: DeclInfo): void {
    this.decls.set(node.compilerNode, info);
  }

  report(code: DiagnosticCode, node: Node, ...args: string[]): void {
    this.reportSpan(code, node.getSourceFile(), node.compilerNode, ...args);
  }

  /** report() for a node of TypeScript's own tree (syntax-limits.ts walks those without wrapping them). */
  reportSpan(code: DiagnosticCode, sf: SourceFile, n: ts.Node, ...args: string[]): void {
    const start = n.getStart(sf.compilerNode);
    const { line, column } = sf.getLineAndColumnAtPos(start);
    const lineText = sf.getFullText().split(/\r?\n/)[line - 1] ?? "";
    const end = Math.min(n.getEnd(), start + Math.max(1, lineText.length - column + 1));
    this.diags.report(code, { file: relPath(sf.getFilePath()), line, col: column, length: Math.max(1, end - start), sourceLine: lineText }, ...args);
  }

  /** The C prefix of a module: its path below the repo (or src/), segments joined by '_'. */
  modulePrefix(sf: SourceFile): string {
    return modulePrefix(relPath(sf.getFilePath()));
  }

  cname(sf: SourceFile, name: string): string {
    return moduleMemberName(this.modulePrefix(sf), name);
  }

  /** Generated file base name for a module (e.g. lib_crypto_blake3). */
  fileBase(sf: SourceFile): string {
    return this.modulePrefix(sf);
  }

  siteFile(node: Node): string {
    return relPath(node.getSourceFile().getFilePath());
  }
}

// C names are decided in compiler/cir/names.ts; these are re-exported for the lowering.
export { classCtorName, classInitName, localCName } from "../cir/names.js";

export function baseName(file: string): string {
  return path.basename(file);
}
