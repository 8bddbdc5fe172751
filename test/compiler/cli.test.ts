/**
 * The cambi command as a user meets it: help lists every command, a bad tier
 * is named before anything is built, diagnostics have the TypeScript shape with a code frame,
 * bad input never crashes the compiler, and output C is byte-for-byte deterministic.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { runProcess } from "../harness/process.js";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CAMBI = path.join(ROOT, "bin/cambi");
const FIX = path.join(import.meta.dirname, "cli");

/** Runs cambi without blocking the worker (a long synchronous wait starves vitest's messages on a loaded machine). */
async function cambi(...args: string[]) {
  const r = await runProcess(CAMBI, args, undefined, { ...process.env, NO_COLOR: "1" }, ROOT);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cambi CLI", () => {
  it("--help lists every command of the design", async () => {
    const r = await cambi("--help");
    expect(r.status).toBe(0);
    for (const c of ["build", "run", "test", "sign", "keygen", "verify", "compile", "check", "bench", "image"]) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
    }
  });

  it("image refuses a tier that has no manifest, naming the tiers there are, before building anything", async () => {
    const r = await cambi("image", "--arch", "aarch64", "--tier", "nosuch");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no manifest for tier 'nosuch' (images/nosuch.json); tiers: ");
    expect(r.stderr).toMatch(/tiers: .*\bstandard\b/);
    expect(r.stdout).toBe("");
  });

  it("reports the closure, the try/catch and the any with line and column, and fails", async () => {
    const r = await cambi("compile", "--target", "host", "test/compiler/cli/done-criteria.ts", "-o", path.join(mkdtempSync(path.join(tmpdir(), "kts-")), "x"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("test/compiler/cli/done-criteria.ts:6:15 - error KT3001: closures are not supported (this function captures 'total')");
    expect(r.stderr).toContain("test/compiler/cli/done-criteria.ts:9:3 - error KT1002:");
    expect(r.stderr).toContain("test/compiler/cli/done-criteria.ts:14:12 - error KT2000: type 'any' is not supported");
    // Code frame: the source line and a caret line under the span.
    expect(r.stderr).toMatch(/\n14   const v: any = total;\n\s+~~~\n/);
    expect(r.stderr).toMatch(/Found \d+ errors in 1 file\./);
  });

  it("check passes a clean module and exits 0", async () => {
    const r = await cambi("check", "test/compiler/cli/clean.ts");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("no errors");
  });

  it("broken TypeScript gets TS diagnostics, not a crash", async () => {
    const r = await cambi("check", "test/compiler/cli/broken-syntax.ts");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken-syntax\.ts:4:19 - error TS1\d{3}:/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+:\d+\)/); // no JS stack trace
    expect(r.stderr).not.toContain("KT9001");
  });

  it("missing files are a clear error", async () => {
    const r = await cambi("check", "test/compiler/cli/no-such-file.ts");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no-such-file.ts: no such file or directory");
  });

  it("extern declarations become calls to the assembly symbol, unmangled", async () => {
    const d = mkdtempSync(path.join(tmpdir(), "kts-ext-"));
    const r = await cambi("compile", "--target", "freestanding", "--arch", "x86_64", "test/compiler/cli/extern-asm.ts", "--emit-c", d, "-o", d);
    expect(r.status, r.stderr).toBe(0);
    const nm = spawnSync("llvm-nm", ["--undefined-only", path.join(d, "test_compiler_cli_extern_asm.o")]).stdout.toString();
    expect(nm).toMatch(/\bU arch_read_counter\b/);
  });

  it("explain prints a diagnostic from the table", async () => {
    const r = await cambi("explain", "KT2001");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^KT2001: .*converted/);
  });

  it("generated C is byte-identical across runs", async () => {
    const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), "kts-det-")));
    for (const d of dirs) {
      const r = await cambi("compile", "--target", "freestanding", "--arch", "aarch64", "test/demo/demo.ts", "--emit-c", d, "-o", path.join(d, "obj"));
      expect(r.status, r.stderr).toBe(0);
    }
    const files = readdirSync(dirs[0]!).filter((f) => /\.[ch]$/.test(f)).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(readdirSync(dirs[1]!).filter((f) => /\.[ch]$/.test(f)).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(dirs[1]!, f), "utf8")).toBe(readFileSync(path.join(dirs[0]!, f), "utf8"));
    expect(readFileSync(path.join(dirs[0]!, "test_demo_demo.c"), "utf8")).toContain('#line 26 "test/demo/demo.ts"');
  });
  it("exec runs a program in either world with the same output and exit status (the oracle as a command)", async () => {
    const runs = await Promise.all((["native", "node"] as const).map((w) => cambi("exec", "--world", w, "test/compiler/accept/limits.ts")));
    for (const r of runs) expect(r.status).toBe(101);
    expect(runs[0]!.stdout).toBe(runs[1]!.stdout);
    expect(runs[0]!.stdout).toContain("shift 64: 0");
    for (const r of runs) expect(r.stderr).toContain("panic: shift count too large at test/compiler/accept/limits.ts:");
  });

  it("recursion that never ends is the same stack-overflow panic in both worlds, with and without the sanitizers", async () => {
    const prog = "test/compiler/accept/stack-overflow.ts";
    const exe = path.join(mkdtempSync(path.join(tmpdir(), "kts-so-")), "prog");
    const built = await cambi("compile", "--target", "host", "--no-sanitize", "-O2", prog, "-o", exe);
    expect(built.status, built.stderr).toBe(0);
    const plain = spawnSync(exe, [], { env: process.env });
    const runs = [
      ...(await Promise.all((["native", "node"] as const).map((w) => cambi("exec", "--world", w, prog)))),
      { status: plain.status, stdout: plain.stdout.toString(), stderr: plain.stderr.toString() },
    ];
    for (const r of runs) expect(r).toEqual({ status: 101, stdout: "before the recursion\n", stderr: "panic: stack overflow\n" });
  });
});
