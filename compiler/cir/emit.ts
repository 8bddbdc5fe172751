/**
 * Emits C statements (nodes.ts) as indented lines, with `#line` directives
 * so that debuggers, panics and the kernel's line table point at the `.ts`
 * source: a directive is written when a statement's source position differs
 * from the last one written, and after any nested body (the next statement
 * re-anchors).
 */
import type { CStmt } from "./nodes.js";
import type { CPrinter } from "./print.js";

export class CEmitter {
  readonly lines: string[] = [];
  private lastFile = "";
  private lastLine = -1;

  constructor(
    private readonly p: CPrinter,
    /** Whether `at` marks become `#line` directives. */
    private readonly lineDirectives = true,
  ) {}

  emit(stmts: CStmt[], depth = 1): void {
    for (const s of stmts) this.one(s, depth);
  }

  private put(depth: number, text: string): void {
    this.lines.push("    ".repeat(depth) + text);
  }

  private body(stmts: CStmt[], depth: number): void {
    this.emit(stmts, depth);
    this.lastLine = -1;
  }

  private one(s: CStmt, d: number): void {
    const p = this.p;
    switch (s.k) {
      case "at":
        if (!this.lineDirectives || (s.line === this.lastLine && s.file === this.lastFile)) return;
        this.lines.push(`#line ${s.line} "${s.file}"`);
        this.lastLine = s.line;
        this.lastFile = s.file;
        return;
      case "decl":
      case "expr":
        this.put(d, p.stmt(s));
        return;
      case "if":
        this.put(d, `if (${p.expr(s.test)}) {`);
        this.body(s.then, d + 1);
        if (s.else) {
          this.put(d, "} else {");
          this.body(s.else, d + 1);
        }
        this.put(d, "}");
        return;
      case "while":
        this.put(d, `while (${p.expr(s.test)}) {`);
        this.body(s.body, d + 1);
        this.put(d, "}");
        return;
      case "do":
        this.put(d, "do {");
        this.body(s.body, d + 1);
        this.put(d, `} while (${p.expr(s.test)});`);
        return;
      case "for": {
        const init = s.init ? p.stmt(s.init).slice(0, -1) : "";
        const test = s.test ? p.expr(s.test) : "";
        this.put(d, `for (${init}; ${test}; ${s.update.map((u) => p.expr(u)).join(", ")}) {`);
        this.body(s.body, d + 1);
        this.put(d, "}");
        return;
      }
      case "switch":
        this.put(d, `switch (${p.expr(s.value)}) {`);
        for (const c of s.cases) {
          this.put(d + 1, `${c.label}:`);
          if (c.body.length === 0) continue;
          this.put(d + 1, "{");
          this.body(c.body, d + 2);
          this.put(d + 1, "}");
        }
        this.put(d, "}");
        return;
      case "scope":
        this.put(d, "{");
        this.body(s.body, d + 1);
        this.put(d, "}");
        return;
      case "label":
        this.put(d, `${s.name}:;`);
        return;
      case "goto":
        this.put(d, `goto ${s.name};`);
        return;
      case "break":
      case "continue":
        this.put(d, `${s.k};`);
        return;
      case "return":
        this.put(d, s.value ? `return ${p.expr(s.value)};` : "return;");
        return;
    }
  }
}
