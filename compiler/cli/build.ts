/**
 * `cambi build --arch A [--tier T] [--key FILE] [--watch]`: the tier's boot
 * bundle (services compiled, signed with the bootstrap key, packed:
 * build/<A>/bundle-<T>.bin) and the kernel image with the bootstrap public key
 * compiled in. Also the build steps other commands share (kernel, v1 program
 * bundles, tier bundles), each holding the lock of its own output folder.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { buildDir, buildKernel, fileSize, type KernelBuild } from "../build/kernel.js";
import { buildUserProgram } from "../build/user.js";
import { packBundle } from "../build/bundle.js";
import { ManifestError } from "../build/manifest.js";
import { buildTierBundle, MissingServiceError, tierBundlePath } from "../build/tier.js";
import { hashText } from "../build/stamp.js";
import { StackCheckFailed } from "../build/stack-depth.js";
import type { Arch } from "../intrinsics/table.js";
import { ToolchainError } from "../toolchain/errors.js";
import { resolveBootstrapKey, type BootstrapKey } from "../trust/bootstrap-key.js";
import { KeyFileError, keyPrefix } from "../trust/keys.js";
import { CommandExit, printDiagnostics, progress, terminalProgress } from "./output.js";
import { withLock } from "../build/lock.js";

export const DEFAULT_TIER = "standard";

function shown(p: string): string {
  return path.relative(process.cwd(), p);
}

function seconds(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
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

/** Fails with the toolchain's message (status 3): on generated C, a cambi bug. */
function toolchainExit(what: string, e: ToolchainError): never {
  process.stderr.write(`cambi build: the toolchain failed on ${what} (a cambi bug if it is in generated C):\n${e.message}\n`);
  throw new CommandExit(3);
}

/**
 * Builds user programs into a version 1 boot bundle (unsigned, for the test
 * images); exits on diagnostics. The bundle is named by its program list, so
 * two runs of one variant with different programs never boot each other's.
 */
export async function bundleOrExit(arch: Arch, programs: string[], variant: string, opts: { lto?: boolean } = {}): Promise<string | undefined> {
  if (programs.length === 0) return undefined;
  const sources = programs.map((p) => path.resolve(p));
  const lto = opts.lto ?? false;
  const out = path.join(buildDir(arch, variant), `bundle-${lto ? "lto-" : ""}${hashText(sources.join("\n")).slice(0, 12)}.img`);
  return withLock(out, async () => {
    // LTO-linked programs in a folder of their own (same names, other objects).
    const dir = path.join(buildDir(arch, variant), lto ? "user-lto" : "user");
    try {
      const built = await Promise.all(sources.map((p) => buildUserProgram(p, arch, dir, { lto })));
      const diags = built.flatMap((u) => u.diagnostics);
      if (diags.length > 0) {
        printDiagnostics(diags);
        throw new CommandExit(1);
      }
      packBundle(
        built.map((u) => ({ name: u.name, data: readFileSync(u.elf) })),
        out,
      );
      return out;
    } catch (e) {
      if (e instanceof ToolchainError) toolchainExit("a user program", e);
      throw e;
    }
  });
}

/**
 * Builds tier's signed boot bundle; exits on a bad manifest, a missing service
 * source (the message names the file), diagnostics or a toolchain failure.
 */
export function tierBundleOrExit(arch: Arch, tier: string, key: BootstrapKey, opts: { servicesDir?: string; quiet?: boolean } = {}): Promise<string> {
  return withLock(tierBundlePath(arch, tier), () => tierBundleUnlocked(arch, tier, key, opts));
}

async function tierBundleUnlocked(arch: Arch, tier: string, key: BootstrapKey, opts: { servicesDir?: string; quiet?: boolean }): Promise<string> {
  const t0 = Date.now();
  try {
    const b = await buildTierBundle(arch, tier, { secret: key.secret, ...(opts.servicesDir ? { servicesDir: path.resolve(opts.servicesDir) } : {}) });
    if (b.diagnostics.length > 0) {
      printDiagnostics(b.diagnostics);
      throw new CommandExit(1);
    }
    if (!opts.quiet) {
      const names = b.services.map((s) => s.name).join(", ");
      const what = b.rebuilt ? "built" : "up to date:";
      progress(`${what} ${shown(b.file)} (tier ${tier}: ${names}; ${Math.round(fileSize(b.file) / 1024)} KiB, signed by ${keyPrefix(key.publicKey)}) in ${seconds(t0)}`);
    }
    return b.file;
  } catch (e) {
    if (e instanceof ManifestError || e instanceof MissingServiceError) {
      process.stderr.write(`${e.message}\n`);
      throw new CommandExit(1);
    }
    if (e instanceof ToolchainError) toolchainExit("a service", e);
    throw e;
  }
}

export interface KernelBuildOptions {
  entry?: string;
  variant?: string;
  lto?: boolean;
  quiet?: boolean;
  bootstrap?: BootstrapKey;
  /** The IPC probes compiled in (`cambi bench`'s parts). */
  probes?: boolean;
}

/** Builds a kernel image with the bootstrap public key compiled in (default: resolved as `cambi build` does). */
export function buildOrExit(arch: Arch, opts: KernelBuildOptions = {}): Promise<KernelBuild> {
  return withLock(buildDir(arch, opts.variant ?? "kernel"), () => buildUnlocked(arch, opts));
}

async function buildUnlocked(arch: Arch, opts: KernelBuildOptions): Promise<KernelBuild> {
  const t0 = Date.now();
  const key = opts.bootstrap ?? bootstrapKeyOrExit();
  const variant = opts.variant ?? "kernel";
  try {
    const b = await buildKernel(arch, {
      ...(opts.entry ? { entry: opts.entry } : {}),
      variant,
      lto: opts.lto ?? true,
      bootstrapKey: key.publicKey,
      config: { probes: opts.probes ?? false },
      ...(opts.quiet ? {} : { progress: terminalProgress(`${variant} (${arch})`) }),
    });
    if (b.diagnostics.length > 0) {
      printDiagnostics(b.diagnostics);
      throw new CommandExit(1);
    }
    if (!opts.quiet) {
      const size = `${Math.round(fileSize(b.bootImage) / 1024)} KiB`;
      const stack = b.stack ? `; deepest call path ${b.stack.deepest} bytes` : "";
      if (b.rebuilt) progress(`built ${shown(b.bootImage)} (${size}; compiled ${b.compiled} of ${b.objects} objects, the rest cached${stack}) in ${seconds(t0)}`);
      else progress(`up to date: ${shown(b.bootImage)} (${size}) in ${seconds(t0)}`);
    }
    return b;
  } catch (e) {
    if (e instanceof StackCheckFailed) {
      process.stderr.write(`cambi build: ${e.message}\n(the whole report: ${shown(path.join(buildDir(arch, variant), "stack.txt"))})\n`);
      throw new CommandExit(1);
    }
    if (e instanceof ToolchainError) toolchainExit(`the ${variant} kernel`, e);
    throw e;
  }
}

export interface BuildFlags {
  arch: Arch;
  tier: string;
  key?: string;
  services?: string;
  watch?: boolean;
}

/**
 * One build of the tier's bundle and the kernel, side by side (one front end
 * runs while the other's clang jobs do). Both finish before this returns, so a
 * failure of one never leaves the other running into the next --watch build.
 */
export async function buildOnce(flags: BuildFlags, key: BootstrapKey): Promise<void> {
  const results = await Promise.allSettled([tierBundleOrExit(flags.arch, flags.tier, key, flags.services ? { servicesDir: flags.services } : {}), buildOrExit(flags.arch, { bootstrap: key })]);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

export async function buildCommand(flags: BuildFlags): Promise<void> {
  const key = bootstrapKeyOrExit(flags.key);
  if (flags.watch) {
    const { watchBuild } = await import("./watch.js");
    return watchBuild(flags, key);
  }
  await buildOnce(flags, key);
}
