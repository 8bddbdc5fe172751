/**
 * The kernel's stack-depth check (issue 9): frame sizes from .stack_sizes and
 * calls from the disassembly give the deepest call path, which must fit a
 * kernel stack; recursion is cut and named, calls through pointers are named.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runProcess } from "../harness/process.js";
import { checkStack, deepestPath, KERNEL_STACK_BYTES, StackTooDeep, type FunctionInfo } from "../../compiler/build/stack-depth.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

const fn = (frame: number, calls: string[], indirect = false): FunctionInfo => ({ frame, calls: new Set(calls), indirect });

describe("stack depth", () => {
  it("finds the deepest path, cuts recursion and names calls through pointers", () => {
    const g = new Map<string, FunctionInfo>([
      ["entry", fn(16, ["a", "b"])],
      ["a", fn(100, ["c"])],
      ["b", fn(500, [])],
      ["c", fn(1000, ["d"], true)],
      ["d", fn(8, ["e"])],
      ["e", fn(8, ["d"])],
    ]);
    const r = deepestPath(g);
    expect(r.path).toEqual(["entry", "a", "c", "d", "e"]);
    expect(r.deepest).toBe(16 + 100 + 1000 + 8 + 8);
    expect(r.recursive).toEqual(["d"]);
    expect(r.indirect).toEqual(["c"]);
    expect(() => checkStack(r, 2000)).not.toThrow();
    expect(() => checkStack(r, 1000)).toThrow(StackTooDeep);
    expect(() => checkStack(r, 1000)).toThrow(/needs 1132 bytes[\s\S]*entry\n  -> a\n  -> c/);
  });

  it("the limit is the kernel's own stack size", () => {
    const table = readFileSync(path.join(ROOT, "src/kernel/task/table.ts"), "utf8");
    expect(Number(/KSTACK_SIZE: u64 = (0x[0-9a-f]+)n/.exec(table)![1])).toBe(KERNEL_STACK_BYTES);
  });

  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`the ${arch} kernel's deepest path is measured at build time and fits`, async () => {
      const b = await runProcess(path.join(ROOT, "bin/cambi"), ["build", "--arch", arch], "", process.env, ROOT);
      expect(b.status, b.stderr).toBe(0);
      const report = readFileSync(path.join(ROOT, "build", arch, "kernel/stack.txt"), "utf8");
      const m = /^deepest call path: (\d+) bytes of (\d+)/.exec(report)!;
      expect(Number(m[1])).toBeGreaterThan(1000);
      expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
      expect(report).toContain("kts_kernel_entry");
    });
  }
});
