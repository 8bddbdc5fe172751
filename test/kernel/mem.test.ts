/**
 * Kernel memory logic on the host: the frame allocator on a synthetic memory map
 * (natively with ASan+UBSan and under Node, same output), and the heap under
 * random operations (natively: it hands out real addresses).
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DRIVER = path.join(import.meta.dirname, "frames-driver.ts");

it("frame allocator: reservations, exhaustion, contiguous runs, in both worlds", async () => {
  const native = await runExe(buildHost(DRIVER));
  const node = await runInNode(DRIVER);
  expect(native.stdout).toContain("failures 0");
  expect(native.status).toBe(0);
  expect(runText(node)).toBe(runText(native));
});

it("frame ownership checker: a held frame handed out, a double free, another owner's free, a boot frame freed: each panics naming both owners, in both worlds", async () => {
  const exe = buildHost(DRIVER);
  const cases: [string, RegExp][] = [
    ["1", /panic: frame 0x[0-9a-f]+ allocated to page table of task 5 while memory region 3 holds it/],
    ["2", /panic: double free of frame 0x400000 by memory region 3: memory region 3 freed it already/],
    ["3", /panic: frame 0x401000 of memory region 3 freed by page table of task 5/],
    ["4", /panic: frame 0x200000 freed by page table of task 5 but never allocated \(reserved at boot\)/],
  ];
  for (const [input, panic] of cases) {
    const native = await runExe(exe, input);
    const node = await runInNode(DRIVER, input);
    expect(native.stdout + native.stderr, `case ${input}`).toMatch(panic);
    expect(native.stdout).not.toContain("misuse went unnoticed");
    expect(native.status).not.toBe(0);
    expect(runText(node)).toBe(runText(native));
  }
});

it("kernel heap: 20000 random operations against a shadow record (native, ASan+UBSan)", async () => {
  const r = await runExe(buildHost(path.join(import.meta.dirname, "heap-driver.ts")));
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^allocs \d{4,} failures 0$/m);
});
