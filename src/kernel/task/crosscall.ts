"use unsafe";
/**
 * Cross-calls: run a function on every other online CPU and wait until each has
 * run it. The caller's IPI (wakeCpu) interrupts each CPU, which runs the call at
 * the end of that interrupt (onIrqExit) — or, if it was idle, in its idle loop.
 * Callers must not hold the scheduler lock or have interrupts masked for long
 * elsewhere: a CPU spinning with interrupts masked cannot answer. One cross-call
 * at a time; a CPU waiting for its turn answers the one in progress.
 */
import { u32, u64, usize, bool, array, log, spinWait, LOG_WARN } from "kts";
import { addressOf, atomicLoad32, atomicStore32, atomicCas32 } from "kts/unsafe";
import { cpuIndex, wakeCpu, monotonicNanos } from "arch";
import { scheduler, MAX_CPUS } from "../sched/index";

/**
 * After this long a CPU that has not answered is reported (once per call), and
 * still waited for: a slow CPU (a long masked stretch, a host that descheduled
 * the vCPU) is not a broken kernel, and a panic would let any task that can
 * slow a CPU down stop the machine.
 */
const SLOW_NS: u64 = 2_000_000_000n;

let callFn: (cpu: u32) => void = nothing;
/** [0] the generation of the call in progress; [1] the caller lock (CPU index + 1, or 0). */
const state: u32[] = array(2, 0);
/** The generation each CPU last answered. */
const answered: u32[] = array(MAX_CPUS, 0);
/** Per CPU: 1 while it runs a call, so an interrupt exit inside the call does not run it again. */
const serving: u32[] = array(MAX_CPUS, 0);

function nothing(cpu: u32): void {}

function cell(a: usize, i: u32): usize {
  return usize(a + u64(i) * 4n);
}

/** Runs fn(cpu) on every other online CPU; returns when all have. */
export function crossCallOthers(fn: (cpu: u32) => void): void {
  const me: u32 = cpuIndex();
  const st: usize = addressOf(state);
  lockAnswering(cell(st, 1), u32(me + 1));
  callFn = fn;
  const gen: u32 = u32(u32(atomicLoad32(st) + 1) & 0x7fff_ffff);
  // The caller does not run the call: its own next interrupt exit must not either.
  atomicStore32(cell(addressOf(answered), me), gen);
  atomicStore32(st, gen);
  for (let c: u32 = 0; c < MAX_CPUS; c++) if (c != me && scheduler.cpu(c).online) wakeCpu(c);
  const start: u64 = monotonicNanos();
  for (let c: u32 = 0; c < MAX_CPUS; c++) {
    if (c == me || !scheduler.cpu(c).online) continue;
    let reported: bool = false;
    while (atomicLoad32(cell(addressOf(answered), c)) != gen) {
      if (!reported && u64(monotonicNanos() - start) > SLOW_NS) {
        log(LOG_WARN, `cross-call: cpu ${c} has not answered for 2 s; still waiting`);
        reported = true;
      }
      spinWait();
    }
  }
  atomicStore32(cell(st, 1), 0);
}

/**
 * Takes the lock word at `word` (0 = free) by storing `value`, answering
 * cross-calls while it waits: whoever holds it may be waiting on a cross-call
 * this CPU must answer. Released by storing 0.
 */
export function lockAnswering(word: usize, value: u32): void {
  while (!atomicCas32(word, 0, value)) {
    crossCallServe();
    spinWait();
  }
}

/** Runs the call in progress on this CPU if it has not yet (interrupt exit, idle loop). */
export function crossCallServe(): void {
  const me: u32 = cpuIndex();
  const gen: u32 = atomicLoad32(addressOf(state));
  const mine: usize = cell(addressOf(answered), me);
  if (atomicLoad32(mine) == gen || serving[me] != 0) return;
  serving[me] = 1;
  const fn = callFn;
  fn(me);
  atomicStore32(mine, gen);
  serving[me] = 0;
}
