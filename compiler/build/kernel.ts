/**
 * Kernel image builds: the KTS kernel (entry src/kernel/main.ts, or a test
 * entry) compiled freestanding for one arch, the arch's assembly, linked by
 * ld.lld with linker-scripts/<arch>.ld. AArch64 also gets a raw Image (the
 * arm64 Linux Image header is the first bytes of the binary) for QEMU -kernel.
 * Given a bootstrap public key, the build links a generated C file holding it
 * (bootstrap-key-c.ts); without one, a kernel that reads the key does not link.
 *
 * Incremental: a variant whose stamp still matches its sources is not touched
 * (the front end is not even loaded); otherwise objects come from the object
 * cache where their C is unchanged, and ThinLTO reuses its own cache for
 * modules whose optimization inputs are unchanged.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT, relPath } from "../project/root.js";
import { FREESTANDING_RUNTIME, freestandingFlags, generatedFlags, ToolchainError } from "../toolchain/clang.js";
import { runTool } from "../toolchain/jobs.js";
import { compileCached, pruneObjectCache, type CompiledObject } from "../toolchain/object-cache.js";
import { codeSymbols } from "./dwarf-lines.js";
import { callGraph, checkStack, deepestPath, stackReportText, type StackReport } from "./stack-depth.js";
import { lineTableC } from "./lines.js";
import { bootstrapKeyC } from "./bootstrap-key-c.js";
import { buildConfigC, type BuildConfig } from "./build-config-c.js";
import { SILENT, type Progress } from "./progress.js";
import { isFresh, toolchainFingerprint, writeStamp } from "./stamp.js";

/**
 * Generated C of code that runs at boot or seldom (signature checks and the
 * parsers of what the loader hands over), compiled for size (-Os after -O2;
 * ThinLTO keeps it per function) so that the image stays within 256 KiB; the
 * paths the benchmarks measure keep -O2. BLAKE3 stays fast: it hashes the
 * whole boot bundle.
 */
const COLD_MODULE = /^(lib_crypto_(ed25519|edwards25519|field25519|scalar25519|sha512)|kernel_boot_|kernel_loader_|arch_(x86_64|aarch64)_(acpi|boot|fdt|pvh)\b)/;

export interface KernelBuild {
  arch: Arch;
  elf: string;
  /** What QEMU boots: the ELF (x86_64, PVH) or the raw Image (aarch64). */
  bootImage: string;
  diagnostics: Diagnostic[];
  /** False when the image was already up to date. */
  rebuilt: boolean;
  /** Objects compiled by clang this time (the rest came from the cache). */
  compiled: number;
  objects: number;
  /** The deepest call path (when rebuilt; stack.txt next to the image has the whole report). */
  stack?: StackReport;
}

export interface KernelOptions {
  entry?: string;
  variant?: string;
  lto?: boolean;
  bootstrapKey?: Uint8Array;
  /** Build-time switches (build-config-c.ts); default: all off. */
  config?: BuildConfig;
  progress?: Progress;
}

export const KERNEL_ENTRY = path.join(REPO_ROOT, "src/kernel/main.ts");

export function buildDir(arch: Arch, variant: string): string {
  return path.join(REPO_ROOT, "build", arch, variant);
}

/** Counts finished compiles for the progress line. */
function counted(jobs: Promise<CompiledObject>[], progress: Progress): Promise<CompiledObject[]> {
  let done = 0;
  return Promise.all(jobs.map((j) => j.then((o) => (progress.count("compiling", ++done, jobs.length), o))));
}

/** Builds the kernel for arch from entry; diagnostics stop the build before any C is compiled. */
export async function buildKernel(arch: Arch, opts: KernelOptions = {}): Promise<KernelBuild> {
  const progress = opts.progress ?? SILENT;
  const variant = opts.variant ?? "kernel";
  const entry = opts.entry ?? KERNEL_ENTRY;
  const lto = opts.lto ?? true;
  const dir = buildDir(arch, variant);
  const gen = path.join(dir, "gen");
  const elf = path.join(dir, "kernel.elf");
  const result: KernelBuild = { arch, elf, bootImage: arch === "aarch64" ? path.join(dir, "kernel.img") : elf, diagnostics: [], rebuilt: false, compiled: 0, objects: 0 };
  const stampFile = path.join(dir, "stamp.json");
  const config: BuildConfig = opts.config ?? { probes: false };
  const key = JSON.stringify({ step: "kernel", arch, entry: relPath(entry), lto, config, bootstrapKey: opts.bootstrapKey ? Buffer.from(opts.bootstrapKey).toString("hex") : null, toolchain: toolchainFingerprint() });
  if (isFresh(stampFile, key, [elf, result.bootImage])) return result;
  // A build that stops half way must not leave an old stamp vouching for new files.
  rmSync(stampFile, { force: true });

  const { generate } = await import("../driver.js");
  // Recursion in a kernel must be bounded and marked (KT1033); the marks bound the cycles of the image below.
  const r = generate([entry], { target: { kind: "freestanding", arch }, outDir: gen, boundedRecursion: true });
  result.diagnostics = r.diagnostics;
  if (r.diagnostics.length > 0) return result;
  mkdirSync(dir, { recursive: true });
  const plain = freestandingFlags(arch);
  const asmDir = path.join(REPO_ROOT, "src/arch", arch);
  const asm = readdirSync(asmDir).filter((f) => f.endsWith(".S")).sort().map((s) => path.join(asmDir, s));
  const extra: string[] = [];
  if (opts.bootstrapKey) {
    const keyC = path.join(gen, "kts_bootstrap_key.c");
    writeFileSync(keyC, bootstrapKeyC(opts.bootstrapKey));
    extra.push(keyC);
  }
  // The switches are compiled as generated C: under LTO each is a constant where it is asked.
  const configC = path.join(gen, "kts_build_config.c");
  writeFileSync(configC, buildConfigC(config));
  const generated = generatedFlags(arch, { lto });
  const forSize = [...generated, "-Os"];
  // Compiled with the generated C's flags: bitcode under LTO.
  const fromGenerated = [...r.cFiles.map((c) => compileCached(c, COLD_MODULE.test(path.basename(c)) ? forSize : generated)), compileCached(configC, generated)];
  const built = await counted([...fromGenerated, ...[FREESTANDING_RUNTIME, ...asm, ...extra].map((f) => compileCached(f, plain))], progress);
  result.objects = built.length;
  result.compiled = built.filter((o) => o.compiled).length;
  const objs = built.map((o) => o.object);
  // With LTO the generated C is bitcode, optimized as one program by the first link; it keeps that
  // link's code (one object, which lld places after the native objects) for the second.
  const bitcode = lto ? fromGenerated.length : 0;
  const ltoObject = `${elf}.lto.o`;

  // The assembly calls kts_kernel_entry: the entry module's kernelMain.
  const entrySym = `${r.modules[r.modules.length - 1]!.base}__kernelMain`;
  const link = (inputs: string[]) =>
    runTool("ld.lld", [
      "-T",
      path.join(REPO_ROOT, "linker-scripts", `${arch}.ld`),
      "-nostdlib",
      "-static",
      "-z",
      "max-page-size=4096",
      "--no-dynamic-linker",
      `--defsym=kts_kernel_entry=${entrySym}`,
      "-mllvm",
      "-stack-size-section",
      "--lto-O3",
      "-o",
      elf,
      ...inputs,
    ]);
  progress.count("linking", 1, 2);
  await link(lto ? [...objs, `--lto-obj-path=${ltoObject}`] : objs);
  const firstCode = codeSymbols(elf);
  // The stack-depth analysis reads the first link's code (the second adds only the line table), beside the second link.
  const firstElf = `${elf}.first`;
  copyFileSync(elf, firstElf);
  const graph = callGraph(firstElf);
  // Second pass: the same objects plus the .ts line table (read-only data after all code).
  const lines = lineTableC(elf);
  const linesC = path.join(gen, "kts_lines.c");
  writeFileSync(linesC, lines.source);
  const linesO = await compileCached(linesC, plain.filter((f) => f !== "-g"));
  progress.count("linking", 2, 2);
  await link(lto ? [...objs.slice(bitcode), ltoObject, linesO.object] : [...objs, linesO.object]);
  rmSync(ltoObject, { force: true });
  // The table describes the first pass's code: the second must not have moved any of it.
  if (codeSymbols(elf) !== firstCode) throw new ToolchainError(`ld.lld: the code of ${elf} moved when the line table was linked in`);
  // The deepest call path must fit a kernel stack (frame sizes from .stack_sizes, calls from the disassembly),
  // each cycle of calls counted at its source mark's bound, and none unmarked.
  const fns = await graph;
  rmSync(firstElf, { force: true });
  result.stack = deepestPath(fns, r.cycles);
  writeFileSync(path.join(dir, "stack.txt"), stackReportText(result.stack, fns));
  checkStack(result.stack);
  if (arch === "aarch64") await runTool("llvm-objcopy", ["-O", "binary", elf, result.bootImage]);
  writeStamp(stampFile, key, r.sources);
  pruneObjectCache();
  result.rebuilt = true;
  return result;
}

export function fileSize(p: string): number {
  return existsSync(p) ? statSync(p).size : 0;
}
