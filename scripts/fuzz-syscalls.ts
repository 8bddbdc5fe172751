/**
 * `npm run fuzz:syscalls -- [--arch x86_64|aarch64|both] [--calls N] [--seed S] [--smp K] [--log FILE]`:
 * the in-guest system-call fuzzer (src/services/sysfuzz, the fuzz tier) at
 * length: boots CambiOS, runs `fuzz S N` at the shell (N calls in all, shared by
 * the three fuzzing tasks), and prints the calls made, a table of results per
 * system call (Ok and each error), the run's time, the kernel's counters before
 * and after and the leak verdict, and what `ps` and `ipc-ping` answered after
 * the run. Exits 1 on a leak, a failed run, an anomaly or panic, fewer calls
 * than asked, or a shell that no longer answers. The seed defaults to one from
 * the clock; every fuzzer prints its own (a run is repeated with --seed).
 */
import { writeFileSync } from "node:fs";
import { fuzzSession, tallyTable, SYSCALL_NAMES } from "../test/harness/sysfuzz.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const which = option("arch", "x86_64");
const calls = Number(option("calls", "120000"));
const seed = BigInt(option("seed", String(Date.now() % 2 ** 32)));
const smp = Number(option("smp", "4"));
const log = option("log", "");
if (!Number.isInteger(calls) || calls < 1) throw new Error("--calls: a positive number");
const arches = which === "both" ? ["x86_64", "aarch64"] : [which];

let failed = false;
for (const arch of arches) {
  console.log(`== ${arch}, ${smp} CPUs: fuzz ${seed} ${calls}`);
  const r = await fuzzSession(arch, seed, calls, smp);
  if (log) writeFileSync(arches.length > 1 ? `${log}.${arch}` : log, r.output);
  const rep = r.report;
  if (r.error) {
    console.log(`the run did not finish: ${r.error}`);
    console.log(r.output.split("\n").slice(-60).join("\n"));
  }
  for (const letter of Object.keys(rep.seeds).sort()) console.log(rep.seeds[letter]);
  const inAll = [...rep.tally.values()].reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  console.log(
    `calls made: ${rep.calls} (the controller counted ${rep.controllerCalls}; ${inAll} with each fuzzer's last receives and its exit), in ${rep.guestMs} ms of guest time (${(r.wallMs / 1000).toFixed(1)} s from the fuzz command to the verdict), ${rep.victims} victims started`,
  );
  console.log(tallyTable(rep.tally));
  const missing = [...SYSCALL_NAMES.entries()].filter(([n]) => !rep.tally.has(n)).map(([n, name]) => `${name} (${n})`);
  if (missing.length) console.log(`never called: ${missing.join(", ")}`);
  const c = (x: typeof rep.before) => (x ? `frames free ${x.framesFree}, heap ${x.heap} bytes, tasks ${x.tasks}, capabilities ${x.capabilities}, endpoints ${x.endpoints}` : "(missing)");
  console.log(`before: ${c(rep.before)}`);
  console.log(`after:  ${c(rep.after)}`);
  console.log(rep.leak || "leak check: (missing)");
  console.log(rep.done || "done: (missing)");
  const psOk = /\bshell\b/.test(r.ps) && /\blog\b/.test(r.ps) && /\binit\b/.test(r.ps) && !/sysfuzz-/.test(r.ps);
  const pingOk = /ipc-ping: 20 round trips/.test(r.ipcPing);
  console.log(`after the run: ps ${psOk ? "lists init, log, shell and no fuzzer" : "WRONG"}, ipc-ping ${pingOk ? "answers" : "FAILED"}: ${r.ipcPing.trim().split("\n").pop()}`);
  for (const t of rep.trouble) console.log(`trouble: ${t}`);
  const ok =
    !r.error &&
    !rep.failed && /leak check: ok/.test(rep.leak) && rep.anomalies === 0 && rep.trouble.length === 0 && rep.calls >= calls && missing.length === 0 && psOk && pingOk;
  console.log(`${arch}: ${ok ? "ok" : "FAILED"}`);
  if (!ok) failed = true;
}
process.exit(failed ? 1 : 0);
