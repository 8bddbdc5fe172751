/**
 * Content-addressed objects: clang's output for a source file is stored under
 * build/cache/objects/<hash>.o, where the hash covers everything the object
 * depends on (clang's version, the flags, the file's name, its text and the
 * text of every header it includes, found as clang would). A kernel variant,
 * a test image and a rebuild after an unrelated edit reuse the same objects.
 *
 * Objects do not depend on where they were built: clang runs in the source's
 * folder with a relative file name, records "." as the compilation directory
 * and maps the repository root to "." in debug paths; #line paths in generated
 * C are already relative to the root. gdb and the line table resolve them from
 * the repository root.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import { ToolchainError } from "./errors.js";
import { runTool } from "./jobs.js";

export const CACHE_DIR = path.join(REPO_ROOT, "build", "cache");
const OBJECTS = path.join(CACHE_DIR, "objects");

let identity: string | undefined;
/**
 * Which clang builds: the binary PATH finds, by its real path, size and time
 * (a new clang, with its builtin headers, is a new file), without running it:
 * a no-change build must not wait for a process. Object keys and build stamps
 * both use it.
 */
export function clangIdentity(): string {
  if (identity !== undefined) return identity;
  identity = "no clang on PATH";
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", "clang");
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    const st = statSync(real);
    identity = `${real} ${st.size} ${st.mtimeMs}`;
    break;
  }
  return identity;
}

const INCLUDE = /^\s*#\s*include\s*([<"])([^>"]+)[>"]/gm;

/** The -I folders of a flag list, in order. */
function includeDirs(flags: string[]): string[] {
  const dirs: string[] = [];
  flags.forEach((f, i) => {
    if (f === "-I" && flags[i + 1]) dirs.push(flags[i + 1]!);
    else if (f.startsWith("-I") && f.length > 2) dirs.push(f.slice(2));
  });
  return dirs;
}

/**
 * Folds the text of source and of every header it reaches into hash. Quoted
 * includes are looked up next to the including file, then in the -I folders;
 * angle includes in the -I folders only (the rest are clang's or the system's,
 * covered by clang's identity).
 */
function hashIncludes(source: string, cwd: string, dirs: string[], hash: ReturnType<typeof createHash>): void {
  const seen = new Set<string>();
  // Files are named as clang sees them: relative to where it runs, else to the root.
  const name = (file: string) => {
    const local = path.relative(cwd, file);
    return local.startsWith("..") ? path.relative(REPO_ROOT, file) : local;
  };
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    hash.update(`\0${name(file)}\0${text}`);
    for (const m of text.matchAll(INCLUDE)) {
      const candidates = (m[1] === '"' ? [path.dirname(file), ...dirs] : dirs).map((d) => path.resolve(d, m[2]!));
      const found = candidates.find((c) => existsSync(c));
      if (found) visit(found);
      else hash.update(`\0missing ${m[2]}`);
    }
  };
  visit(source);
}

/** Where clang runs for source, and the file name it is given. */
function placeOf(source: string): { cwd: string; file: string } {
  const rel = path.relative(REPO_ROOT, source);
  // Generated C lives in per-variant folders: compiled by its base name, so that variants share objects.
  if (rel.startsWith("..") || rel.startsWith(`build${path.sep}`)) return { cwd: path.dirname(source), file: path.basename(source) };
  return { cwd: REPO_ROOT, file: rel };
}

function plan(source: string, flags: string[]): { key: string; object: string; cwd: string; args: string[] } {
  const { cwd, file } = placeOf(source);
  const args = [...flags, "-fdebug-compilation-dir=.", `-fdebug-prefix-map=${REPO_ROOT}=.`, "-c", file];
  const hash = createHash("sha256");
  hash.update(clangIdentity());
  hash.update(JSON.stringify(args).split(REPO_ROOT).join("<root>"));
  hashIncludes(source, cwd, includeDirs(flags).map((d) => path.resolve(cwd, d)), hash);
  const key = hash.digest("hex").slice(0, 32);
  return { key, object: path.join(OBJECTS, `${key.slice(0, 2)}/${key}.o`), cwd, args };
}

/** A temporary name next to the final one: a finished object appears whole, by rename. */
function temporary(object: string): string {
  return `${object}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/** An object is reused: its time says so, so that pruning keeps what builds still use. */
function reuse(object: string): boolean {
  try {
    const now = new Date();
    utimesSync(object, now, now);
    return true;
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;
/** Objects no build has used for this long are deleted. */
const KEEP_MS = 14 * DAY_MS;

/**
 * Deletes objects no build has used for 14 days, at most once a day (a marker
 * file records the last pass): every edit leaves objects behind, and the cache
 * must not grow without end.
 */
export function pruneObjectCache(now = Date.now()): number {
  const marker = path.join(CACHE_DIR, "pruned");
  try {
    if (now - statSync(marker).mtimeMs < DAY_MS) return 0;
  } catch {
    // Never pruned: prune now.
  }
  let removed = 0;
  if (existsSync(OBJECTS)) {
    for (const dir of readdirSync(OBJECTS)) {
      for (const f of readdirSync(path.join(OBJECTS, dir))) {
        const file = path.join(OBJECTS, dir, f);
        try {
          if (now - statSync(file).mtimeMs > KEEP_MS) {
            rmSync(file, { force: true });
            removed++;
          }
        } catch {
          // Removed by another build meanwhile.
        }
      }
    }
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(marker, new Date(now).toISOString());
  return removed;
}

export interface CompiledObject {
  object: string;
  /** False if the object came from the cache. */
  compiled: boolean;
}

/** Compiles source with flags (no -c/-o in flags), or finds the object already compiled. */
export async function compileCached(source: string, flags: string[]): Promise<CompiledObject> {
  const p = plan(source, flags);
  if (reuse(p.object)) return { object: p.object, compiled: false };
  mkdirSync(path.dirname(p.object), { recursive: true });
  const tmp = temporary(p.object);
  try {
    await runTool("clang", [...p.args, "-o", tmp], { cwd: p.cwd });
    renameSync(tmp, p.object);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { object: p.object, compiled: true };
}

/** compileCached for synchronous callers (host programs built by tests). */
export function compileCachedSync(source: string, flags: string[]): CompiledObject {
  const p = plan(source, flags);
  if (reuse(p.object)) return { object: p.object, compiled: false };
  mkdirSync(path.dirname(p.object), { recursive: true });
  const tmp = temporary(p.object);
  try {
    execFileSync("clang", [...p.args, "-o", tmp], { cwd: p.cwd, stdio: ["ignore", "pipe", "pipe"] });
    renameSync(tmp, p.object);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new ToolchainError(`clang ${p.args.join(" ")}\n${err.stderr?.toString() ?? err.message}`.trim());
  } finally {
    rmSync(tmp, { force: true });
  }
  return { object: p.object, compiled: true };
}
