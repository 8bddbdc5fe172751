/**
 * Spells C IR (nodes.ts) as C text. Parentheses come from C's precedence, with
 * one house rule: an operand that is itself a binary operation or a `?:` is
 * always parenthesized (clang's -Wparentheses warnings are errors here, and
 * `a & b == c` reads wrongly to everyone). Temporaries are named on first
 * print by the function's namer, so every name in a function comes from one
 * counter.
 */
import type { CExpr, CStmt, Temp } from "./nodes.js";

/** Names a temporary: `kts_<hint><n>`, unique in its function. */
export type Namer = (hint: string) => string;

// C's precedence levels, loosest to tightest.
const COMMA = 1;
const ASSIGN = 2;
const COND = 3;
const UNARY = 14;
const POSTFIX = 16;

const BINARY_LEVEL: Record<string, number> = {
  "||": 4, "&&": 5, "|": 6, "^": 7, "&": 8, "==": 9, "!=": 9,
  "<": 10, ">": 10, "<=": 10, ">=": 10, "<<": 11, ">>": 11,
  "+": 12, "-": 12, "*": 13, "/": 13, "%": 13,
};

function level(e: CExpr): number {
  switch (e.k) {
    case "lit":
      // A negative number is a unary minus applied to a constant.
      return e.text.startsWith("-") ? UNARY : POSTFIX;
    case "name":
    case "temp":
    case "call":
    case "index":
    case "member":
    case "compound":
    case "block":
      return POSTFIX;
    case "unary":
    case "cast":
      return UNARY;
    case "binary":
      return BINARY_LEVEL[e.op] ?? 0;
    case "cond":
      return COND;
    case "assign":
      return ASSIGN;
    case "comma":
      return COMMA;
    case "template":
      // Text of any shape: parenthesized wherever precedence matters.
      return 0;
    case "initList":
      return POSTFIX;
    case "step":
      return POSTFIX;
  }
}

export class CPrinter {
  constructor(private readonly namer: Namer) {}

  /** `e` where an expression of at least precedence `min` may stand (0: a whole expression). */
  expr(e: CExpr, min = 0): string {
    const s = this.form(e);
    return level(e) < min ? `(${s})` : s;
  }

  /** An argument, an initializer or an array index: anything but a comma expression. */
  arg(e: CExpr): string {
    return this.expr(e, ASSIGN);
  }

  /** A declaration or an expression statement, on one line (statement expressions hold only these). */
  stmt(s: CStmt): string {
    if (s.k === "decl") {
      const dims = (s.dims ?? []).map((d) => `[${d}]`).join("");
      const init = s.init ? ` = ${this.arg(s.init)}` : "";
      return `${s.qual ? `${s.qual} ` : ""}${s.type} ${this.expr(s.name)}${dims}${init};`;
    }
    if (s.k === "expr") return `${this.expr(s.e)};`;
    throw new Error(`statement ${s.k} inside an expression`);
  }

  private tempName(t: Temp): string {
    t.name ??= this.namer(t.hint);
    return t.name;
  }

  /** An operand of a binary operator or of `?:`: the house rule parenthesizes nested operations. */
  private operand(e: CExpr): string {
    return this.expr(e, UNARY);
  }

  private form(e: CExpr): string {
    switch (e.k) {
      case "lit":
        return e.text;
      case "name":
        return e.name;
      case "temp":
        return this.tempName(e.temp);
      case "call":
        return `${this.expr(e.fn, POSTFIX)}(${e.args.map((a) => this.arg(a)).join(", ")})`;
      case "index":
        return `${this.expr(e.base, POSTFIX)}[${this.expr(e.index)}]`;
      case "member":
        return `${this.expr(e.base, POSTFIX)}${e.arrow ? "->" : "."}${e.field}`;
      case "compound":
        return `(${e.type}){ ${e.items.map((a) => this.arg(a)).join(", ")} }`;
      case "unary": {
        // The operand is a primary expression: no `- -x` or `&-x` surprises.
        return `${e.op}${this.expr(e.operand, POSTFIX)}`;
      }
      case "cast":
        return `(${e.type})${this.expr(e.operand, UNARY)}`;
      case "binary":
        return `${this.operand(e.left)} ${e.op} ${this.operand(e.right)}`;
      case "cond":
        return `${this.operand(e.test)} ? ${this.operand(e.then)} : ${this.operand(e.else)}`;
      case "comma":
        return e.items.map((a) => this.arg(a)).join(", ");
      case "assign":
        return `${this.expr(e.target, UNARY)} = ${this.arg(e.value)}`;
      case "block":
        return `({ ${[...e.stmts.map((s) => this.stmt(s)), `${this.expr(e.result)};`].join(" ")} })`;
      case "template":
        return this.template(e.text, e.args, e.site);
      case "initList":
        return `{ ${e.items.map((a) => this.arg(a)).join(", ")} }`;
      case "step":
        return `${this.expr(e.target, POSTFIX)}${e.op}`;
    }
  }

  /** Fills a template's holes: an argument hole between `(`/`, ` and `)`/`,` takes any expression, others a primary one. */
  private template(text: string, args: CExpr[], site: CExpr[] | undefined): string {
    let out = text;
    if (site) out = out.replace(/\$site/g, site.map((a) => this.arg(a)).join(", "));
    return out.replace(/\$(\d)/g, (hole: string, i: string, at: number) => {
      const before = out.slice(0, at).trimEnd();
      const after = out.slice(at + hole.length).trimStart();
      const free = (before.endsWith("(") || before.endsWith(",")) && (after.startsWith(")") || after.startsWith(","));
      return free ? this.arg(args[Number(i)]!) : this.expr(args[Number(i)]!, POSTFIX);
    });
  }
}
