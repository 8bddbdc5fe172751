/**
 * `npm run fuzz -- [--target T] [--seconds N] [--runs R] [--parallel P] [--list]`:
 * builds the libFuzzer targets (fuzz/lib.ts) and fuzzes each for N seconds
 * (default 60; every target when --target is omitted, P at a time, default 2),
 * or until R executions. Prints per target the executions, exec/s, coverage
 * (libFuzzer's cov and ft), crashes and sanitizer reports. A crash's input is
 * saved under fuzz/crashes/ and the exit status is 1.
 */
import path from "node:path";
import { buildTarget, runTarget, summary, TARGETS, target, ROOT, type RunResult } from "./lib.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv.includes("--list")) {
  for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(14)} ${t.what}\n`);
  process.exit(0);
}

const only = arg("--target");
const seconds = Number(arg("--seconds") ?? 60);
const runs = arg("--runs") !== undefined ? Number(arg("--runs")) : undefined;
const parallel = Math.max(1, Number(arg("--parallel") ?? 2));
const names = only ? [target(only).name] : TARGETS.map((t) => t.name);
const verbose = process.argv.includes("--verbose");

process.stdout.write(`fuzz: building ${names.join(", ")}\n`);
const exes = new Map<string, string>();
for (const n of names) exes.set(n, await buildTarget(n));

const results: RunResult[] = [];
const queue = [...names];
async function worker(): Promise<void> {
  for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
    process.stdout.write(`fuzz: ${n} for ${seconds} s${runs !== undefined ? ` or ${runs} executions` : ""}\n`);
    const name = n;
    const r = await runTarget(name, exes.get(name)!, {
      seconds,
      runs,
      onLine: verbose ? (l) => process.stdout.write(`[${name}] ${l}\n`) : undefined,
    });
    results.push(r);
    process.stdout.write(`${summary(r)}\n`);
    if (r.crashes) process.stdout.write(`--- ${name}: the end of libFuzzer's output\n${r.tail}\n---\n`);
  }
}
await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));

process.stdout.write("\ntarget          executions   exec/s    cov     ft  crashes  reports\n");
for (const n of names) {
  const r = results.find((x) => x.target === n)!;
  process.stdout.write(`${n.padEnd(14)} ${String(r.executions).padStart(11)} ${String(r.execPerSec).padStart(8)} ${String(r.cov).padStart(6)} ${String(r.ft).padStart(6)} ${String(r.crashes).padStart(8)} ${String(r.reports.length).padStart(8)}\n`);
}
const crashed = results.filter((r) => r.crashes);
for (const r of crashed) process.stdout.write(`crash in ${r.target}: ${r.reports.join("; ") || `exit status ${r.status}`}${r.crashFile ? ` (input: ${path.relative(ROOT, r.crashFile)})` : ""}\n`);
process.exit(crashed.length > 0 ? 1 : 0);
