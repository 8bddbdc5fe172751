// How bin/cambi starts the CLI quickly: compiler/ bundled by esbuild
// (build/cli/<fingerprint>/main.mjs, with each command's modules in chunks
// loaded when the command runs), rebuilt whenever a compiler source changes.
// A command that finds its build up to date then costs one Node start, not a
// TypeScript loader resolving sixty modules. Plain JavaScript: it runs before
// anything is compiled.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "../..");
const cliDir = path.join(root, "build", "cli");

function sources(dir, list) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, list);
    else if (e.name.endsWith(".ts")) list.push(p);
  }
  return list;
}

const hash = createHash("sha256");
for (const f of sources(path.join(root, "compiler"), []).sort()) hash.update(`${f}\0`).update(readFileSync(f));
hash.update(readFileSync(path.join(root, "package-lock.json")));
const fingerprint = hash.digest("hex").slice(0, 16);
const dir = path.join(cliDir, fingerprint);

if (!existsSync(path.join(dir, "main.mjs"))) {
  const { build } = await import("esbuild");
  const tmp = `${dir}.${process.pid}.tmp`;
  await build({
    entryPoints: { main: path.join(root, "compiler/cli/main.ts") },
    outdir: tmp,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    define: { "import.meta.dirname": JSON.stringify(path.join(root, "compiler", "project")) },
    logLevel: "error",
  });
  try {
    renameSync(tmp, dir);
  } catch {
    // Another cambi built the same bundle first: use that one.
    rmSync(tmp, { recursive: true, force: true });
  }
  // Bundles of older compilers, unused for an hour (a running cambi may still load chunks of its own).
  for (const old of readdirSync(cliDir)) {
    const p = path.join(cliDir, old);
    if (old !== fingerprint && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
}
await import(pathToFileURL(path.join(dir, "main.mjs")).href);
