/**
 * Diagnostics: collected, never thrown, so one run reports every violation.
 * Formatting follows tsc's pretty style: `file:line:col - error KTnnnn: message`,
 * then the source line and a caret under the span. Imports nothing of the compiler.
 */
import { formatMessage, type DiagnosticCode } from "./messages.js";

export interface Diagnostic {
  file: string; // path relative to the project root
  line: number; // 1-based
  col: number; // 1-based
  length: number;
  code: string; // "KT1001" or "TS2322"
  message: string;
  hint?: string;
  sourceLine?: string;
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private seen = new Set<string>();

  add(d: Diagnostic): void {
    const key = `${d.file}:${d.line}:${d.col}:${d.code}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }

  report(code: DiagnosticCode, at: Omit<Diagnostic, "code" | "message" | "hint">, ...args: string[]): void {
    const { text, hint } = formatMessage(code, args);
    this.add({ ...at, code, message: text, ...(hint ? { hint } : {}) });
  }

  get hasErrors(): boolean {
    return this.items.length > 0;
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
  }
}

export interface FormatOptions {
  color: boolean;
}

export function formatDiagnostic(d: Diagnostic, opts: FormatOptions): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let out = `${c("96", d.file)}:${c("93", String(d.line))}:${c("93", String(d.col))} - ${c("91", "error")} ${c("90", d.code)}: ${d.message}`;
  if (d.sourceLine !== undefined) {
    const num = String(d.line);
    const src = d.sourceLine.replace(/\t/g, " ");
    const len = Math.max(1, Math.min(d.length, src.length - (d.col - 1)));
    out += `\n\n${c("7", num)} ${src}\n${c("7", " ".repeat(num.length))} ${" ".repeat(d.col - 1)}${c("91", "~".repeat(len))}`;
  }
  if (d.hint) out += `\n  ${c("36", "hint")}: ${d.hint}`;
  return out + "\n";
}

export function formatSummary(diags: Diagnostic[]): string {
  const files = new Set(diags.map((d) => d.file));
  const n = diags.length;
  return `Found ${n} error${n === 1 ? "" : "s"} in ${files.size} file${files.size === 1 ? "" : "s"}.`;
}
