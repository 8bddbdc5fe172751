/**
 * The system-call fuzzer's run, driven at the console (the fuzz tier,
 * images/fuzz.json; src/services/sysfuzz): boots, types `fuzz <seed> <calls>`,
 * waits for the controller's verdict, then types `ps`, `ipc-ping` and `mem`;
 * and reads what the run printed: each fuzzer's seed and tally, the counters
 * before and after, the leak verdict. Used by test/boot/sysfuzz.test.ts (the
 * short run) and scripts/fuzz-syscalls.ts (`npm run fuzz:syscalls`, the long one).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConsoleSession, linesFrom } from "./console-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Abi {
  syscalls: { name: string; number: number }[];
  errors: { name: string; number: number }[];
}
const abi = JSON.parse(readFileSync(path.join(ROOT, "src/abi/syscalls.json"), "utf8")) as Abi;

/** Every system call of the ABI, by number. */
export const SYSCALL_NAMES = new Map(abi.syscalls.map((s) => [s.number, s.name]));
/** The tally's columns: Ok, each error 1..12, then any other error. */
export const RESULT_NAMES = [...abi.errors.sort((a, b) => a.number - b.number).map((e) => e.name), "other"];
/** The tally's row for numbers no system call has. */
export const NO_SUCH_CALL = 64;

export interface Counters {
  framesFree: number;
  heap: number;
  tasks: number;
  capabilities: number;
  endpoints: number;
}

export interface FuzzReport {
  /** Each fuzzer's seed line ("sysfuzz-a: seed ..."), by letter. */
  seeds: Record<string, string>;
  /** Calls per syscall number (NO_SUCH_CALL: numbers no call has), per result column (RESULT_NAMES), summed over the fuzzers. */
  tally: Map<number, number[]>;
  /** Calls the fuzzers counted (their done lines) and the controller's total. */
  calls: number;
  controllerCalls: number;
  /** The run's time in the guest (the controller's done line), ms. */
  guestMs: number;
  anomalies: number;
  victims: number;
  before: Counters | undefined;
  after: Counters | undefined;
  /** The controller's verdict line ("leak check: ok (...)" or "leak check: LEAK (...)"). */
  leak: string;
  /** The controller's done line, and whether it says FAILED. */
  done: string;
  failed: boolean;
  /** Lines saying something went wrong: panics, anomalies, faults of fuzzers, stragglers. */
  trouble: string[];
}

const COUNTERS = /frames free (\d+), heap (\d+) bytes, tasks (\d+), capabilities (\d+), endpoints (\d+)/;

function counters(line: string | undefined): Counters | undefined {
  const m = line ? COUNTERS.exec(line) : null;
  if (!m) return undefined;
  return { framesFree: Number(m[1]), heap: Number(m[2]), tasks: Number(m[3]), capabilities: Number(m[4]), endpoints: Number(m[5]) };
}

/** Reads a run's console output (from its "sysfuzz: run" line on). */
export function parseRun(output: string): FuzzReport {
  const fuzzers = linesFrom(output, "sysfuzz-");
  const control = linesFrom(output, "sysfuzz: ");
  const seeds: Record<string, string> = {};
  const tally = new Map<number, number[]>();
  let calls = 0;
  let anomalies = 0;
  let victims = 0;
  const trouble: string[] = [];
  for (const l of fuzzers) {
    let m = /^sysfuzz-([abc]): seed /.exec(l);
    if (m) seeds[m[1]!] = l.trim();
    m = /^sysfuzz-[abc]: tally ((?:\d+ ?)+)\s*$/.exec(l);
    if (m) {
      const [num, ...cols] = m[1]!.trim().split(" ").map(Number);
      const row = tally.get(num!) ?? new Array<number>(RESULT_NAMES.length).fill(0);
      cols.forEach((c, i) => (row[i] = (row[i] ?? 0) + c));
      tally.set(num!, row);
    }
    m = /^sysfuzz-[abc]: done: (\d+) calls in \d+ ms, (\d+) anomalies, (\d+) victims started/.exec(l);
    if (m) {
      calls += Number(m[1]);
      anomalies += Number(m[2]);
      victims += Number(m[3]);
    }
    if (/ANOMALY|did not take/.test(l)) trouble.push(l.trim());
  }
  for (const l of control) if (/ended before it finished|still alive|could not be started|failed/.test(l)) trouble.push(l.trim());
  for (const l of output.split("\n")) if (/panic/i.test(l)) trouble.push(l.trim());
  const done = control.find((l) => l.startsWith("sysfuzz: done:"))?.trim() ?? "";
  const doneMatch = /(\d+) calls by \d+ fuzzers in (\d+) ms/.exec(done);
  return {
    seeds,
    tally,
    calls,
    controllerCalls: Number(doneMatch?.[1] ?? 0),
    guestMs: Number(doneMatch?.[2] ?? 0),
    anomalies,
    victims,
    before: counters(control.find((l) => l.startsWith("sysfuzz: before:"))),
    after: counters(control.find((l) => l.startsWith("sysfuzz: after:"))),
    leak: control.find((l) => l.startsWith("sysfuzz: leak check:"))?.trim() ?? "",
    done,
    failed: /FAILED/.test(done),
    trouble,
  };
}

export interface FuzzSession {
  report: FuzzReport;
  /** What `ps`, `ipc-ping 20` and `mem` printed after the run. */
  ps: string;
  ipcPing: string;
  mem: string;
  /** The whole console output. */
  output: string;
  wallMs: number;
  /** Why the session ended early (a panic, a hang: QEMU exited or a wait timed out), or undefined. */
  error: string | undefined;
}

/** Boots the fuzz tier on arch, runs `fuzz <seed> <calls>`, then the shell's checks; a failure is reported in `error`, with the output so far. */
export async function fuzzSession(arch: string, seed: bigint | number, calls: number, smp = 4): Promise<FuzzSession> {
  const s = new ConsoleSession(["--arch", arch, "--smp", String(smp), "--tier", "fuzz"]);
  const result: FuzzSession = { report: parseRun(""), ps: "", ipcPing: "", mem: "", output: "", wallMs: 0, error: undefined };
  let t0 = Date.now();
  try {
    await s.waitForAnywhere(/sysfuzz: ready/, 300_000);
    await s.waitForAnywhere(/shell: ready/, 60_000);
    t0 = Date.now();
    const started = await s.command(`fuzz ${seed} ${calls}`);
    if (!/fuzz: started/.test(started)) throw new Error(`fuzz did not start:\n${started}`);
    // Generous: a call takes microseconds, but a slow host may run TCG at a crawl.
    await s.waitFor(/sysfuzz: done:[^\n]*\n/, 600_000 + calls * 20);
    result.wallMs = Date.now() - t0;
    result.ps = await s.command("ps");
    result.ipcPing = await s.command("ipc-ping 20");
    result.mem = await s.command("mem");
  } catch (e) {
    result.error = String(e instanceof Error ? e.message : e).split("; output:")[0];
    result.wallMs = Date.now() - t0;
  } finally {
    await s.stop();
  }
  result.output = s.output;
  const at = s.output.lastIndexOf("sysfuzz: run ");
  result.report = parseRun(at >= 0 ? s.output.slice(at) : s.output);
  return result;
}

/** The tally as a table: one row per system call (name), its calls, then each result that occurred. */
export function tallyTable(tally: Map<number, number[]>): string {
  const rows = [...tally.entries()].sort((a, b) => a[0] - b[0]);
  const used = RESULT_NAMES.map((_, i) => rows.some(([, r]) => (r[i] ?? 0) > 0));
  const header = ["call", "calls", ...RESULT_NAMES.filter((_, i) => used[i])];
  const lines = rows.map(([num, r]) => [
    num === NO_SUCH_CALL ? "(no such call)" : `${SYSCALL_NAMES.get(num) ?? "?"} (${num})`,
    String(r.reduce((a, b) => a + b, 0)),
    ...r.filter((_, i) => used[i]).map(String),
  ]);
  const total = RESULT_NAMES.map((_, i) => rows.reduce((a, [, r]) => a + (r[i] ?? 0), 0));
  lines.push(["total", String(total.reduce((a, b) => a + b, 0)), ...total.filter((_, i) => used[i]).map(String)]);
  const width = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
  return [fmt(header), ...lines.map(fmt)].join("\n");
}
