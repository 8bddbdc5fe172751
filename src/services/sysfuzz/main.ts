/**
 * sysfuzz: the system-call fuzzer's controller (the fuzz tier, images/fuzz.json).
 * It fuzzes nothing itself: it starts a run when the shell asks (`fuzz <seed>
 * <calls>`), answers the fuzzing tasks' calls (HELLO, FINISHED, and the random
 * calls they make to it: it always answers, so a call to it never waits for
 * ever), and checks afterwards that nothing leaked:
 *
 *  1. waits until no fuzzer or victim task is alive, then until the kernel's
 *     counters (memInfo: frames free, kernel heap, tasks live, capabilities,
 *     endpoints) stop moving: "before";
 *  2. starts sysfuzz-a, -b, -c (serviceStart); each asks for the run (HELLO:
 *     the seed, its share of the calls, its peers' task ids) and makes its calls;
 *  3. once all three said FINISHED (nobody calls anybody any more), tells each
 *     to exit (EXIT); a fuzzer that ends before it finished is reported and the
 *     others are killed;
 *  4. waits until the fuzzers and every victim they started have ended, then
 *     polls memInfo until the counters equal "before" (the kernel may reap and
 *     free asynchronously) or stop moving: "after", and the verdict.
 *
 * It receives with a message of its own queued first, so a receive never
 * waits while it has deadlines to keep.
 *
 * Capabilities: [0] system (send + receive), [1] endpoint "fuzz" (send + receive),
 * [2..4] the fuzzers' endpoints "fza", "fzb", "fzc" (send).
 *
 * Output: "sysfuzz: ready", "sysfuzz: run <seed>: <n> calls, <m> per fuzzer",
 * "sysfuzz: before: ...", "sysfuzz: after: ...", "sysfuzz: leak check: ok" or
 * "sysfuzz: leak check: LEAK (...)", "sysfuzz: done: seed <s>, <n> calls by 3
 * fuzzers in <ms> ms[, FAILED]".
 */
import { u8, u32, u64, i64, bool, array, arrayOf, print, text } from "kts";
import {
  sysCapRevoke, sysServiceStart, sysTaskKill, sysTaskId, sysSleep,
  TASK_INFO_STATE, TASK_INFO_NAME, TASK_INFO_EXIT_CODE,
  MEM_INFO_FREE_FRAMES, MEM_INFO_HEAP_USED, MEM_INFO_TASKS_LIVE, MEM_INFO_CAPS_USED, MEM_INFO_ENDPOINTS_USED,
} from "../../lib/sys/syscalls.generated";
import {
  capAt, send, receive, reply, msgStart, msgLabel, msgWordAt, msgSetWord, msgSetWordAt, msgZeroWords, msgIsCall, msgSender,
  msgCapCount, msgCap, errorOf,
} from "../../lib/ipc/message";
import { LABEL_FUZZ } from "../../lib/ipc/protocol";
import { ERR_INVALID, ERR_THROTTLED, ERR_WOULD_BLOCK, errorText, errorName } from "../../lib/errors";
import { readTaskInfo, readMemInfo, taskRecord, memRecord } from "../../lib/inspect";
import { field32, field64 } from "../../lib/records";
import { now, NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../lib/time";
import {
  FUZZERS, SERVICE_FIRST_FUZZER, LABEL_HELLO, LABEL_FINISHED, LABEL_EXIT, FINISHED_MAGIC, RUN_SEED, RUN_CALLS, RUN_TASKS, RUN_WORDS,
  NAME_PREFIX, NAME_LETTERS,
} from "./protocol";

/** Its own messages to itself (something queued before each receive). */
const LABEL_SELF = 0x465a5343; // "FZSC"
const TASK_FREE: u32 = 0;
const TASK_EXITED: u32 = 4;
const MAX_TASK_ID = 64;
const NO_TASK: u64 = 0xffff_ffffn;
/** The most calls one run may ask for. */
const MAX_CALLS: u64 = 100_000_000n;
/** Counters compared: frames free, heap, tasks, capabilities, endpoints. */
const COUNTERS = 5;
const SETTLE_POLL: u64 = 20_000_000n; // 20 ms
/** "before" is taken once the counters held still this long; "after" gives up waiting for "before" once they held still this long. */
const STILL_BEFORE: u64 = 100_000_000n;
const STILL_AFTER: u64 = 3_000_000_000n;
const QUIET_TIMEOUT: u64 = 30_000_000_000n;
const AFTER_TIMEOUT: u64 = 60_000_000_000n;
const PROGRESS_EVERY: u64 = 10_000_000_000n;
const LIVENESS_EVERY: u64 = 200_000_000n;

let system: u64 = 0n;
let endpoint: u64 = 0n;
let self: u64 = 0n;
const fuzzerEp: u64[] = array(FUZZERS, 0n);
/** Messages of its own queued on its endpoint (a receive there returns at once while > 0). */
let selfQueued: u32 = 0;

/** A run is going (the shell's FUZZ is refused); its fuzzers are accepted (HELLO, FINISHED). */
let active: bool = false;
let running: bool = false;
/** The run: its seed and calls per fuzzer, the fuzzers' task ids, who was told and who finished. */
let seed: u64 = 0n;
let perFuzzer: u64 = 0n;
const tasks: u64[] = array(FUZZERS, NO_TASK);
const told: bool[] = array(FUZZERS, false);
const finished: bool[] = array(FUZZERS, false);
const calls: u64[] = array(FUZZERS, 0n);
const before: u64[] = array(COUNTERS, 0n);
const counters: u64[] = array(COUNTERS, 0n);
/** "sysfuzz-?" */
const name: u8[] = arrayOf([0x73, 0x79, 0x73, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x3f]);

export function main(): u32 {
  system = capAt(0n);
  endpoint = capAt(1n);
  for (let j: u32 = 0; j < FUZZERS; j++) fuzzerEp[j] = capAt(u64(2 + j));
  self = sysTaskId();
  print("sysfuzz: ready (the shell's fuzz <seed> <calls> starts a run)");
  for (;;) {
    // Idle: nothing to wait for but a message.
    const e: u64 = errorOf(receive(endpoint));
    if (e != 0n) {
      sysSleep(u64(10n * NANOS_PER_MILLI));
      continue;
    }
    const start: bool = handle();
    if (start) run();
  }
}

function letter(j: u32): u32 {
  name[8] = u8(NAME_LETTERS[j]);
  return 9;
}

/**
 * One message (in the message buffer): calls are answered, carried capabilities
 * given up. Returns true for the shell's FUZZ when no run is going (answered: started).
 */
function handle(): bool {
  const label: u32 = msgLabel();
  const sender: u64 = u64(msgSender());
  // What it carried is not wanted here (the fuzzers send anything): given up at once.
  const carried: u32 = msgCapCount() < 4 ? msgCapCount() : 4;
  const c0: u64 = msgCap(0);
  const c1: u64 = msgCap(1);
  const c2: u64 = msgCap(2);
  const c3: u64 = msgCap(3);
  let start: bool = false;
  if (msgIsCall()) {
    if (label == LABEL_FUZZ) {
      if (active) answerWord(u64(0n - ERR_INVALID));
      else {
        const total: u64 = msgWordAt(1);
        if (total == 0n || total > MAX_CALLS) answerWord(u64(0n - ERR_INVALID));
        else {
          seed = msgWordAt(0);
          perFuzzer = u64(u64(total + u64(FUZZERS - 1)) / u64(FUZZERS));
          msgZeroWords(2);
          msgSetWordAt(1, perFuzzer);
          reply();
          start = true;
        }
      }
    } else if (label == LABEL_HELLO) hello(sender);
    else if (label == LABEL_FINISHED) finish(sender);
    else answerWord(u64(msgWordAt(0) + 1n));
  }
  if (carried > 0 && c0 != 0n) sysCapRevoke(c0);
  if (carried > 1 && c1 != 0n) sysCapRevoke(c1);
  if (carried > 2 && c2 != 0n) sysCapRevoke(c2);
  if (carried > 3 && c3 != 0n) sysCapRevoke(c3);
  return start;
}

function answerWord(w: u64): void {
  msgZeroWords(1);
  msgSetWord(w);
  reply();
}

function fuzzerIndex(sender: u64): u32 {
  for (let j: u32 = 0; j < FUZZERS; j++) if (running && tasks[j] == sender) return j;
  return FUZZERS;
}

/** A fuzzer asks for its run: the seed, its calls, its peers; none (Invalid) if it is not one this run started (init's at boot). */
function hello(sender: u64): void {
  const j: u32 = fuzzerIndex(sender);
  if (j == FUZZERS || told[j] || msgWordAt(0) != u64(j)) {
    answerWord(u64(0n - ERR_INVALID));
    return;
  }
  told[j] = true;
  msgZeroWords(RUN_WORDS);
  msgSetWordAt(RUN_SEED, seed);
  msgSetWordAt(RUN_CALLS, perFuzzer);
  for (let k: u32 = 0; k < FUZZERS; k++) msgSetWordAt(u32(RUN_TASKS + k), tasks[k]);
  reply();
}

function finish(sender: u64): void {
  const j: u32 = fuzzerIndex(sender);
  if (j == FUZZERS || msgWordAt(0) != u64(j) || msgWordAt(2) != u64(FINISHED_MAGIC ^ seed)) {
    answerWord(u64(msgWordAt(0) + 1n));
    return;
  }
  finished[j] = true;
  calls[j] = msgWordAt(1);
  answerWord(0n);
}

/** Handles what has arrived (a message of its own queued first, so receive returns at once); true if anything but its own came. */
function pump(): bool {
  if (selfQueued == 0) {
    msgStart(LABEL_SELF);
    if (errorOf(send(endpoint)) != 0n) return false;
    selfQueued = 1;
  }
  let any: bool = false;
  for (let k: u32 = 0; k < 64; k++) {
    if (errorOf(receive(endpoint)) != 0n) break;
    if (u64(msgSender()) == self) {
      selfQueued = u32(selfQueued - 1);
      if (selfQueued == 0) break;
      continue;
    }
    any = true;
    handle(); // (a FUZZ now is refused: a run is going)
  }
  return any;
}

/** Sleeps about `nanos`, answering what arrives meanwhile. */
function pause(nanos: u64): void {
  const until: u64 = u64(now() + nanos);
  for (;;) {
    const busy: bool = pump();
    if (now() >= until) return;
    if (!busy) sysSleep(NANOS_PER_MILLI);
  }
}

/** taskInfo of t into taskRecord: its state (TASK_FREE if none), and whether it is a fuzzer or victim by name (letter index, or 4). */
function stateOf(t: u64): u32 {
  if (errorOf(readTaskInfo(system, t)) != 0n) return TASK_FREE;
  return field32(taskRecord, TASK_INFO_STATE);
}

/** The letter index (0..3: a, b, c, v) of the task in taskRecord if it is "sysfuzz-<letter>", else 4. */
function recordLetter(): u32 {
  for (let i: u32 = 0; i < 8; i++) if (u32(taskRecord[u32(TASK_INFO_NAME + i)]) != NAME_PREFIX[i]) return 4;
  if (taskRecord[u32(TASK_INFO_NAME + 9)] != 0) return 4;
  for (let k: u32 = 0; k < 4; k++) if (u32(taskRecord[u32(TASK_INFO_NAME + 8)]) == NAME_LETTERS[k]) return k;
  return 4;
}

/** Whether fuzzer j's task has ended (or its slot holds another task). */
function fuzzerGone(j: u32): bool {
  const s: u32 = stateOf(tasks[j]);
  return s == TASK_FREE || s == TASK_EXITED || recordLetter() != j;
}

/** Live tasks named sysfuzz-a/b/c/v; kills them if asked (stragglers). */
function helpersAlive(kill: bool): u32 {
  let n: u32 = 0;
  for (let t: u32 = 0; t < MAX_TASK_ID; t++) {
    const s: u32 = stateOf(u64(t));
    if (s == TASK_FREE || s == TASK_EXITED || recordLetter() == 4) continue;
    n = u32(n + 1);
    if (kill) {
      const k: u32 = recordLetter();
      print(`sysfuzz: ${text(name, letter(k))} (task ${t}, state ${s}) is still alive: killed`);
      sysTaskKill(system, u64(t));
    }
  }
  return n;
}

/** Waits (answering calls) until no fuzzer or victim is alive; false after the timeout. */
function waitQuiet(timeout: u64): bool {
  const until: u64 = u64(now() + timeout);
  while (helpersAlive(false) != 0) {
    if (now() >= until) return false;
    pause(SETTLE_POLL);
  }
  return true;
}

function readCounters(): void {
  if (errorOf(readMemInfo(system)) != 0n) return;
  counters[0] = field64(memRecord, MEM_INFO_FREE_FRAMES);
  counters[1] = field64(memRecord, MEM_INFO_HEAP_USED);
  counters[2] = u64(field32(memRecord, MEM_INFO_TASKS_LIVE));
  counters[3] = u64(field32(memRecord, MEM_INFO_CAPS_USED));
  counters[4] = u64(field32(memRecord, MEM_INFO_ENDPOINTS_USED));
}

function same(a: u64[], b: u64[]): bool {
  for (let i: u32 = 0; i < COUNTERS; i++) if (a[i] != b[i]) return false;
  return true;
}

/** Polls the counters until they equal `target` (if given) or have held still for `still`, or the timeout; ms waited. */
function settle(target: bool, still: u64, timeout: u64): u64 {
  const start: u64 = now();
  const last: u64[] = array(COUNTERS, 0n);
  readCounters();
  for (let i: u32 = 0; i < COUNTERS; i++) last[i] = counters[i];
  let stillSince: u64 = start;
  for (;;) {
    if (target && same(counters, before)) break;
    const t: u64 = now();
    if (u64(t - stillSince) >= still || u64(t - start) >= timeout) break;
    pause(SETTLE_POLL);
    readCounters();
    if (!same(counters, last)) {
      for (let i: u32 = 0; i < COUNTERS; i++) last[i] = counters[i];
      stillSince = now();
    }
  }
  return u64(u64(now() - start) / NANOS_PER_MILLI);
}

function printCounters(what: u32, c: u64[]): void {
  if (what == 0) print(`sysfuzz: before: frames free ${c[0]}, heap ${c[1]} bytes, tasks ${c[2]}, capabilities ${c[3]}, endpoints ${c[4]}`);
  else print(`sysfuzz: after: frames free ${c[0]}, heap ${c[1]} bytes, tasks ${c[2]}, capabilities ${c[3]}, endpoints ${c[4]}`);
}

/** A difference as "+n" / "-n" for the verdict line. */
function delta(now_: u64, was: u64): i64 {
  return i64(u64(now_ - was));
}

function run(): void {
  active = true;
  running = false;
  for (let j: u32 = 0; j < FUZZERS; j++) {
    tasks[j] = NO_TASK;
    told[j] = false;
    finished[j] = false;
    calls[j] = 0n;
  }
  print(`sysfuzz: run ${seed}: ${u64(perFuzzer * u64(FUZZERS))} calls, ${perFuzzer} per fuzzer`);
  if (!waitQuiet(QUIET_TIMEOUT)) helpersAlive(true);
  settle(false, STILL_BEFORE, QUIET_TIMEOUT);
  for (let i: u32 = 0; i < COUNTERS; i++) before[i] = counters[i];
  printCounters(0, before);
  const start: u64 = now();
  running = true;
  let failed: bool = false;
  for (let j: u32 = 0; j < FUZZERS; j++) {
    const r: u64 = sysServiceStart(system, u64(SERVICE_FIRST_FUZZER + j));
    const e: u64 = errorOf(r);
    if (e != 0n) {
      print(`sysfuzz: ${text(name, letter(j))} could not be started (${text(errorText, errorName(e))})`);
      failed = true;
      break;
    }
    tasks[j] = r;
  }
  let lastCheck: u64 = now();
  let lastProgress: u64 = now();
  while (!failed && !allFinished()) {
    const busy: bool = pump();
    const t: u64 = now();
    if (u64(t - lastCheck) >= LIVENESS_EVERY) {
      lastCheck = t;
      for (let j: u32 = 0; j < FUZZERS; j++) {
        if (finished[j] || !fuzzerGone(j)) continue;
        print(`sysfuzz: ${text(name, letter(j))} (task ${tasks[j]}) ended before it finished (exit code ${field64(taskRecord, TASK_INFO_EXIT_CODE)})`);
        failed = true;
      }
    }
    if (u64(t - lastProgress) >= PROGRESS_EVERY) {
      lastProgress = t;
      for (let j: u32 = 0; j < FUZZERS; j++) {
        if (finished[j]) continue;
        const s: u32 = stateOf(tasks[j]);
        print(`sysfuzz: waiting for ${text(name, letter(j))} (task ${tasks[j]}, state ${s}) after ${u64(u64(t - start) / NANOS_PER_SECOND)} s`);
      }
    }
    if (!busy) sysSleep(NANOS_PER_MILLI);
  }
  const elapsed: u64 = u64(u64(now() - start) / NANOS_PER_MILLI);
  for (let j: u32 = 0; j < FUZZERS; j++) {
    if (tasks[j] == NO_TASK) continue;
    if (failed) sysTaskKill(system, tasks[j]);
    else tellExit(j);
  }
  // The fuzzers, then their victims, end; then the kernel gives back what they held.
  const until: u64 = u64(now() + QUIET_TIMEOUT);
  for (let j: u32 = 0; j < FUZZERS; j++) {
    while (tasks[j] != NO_TASK && !fuzzerGone(j) && now() < until) pause(SETTLE_POLL);
  }
  running = false;
  if (!waitQuiet(QUIET_TIMEOUT)) {
    helpersAlive(true);
    failed = true;
  }
  const waited: u64 = settle(true, STILL_AFTER, AFTER_TIMEOUT);
  printCounters(1, counters);
  if (same(counters, before)) print(`sysfuzz: leak check: ok (the counters were back ${waited} ms after the last task ended)`);
  else {
    print(`sysfuzz: leak check: LEAK (frames free ${delta(counters[0], before[0])}, heap ${delta(counters[1], before[1])} bytes, tasks ${delta(counters[2], before[2])}, capabilities ${delta(counters[3], before[3])}, endpoints ${delta(counters[4], before[4])})`);
  }
  let total: u64 = 0n;
  for (let j: u32 = 0; j < FUZZERS; j++) total = u64(total + calls[j]);
  if (failed) print(`sysfuzz: done: seed ${seed}, ${total} calls by ${FUZZERS} fuzzers in ${elapsed} ms, FAILED`);
  else print(`sysfuzz: done: seed ${seed}, ${total} calls by ${FUZZERS} fuzzers in ${elapsed} ms`);
  active = false;
}

function allFinished(): bool {
  for (let j: u32 = 0; j < FUZZERS; j++) if (!finished[j]) return false;
  return true;
}

/** EXIT to fuzzer j, repeated while its queue is full or this task is throttled. */
function tellExit(j: u32): void {
  for (let tries: u32 = 0; tries < 10000; tries++) {
    msgStart(LABEL_EXIT);
    const e: u64 = errorOf(send(fuzzerEp[j]));
    if (e == 0n) return;
    if (e != ERR_WOULD_BLOCK && e != ERR_THROTTLED) {
      print(`sysfuzz: EXIT to ${text(name, letter(j))} failed (${text(errorText, errorName(e))})`);
      return;
    }
    pause(NANOS_PER_MILLI);
  }
}
