/**
 * The real thing, on both arches: the kernel boots under QEMU (TCG) with 4 CPUs
 * to its one "boot OK" line, and the test kernel's in-kernel suites pass.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CAMBI = path.join(ROOT, "bin/cambi");

function cambi(...args: string[]) {
  const r = spawnSync(CAMBI, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: r.stdout.toString() + r.stderr.toString() };
}

describe.each(["x86_64", "aarch64"] as const)("%s", (arch) => {
  it("boots with 4 CPUs to the boot line", () => {
    const r = cambi("run", "--arch", arch, "--smp", "4", "--expect", `CambiOS boot OK arch=${arch} cpus=4 mem=\\d+`, "--timeout", "60");
    expect(r.out).toMatch(new RegExp(`^CambiOS boot OK arch=${arch} cpus=4 mem=1[12][0-9]$`, "m"));
    expect(r.out.match(/CambiOS boot OK/g)?.length).toBe(1);
    expect(r.status, r.out).toBe(0);
  });

  it("passes the in-kernel suites (cambi test, 4 CPUs)", () => {
    const r = cambi("test", "--arch", arch, "--smp", "4", "--timeout", "120");
    expect(r.out).toMatch(/^(\d+) passed, 0 failed$/m);
    expect(Number(/^(\d+) passed/m.exec(r.out)?.[1])).toBeGreaterThanOrEqual(6);
    expect(r.status, r.out).toBe(0);
  });
});

it("cambi run --expect fails with the last lines when the pattern never appears", () => {
  const r = cambi("run", "--arch", "x86_64", "--expect", "this will not appear", "--timeout", "5");
  expect(r.status).not.toBe(0);
  expect(r.out).toContain("--- last 40 lines of serial output ---");
  expect(r.out).toContain("CambiOS boot OK");
});
