/**
 * Every rejected construct: each file in reject/ marks its offending lines with
 * `// expect: CODE…`. The compiler must report exactly those codes on exactly
 * those lines (all of them in one run, never stopping at the first), and the
 * full diagnostics (line, column, code, message) must match the golden `.diag`.
 * A marker `// arch: aarch64` checks for that arch. UPDATE_GOLDEN=1 rewrites goldens.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "../../compiler/driver.js";
import { relPath } from "../../compiler/project/load.js";

const DIR = path.join(import.meta.dirname, "reject");
const files = readdirSync(DIR).filter((f) => f.endsWith(".ts")).sort();

describe("rejected constructs get exact diagnostics", () => {
  for (const file of files) {
    it(file, () => {
      const entry = path.join(DIR, file);
      const src = readFileSync(entry, "utf8");
      const arch = /^\/\/ arch: aarch64$/m.test(src) ? "aarch64" : "x86_64";
      const r = generate([entry], { target: { kind: "freestanding", arch } });
      const mine = r.diagnostics.filter((d) => d.file === relPath(entry));
      expect(mine.length).toBeGreaterThan(0);

      const expected: string[] = [];
      src.split("\n").forEach((line, i) => {
        const m = /\/\/ expect: (.*)$/.exec(line);
        if (m) for (const code of m[1]!.trim().split(/\s+/)) expected.push(`${i + 1} ${code}`);
      });
      const got = [...new Set(mine.map((d) => `${d.line} ${d.code}`))];
      expect(got.sort()).toEqual([...new Set(expected)].sort());

      const text = mine.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join("\n") + "\n";
      const golden = entry.replace(/\.ts$/, ".diag");
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, "utf8"));
    });
  }
});
