/**
 * `cambi build --arch A [--tier T] [--key FILE]`: the tier's boot bundle
 * (services compiled, signed with the bootstrap key, packed: build/<A>/bundle-<T>.bin)
 * and the kernel image with the bootstrap public key compiled in. Also the
 * build steps other commands share (kernel, v1 program bundles, tier bundles).
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { buildDir, buildKernel, fileSize } from "../build/kernel.js";
import { buildUserProgram } from "../build/user.js";
import { packBundle } from "../build/bundle.js";
import { ManifestError } from "../build/manifest.js";
import { buildTierBundle, MissingServiceError } from "../build/tier.js";
import type { Arch } from "../intrinsics/table.js";
import { ToolchainError } from "../toolchain/clang.js";
import { resolveBootstrapKey, type BootstrapKey } from "../trust/bootstrap-key.js";
import { KeyFileError, keyPrefix } from "../trust/keys.js";
import { printDiagnostics, progress } from "./output.js";
import { withBuildLock } from "../build/lock.js";

export const DEFAULT_TIER = "standard";

function shown(p: string): string {
  return path.relative(process.cwd(), p);
}

/** The bootstrap key (--key, CAMBI_KEY or the development key); exits 1 if it cannot be read. */
export function bootstrapKeyOrExit(key?: string): BootstrapKey {
  try {
    return resolveBootstrapKey(key ? { key } : {});
  } catch (e) {
    if (e instanceof KeyFileError) {
      process.stderr.write(`cambi: bootstrap key: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/** Builds user programs into a version 1 boot bundle (unsigned, for the test images); exits on diagnostics. */
export function bundleOrExit(arch: Arch, programs: string[], variant: string): string | undefined {
  return withBuildLock(arch, () => bundleUnlocked(arch, programs, variant));
}

function bundleUnlocked(arch: Arch, programs: string[], variant: string): string | undefined {
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

/**
 * Builds tier's signed boot bundle; exits on a bad manifest, a missing service
 * source (the message names the file), diagnostics or a toolchain failure.
 */
export function tierBundleOrExit(arch: Arch, tier: string, key: BootstrapKey, opts: { servicesDir?: string; quiet?: boolean } = {}): string {
  return withBuildLock(arch, () => tierBundleUnlocked(arch, tier, key, opts));
}

function tierBundleUnlocked(arch: Arch, tier: string, key: BootstrapKey, opts: { servicesDir?: string; quiet?: boolean }): string {
  const t0 = Date.now();
  try {
    const b = buildTierBundle(arch, tier, { secret: key.secret, ...(opts.servicesDir ? { servicesDir: path.resolve(opts.servicesDir) } : {}) });
    if (b.diagnostics.length > 0) {
      printDiagnostics(b.diagnostics);
      process.exit(1);
    }
    if (!opts.quiet) {
      const names = b.services.map((s) => s.name).join(", ");
      progress(`built ${shown(b.file)} (tier ${tier}: ${names}; ${Math.round(fileSize(b.file) / 1024)} KiB, signed by ${keyPrefix(key.publicKey)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    return b.file;
  } catch (e) {
    if (e instanceof ManifestError || e instanceof MissingServiceError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    if (e instanceof ToolchainError) {
      process.stderr.write(`cambi build: the toolchain failed on a service:\n${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
}

/** Builds a kernel image with the bootstrap public key compiled in (default: resolved as `cambi build` does). */
export function buildOrExit(arch: Arch, opts: { entry?: string; variant?: string; lto?: boolean; quiet?: boolean; bootstrap?: BootstrapKey } = {}) {
  return withBuildLock(arch, () => buildUnlocked(arch, opts));
}

function buildUnlocked(arch: Arch, opts: { entry?: string; variant?: string; lto?: boolean; quiet?: boolean; bootstrap?: BootstrapKey }) {
  const t0 = Date.now();
  const key = opts.bootstrap ?? bootstrapKeyOrExit();
  if (!opts.quiet) progress(`building ${opts.variant ?? "kernel"} for ${arch}…`);
  try {
    const b = buildKernel(arch, { ...(opts.entry ? { entry: opts.entry } : {}), ...(opts.variant ? { variant: opts.variant } : {}), lto: opts.lto ?? true, bootstrapKey: key.publicKey });
    if (b.diagnostics.length > 0) {
      printDiagnostics(b.diagnostics);
      process.exit(1);
    }
    if (!opts.quiet) {
      progress(`built ${shown(b.bootImage)} (${Math.round(fileSize(b.bootImage) / 1024)} KiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
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

export interface BuildFlags {
  arch: Arch;
  tier: string;
  key?: string;
  services?: string;
}

export function buildCommand(flags: BuildFlags): void {
  const key = bootstrapKeyOrExit(flags.key);
  tierBundleOrExit(flags.arch, flags.tier, key, flags.services ? { servicesDir: flags.services } : {});
  buildOrExit(flags.arch, { bootstrap: key });
}
