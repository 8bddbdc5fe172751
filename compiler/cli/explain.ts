/** `cambi explain KTnnnn`: the diagnostic table's entry for one code. */
import { MESSAGES, type DiagnosticCode } from "../diagnostics/messages.js";

export function explainCommand(code: string): void {
  const key = code.toUpperCase() as DiagnosticCode;
  const m = MESSAGES[key];
  if (!m) {
    process.stderr.write(`unknown diagnostic code ${code}\n`);
    process.exit(2);
  }
  process.stdout.write(`${key}: ${m.text}\n${m.hint ? `hint: ${m.hint}\n` : ""}`);
}
