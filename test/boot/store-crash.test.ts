/**
 * The object store survives power cuts at random instants (test/harness/store-crash.ts),
 * both arches, 10 points each (`npm run crash-test -- --points N` runs longer):
 * no acknowledged object lost, none damaged, nothing unacknowledged back, no space leaked.
 */
import { describe, expect, it } from "vitest";
import { runCrashPoints } from "../harness/store-crash.js";

describe.each(["x86_64", "aarch64"] as const)("store crash points on %s", (arch) => {
  it("10 power cuts: nothing acknowledged lost, nothing damaged returned, no phantom, no leaked space", async () => {
    const seed = Number(process.env.CAMBI_CRASH_SEED ?? 0x5eed + (arch === "x86_64" ? 1 : 2));
    const totals = await runCrashPoints({ arch, points: 10, seed });
    const bad = totals.results.filter((r) => r.lost.length + r.damaged.length + r.phantom.length !== 0 || r.leaked !== 0);
    expect(bad, `seed ${seed}`).toEqual([]);
    // The workload really worked between the cuts, and the cuts really dropped writes.
    expect(totals.ackedPuts).toBeGreaterThan(10);
    expect(totals.results.some((r) => r.pendingBlocks > r.appliedBlocks)).toBe(true);
  }, 900_000);
});
