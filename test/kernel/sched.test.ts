/**
 * The scheduler's policy and task-state machine on the host: the driver's
 * scenarios (priority order, round-robin fairness, preemption, block/wake,
 * exit, idle, per-CPU queues, migration, balancing, affinity) and a seeded
 * random stress run against consistent(), natively with ASan+UBSan and under
 * Node, with identical output and no failed checks.
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DRIVER = path.join(import.meta.dirname, "sched-driver.ts");

it("scheduler: scenarios and random stress, the same in both worlds", async () => {
  const native = await runExe(buildHost(DRIVER));
  const node = await runInNode(DRIVER);
  expect(native.stderr).toBe("");
  expect(native.stdout).toMatch(/^stress: 20000\/20000 steps consistent/m);
  expect(native.stdout).toContain("failures 0");
  expect(native.status).toBe(0);
  expect(runText(node)).toBe(runText(native));
});
