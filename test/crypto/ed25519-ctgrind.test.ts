/**
 * Constant-time check of Ed25519 key generation and signing (the "ctgrind"
 * technique): ed25519-ctgrind-driver.ts, compiled natively without sanitizers and
 * linked with ctgrind.c, runs under valgrind memcheck with the seed marked undefined.
 * memcheck then reports every conditional jump and every memory address computed
 * from the seed; the signing run must report none (and still sign correctly), and
 * two deliberately leaky test functions in the driver (an early-exit comparison and
 * a table read at a secret index) must each be reported, so the check can fail.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "../../compiler/driver.js";
import { linkHost } from "../../compiler/toolchain/clang.js";
import { diagText } from "../harness/host-world.js";
import { runProcess, type RunResult } from "../harness/process.js";
import { RFC8032_VECTORS } from "./ed25519-cases";
import { SplitMix, signRequest } from "./ed25519-sign-cases";

const HERE = import.meta.dirname;
const DRIVER = path.join(HERE, "ed25519-ctgrind-driver.ts");
const HOOKS = path.join(HERE, "ctgrind.c");

/** The driver linked with the valgrind hooks, clang at the given level, no sanitizers. */
function buildCtgrind(optimize: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-ctgrind-"));
  const r = generate([DRIVER], { target: { kind: "host", arch: "x86_64" }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) throw new Error(`diagnostics for ${DRIVER}:\n${diagText(r)}`);
  const exe = path.join(dir, "prog");
  linkHost([...r.cFiles, HOOKS], exe, { sanitize: false, optimize });
  // valgrind 3.19 cannot read clang 14's DWARF 5; the symbols stay, for the reports.
  execFileSync("llvm-strip", ["--strip-debug", exe]);
  return exe;
}

function memcheck(exe: string, stdin: Buffer): Promise<RunResult> {
  return runProcess("valgrind", ["--tool=memcheck", "-q", "--error-exitcode=99", exe], stdin);
}

/** RFC 8032 vectors and random seeds, message lengths 0..300, with the expected lines (no verify column). */
function signCases(): { stdin: Buffer; expected: string } {
  const rng = new SplitMix(0xc7);
  const reqs = RFC8032_VECTORS.map((v) => signRequest(Buffer.from(v.sk, "hex"), Buffer.from(v.msg, "hex")));
  for (let i = 0; i < 16; i++) reqs.push(signRequest(rng.bytes(32), rng.bytes(rng.int(301))));
  return {
    stdin: Buffer.concat(reqs.map((r) => r.request)),
    expected: reqs.map((r) => `${r.line.replace(/ 1$/, "")}\n`).join(""),
  };
}

const secretRequest = (op: number, seed: Buffer) => Buffer.concat([Buffer.from([op]), seed]);

describe.each(["-O2", "-O1"])("ed25519 signing under valgrind memcheck (ctgrind), clang %s", (optimize) => {
  let exe: string | undefined;
  const program = () => (exe ??= buildCtgrind(optimize));

  it("makes no branch or memory access that depends on the seed, and signs correctly", async () => {
    const cases = signCases();
    const r = await memcheck(program(), cases.stdin);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(cases.expected);
  }, 300_000);

  it("catches a test-only function that branches on a secret byte", async () => {
    const r = await memcheck(program(), secretRequest(1, Buffer.alloc(32, 0x5a)));
    expect(r.stdout).toBe("32\n");
    expect(r.stderr).toContain("Conditional jump or move depends on uninitialised value(s)");
    expect(r.status).toBe(99);
  }, 300_000);

  it("catches a test-only table read at a secret index", async () => {
    const r = await memcheck(program(), secretRequest(2, Buffer.alloc(32, 3)));
    expect(r.stdout).toBe("9\n");
    expect(r.stderr).toContain("Use of uninitialised value of size 8");
    expect(r.status).toBe(99);
  }, 300_000);
});
