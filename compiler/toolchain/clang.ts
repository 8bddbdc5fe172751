/**
 * clang and ld.lld invocations, with the flags each target needs. Generated C
 * must compile warning-free under -Wall -Wextra -Werror; a clang error here is a
 * compiler bug and is reported as one.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import type { Arch } from "../intrinsics/table.js";
import { ToolchainError } from "./errors.js";
import { compileCached, compileCachedSync, type CompiledObject } from "./object-cache.js";

export const RUNTIME_INCLUDE = path.join(REPO_ROOT, "runtime-c/include");
/**
 * Generated C must compile warning-free; the warnings turned off are about the
 * program, not the C: an unused or set-but-unused local, `x = x`, `x <= x`, a
 * comparison whose result the types decide, and a function that always
 * recurses are valid KTS (Node runs them; recursion that never ends is a stack
 * overflow in both worlds). The generated differential test found the first
 * four.
 */
export const WARNINGS = [
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wno-unused-variable",
  "-Wno-unused-but-set-variable",
  "-Wno-self-assign",
  "-Wno-tautological-compare",
  "-Wno-type-limits",
  "-Wno-infinite-recursion",
];
/**
 * Semantics every build of generated C needs. -fno-finite-loops: C11 lets a
 * compiler assume a loop without side effects ends, and clang then deletes it
 * (a spin-wait on memory another CPU writes, or a KTS loop that never ends
 * under Node, would run off its function); KTS loops end when their condition
 * says so, in both worlds.
 */
export const SEMANTICS = ["-fno-finite-loops", "-fno-strict-aliasing"];

export function hostFlags(opts: { sanitize: boolean; optimize: string }): string[] {
  const f = ["-std=gnu11", opts.optimize, "-g", ...SEMANTICS, ...WARNINGS, "-I", RUNTIME_INCLUDE];
  if (opts.sanitize) f.push("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer");
  return f;
}

export function freestandingFlags(arch: Arch): string[] {
  // -fstack-size-section: frame sizes for the kernel's stack-depth check (stack-depth.ts).
  const common = ["-std=gnu11", "-O2", "-g", "-ffreestanding", "-fno-builtin", "-nostdlib", "-fstack-size-section", ...SEMANTICS, "-fno-stack-protector", "-fno-pic", "-fno-omit-frame-pointer", "-fno-delete-null-pointer-checks", ...WARNINGS, "-I", RUNTIME_INCLUDE];
  if (arch === "x86_64") return ["--target=x86_64-unknown-none-elf", "-mno-red-zone", "-mgeneral-regs-only", "-mcmodel=kernel", ...common];
  return ["--target=aarch64-unknown-none-elf", "-mgeneral-regs-only", "-mno-omit-leaf-frame-pointer", ...common];
}

export { ToolchainError };

/** Compiles each file through the object cache, in parallel; the objects, in the order of files. */
export async function compileAll(files: string[], flags: string[]): Promise<CompiledObject[]> {
  return Promise.all(files.map((f) => compileCached(f, flags)));
}

/** Builds a native executable from generated C plus the hosted runtime (objects from the cache). */
export function linkHost(cFiles: string[], out: string, opts: { sanitize: boolean; optimize: string }): void {
  const flags = hostFlags(opts);
  const objs = [...cFiles, path.join(REPO_ROOT, "runtime-c/src/host.c")].map((c) => compileCachedSync(c, flags).object);
  const linkFlags = opts.sanitize ? ["-fsanitize=address,undefined"] : [];
  try {
    execFileSync("clang", [...linkFlags, ...objs, "-o", out], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new ToolchainError(`clang (link) failed:\n${err.stderr?.toString() ?? err.message}`.trim());
  }
}

/**
 * Flags for generated C: with `lto`, bitcode that ld.lld optimizes as one
 * program (full LTO: ThinLTO imported too little across modules, and the
 * kernel's IPC round trip cost 1,772 instructions with it against 1,618 with
 * full LTO on x86_64, in a smaller image). Every KTS module is its own C file,
 * so without LTO not even a one-line accessor of another module is inlined (the
 * kernel's IPC round trip and context switch cost about 40% less with it). The
 * runtime stays a plain object (runtimeFlags): its weak references to the line
 * table, linked in a second pass, must not change the code around them.
 */
export function generatedFlags(arch: Arch, opts: { lto?: boolean } = {}): string[] {
  return opts.lto ? [...freestandingFlags(arch), "-flto"] : freestandingFlags(arch);
}

export const FREESTANDING_RUNTIME = path.join(REPO_ROOT, "runtime-c/src/freestanding.c");

/** Compiles generated C (and the freestanding runtime) to objects in outDir, named after their sources (`cambi compile`, tests). */
export function compileFreestanding(cFiles: string[], outDir: string, arch: Arch, opts: { lto?: boolean } = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const built = [...cFiles.map((c) => compileCachedSync(c, generatedFlags(arch, opts))), compileCachedSync(FREESTANDING_RUNTIME, freestandingFlags(arch))];
  return [...cFiles, FREESTANDING_RUNTIME].map((c, i) => {
    const o = path.join(outDir, path.basename(c).replace(/\.c$/, ".o"));
    copyFileSync(built[i]!.object, o);
    return o;
  });
}
