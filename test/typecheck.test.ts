/**
 * DESIGN rule 1: every KTS file (and every test and tool) is valid strict
 * TypeScript: `tsc --noEmit` passes for the repository and for the compiler.
 */
import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

it("tsc --noEmit --strict passes for the whole repository", () => {
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--noEmit"], { cwd: ROOT });
  expect(r.stdout.toString() + r.stderr.toString()).toBe("");
  expect(r.status).toBe(0);
});
