/**
 * The Node world's equivalent of the C host runtime's main(): runs the KTS entry's
 * main(), turns a KtsPanic (or a bigint division by zero, or running out of stack)
 * into the runtime's panic line `panic: <msg> at <file.ts>:<line>` on stderr with
 * exit status 101 (`panic: stack overflow` names no site), and exits with main()'s
 * return value.
 */
import path from "node:path";
import { KtsPanic } from "../../src/prelude/kts";

// Both set by the bundler (node-world.ts): the repository root, and the bundle's
// folder, to which source-mapped stack frames are relative.
declare const __KTS_ROOT__: string;
const ROOT = __KTS_ROOT__;
const BUNDLE_DIR = path.dirname(process.argv[1] ?? ".");

/** The first stack frame outside the prelude and harness, as `path.ts:line`. */
function panicSite(err: Error): string {
  for (const line of (err.stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+\.ts):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.replace(/^file:\/\//, "");
    if (file.includes("src/prelude/") || /compiler\/exec\/node-[a-z]+\.ts$/.test(file)) continue;
    const rel = path.relative(ROOT, path.resolve(BUNDLE_DIR, file));
    return `${rel}:${m[2]}`;
  }
  return "<unknown>";
}

// check() in the prelude reports its caller's site through this hook.
(globalThis as { __ktsSite?: (e: Error) => string }).__ktsSite = panicSite;

/** If e is a panic (or what the C runtime reports as one), prints its line, sets exit status 101 and returns true. */
function panicked(e: unknown): boolean {
  const err = e as Error;
  let msg: string | undefined;
  if (e instanceof KtsPanic) msg = err.message;
  else if (e instanceof RangeError && /Division by zero/i.test(err.message)) msg = "division by zero";
  else if (e instanceof RangeError && /call stack/i.test(err.message)) msg = "stack overflow";
  // A bigint left shift by 2^30 or more: the C runtime panics the same way (kts_shl64).
  else if (e instanceof RangeError && /Maximum BigInt size/i.test(err.message)) msg = "shift count too large";
  if (msg === undefined) return false;
  // Where the stack runs out depends on each world's stack and frame sizes: C's panic names no site, and so does this one.
  const site = msg === "stack overflow" ? "" : ` at ${panicSite(err)}`;
  process.stderr.write(`panic: ${msg}${site}\n`);
  process.exitCode = 101;
  return true;
}

export function runMain(main: () => number | bigint | void): void {
  try {
    const r = main();
    process.exitCode = typeof r === "number" ? r & 0xff : typeof r === "bigint" ? Number(r & 0xffn) : 0;
  } catch (e) {
    if (!panicked(e)) throw e;
  }
}

/**
 * Loads the entry (its modules initialize, as kts_init_modules does in C) and
 * runs its main: a panic while a module initializes is a panic, not a crash.
 */
export async function runEntry(load: () => Promise<{ main: () => number | bigint | void }>): Promise<void> {
  let entry: { main: () => number | bigint | void };
  try {
    entry = await load();
  } catch (e) {
    if (!panicked(e)) throw e;
    return;
  }
  runMain(entry.main);
}
