/**
 * Builds and runs KTS programs in the C world from tests: generate C in-process
 * (sharing one ts-morph Project per worker), then clang with AddressSanitizer and
 * UndefinedBehaviorSanitizer, or freestanding objects for an arch.
 */
import { runProcess } from "./process.js";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate, type GenerateResult } from "../../compiler/driver.js";
import { compileFreestanding, linkHost } from "../../compiler/toolchain/clang.js";
import type { Arch } from "../../compiler/intrinsics/table.js";
import { formatDiagnostic } from "../../compiler/diagnostics/diagnostic.js";
import type { RunResult } from "./node-world.js";

export function diagText(r: GenerateResult): string {
  return r.diagnostics.map((d) => formatDiagnostic(d, { color: false })).join("\n");
}

/** Compiles entry for the host; throws with the diagnostics if there are any. */
export function buildHost(entry: string, opts: { sanitize?: boolean; optimize?: string } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-host-"));
  const r = generate([entry], { target: { kind: "host", arch: "x86_64" }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) throw new Error(`diagnostics for ${entry}:\n${diagText(r)}`);
  const exe = path.join(dir, "prog");
  linkHost(r.cFiles, exe, { sanitize: opts.sanitize ?? true, optimize: opts.optimize ?? "-O1" });
  return exe;
}

/** Runs a native program (asynchronously, so the test worker stays responsive). */
export function runExe(exe: string, stdin?: string | Buffer): Promise<RunResult> {
  return runProcess(exe, [], stdin, { ...process.env, ASAN_OPTIONS: "detect_leaks=0" });
}

/** Compiles entry freestanding for arch (objects only); throws on diagnostics or clang errors. */
export function buildFreestanding(entry: string, arch: Arch): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), `kts-${arch}-`));
  const r = generate([entry], { target: { kind: "freestanding", arch }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) throw new Error(`diagnostics for ${entry}:\n${diagText(r)}`);
  const obj = path.join(dir, "obj");
  mkdirSync(obj);
  return compileFreestanding(r.cFiles, obj, arch);
}

/** A run as one comparable text: stdout, exit status, stderr. */
export function runText(r: RunResult): string {
  return `${r.stdout}--- exit ${r.status}\n${r.stderr ? `--- stderr\n${r.stderr}` : ""}`;
}
