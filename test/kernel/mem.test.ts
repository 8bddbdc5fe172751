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

it("kernel heap: 20000 random operations against a shadow record (native, ASan+UBSan)", async () => {
  const r = await runExe(buildHost(path.join(import.meta.dirname, "heap-driver.ts")));
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^allocs \d{4,} failures 0$/m);
});
