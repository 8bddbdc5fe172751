/**
 * libFuzzer on the KTS code that reads untrusted bytes (fuzz/: the ELF gate,
 * the signed-module verifier, the boot-bundle reader, the device tree parser,
 * IPC messages and capability transfer, the virtqueue's used ring, a channel's
 * hostile peer, the object store's mount). Every target is built
 * (-fsanitize=fuzzer,address,undefined; a KTS panic aborts), every seed in
 * fuzz/corpus/ and every past crash in fuzz/regressions/ is replayed, then each
 * target is fuzzed for 10 s from its seeds, two at a time: any crash, panic,
 * sanitizer report, timeout or out-of-memory fails (its input is saved under
 * fuzz/crashes/). Longer runs: `npm run fuzz -- --target T --seconds N`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildTarget, corpusDir, filesIn, regressionDir, replay, runTarget, summary, TARGETS, type RunResult } from "../../fuzz/lib.js";

const SECONDS = 10;
const PARALLEL = 2;
const exes = new Map<string, string>();

beforeAll(async () => {
  // Builds share the object cache and clang's job pool (one process per core).
  const built = await Promise.all(TARGETS.map((t) => buildTarget(t.name)));
  TARGETS.forEach((t, i) => exes.set(t.name, built[i]!));
});

describe("libFuzzer targets (fuzz/)", () => {
  it("replay every seed and every past crash cleanly", async () => {
    for (const t of TARGETS) {
      const seeds = filesIn(corpusDir(t.name));
      expect(seeds.length, `${t.name}: seeds in fuzz/corpus/${t.name}`).toBeGreaterThan(0);
      const files = [...seeds, ...filesIn(regressionDir(t.name))];
      const r = await replay(exes.get(t.name)!, files);
      expect({ target: t.name, status: r.status, reports: r.reports }, r.tail).toEqual({ target: t.name, status: 0, reports: [] });
    }
  });

  it(`fuzz each target for ${SECONDS} s, ${PARALLEL} at a time, without a crash or sanitizer report`, async () => {
    const results: RunResult[] = [];
    const queue = TARGETS.map((t) => t.name);
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        // A fresh corpus: the test fuzzes from the seeds, whatever longer runs found.
        const work = mkdtempSync(path.join(tmpdir(), `cambi-fuzz-${name}-`));
        try {
          results.push(await runTarget(name, exes.get(name)!, { seconds: SECONDS, workDir: work }));
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    for (const r of results) console.log(summary(r));
    for (const r of results) {
      expect({ target: r.target, crashes: r.crashes, reports: r.reports, status: r.status }, `${summary(r)}\n${r.tail}`).toEqual({ target: r.target, crashes: 0, reports: [], status: 0 });
      expect(r.executions, `${r.target} ran`).toBeGreaterThan(0);
      expect(r.cov, `${r.target} has coverage`).toBeGreaterThan(0);
    }
  });
});
