/**
 * The kernel's stack-depth check (issue 9): frame sizes from .stack_sizes and
 * calls from the disassembly give the deepest call path, which must fit a
 * kernel stack; each cycle of calls counts at the bound of its source mark
 * (`@recursion N — why`), a cycle no mark bounds refuses the kernel (in the
 * source, KT1033, and in the image), calls through pointers are named.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runProcess } from "../harness/process.js";
import { checkStack, deepestPath, KERNEL_STACK_BYTES, StackTooDeep, stackReportText, UnmarkedRecursion, type FunctionInfo } from "../../compiler/build/stack-depth.js";
import type { SourceCycle } from "../../compiler/lower/recursion.js";
import { generate } from "../../compiler/driver.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

const fn = (frame: number, calls: string[], indirect = false): FunctionInfo => ({ frame, calls: new Set(calls), indirect });

/** A source cycle of the given C names, marked at the first with bound (or unmarked). */
const cycle = (names: string[], bound?: number): SourceCycle => ({
  members: names.map((n, i) => ({ cname: n, site: `src/x.ts:${10 * (i + 1)} ${n}` })),
  ...(bound ? { mark: { cname: names[0]!, site: `src/x.ts:10 ${names[0]}`, bound, reason: "the test says so" } } : {}),
});

describe("stack depth", () => {
  it("finds the deepest path, counts a marked cycle at its bound and names calls through pointers", () => {
    const g = new Map<string, FunctionInfo>([
      ["entry", fn(16, ["a", "b"])],
      ["a", fn(100, ["c"])],
      ["b", fn(500, [])],
      ["c", fn(1000, ["d"], true)],
      ["d", fn(8, ["e"])],
      ["e", fn(24, ["d", "f"])],
      ["f", fn(40, [])],
    ]);
    const r = deepestPath(g, [cycle(["d", "e"], 3)]);
    // The cycle d <-> e costs its frames (8 + 24) times its bound, then its deepest way out (f).
    expect(r.deepest).toBe(16 + 100 + 1000 + (8 + 24) * 3 + 40);
    expect(r.path).toEqual(["entry", "a", "c", "d", "e", "f"]);
    expect(r.cycles).toEqual([expect.objectContaining({ members: ["d", "e"], frames: 32, mark: expect.objectContaining({ bound: 3 }) })]);
    expect(r.indirect).toEqual(["c"]);
    expect(() => checkStack(r, 2000)).not.toThrow();
    expect(() => checkStack(r, 1000)).toThrow(StackTooDeep);
    expect(() => checkStack(r, 1000)).toThrow(/needs 1252 bytes[\s\S]*entry\n  -> a\n  -> c\n  -> d\n  -> e/);
    const text = stackReportText(r, g);
    expect(text).toContain("d, e: 32 bytes x 3 = 96, @recursion 3 at src/x.ts:10 d");
    expect(text).toMatch(/ 8 {2}d {2}\(cycle, x 3\)/);
  });

  it("matches a cycle that ThinLTO renamed or shrank by inlining to the source cycle it comes from", () => {
    // Source: walk -> step -> walk, marked at step; in the image step is inlined into walk,
    // which now calls itself under a ThinLTO name.
    const g = new Map<string, FunctionInfo>([
      ["main", fn(32, ["m_walk.llvm.1234"])],
      ["m_walk.llvm.1234", fn(64, ["m_walk.llvm.1234"])],
    ]);
    const r = deepestPath(g, [cycle(["m_step", "m_walk"], 5)]);
    expect(r.deepest).toBe(32 + 64 * 5);
    expect(r.cycles[0]!.mark?.cname).toBe("m_step");
    expect(() => checkStack(r)).not.toThrow();
  });

  it("refuses an unmarked cycle, naming its functions and how to mark them", () => {
    const g = new Map<string, FunctionInfo>([
      ["main", fn(32, ["ping", "loop"])],
      ["ping", fn(16, ["pong"])],
      ["pong", fn(16, ["ping"])],
      ["loop", fn(8, ["loop"])],
    ]);
    const r = deepestPath(g, [cycle(["ping", "pong"])]);
    expect(r.cycles.map((c) => c.members)).toEqual([["loop"], ["ping", "pong"]]);
    expect(() => checkStack(r)).toThrow(UnmarkedRecursion);
    let message = "";
    try {
      checkStack(r);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("the kernel has recursion that no @recursion mark bounds, so its stack use is not known (2 cycles)");
    expect(message).toContain("a cycle of calls through ping, pong:");
    expect(message).toContain("ping: src/x.ts:10 ping, in the source cycle ping, pong (unmarked)");
    // A cycle the source does not have (runtime C, or a call through a pointer made direct) cannot be marked away either.
    expect(message).toContain("loop: in no cycle of the KTS source");
    expect(message).toContain("add /** @recursion N — why */ to one function of the cycle in its KTS source");
    expect(stackReportText(r, g)).toContain("NOT MARKED (the kernel is refused)");
    // A cycle whose functions come from two different marked source cycles is not bounded by either mark.
    const joined = deepestPath(g, [cycle(["ping"], 2), cycle(["pong"], 2), cycle(["loop"], 2)]);
    expect(() => checkStack(joined)).toThrow(/a cycle of calls through ping, pong/);
  });

  it("a kernel build refuses unmarked recursion in the source (KT1033) and records the marks", () => {
    const unmarked = generate([path.join(ROOT, "test/build/recursion/unmarked.ts")], { target: { kind: "freestanding", arch: "x86_64" }, boundedRecursion: true });
    const found = unmarked.diagnostics.map((d) => `${d.line} ${d.code} ${d.message}`);
    expect(found).toEqual([
      "4 KT1033 'ping' is recursive (a cycle of direct calls: test/build/recursion/unmarked.ts:4 ping, test/build/recursion/unmarked.ts:9 pong), and recursion in a kernel must be bounded and marked",
      "16 KT1033 'Tree.descend' is recursive (a cycle of direct calls: test/build/recursion/unmarked.ts:16 Tree.descend), and recursion in a kernel must be bounded and marked",
    ]);
    expect(unmarked.diagnostics[0]!.hint).toContain("add /** @recursion N — why */ to one function of the cycle");
    // Outside a kernel build recursion needs no mark.
    expect(generate([path.join(ROOT, "test/build/recursion/unmarked.ts")], { target: { kind: "freestanding", arch: "x86_64" } }).diagnostics).toEqual([]);
    const marked = generate([path.join(ROOT, "test/build/recursion/marked.ts")], { target: { kind: "freestanding", arch: "aarch64" }, boundedRecursion: true });
    expect(marked.diagnostics).toEqual([]);
    expect(marked.cycles).toEqual([
      {
        members: [
          { cname: "test_build_recursion_marked__step", site: "test/build/recursion/marked.ts:13 step" },
          { cname: "test_build_recursion_marked__walk", site: "test/build/recursion/marked.ts:8 walk" },
        ],
        mark: {
          cname: "test_build_recursion_marked__walk",
          site: "test/build/recursion/marked.ts:8 walk",
          bound: 3,
          reason: "kernelMain passes depth 2 and each call passes one less, ending at 0 (depths 2, 1, 0)",
        },
      },
    ]);
  });

  it("the limit is the kernel's own stack size", () => {
    const table = readFileSync(path.join(ROOT, "src/kernel/task/table.ts"), "utf8");
    expect(Number(/KSTACK_SIZE: u64 = (0x[0-9a-f]+)n/.exec(table)![1])).toBe(KERNEL_STACK_BYTES);
  });

  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`the ${arch} kernel's deepest path is measured at build time and fits, its recursion marked`, async () => {
      const b = await runProcess(path.join(ROOT, "bin/cambi"), ["build", "--arch", arch], "", process.env, ROOT);
      expect(b.status, b.stderr).toBe(0);
      const report = readFileSync(path.join(ROOT, "build", arch, "kernel/stack.txt"), "utf8");
      const m = /^deepest call path: (\d+) bytes of (\d+)/.exec(report)!;
      expect(Number(m[1])).toBeGreaterThan(1000);
      expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
      expect(report).toContain("kts_kernel_entry");
      // The page-table walks are the kernel's recursion: marked, one call per level.
      expect(report).toContain("marked in the source: 2\n");
      expect(report).toMatch(/src\/kernel\/mem\/paging\.ts:\d+ freeLevel: @recursion 4 — /);
      expect(report).toMatch(/src\/kernel\/mem\/paging\.ts:\d+ linking: @recursion 4 — /);
      expect(report).not.toContain("NOT MARKED");
    });
  }
});
