/** `cambi check`: TypeScript and KTS diagnostics only, for files or whole folders. */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { generate } from "../driver.js";
import { REPO_ROOT } from "../project/load.js";
import type { Arch } from "../intrinsics/table.js";
import { printDiagnostics } from "./output.js";

function collect(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) {
      if (e === "node_modules" || e.startsWith(".")) continue;
      collect(path.join(p, e), out);
    }
  } else if (p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".d.ts")) out.push(p);
}

export function checkCommand(paths: string[], flags: { arch: Arch; target: "host" | "freestanding"; unsafe?: boolean }): void {
  const roots = paths.length > 0 ? paths : [path.join(REPO_ROOT, "src/kernel"), path.join(REPO_ROOT, "src/services")];
  const files: string[] = [];
  for (const r of roots) {
    try {
      collect(path.resolve(r), files);
    } catch {
      process.stderr.write(`${r}: no such file or directory\n`);
      process.exit(2);
    }
  }
  if (files.length === 0) {
    process.stderr.write("cambi check: no .ts files found\n");
    return;
  }
  const r = generate(files, { target: { kind: flags.target, arch: flags.arch } });
  printDiagnostics(r.diagnostics);
  if (flags.unsafe) {
    for (const [file, n] of [...r.unsafeSites].sort()) process.stdout.write(`${file}: ${n} unsafe site${n === 1 ? "" : "s"}\n`);
  }
  if (r.diagnostics.length > 0) process.exit(1);
  process.stderr.write(`checked ${files.length} file${files.length === 1 ? "" : "s"} (${r.modules.length} modules with imports): no errors\n`);
}
