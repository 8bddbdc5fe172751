/**
 * The generated differential test (issue 9): seeded random programs over the
 * integer subset, each run natively (ASan+UBSan) and under Node, and both
 * outputs compared with the BigInt model's. PROGRAMS x FUNCTIONS programs per
 * run (each function is one); CAMBI_DIFF_PROGRAMS=N runs more, CAMBI_DIFF_SEED
 * starts elsewhere. A failure names the seed and keeps the program.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";
import { ProgramGenerator, Rng } from "./differential/generator.js";

const PROGRAMS = Number(process.env.CAMBI_DIFF_PROGRAMS ?? 6);
const FUNCTIONS = 200;
const FIRST_SEED = Number(process.env.CAMBI_DIFF_SEED ?? 1);

describe("random integer programs: native, Node and the BigInt model agree", () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + PROGRAMS; seed++) {
    it(`seed ${seed} (${FUNCTIONS} functions)`, async () => {
      const { source, expected } = new ProgramGenerator(new Rng(seed)).program(FUNCTIONS);
      const dir = mkdtempSync(path.join(tmpdir(), `kts-diff-${seed}-`));
      const file = path.join(dir, `diff${seed}.ts`);
      writeFileSync(file, source);
      const [native, node] = await Promise.all([runExe(buildHost(file)).then(runText), runInNode(file).then(runText)]);
      expect(node, `Node vs model, program kept in ${file}`).toBe(expected);
      expect(native, `native vs model, program kept in ${file}`).toBe(expected);
    });
  }
});
