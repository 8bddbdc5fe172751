/**
 * `npm run crash-test -- [--points N] [--arch x86_64|aarch64|both] [--seed S] [--logs DIR]`:
 * the object store's crash test (test/harness/store-crash.ts) at length. Prints
 * one line per power cut and the totals; exits 1 if any acknowledged object was
 * lost, any damaged one returned, any phantom appeared or any space leaked.
 */
import { mkdirSync } from "node:fs";
import { runCrashPoints, type CrashTotals } from "../test/harness/store-crash.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const points = Number(option("points", "200"));
const which = option("arch", "both");
const seed = Number(option("seed", String(Date.now() % 2 ** 32)));
const logs = option("logs", "");
if (!Number.isInteger(points) || points < 1) throw new Error("--points: a positive number");
const arches = which === "both" ? (["x86_64", "aarch64"] as const) : ([which] as ("x86_64" | "aarch64")[]);

let failed = false;
for (const arch of arches) {
  const dir = logs ? `${logs}/${arch}` : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const t: CrashTotals = await runCrashPoints({
    arch,
    points,
    seed,
    logs: dir,
    onPoint: (r) =>
      console.log(
        `${arch} point ${r.point}: cut at write ${r.atWrite} (${r.appliedBlocks} of ${r.pendingBlocks} unflushed blocks applied), ${r.ackedPuts} puts and ${r.ackedDeletes} deletes acknowledged, ${r.objects} objects after; lost ${r.lost.length}, damaged ${r.damaged.length}, phantom ${r.phantom.length}, leaked ${r.leaked}`,
      ),
  });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${arch}: ${t.points} power cuts (seed ${seed}, ${secs} s): ${t.ackedPuts} puts and ${t.ackedDeletes} deletes acknowledged; lost ${t.lost}, damaged returned ${t.damaged}, phantoms ${t.phantom}, points with leaked space ${t.leaked}`);
  if (t.lost + t.damaged + t.phantom + t.leaked !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
