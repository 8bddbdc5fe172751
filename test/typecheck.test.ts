/**
 * DESIGN rule 1: every KTS file (and every test and tool) is valid strict
 * TypeScript: `tsc --noEmit` passes for the repository and for the compiler.
 * tsc runs as a child the worker waits for without blocking: a synchronous
 * wait of a minute on a loaded machine starves the worker's messages to
 * vitest, which then fails the run with an RPC timeout.
 */
import { expect, it } from "vitest";
import path from "node:path";
import { runProcess } from "./harness/process.js";

const ROOT = path.resolve(import.meta.dirname, "..");

it("tsc --noEmit --strict passes for the whole repository", async () => {
  const r = await runProcess(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--noEmit"], undefined, undefined, ROOT);
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});
