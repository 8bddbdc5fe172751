/**
 * Per-function lowering state: locals (by declaration node), the enclosing class,
 * the return type, fresh temporaries and loop labels, and the printer that
 * spells the function's C IR (its temporaries named from one counter).
 */
import type { Node, SourceFile, ts } from "ts-morph";
import type { KType } from "../types/ktype.js";
import type { CExpr } from "../cir/nodes.js";
import { tempName } from "../cir/names.js";
import { CPrinter } from "../cir/print.js";
import type { ClassInfo, ProgramContext } from "./program.js";

export interface LocalInfo {
  cname: string;
  type: KType;
  /** Owned array storage of this length on the stack. */
  arrayLen?: number;
  /** A class instance stored on this function's stack. */
  instance?: boolean;
  /** Rooted in this function's stack: may not escape. */
  stack: boolean;
  used: boolean;
  isParam: boolean;
  isConst: boolean;
  node: Node;
}

export class FnCtx {
  /** Keyed by the compiler node of the variable or parameter declaration. */
  readonly locals = new Map<ts.Node, LocalInfo>();
  private tmpCounter = 0;
  /** Labels whose break/continue is used, so only those get C labels. */
  readonly usedLabels = new Set<string>();
  /**
   * Sub-expressions already evaluated into temporaries (order.ts): lowering one
   * of these nodes again yields its temporary instead of its code.
   */
  readonly evaluated = new Map<ts.Node, unknown>();

  constructor(
    readonly prog: ProgramContext,
    readonly module: SourceFile,
    readonly retType: KType,
    readonly cls: ClassInfo | undefined,
  ) {}

  tmp(base: string): string {
    return tempName(base, this.tmpCounter++);
  }

  /** Prints C IR in this function: its temporaries are named from the same counter as tmp(). */
  readonly printer = new CPrinter((hint) => this.tmp(hint));

  /** A whole expression (a statement, an initializer, a condition). */
  c(e: CExpr): string {
    return this.printer.expr(e);
  }
}
