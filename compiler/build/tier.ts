/**
 * A tier's boot bundle (`cambi build --tier T`): every service of
 * images/<T>.json compiled from <services>/<name>/main.ts to a static user ELF,
 * signed with the bootstrap key, packed as a version 2 bundle.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT } from "../project/root.js";
import { signModule } from "../trust/signed-module.js";
import { packBundleV2, signedModuleAt, writeBundleFile, type BundleService } from "./bundle.js";
import { encodeCapabilities, encodeInspection, endpointTable, loadTier, type Manifest } from "./manifest.js";
import { buildUserProgram } from "./user.js";
import { isFresh, toolchainFingerprint, writeStamp } from "./stamp.js";
import { publicKeyOf } from "../trust/keys.js";

export const SERVICES_DIR = path.join(REPO_ROOT, "src/services");

/** Some services of the tier have no source file yet; the message lists each missing file. */
export class MissingServiceError extends Error {}

export interface TierBundle {
  manifest: Manifest;
  /** The bundle file written (empty if diagnostics stopped the build). */
  file: string;
  endpoints: string[];
  services: { name: string; elf: string; signedModule: Buffer }[];
  diagnostics: Diagnostic[];
  /** False when the bundle was already up to date (its signed modules are read back from it). */
  rebuilt: boolean;
}

export interface TierOptions {
  /** The bootstrap key's 32-byte secret seed. */
  secret: Uint8Array;
  /** Where service sources live: <servicesDir>/<name>/main.ts (default src/services). */
  servicesDir?: string;
  imagesDir?: string;
  /** The bundle file (default build/<arch>/bundle-<tier>.bin). */
  out?: string;
  /** Where user ELFs are built (default build/<arch>/services). */
  workDir?: string;
}

export function serviceSource(name: string, servicesDir = SERVICES_DIR): string {
  return path.join(servicesDir, name, "main.ts");
}

export function tierBundlePath(arch: Arch, tier: string): string {
  return path.join(REPO_ROOT, "build", arch, `bundle-${tier}.bin`);
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

/** Throws MissingServiceError naming every service of the manifest whose source does not exist. */
export function checkServiceSources(m: Manifest, servicesDir = SERVICES_DIR): void {
  const missing = m.services.filter((s) => !existsSync(serviceSource(s.name, servicesDir)));
  if (missing.length > 0) {
    throw new MissingServiceError(missing.map((s) => `${m.file}: service '${s.name}': ${shown(serviceSource(s.name, servicesDir))} does not exist`).join("\n"));
  }
}

/** Builds, signs and packs tier's services; throws ManifestError, MissingServiceError or ToolchainError. */
export async function buildTierBundle(arch: Arch, tier: string, opts: TierOptions): Promise<TierBundle> {
  const manifest = loadTier(tier, opts.imagesDir);
  const servicesDir = opts.servicesDir ?? SERVICES_DIR;
  checkServiceSources(manifest, servicesDir);
  const endpoints = endpointTable(manifest);
  const workDir = opts.workDir ?? path.join(REPO_ROOT, "build", arch, "services");
  const result: TierBundle = { manifest, file: "", endpoints, services: [], diagnostics: [], rebuilt: false };
  const programs = await Promise.all(manifest.services.map((s) => buildUserProgram(serviceSource(s.name, servicesDir), arch, workDir)));
  for (const u of programs) result.diagnostics.push(...u.diagnostics);
  if (result.diagnostics.length > 0) return result;
  const out = opts.out ?? tierBundlePath(arch, tier);
  result.file = out;
  // Signing is deterministic (Ed25519): the same ELFs, manifest and key make the same bundle.
  const stampFile = `${out}.stamp.json`;
  const key = JSON.stringify({ step: "bundle", tier, manifest: manifest.file, publicKey: Buffer.from(publicKeyOf(opts.secret)).toString("hex"), toolchain: toolchainFingerprint() });
  const fresh = isFresh(stampFile, key, [out]);
  const existing = fresh ? readFileSync(out) : undefined;
  const packed: BundleService[] = [];
  manifest.services.forEach((s, i) => {
    const elf = programs[i]!.elf;
    const signedModule = existing ? signedModuleAt(existing, i) : signModule(readFileSync(elf), opts.secret);
    result.services.push({ name: s.name, elf, signedModule });
    packed.push({ name: s.name, restart: s.restart, caps: encodeCapabilities(s, endpoints), signedModule });
  });
  if (fresh) return result;
  rmSync(stampFile, { force: true });
  mkdirSync(path.dirname(out), { recursive: true });
  writeBundleFile(out, packBundleV2({ tier: manifest.tier, endpoints, services: packed, rules: encodeInspection(manifest, endpoints) }));
  writeStamp(stampFile, key, [manifest.file, ...programs.map((u) => u.elf)]);
  result.rebuilt = true;
  return result;
}
