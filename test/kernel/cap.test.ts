/**
 * The capability subsystem (src/kernel/cap) on the host, through
 * test/kernel/cap-driver.ts: directed cases (rights, GRANT, delegation chains and
 * revocation, use counts, expiry, forged handles, full tables, task release,
 * transfer, ranges) and a seeded random stress against a shadow model
 * (cap-shadow.ts). Natively with ASan+UBSan and under Node: same output, no failures.
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DRIVER = path.join(import.meta.dirname, "cap-driver.ts");

it("capabilities: directed cases and a shadow-model stress, identical in both worlds", async () => {
  const native = await runExe(buildHost(DRIVER));
  const node = await runInNode(DRIVER);
  expect(native.stderr).toBe("");
  expect(native.stdout).toContain("failures 0");
  expect(native.stdout).toMatch(/^stress: 30000 operations/m);
  expect(native.status).toBe(0);
  expect(runText(node)).toBe(runText(native));
});
