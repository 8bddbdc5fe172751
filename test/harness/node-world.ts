/**
 * Runs a KTS program in the Node world: esbuild bundles the entry with the prelude
 * (resolving "kts", "kts/unsafe", "kts/host" through tsconfig paths), then node runs
 * it and calls the entry's exported main(). A KtsPanic prints the same line the
 * C runtime prints and exits 101, so outputs of both worlds compare byte for byte.
 */
import { build } from "esbuild";
import { runProcess } from "./process.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type { RunResult } from "./process.js";
import type { RunResult } from "./process.js";

/** Bundles entry (a .ts path) into a runnable .mjs file; returns its path. */
export async function bundleForNode(entry: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-node-"));
  const stub = path.join(dir, "start.ts");
  const abs = path.resolve(entry);
  writeFileSync(
    stub,
    `import { main } from ${JSON.stringify(abs)};\n` +
      `import { runMain } from ${JSON.stringify(path.join(ROOT, "test/harness/node-main.ts"))};\n` +
      `runMain(main);\n`,
  );
  const out = path.join(dir, "prog.mjs");
  await build({
    entryPoints: [stub],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    sourcemap: "inline",
    tsconfig: path.join(ROOT, "tsconfig.json"),
    logLevel: "silent",
    define: { __KTS_ROOT__: JSON.stringify(ROOT) },
  });
  return out;
}

/** Runs a bundled program with optional stdin. */
export function runBundle(bundle: string, stdin?: string | Buffer): Promise<RunResult> {
  return runProcess(process.execPath, ["--enable-source-maps", "--stack-size=8000", bundle], stdin);
}

export async function runInNode(entry: string, stdin?: string | Buffer): Promise<RunResult> {
  return await runBundle(await bundleForNode(entry), stdin);
}

