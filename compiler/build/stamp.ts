/**
 * Up-to-date checks: a build step leaves a stamp (JSON next to its outputs)
 * naming what it was built from: a key (arch, entry, flags, the toolchain's own
 * fingerprint) and the content hash of every input file. The next build of the
 * same step is skipped when the key and every hash still match and the outputs
 * exist. Content, not mtimes: a checkout or `touch` does not rebuild, an edit
 * that changes nothing but the time does not either.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import { clangIdentity } from "../toolchain/object-cache.js";

interface Stamp {
  key: string;
  inputs: Record<string, string>;
}

export function hashFile(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 32);
  } catch {
    return undefined;
  }
}

export function hashText(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function filesUnder(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

let toolchain: string | undefined;
/**
 * What every build step depends on besides its own sources: cambi itself (the
 * compiler, build steps, C runtime, linker scripts, assembly, user runtime) and
 * clang's version. Editing the compiler rebuilds everything, as it must.
 */
export function toolchainFingerprint(): string {
  if (toolchain) return toolchain;
  const h = createHash("sha256");
  for (const d of ["compiler", "runtime-c", "linker-scripts", "src/arch", "src/lib/user"]) {
    for (const f of filesUnder(path.join(REPO_ROOT, d), [])) {
      if (d === "src/arch" && !f.endsWith(".S")) continue;
      h.update(`\0${path.relative(REPO_ROOT, f)}\0`).update(readFileSync(f));
    }
  }
  h.update(clangIdentity());
  toolchain = h.digest("hex").slice(0, 32);
  return toolchain;
}


/** True if stampFile records key and every input still has its recorded hash, and every output exists. */
export function isFresh(stampFile: string, key: string, outputs: string[]): boolean {
  let s: Stamp;
  try {
    s = JSON.parse(readFileSync(stampFile, "utf8")) as Stamp;
  } catch {
    return false;
  }
  if (s.key !== key || !outputs.every((o) => existsSync(o))) return false;
  return Object.entries(s.inputs).every(([f, h]) => hashFile(path.resolve(REPO_ROOT, f)) === h);
}

/** Records that the step described by key was built from inputs (their hashes now). */
export function writeStamp(stampFile: string, key: string, inputs: string[]): void {
  const s: Stamp = { key, inputs: {} };
  for (const f of [...new Set(inputs)].sort()) s.inputs[path.relative(REPO_ROOT, f)] = hashFile(f) ?? "missing";
  const tmp = `${stampFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 1));
  renameSync(tmp, stampFile);
}
