/** Shared by the trust-chain tests: running the cambi CLI with a private config directory, and fake ELFs. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProcess } from "../harness/process.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CAMBI = path.join(ROOT, "bin/cambi");
/** Stand-ins for the services, one folder per name (the real ones are src/services). */
export const STAND_INS = path.join(import.meta.dirname, "services");

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `cambi-${prefix}-`));
}

/** Runs cambi asynchronously; XDG_CONFIG_HOME is a fresh temporary directory unless env says otherwise. */
export async function cambi(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", XDG_CONFIG_HOME: tempDir("xdg") };
  delete base.CAMBI_KEY;
  const r = await runProcess(CAMBI, args, "", { ...base, ...env }, ROOT);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Deterministic pseudo-random bytes (a 32-bit LCG). */
export function lcgBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** Bytes that pass for an ELF where only the magic matters (signing does not parse the ELF). */
export function fakeElf(n: number, seed: number): Buffer {
  const b = lcgBytes(n, seed);
  b.write("\x7fELF", 0, "latin1");
  return b;
}
