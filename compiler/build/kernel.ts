/**
 * Kernel image builds: the KTS kernel (entry src/kernel/main.ts, or a test
 * entry) compiled freestanding for one arch, the arch's assembly, linked by
 * ld.lld with linker-scripts/<arch>.ld. AArch64 also gets a raw Image (the
 * arm64 Linux Image header is the first bytes of the binary) for QEMU -kernel.
 * Given a bootstrap public key, the build links a generated C file holding it
 * (bootstrap-key-c.ts); without one, a kernel that reads the key does not link.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "../driver.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT } from "../project/load.js";
import { compileFreestanding, freestandingFlags, ToolchainError } from "../toolchain/clang.js";
import { lineTableC } from "./lines.js";
import { bootstrapKeyC } from "./bootstrap-key-c.js";

export interface KernelBuild {
  arch: Arch;
  elf: string;
  /** What QEMU boots: the ELF (x86_64, PVH) or the raw Image (aarch64). */
  bootImage: string;
  diagnostics: Diagnostic[];
}

export const KERNEL_ENTRY = path.join(REPO_ROOT, "src/kernel/main.ts");

export function buildDir(arch: Arch, variant: string): string {
  return path.join(REPO_ROOT, "build", arch, variant);
}

function run(cmd: string, args: string[], cwd?: string): void {
  try {
    execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new ToolchainError(`${cmd} ${args.join(" ")}\n${err.stderr?.toString() ?? ""}${err.stdout?.toString() ?? ""}`.trim());
  }
}

/** Builds the kernel for arch from entry; diagnostics stop the build before any C is compiled. */
export function buildKernel(arch: Arch, opts: { entry?: string; variant?: string; lto?: boolean; bootstrapKey?: Uint8Array } = {}): KernelBuild {
  const variant = opts.variant ?? "kernel";
  const dir = buildDir(arch, variant);
  const gen = path.join(dir, "gen");
  const obj = path.join(dir, "obj");
  mkdirSync(obj, { recursive: true });
  const elf = path.join(dir, "kernel.elf");
  const r = generate([opts.entry ?? KERNEL_ENTRY], { target: { kind: "freestanding", arch }, outDir: gen });
  const result: KernelBuild = { arch, elf, bootImage: arch === "aarch64" ? path.join(dir, "kernel.img") : elf, diagnostics: r.diagnostics };
  if (r.diagnostics.length > 0) return result;
  for (const f of readdirSync(obj)) if (f.endsWith(".o")) execFileSync("rm", ["-f", path.join(obj, f)]);
  const objs = compileFreestanding(r.cFiles, obj, arch, { lto: opts.lto ?? true });
  const asmDir = path.join(REPO_ROOT, "src/arch", arch);
  for (const s of readdirSync(asmDir).filter((f) => f.endsWith(".S")).sort()) {
    const o = path.join(obj, `asm_${s.replace(/\.S$/, ".o")}`);
    run("clang", [...freestandingFlags(arch), "-c", path.join(asmDir, s), "-o", o]);
    objs.push(o);
  }
  if (opts.bootstrapKey) {
    const keyC = path.join(gen, "kts_bootstrap_key.c");
    writeFileSync(keyC, bootstrapKeyC(opts.bootstrapKey));
    const keyO = path.join(obj, "kts_bootstrap_key.o");
    run("clang", [...freestandingFlags(arch), "-c", keyC, "-o", keyO]);
    objs.push(keyO);
  }
  // The assembly calls kts_kernel_entry: the entry module's kernelMain.
  const entryModule = r.modules[r.modules.length - 1]!;
  const entrySym = `${entryModule.base}__kernelMain`;
  const link = (inputs: string[]) =>
    run("ld.lld", ["-T", path.join(REPO_ROOT, "linker-scripts", `${arch}.ld`), "-nostdlib", "-static", "-z", "max-page-size=4096", "--no-dynamic-linker", `--defsym=kts_kernel_entry=${entrySym}`, "-o", elf, ...inputs]);
  link(objs);
  const firstCode = codeLayout(elf);
  // Second pass: the same objects plus the .ts line table (read-only data after all code).
  const lines = lineTableC(elf);
  const linesC = path.join(gen, "kts_lines.c");
  writeFileSync(linesC, lines.source);
  const linesO = path.join(obj, "zz_kts_lines.o");
  run("clang", [...freestandingFlags(arch).filter((f) => f !== "-g"), "-c", linesC, "-o", linesO]);
  link([...objs, linesO]);
  // The table describes the first pass's code: the second must not have moved any of it.
  if (codeLayout(elf) !== firstCode) throw new ToolchainError(`ld.lld: the code of ${elf} moved when the line table was linked in`);
  if (arch === "aarch64") run("llvm-objcopy", ["-O", "binary", elf, result.bootImage]);
  return result;
}

/** Every code symbol of an ELF with its address and size, one per line. */
function codeLayout(elf: string): string {
  const syms = execFileSync("llvm-nm", ["--defined-only", "--numeric-sort", "--print-size", elf], { encoding: "utf8", maxBuffer: 64 << 20 });
  return syms
    .split("\n")
    .filter((l) => / [tT] /.test(l))
    .join("\n");
}

export function fileSize(p: string): number {
  return existsSync(p) ? statSync(p).size : 0;
}
