/**
 * The build loop (issue 8): up-to-date builds are recognised, a second process
 * wanting the same image waits for the first, objects do not depend on the
 * folder they were built in, the command works through a symlink, --watch
 * rebuilds on save, and the line table read from .debug_line agrees with
 * llvm-dwarfdump, and the kernel image fits in 256 KiB.
 */
import { describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProcess } from "../harness/process.js";
import { compileCached, pruneObjectCache } from "../../compiler/toolchain/object-cache.js";
import { freestandingFlags } from "../../compiler/toolchain/clang.js";
import { runTool } from "../../compiler/toolchain/jobs.js";
import { readLineRows } from "../../compiler/build/dwarf-lines.js";
import { encodeLineTable, lineRows, lookupLine } from "../../compiler/build/lines.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CAMBI = path.join(ROOT, "bin/cambi");

async function cambi(args: string[], cwd = ROOT) {
  const r = await runProcess(CAMBI, args, "", { ...process.env, NO_COLOR: "1" }, cwd);
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("incremental builds", () => {
  it("a build with nothing changed says so for the bundle and the kernel", async () => {
    const first = await cambi(["build", "--arch", "x86_64"]);
    expect(first.status, first.out).toBe(0);
    const again = await cambi(["build", "--arch", "x86_64"]);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/^up to date: build\/x86_64\/bundle-standard\.bin /m);
    expect(again.out).toMatch(/^up to date: build\/x86_64\/kernel\/kernel\.elf /m);
  });

  it("two processes building one image at once: one builds, the other waits and finds it done", async () => {
    // The fault image is small and only boot.test.ts also uses it (it waits on the same lock).
    rmSync(path.join(ROOT, "build/aarch64/fault-main/stamp.json"), { force: true });
    const run = () => cambi(["run", "--arch", "aarch64", "--entry", "src/kernel/tests/fault-main.ts", "--expect", "(^|\\n)panic: ", "--timeout", "120"]);
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.status, a.out).toBe(0);
    expect(b.status, b.out).toBe(0);
  });

  it("an object compiled in one folder is the object of the same C in another", async () => {
    const c = "#include <stdint.h>\nuint32_t twice(uint32_t x) { return x * 2; }\n";
    const tag = `/* ${process.pid} ${Date.now()} */\n`; // new text: not in the cache yet
    const dirs = [mkdtempSync(path.join(tmpdir(), "cambi-obj-a-")), mkdtempSync(path.join(tmpdir(), "cambi-obj-b-"))];
    for (const d of dirs) writeFileSync(path.join(d, "twice.c"), tag + c);
    const first = await compileCached(path.join(dirs[0]!, "twice.c"), freestandingFlags("aarch64"));
    const second = await compileCached(path.join(dirs[1]!, "twice.c"), freestandingFlags("aarch64"));
    expect(first.compiled).toBe(true);
    expect(second).toEqual({ object: first.object, compiled: false });
    // Its debug information names no build folder.
    expect(readFileSync(first.object).includes(Buffer.from(dirs[0]!))).toBe(false);
  });

  it("objects no build used for 14 days are pruned (at most once a day); used ones stay", async () => {
    const stale = path.join(ROOT, "build/cache/objects/zz", `stale-${process.pid}.o`);
    mkdirSync(path.dirname(stale), { recursive: true });
    writeFileSync(stale, "old");
    const month = (Date.now() - 30 * 86_400_000) / 1000;
    utimesSync(stale, month, month);
    const c = `/* ${process.pid} kept */\nint kept(void) { return 1; }\n`;
    const dir = mkdtempSync(path.join(tmpdir(), "cambi-prune-"));
    writeFileSync(path.join(dir, "kept.c"), c);
    const kept = await compileCached(path.join(dir, "kept.c"), freestandingFlags("x86_64"));
    rmSync(path.join(ROOT, "build/cache/pruned"), { force: true });
    expect(pruneObjectCache()).toBeGreaterThanOrEqual(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(kept.object)).toBe(true);
    // Once a day: a second pass right after does nothing.
    writeFileSync(stale, "old");
    utimesSync(stale, month, month);
    expect(pruneObjectCache()).toBe(0);
    rmSync(stale, { force: true });
  });

  it("works through a symlink, from any folder (npm link, npm install -g)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cambi-link-"));
    symlinkSync(CAMBI, path.join(dir, "cambi"));
    const r = await runProcess(path.join(dir, "cambi"), ["explain", "KT2001"], "", process.env, tmpdir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("KT2001");
  });

  it("--watch rebuilds when a file is saved and says what changed and how long it took", async () => {
    const child = spawn(CAMBI, ["build", "--arch", "x86_64", "--watch"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 300_000;
      while (!re.test(log) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return re.test(log);
    };
    try {
      expect(await waitFor(/--- rebuilt in [\d.]+ s/), log).toBe(true);
      // Saving a file with the same text is a save: it triggers a rebuild that finds nothing to do.
      const manifest = path.join(ROOT, "images/standard.json");
      writeFileSync(manifest, readFileSync(manifest));
      expect(await waitFor(/--- changed: images\/standard\.json\n[\s\S]*--- rebuilt in [\d.]+ s/), log).toBe(true);
      expect(log.split("--- changed:")[1]).toMatch(/up to date: build\/x86_64\/kernel\/kernel\.elf/);
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }
  });
});

describe("the compact line table", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`finds, for any address, the row the uncompressed table gives (${arch} kernel); about 3 bytes a row`, async () => {
      const built = await cambi(["build", "--arch", arch]);
      expect(built.status, built.out).toBe(0);
      const elf = path.join(ROOT, "build", arch, "kernel/kernel.elf");
      const { files, rows } = lineRows(elf);
      const t = encodeLineTable(rows);
      expect(t.bytes.length / rows.length).toBeLessThan(4);
      // The answer of DWARF's own rows, before any merging: the last row at or below pc
      // (of rows at one address, the last); other files' code and sequence ends are "unknown".
      const index = new Map(files.map((f, i) => [f, i]));
      const raw = readLineRows(elf)
        .map((r) => {
          const name = path.posix.normalize(r.file);
          const ts = name.endsWith(".ts") && !r.endSequence;
          return { addr: r.address, file: ts ? index.get(name)! : 0xfff, line: ts ? r.line : 0 };
        })
        .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
      // Rows that repeat their predecessor's file and line are merged away.
      expect(rows.length).toBeLessThan(raw.length * 0.9);
      const naive = (pc: bigint) => {
        let found: { file: number; line: number } | undefined;
        for (const r of raw) if (r.addr <= pc) found = { file: r.file, line: r.line };
        return found;
      };
      const first = rows[0]!.addr;
      const span = Number(rows[rows.length - 1]!.addr - first) + 64;
      let seed = 12345;
      for (let k = 0; k < 300; k++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const pc = first - 8n + BigInt(seed % span);
        expect(lookupLine(t, pc)).toEqual(naive(pc));
      }
      for (const r of rows.slice(0, 200)) expect(lookupLine(t, r.addr)).toEqual({ file: r.file, line: r.line });
    });
  }
});

describe("the kernel image", () => {
  // Issue 14: the image, line table included, in 256 KiB: x86_64's loaded sections, the AArch64 Image file.
  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`fits in 256 KiB, line table included (${arch})`, async () => {
      const built = await cambi(["build", "--arch", arch]);
      expect(built.status, built.out).toBe(0);
      const dir = path.join(ROOT, "build", arch, "kernel");
      let bytes: number;
      if (arch === "aarch64") bytes = statSync(path.join(dir, "kernel.img")).size;
      else {
        const sizes = await runTool("llvm-size", ["-A", path.join(dir, "kernel.elf")]);
        bytes = 0;
        for (const m of sizes.matchAll(/^\.(text|rodata|data)\s+(\d+)/gm)) bytes += Number(m[2]);
      }
      expect(bytes).toBeGreaterThan(100_000);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    });
  }
});

describe("the line table reader", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    it(`reads the same .ts rows from .debug_line as llvm-dwarfdump (${arch} kernel)`, async () => {
      const built = await cambi(["build", "--arch", arch]);
      expect(built.status, built.out).toBe(0);
      const elf = path.join(ROOT, "build", arch, "kernel/kernel.elf");
      const dir = mkdtempSync(path.join(tmpdir(), "cambi-lines-"));
      mkdirSync(dir, { recursive: true });
      copyFileSync(elf, path.join(dir, "k.elf"));
      const mine = readLineRows(path.join(dir, "k.elf")).filter((r) => !r.endSequence && r.file.endsWith(".ts"));
      const text = execFileSync("llvm-dwarfdump", ["--debug-line", path.join(dir, "k.elf")], { maxBuffer: 256 << 20 }).toString();
      // dwarfdump's rows: address, line, column, file index, ...; only those of .ts files (by index, per unit).
      let theirs = 0;
      let tsIndexes = new Set<string>();
      for (const unit of text.split(/^debug_line\[/m).slice(1)) {
        tsIndexes = new Set([...unit.matchAll(/^file_names\[\s*(\d+)\]:\s*\n\s*name: "([^"]*)"/gm)].filter((m) => m[2]!.endsWith(".ts")).map((m) => m[1]!));
        for (const m of unit.matchAll(/^0x([0-9a-f]{16})\s+(\d+)\s+\d+\s+(\d+)\s(.*)$/gm)) if (tsIndexes.has(m[3]!) && !m[4]!.includes("end_sequence")) theirs++;
      }
      expect(mine.length).toBeGreaterThan(1000);
      expect(mine.length).toBe(theirs);
    });
  }
});
