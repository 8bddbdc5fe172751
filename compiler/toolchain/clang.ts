/**
 * clang and ld.lld invocations, with the flags each target needs. Generated C
 * must compile warning-free under -Wall -Wextra -Werror; a clang error here is a
 * compiler bug and is reported as one.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../project/load.js";
import type { Arch } from "../intrinsics/table.js";

export const RUNTIME_INCLUDE = path.join(REPO_ROOT, "runtime-c/include");
export const WARNINGS = ["-Wall", "-Wextra", "-Werror"];

export function hostFlags(opts: { sanitize: boolean; optimize: string }): string[] {
  const f = ["-std=gnu11", opts.optimize, "-g", "-fno-strict-aliasing", ...WARNINGS, "-I", RUNTIME_INCLUDE];
  if (opts.sanitize) f.push("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer");
  return f;
}

export function freestandingFlags(arch: Arch): string[] {
  const common = ["-std=gnu11", "-O2", "-g", "-ffreestanding", "-fno-builtin", "-nostdlib", "-fno-strict-aliasing", "-fno-stack-protector", "-fno-pic", "-fno-omit-frame-pointer", "-fno-delete-null-pointer-checks", ...WARNINGS, "-I", RUNTIME_INCLUDE];
  if (arch === "x86_64") return ["--target=x86_64-unknown-none-elf", "-mno-red-zone", "-mgeneral-regs-only", "-mcmodel=kernel", ...common];
  return ["--target=aarch64-unknown-none-elf", "-mgeneral-regs-only", "-mno-omit-leaf-frame-pointer", ...common];
}

export class ToolchainError extends Error {}

export function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new ToolchainError(`${cmd} failed:\n${err.stderr?.toString() ?? ""}${err.stdout?.toString() ?? ""}`.trim());
  }
}

/** Builds a native executable from generated C plus the hosted runtime. */
export function linkHost(cFiles: string[], out: string, opts: { sanitize: boolean; optimize: string }): void {
  run("clang", [...hostFlags(opts), ...cFiles, path.join(REPO_ROOT, "runtime-c/src/host.c"), "-o", out]);
}

/**
 * Compiles generated C (and the freestanding runtime) to objects for arch. With
 * `lto`, the generated C becomes ThinLTO bitcode that ld.lld optimizes as one
 * program: every KTS module is its own C file, so without it not even a
 * one-line accessor of another module is inlined (the kernel's IPC round trip
 * and context switch cost about 40% less with it). The runtime stays a plain
 * object: its weak references to the line table, linked in a second pass, must
 * not change the code around them.
 */
export function compileFreestanding(cFiles: string[], outDir: string, arch: Arch, opts: { lto?: boolean } = {}): string[] {
  const runtime = path.join(REPO_ROOT, "runtime-c/src/freestanding.c");
  const all = [...cFiles, runtime];
  const clang = (extra: string[], files: string[]) => execFileSync("clang", [...freestandingFlags(arch), ...extra, "-c", ...files], { cwd: outDir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    if (opts.lto) {
      clang(["-flto=thin"], cFiles);
      clang([], [runtime]);
    } else {
      clang([], all);
    }
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new ToolchainError(`clang failed:\n${err.stderr?.toString() ?? err.message}`.trim());
  }
  return all.map((c) => path.join(outDir, path.basename(c).replace(/\.c$/, ".o")));
}
