/** `cambi compile`: KTS to C, then a sanitized host executable or freestanding objects. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { generate } from "../driver.js";
import { REPO_ROOT } from "../project/root.js";
import { compileFreestanding, linkHost, ToolchainError } from "../toolchain/clang.js";
import type { Arch } from "../intrinsics/table.js";
import { printDiagnostics } from "./output.js";

export interface CompileFlags {
  target: "host" | "freestanding";
  arch: Arch;
  out?: string;
  emitC?: string;
  sanitize: boolean;
  O: string;
}

export function compileCommand(entry: string, flags: CompileFlags): void {
  const name = path.basename(entry, ".ts");
  const genDir = path.resolve(flags.emitC ?? path.join(REPO_ROOT, ".cambi/gen", `${flags.target}-${flags.arch}`, name));
  const r = generate([entry], { target: { kind: flags.target, arch: flags.target === "host" ? "x86_64" : flags.arch }, outDir: genDir });
  if (r.diagnostics.length > 0) {
    printDiagnostics(r.diagnostics);
    process.exit(1);
  }
  try {
    if (flags.target === "host") {
      if (!r.entryHasMain) {
        process.stderr.write(`${entry}: a host program must export function main()\n`);
        process.exit(1);
      }
      const out = path.resolve(flags.out ?? name);
      linkHost(r.cFiles, out, { sanitize: flags.sanitize, optimize: `-O${flags.O}` });
      process.stderr.write(`compiled ${entry} -> ${path.relative(process.cwd(), out) || out}\n`);
    } else {
      const outDir = path.resolve(flags.out ?? path.join(genDir, "obj"));
      mkdirSync(outDir, { recursive: true });
      const objs = compileFreestanding(r.cFiles, outDir, flags.arch);
      process.stderr.write(`compiled ${entry} for ${flags.arch} (freestanding): ${objs.length} objects in ${path.relative(process.cwd(), outDir) || outDir}\n`);
    }
  } catch (e) {
    if (e instanceof ToolchainError) {
      process.stderr.write(`internal compiler error: the generated C did not compile (this is a cambi bug)\n${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
}
