/** `cambi selftest` (npm test) and `cambi demo` (npm start until CambiOS boots). */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";

export function selftestCommand(): void {
  const r = spawnSync("npx", ["vitest", "run"], { cwd: REPO_ROOT, stdio: "inherit" });
  process.exit(r.status ?? 1);
}

export function demoCommand(): void {
  const cambi = path.join(REPO_ROOT, "bin/cambi");
  const entry = path.join(REPO_ROOT, "test/demo/demo.ts");
  const exe = path.join(REPO_ROOT, ".cambi/demo");
  const c = spawnSync(cambi, ["compile", "--target", "host", entry, "-o", exe], { stdio: "inherit" });
  if (c.status !== 0) process.exit(c.status ?? 1);
  const r = spawnSync(exe, [], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
