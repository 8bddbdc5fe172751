/**
 * Every service builds for both arches as a static user ELF (freestanding,
 * -Wall -Wextra -Werror), with nothing left undefined, and its source passes
 * the KTS checks.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildUserProgram } from "../../compiler/build/user.js";
import { formatDiagnostic } from "../../compiler/diagnostics/diagnostic.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVICES = ["init", "log", "shell", "hostile"];

describe("services build", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`builds ${SERVICES.join(", ")} for ${arch}`, async () => {
      const out = mkdtempSync(path.join(tmpdir(), `services-${arch}-`));
      for (const name of SERVICES) {
        const r = await buildUserProgram(path.join(ROOT, "src/services", name, "main.ts"), arch, out);
        expect(r.diagnostics.map((d) => formatDiagnostic(d, { color: false })).join("\n")).toBe("");
        expect(r.name).toBe(name);
        expect(existsSync(r.elf)).toBe(true);
      }
    });
  }
});
