/** `cambi build --arch A`: the kernel image (boot bundle and tiers arrive with issue #5). */
import path from "node:path";
import { buildKernel, fileSize } from "../build/kernel.js";
import type { Arch } from "../intrinsics/table.js";
import { ToolchainError } from "../toolchain/clang.js";
import { printDiagnostics, progress } from "./output.js";

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
