/**
 * The kernel crypto compiles freestanding (no libc, -mgeneral-regs-only) for both
 * arches under -Wall -Wextra -Werror, and the objects define the entry points.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { buildFreestanding } from "../harness/host-world.js";

const CRYPTO = path.resolve(import.meta.dirname, "../../src/lib/crypto");

describe.each(["x86_64", "aarch64"] as const)("crypto library, freestanding %s", (arch) => {
  for (const [file, symbol] of [
    ["blake3.ts", "lib_crypto_blake3__blake3Hash"],
    ["ed25519.ts", "lib_crypto_ed25519__ed25519Verify"],
    ["ed25519-sign.ts", "lib_crypto_ed25519_sign__ed25519Sign"],
    ["ed25519-sign.ts", "lib_crypto_ed25519_sign__ed25519PublicKey"],
    ["csprng.ts", "lib_crypto_csprng__Csprng__generate"],
  ] as const) {
    it(`${file} compiles without a warning and defines ${symbol}`, () => {
      const objs = buildFreestanding(path.join(CRYPTO, file), arch);
      const syms = execFileSync("llvm-nm", ["--defined-only", ...objs]).toString();
      expect(syms).toMatch(new RegExp(`\\bT ${symbol}\\b`));
      const undefinedSyms = execFileSync("llvm-nm", ["--undefined-only", ...objs]).toString();
      // Only the arch layer's hooks may remain undefined: no libc, no soft-float.
      // Weak references (the image's line table, linked in later) may stay undefined.
      const names = undefinedSyms
        .split("\n")
        .filter((l) => !/^\s*w\s/.test(l))
        .map((l) => l.trim().split(/\s+/).pop())
        .filter((n): n is string => !!n && !n.endsWith(":"));
      const external = names.filter((n) => !/^(kts_putc|kts_halt)$/.test(n));
      const defined = new Set(syms.split("\n").map((l) => l.trim().split(/\s+/).pop()));
      expect(external.filter((n) => !defined.has(n))).toEqual([]);
      const file0 = execFileSync("llvm-readelf", ["-h", objs[0]!]).toString();
      expect(file0).toContain(arch === "x86_64" ? "X86-64" : "AArch64");
    });
  }
});
