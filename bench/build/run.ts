/**
 * `npm run bench:build`: how fast the edit-build-run loop is, on this machine.
 * A benchmark, not a test: it prints figures and asserts nothing. For each
 * arch, through the real command (`cambi build --arch A`, as a user runs it):
 *   clean        build/ removed (object and ThinLTO caches too)
 *   no change    the same build again
 *   kernel edit  one kernel file changed (blank lines inserted: its C changes)
 *   service edit one service file changed the same way
 * then the whole `npm test` (cambi selftest) from a clean build/, unless
 * --no-tests. Edited files are restored whatever happens. Goals (issue 8, two
 * cores): no change < 1 s, one file < 5 s, clean < 20 s, npm test < 12 min.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../compiler/project/root.js";

const CAMBI = path.join(REPO_ROOT, "bin/cambi");
const KERNEL_FILE = path.join(REPO_ROOT, "src/kernel/syscall/device-calls.ts");
const SERVICE_FILE = path.join(REPO_ROOT, "src/services/shell/main.ts");
const ARCHES = ["x86_64", "aarch64"] as const;

function timed(args: string[], cmd = CAMBI): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed (${r.status}):\n${r.stderr.toString()}`);
  return s;
}

/** Runs fn with file edited: blank lines inserted after its first line (a count no earlier run used, so its C is new). */
function withEdit<T>(file: string, fn: () => T): T {
  const original = readFileSync(file, "utf8");
  const lines = original.split("\n");
  const blank = 1 + (Date.now() % 997);
  writeFileSync(file, [lines[0], ...Array<string>(blank).fill(""), ...lines.slice(1)].join("\n"));
  try {
    return fn();
  } finally {
    writeFileSync(file, original);
  }
}

const row = (arch: string, step: string, seconds: number) => {
  process.stdout.write(JSON.stringify({ arch, step, seconds: Number(seconds.toFixed(2)), cores: availableParallelism() }) + "\n");
};

for (const arch of ARCHES) {
  rmSync(path.join(REPO_ROOT, "build"), { recursive: true, force: true });
  const build = ["build", "--arch", arch];
  row(arch, "clean build", timed(build));
  row(arch, "no-change rebuild", timed(build));
  row(arch, "one kernel file changed", withEdit(KERNEL_FILE, () => timed(build)));
  timed(build);
  row(arch, "one service file changed", withEdit(SERVICE_FILE, () => timed(build)));
  timed(build);
}
if (!process.argv.includes("--no-tests")) {
  rmSync(path.join(REPO_ROOT, "build"), { recursive: true, force: true });
  row("both", "npm test (cambi selftest, clean build/)", timed(["selftest"]));
}
