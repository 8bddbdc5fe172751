/**
 * The IPC core and the zero-trust interceptor on the host: ipc-driver.ts (FIFO,
 * full queues, call/reply with one-shot tokens, principal stamping, peer death,
 * rate limiting under a flood, the audit ring, capability and inspection
 * refusals, each sender's share of a queue and the kernel's reserve, the audit
 * budget against washing, and a seeded random stress against a shadow model)
 * built natively with ASan+UBSan and run under Node, with identical output and
 * no failures; and the stress over 50 more seeds, natively.
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DRIVER = path.join(import.meta.dirname, "ipc-driver.ts");

it("IPC and interceptor: every scenario and 20000 random operations, in both worlds", async () => {
  const native = await runExe(buildHost(DRIVER));
  const node = await runInNode(DRIVER);
  expect(native.stderr).toBe("");
  expect(native.status).toBe(0);
  expect(native.stdout).toContain("failures 0");
  expect(native.stdout).toMatch(/^flood: 10000 sends in 1 ms: 107 accepted, 9893 throttled$/m);
  expect(native.stdout).toMatch(/^stress: 20000 random operations against the shadow model/m);
  expect(runText(node)).toBe(runText(native));
}, 120_000);

it("IPC stress: 50 seeds x 20000 random operations against the shadow model (native, ASan+UBSan)", async () => {
  const r = await runExe(buildHost(path.join(import.meta.dirname, "ipc-seeds-driver.ts")));
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^seeds 50 failures 0$/m);
}, 120_000);
