/** Terminal output for commands: color and progress counts only on a terminal (colors not under NO_COLOR). */
import { formatDiagnostic, formatSummary, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SILENT, type Progress } from "../build/progress.js";

export const useColor = process.stderr.isTTY === true && !("NO_COLOR" in process.env);

export function printDiagnostics(diags: Diagnostic[]): void {
  for (const d of diags) process.stderr.write(formatDiagnostic(d, { color: useColor }) + "\n");
  if (diags.length > 0) process.stderr.write(formatSummary(diags) + "\n");
}

/** A finished step: one line (erasing a progress count left on the terminal). */
export function progress(msg: string): void {
  process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}${msg}\n`);
}

/** "building <what>: compiling 12/94" rewritten in place on a terminal; nothing elsewhere. */
export function terminalProgress(what: string): Progress {
  if (!process.stderr.isTTY) return SILENT;
  return { count: (step, done, total) => process.stderr.write(`\r\x1b[Kbuilding ${what}: ${step} ${done}/${total}`) };
}

/**
 * A command ends with this exit status (its message already printed). Thrown
 * rather than process.exit, so that `--watch` can report a failed build and
 * wait for the next edit; main.ts turns it into the exit status.
 */
export class CommandExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}
