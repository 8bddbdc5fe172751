/**
 * The Node world: esbuild bundles a KTS entry with the prelude (resolving
 * "kts", "kts/unsafe", "kts/host" through tsconfig paths) and a start stub that
 * calls the entry's exported main() through node-main.ts, which prints a panic
 * as the C runtime does and exits with main's status. Used by `cambi exec
 * --world node` and by the tests that compare both worlds.
 */
import { build } from "esbuild";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";

/** Bundles entry (a .ts path) into a runnable .mjs file; returns its path. */
export async function bundleForNode(entry: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-node-"));
  const stub = path.join(dir, "start.ts");
  const abs = path.resolve(entry);
  writeFileSync(
    stub,
    `import { runEntry } from ${JSON.stringify(path.join(REPO_ROOT, "compiler/exec/node-main.ts"))};\n` + `await runEntry(() => import(${JSON.stringify(abs)}));\n`,
  );
  const out = path.join(dir, "prog.mjs");
  await build({
    entryPoints: [stub],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    sourcemap: "inline",
    tsconfig: path.join(REPO_ROOT, "tsconfig.json"),
    logLevel: "silent",
    define: { __KTS_ROOT__: JSON.stringify(REPO_ROOT) },
  });
  return out;
}

/** How node runs a bundle: source-mapped panic sites, and a stack deep enough for the kernel's host tests. */
export const NODE_ARGS = ["--enable-source-maps", "--stack-size=8000"];
