/**
 * Every supported construct: each program in accept/ is compiled to C, built
 * natively with ASan+UBSan and run, and also run under Node against the prelude;
 * both must print exactly the golden `.expected` (stdout, exit status, stderr).
 * Programs marked `// world: host` use addresses and run only natively. Every
 * program also compiles freestanding for x86_64 and aarch64 under -Werror.
 * UPDATE_GOLDEN=1 rewrites the goldens from the Node world (review the diff).
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DIR = path.join(import.meta.dirname, "accept");
const programs = readdirSync(DIR).filter((f) => f.endsWith(".ts")).sort();

describe("accepted constructs run identically in C and under Node", () => {
  for (const file of programs) {
    const entry = path.join(DIR, file);
    const src = readFileSync(entry, "utf8");
    const hostOnly = /^\/\/ world: host$/m.test(src);
    const golden = entry.replace(/\.ts$/, ".expected");
    it(file, async () => {
      const native = runText(await runExe(buildHost(entry)));
      if (!hostOnly) {
        const node = runText(await runInNode(entry));
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, node);
        expect(node).toBe(readFileSync(golden, "utf8"));
      } else if (process.env.UPDATE_GOLDEN) writeFileSync(golden, native);
      expect(existsSync(golden)).toBe(true);
      expect(native).toBe(readFileSync(golden, "utf8"));
    });
    if (!src.includes('"kts/host"')) {
      it(`${file} compiles freestanding for x86_64 and aarch64 without warnings`, async () => {
        expect(buildFreestanding(entry, "x86_64").length).toBeGreaterThan(1);
        expect(buildFreestanding(entry, "aarch64").length).toBeGreaterThan(1);
      });
    }
  }
});
