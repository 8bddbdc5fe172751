/**
 * `cambi selftest` (npm test) and `cambi demo` (npm start until CambiOS boots).
 * The self-test first builds every image the suite boots, for both arches at
 * once, so that test files running side by side find them up to date instead
 * of each waiting for the same build.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import type { Arch } from "../intrinsics/table.js";
import { bootstrapKeyOrExit, buildOrExit, tierBundleOrExit } from "./build.js";
import { progress } from "./output.js";
import { TEST_ENTRY } from "./test.js";

const ARCHES: Arch[] = ["x86_64", "aarch64"];
const ENTRIES = ["src/kernel/tests/fault-main.ts", "src/kernel/tests/user-main.ts"];
/** The tiers the boot tests start (services.test.ts, tampered.test.ts, nic.test.ts). */
const TIERS = ["standard", "test", "net"];

/** Builds what the boot tests use, in one process (shared front end, one job pool). */
export async function prebuild(): Promise<void> {
  const t0 = Date.now();
  const key = bootstrapKeyOrExit();
  const quiet = { quiet: true, bootstrap: key };
  await Promise.all(
    ARCHES.flatMap((arch) => [
      ...TIERS.map((tier) => tierBundleOrExit(arch, tier, key, { quiet: true })),
      buildOrExit(arch, quiet),
      buildOrExit(arch, { ...quiet, variant: "kernel-debug", lto: false }),
      buildOrExit(arch, { ...quiet, entry: TEST_ENTRY, variant: "test" }),
      ...ENTRIES.map((e) => buildOrExit(arch, { ...quiet, entry: path.join(REPO_ROOT, e), variant: path.basename(e, ".ts") })),
    ]),
  );
  progress(`cambi selftest: built the test images for ${ARCHES.join(" and ")} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${availableParallelism()} cores)`);
}

export async function selftestCommand(): Promise<void> {
  await prebuild();
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
