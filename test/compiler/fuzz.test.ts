/**
 * A bounded, seeded run of the front-end fuzzer (test/compiler/fuzz/): 300
 * mutated programs; any crash, internal error (KT9001) or accepted program
 * whose C does not compile fails. `npm run fuzz:compiler` runs longer.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Rng } from "./differential/generator.js";
import { mutate, seeds, tryInput, type Finding } from "./fuzz/mutate.js";

describe("front-end fuzzing", () => {
  it("300 mutated programs: diagnostics or valid C, never a crash or an internal error", () => {
    const rng = new Rng(20261206);
    const dir = mkdtempSync(path.join(tmpdir(), "kts-fuzz-"));
    const inputs = seeds();
    const findings: Finding[] = [];
    for (let i = 0; i < 300; i++) {
      const f = tryInput(dir, `in${i}`, mutate(rng, rng.pick(inputs)));
      if (f) findings.push(f);
    }
    expect(findings.map((f) => `${f.kind}: ${f.file}\n${f.detail.split("\n").slice(0, 4).join("\n")}`)).toEqual([]);
  });
});
