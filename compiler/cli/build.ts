/** `cambi build --arch A`: the kernel image (boot bundle and tiers arrive with issue #5). */
import path from "node:path";
import { readFileSync } from "node:fs";
import { buildDir, buildKernel, fileSize } from "../build/kernel.js";
import { buildUserProgram } from "../build/user.js";
import { packBundle } from "../build/bundle.js";
import type { Arch } from "../intrinsics/table.js";
import { ToolchainError } from "../toolchain/clang.js";
import { printDiagnostics, progress } from "./output.js";

/** Builds user programs into a boot bundle for QEMU -initrd; exits on diagnostics. */
export function bundleOrExit(arch: Arch, programs: string[], variant: string): string | undefined {
  if (programs.length === 0) return undefined;
  const dir = path.join(buildDir(arch, variant), "user");
  const entries: { name: string; data: Buffer }[] = [];
  try {
    for (const p of programs) {
      const u = buildUserProgram(path.resolve(p), arch, dir);
      if (u.diagnostics.length > 0) {
        printDiagnostics(u.diagnostics);
        process.exit(1);
      }
      entries.push({ name: u.name, data: readFileSync(u.elf) });
    }
  } catch (e) {
    if (e instanceof ToolchainError) {
      process.stderr.write(`cambi build: the toolchain failed on a user program:\n${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
  const out = path.join(buildDir(arch, variant), "bundle.img");
  packBundle(entries, out);
  return out;
}

export function buildOrExit(arch: Arch, opts: { entry?: string; variant?: string; quiet?: boolean } = {}) {
  const t0 = Date.now();
  if (!opts.quiet) progress(`building ${opts.variant ?? "kernel"} for ${arch}…`);
  try {
    const b = buildKernel(arch, opts);
    if (b.diagnostics.length > 0) {
      printDiagnostics(b.diagnostics);
      process.exit(1);
    }
    if (!opts.quiet) {
      progress(`built ${path.relative(process.cwd(), b.bootImage)} (${Math.round(fileSize(b.bootImage) / 1024)} KiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    return b;
  } catch (e) {
    if (e instanceof ToolchainError) {
      process.stderr.write(`cambi build: the toolchain failed (a cambi bug if it is in generated C):\n${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
}

export function buildCommand(flags: { arch: Arch }): void {
  buildOrExit(flags.arch);
}
