/**
 * The C-level IR: what the lowering (compiler/lower/) decides about a C
 * expression — its operations, the order in which its parts are evaluated
 * (GNU statement expressions binding temporaries), and which names it uses —
 * without its spelling. compiler/cir/print.ts spells it: parentheses from
 * precedence, and the names of temporaries, chosen in one place.
 */

/** A temporary: a value computed once, named when printed (names.ts). */
export interface Temp {
  readonly hint: string;
  name?: string;
}

export type CExpr =
  /** A literal or a constant macro, spelled as given (`5u`, `INT64_C(-3)`, `"text"`, `true`). */
  | { k: "lit"; text: string }
  /** A C identifier: a function, a variable, a field of `self`. */
  | { k: "name"; name: string }
  | { k: "temp"; temp: Temp }
  | { k: "call"; fn: CExpr; args: CExpr[] }
  | { k: "index"; base: CExpr; index: CExpr }
  | { k: "member"; base: CExpr; field: string; arrow: boolean }
  /** `(T){ a, b }` */
  | { k: "compound"; type: string; items: CExpr[] }
  | { k: "unary"; op: "!" | "~" | "-" | "&" | "*"; operand: CExpr }
  | { k: "cast"; type: string; operand: CExpr }
  | { k: "binary"; op: string; left: CExpr; right: CExpr }
  | { k: "cond"; test: CExpr; then: CExpr; else: CExpr }
  /** Evaluated left to right; the value is the last one's. */
  | { k: "comma"; items: CExpr[] }
  | { k: "assign"; target: CExpr; value: CExpr }
  /** A GNU statement expression `({ stmts; result; })`: temporaries bound in order, then the result. */
  | { k: "block"; stmts: CStmt[]; result: CExpr }
  /**
   * C given as text with holes: `$0`, `$1` … (the args) and `$site` (the file
   * and line arguments of a runtime check). The intrinsics table is written
   * this way, and so is inline assembly.
   */
  | { k: "template"; text: string; args: CExpr[]; site?: CExpr[] }
  /** `{ a, b }`: an aggregate's initializer. */
  | { k: "initList"; items: CExpr[] }
  /** `target++` / `target--` (a for-loop counter's step). */
  | { k: "step"; op: "++" | "--"; target: CExpr };

/** A statement. `at` marks the source line the following statements come from (`#line`). */
export type CStmt =
  /** `[qual ]type name[dims] = init;` (`__auto_type` takes the init's type; no init: uninitialized). */
  | { k: "decl"; type: string; name: CExpr; init?: CExpr; dims?: number[]; qual?: string }
  | { k: "expr"; e: CExpr }
  | { k: "if"; test: CExpr; then: CStmt[]; else?: CStmt[] }
  | { k: "while"; test: CExpr; body: CStmt[] }
  | { k: "do"; body: CStmt[]; test: CExpr }
  | { k: "for"; init?: CStmt; test?: CExpr; update: CExpr[]; body: CStmt[] }
  /** Each case is `case <constant>` or `default`, with its statements. */
  | { k: "switch"; value: CExpr; cases: { label: string; body: CStmt[] }[] }
  | { k: "scope"; body: CStmt[] }
  | { k: "label"; name: string }
  | { k: "goto"; name: string }
  | { k: "break" }
  | { k: "continue" }
  | { k: "return"; value?: CExpr }
  | { k: "at"; file: string; line: number };

export type CDecl = Extract<CStmt, { k: "decl" }>;

export const lit = (text: string): CExpr => ({ k: "lit", text });
export const name = (n: string): CExpr => ({ k: "name", name: n });
export const call = (fn: string | CExpr, ...args: CExpr[]): CExpr => ({ k: "call", fn: typeof fn === "string" ? name(fn) : fn, args });
export const index = (base: CExpr, i: CExpr): CExpr => ({ k: "index", base, index: i });
export const member = (base: CExpr, field: string): CExpr => ({ k: "member", base, field, arrow: false });
export const arrow = (base: CExpr, field: string): CExpr => ({ k: "member", base, field, arrow: true });
export const compound = (type: string, ...items: CExpr[]): CExpr => ({ k: "compound", type, items });
export const unary = (op: "!" | "~" | "-" | "&" | "*", operand: CExpr): CExpr => ({ k: "unary", op, operand });
export const cast = (type: string, operand: CExpr): CExpr => ({ k: "cast", type, operand });
export const binary = (op: string, left: CExpr, right: CExpr): CExpr => ({ k: "binary", op, left, right });
export const cond = (test: CExpr, then: CExpr, otherwise: CExpr): CExpr => ({ k: "cond", test, then, else: otherwise });
export const comma = (...items: CExpr[]): CExpr => (items.length === 1 ? items[0]! : { k: "comma", items });
export const assign = (target: CExpr, value: CExpr): CExpr => ({ k: "assign", target, value });
export const template = (text: string, args: CExpr[] = [], site?: CExpr[]): CExpr => ({ k: "template", text, args, ...(site ? { site } : {}) });
export const decl = (type: string, n: CExpr, init?: CExpr): CStmt => ({ k: "decl", type, name: n, ...(init ? { init } : {}) });
export const initList = (...items: CExpr[]): CExpr => ({ k: "initList", items });
export const step = (op: "++" | "--", target: CExpr): CExpr => ({ k: "step", op, target });

/** `for (uint32_t i = 0; i < n; i++) body`: the loop the compiler writes to fill or copy storage. */
export function countedLoop(i: CExpr, n: CExpr, body: CStmt[]): CStmt {
  return { k: "for", init: decl("uint32_t", i, lit("0")), test: binary("<", i, n), update: [step("++", i)], body };
}
export const stmt = (e: CExpr): CStmt => ({ k: "expr", e });

/** `({ stmts; result; })`, or just the result when there is nothing to do first. */
export function block(stmts: CStmt[], result: CExpr): CExpr {
  return stmts.length === 0 ? result : { k: "block", stmts, result };
}

/** A fresh temporary; `hint` starts its name. */
export function temp(hint: string): CExpr {
  return { k: "temp", temp: { hint } };
}

/** `({ __auto_type t = value; use(t); })`: value evaluated once, used through t (possibly twice). */
export function bindOnce(hint: string, value: CExpr, use: (t: CExpr) => CExpr): CExpr {
  const t = temp(hint);
  return block([decl("__auto_type", t, value)], use(t));
}

/** The boolean constants. */
export const TRUE = lit("true");
export const FALSE = lit("false");
export const ZERO = lit("0");

export function isLit(e: CExpr, text?: string): boolean {
  return e.k === "lit" && (text === undefined || e.text === text);
}

/**
 * C that names storage (a name, a temporary, fields through them, `&name`):
 * reading it twice evaluates nothing twice.
 */
export function isPath(e: CExpr): boolean {
  switch (e.k) {
    case "name":
    case "temp":
      return true;
    case "member":
      return isPath(e.base);
    case "unary":
      return e.op === "&" && (e.operand.k === "name" || e.operand.k === "temp");
    default:
      return false;
  }
}
