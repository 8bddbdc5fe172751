/** Terminal output for commands: color only on a terminal without NO_COLOR. */
import { formatDiagnostic, formatSummary, type Diagnostic } from "../diagnostics/diagnostic.js";

export const useColor = process.stderr.isTTY === true && !("NO_COLOR" in process.env);

export function printDiagnostics(diags: Diagnostic[]): void {
  for (const d of diags) process.stderr.write(formatDiagnostic(d, { color: useColor }) + "\n");
  if (diags.length > 0) process.stderr.write(formatSummary(diags) + "\n");
}

export function progress(msg: string): void {
  process.stderr.write(`${msg}\n`);
}
