/**
 * The syscall ABI has one source (src/abi/syscalls.json): the generated kernel
 * numbers, user stubs and docs/SYSCALLS.md must match it, and compile.
 */
import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

it("generated ABI files are up to date", () => {
  const r = spawnSync(path.join(ROOT, "bin/cambi-node"), ["scripts/gen-abi.ts", "--check"], { cwd: ROOT });
  expect(r.stderr.toString()).toBe("");
  expect(r.status).toBe(0);
});

it("the generated kernel and user modules pass the KTS checker on both arches", () => {
  for (const arch of ["x86_64", "aarch64"]) {
    const r = spawnSync(path.join(ROOT, "bin/cambi"), ["check", "--arch", arch, "src/kernel/syscall/numbers.generated.ts", "src/lib/sys/syscalls.generated.ts"], { cwd: ROOT });
    expect(r.stderr.toString()).toContain("no errors");
    expect(r.status).toBe(0);
  }
});
