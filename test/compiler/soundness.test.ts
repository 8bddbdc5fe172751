/**
 * Issue 9's classes that need more than an accept or reject program: the C
 * compiler must not assume loops end (class 1), and two modules whose paths
 * map to one C name are an error, not one file overwriting the other (class 9).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "../../compiler/driver.js";
import { freestandingFlags, hostFlags } from "../../compiler/toolchain/clang.js";
import { buildFreestanding } from "../harness/host-world.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

function program(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-sound-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("generated C keeps the language's promises", () => {
  it("a loop without side effects is never assumed to end (no mustprogress in the IR), host and freestanding", () => {
    const dir = program({
      "spin.ts": `import { u32 } from "kts";
let flag: u32 = 1;
export function spin(limit: u32): u32 {
  let i: u32 = 0;
  while (i < limit) {}
  while (flag != 0) {}
  return i;
}
`,
    });
    const r = generate([path.join(dir, "spin.ts")], { target: { kind: "freestanding", arch: "x86_64" }, outDir: path.join(dir, "gen") });
    expect(r.diagnostics).toEqual([]);
    const c = r.cFiles.find((f) => f.endsWith("spin.c"))!;
    for (const flags of [hostFlags({ sanitize: false, optimize: "-O2" }), freestandingFlags("x86_64"), freestandingFlags("aarch64")]) {
      // The front end's IR, before optimizations (which mark a function that simply returns as mustprogress too).
      const ir = execFileSync("clang", [...flags, "-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm", "-o", "-", c], { cwd: path.dirname(c), encoding: "utf8" });
      expect(ir).toContain("define");
      expect(ir).not.toContain("mustprogress");
    }
  });

  for (const [a, b] of [
    ["dup-name.ts", "dup_name.ts"],
    ["a_b.ts", "a/b.ts"],
  ]) {
    it(`modules ${a} and ${b} map to one C name: an error naming both`, () => {
      const dir = program({});
      execFileSync("mkdir", ["-p", path.join(dir, "a")]);
      const body = (n: number) => `import { u32 } from "kts";\nexport function f${n}(): u32 {\n  return ${n};\n}\n`;
      writeFileSync(path.join(dir, a), body(1));
      writeFileSync(path.join(dir, b), body(2));
      const imp = (f: string) => `./${f.replace(/\.ts$/, "")}`;
      writeFileSync(path.join(dir, "main.ts"), `import { u32 } from "kts";\nimport { f1 } from "${imp(a)}";\nimport { f2 } from "${imp(b)}";\nexport function main(): u32 {\n  return u32(f1() + f2());\n}\n`);
      const r = generate([path.join(dir, "main.ts")], { target: { kind: "host", arch: "x86_64" } });
      const clash = r.diagnostics.filter((d) => d.code === "KT1020");
      expect(clash.length).toBe(1);
      expect(clash[0]!.message).toContain(a.replace(/\.ts$/, ""));
      expect(clash[0]!.message).toContain(b.replace(/\.ts$/, ""));
    });
  }

  it("a module whose C name would start with kts (the generated glue's kts_entry.c) is an error", () => {
    // Only a path below the repository root can have such a name: a scratch folder there, removed after.
    const dir = path.join(ROOT, `kts-scratch-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(path.join(dir, "entry.ts"), `import { u32 } from "kts";\nexport function main(): u32 {\n  return 0;\n}\n`);
      const r = generate([path.join(dir, "entry.ts")], { target: { kind: "host", arch: "x86_64" } });
      expect(r.diagnostics.map((d) => d.code)).toEqual(["KT1021"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a readonly module table of constants is in read-only data on both arches; a write to it is TypeScript's error", () => {
    for (const arch of ["x86_64", "aarch64"] as const) {
      const objs = buildFreestanding(path.join(ROOT, "test/compiler/accept/rodata.ts"), arch);
      const obj = objs.find((o) => o.endsWith("test_compiler_accept_rodata.o"))!;
      const table = execFileSync("llvm-objdump", ["-t", obj], { encoding: "utf8" });
      expect(table).toMatch(/\.rodata\S*\s+\S+\s+test_compiler_accept_rodata__CRC_SEED/);
      expect(table).toMatch(/\.(rodata|data\.rel\.ro)\S*\s+\S+\s+test_compiler_accept_rodata__STEPS/);
    }
    const dir = program({
      "write.ts": `import { u8, arrayOf } from "kts";\nconst T: readonly u8[] = arrayOf([1, 2]);\nexport function f(): void {\n  T[0] = 3;\n}\n`,
    });
    const r = generate([path.join(dir, "write.ts")], { target: { kind: "freestanding", arch: "x86_64" } });
    expect(r.diagnostics.map((d) => d.code)).toContain("TS2542");
  });

  it("an atomic's memory order reaches the machine code (AArch64: acquire loads are ldar, release stores stlr, relaxed ones plain)", () => {
    const objs = buildFreestanding(path.join(ROOT, "test/compiler/accept/atomic-orders.ts"), "aarch64");
    const obj = objs.find((o) => o.endsWith("test_compiler_accept_atomic_orders.o"))!;
    const text = execFileSync("llvm-objdump", ["-d", "--no-show-raw-insn", obj], { encoding: "utf8" });
    const body = (fn: string): string => {
      const m = new RegExp(`<test_compiler_accept_atomic_orders__${fn}>:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(text);
      expect(m, fn).not.toBeNull();
      return m![1]!;
    };
    const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;
    // consume: one acquire load of the flag, four relaxed loads of the data.
    expect(count(body("consume"), /\bldar\b/g)).toBe(1);
    // publish: four relaxed stores, one release store of the flag (the four data stores are not stlr).
    expect(count(body("publish"), /\bstlr\b/g)).toBe(1);
  });
});
