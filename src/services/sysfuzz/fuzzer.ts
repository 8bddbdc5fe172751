"use unsafe";
/**
 * A fuzzing task (sysfuzz-a, -b, -c: fuzzerMain(0..2)). It asks the
 * controller for a run (HELLO: the run's seed, its number of calls, its
 * peers' task ids; none at boot, when init starts it: it exits), prints its
 * seed, learns its capability table, maps its regions, then makes random
 * system calls (ops.ts, drawn by weight) until it has made its number. Then
 * it tells the controller (FINISHED) and serves its endpoint (a fuzzer with a
 * lower index may still call it) until the controller says everybody is done
 * (EXIT), prints its tally, and exits with a random code, leaving behind
 * whatever it held: the kernel must release it all.
 *
 * Output: "sysfuzz-<x>: seed <s> (run <S>, fuzzer <i>), <n> calls",
 * "sysfuzz-<x>: tally <syscall number> <Ok> <NoSys> ... <AddressInUse> <other>"
 * per system call it made, "sysfuzz-<x>: done: <n> calls in <ms> ms, <k>
 * anomalies, <v> victims started".
 */
import { u8, u32, u64, usize, arrayOf, print, text, panic } from "kts";
import { sysCall, sysReceive, sysExit, sysTaskId, sysTime, sysYield, sysSleep, sysCapAt, sysMemMap } from "../../lib/sys/syscalls.generated";
import { Line } from "../../lib/format";
import {
  fz, note, isError, errorCode, scratchAt,
  SYS_CALL, SYS_RECEIVE, SYS_EXIT, SYS_TIME, SYS_MEM_MAP, TALLY_ROWS, TALLY_COLUMNS,
  WORK_VA, RO_VA, AT_SERVE, AT_CONTROL,
} from "./state";
import { putHeader, putWord, get32, getWord, OFF_LABEL, OFF_SENDER, OFF_FLAGS, FLAG_CALL } from "./msg";
import { taskSeed } from "./rng";
import {
  serve, rescan, learnEndpoints, answer, killVictims,
  opWrite, opYield, opTaskId, opTime, opSleep, opSend, opReceive, opCall, opReply, opCapDerive, opCapDeriveRange,
  opCapRevoke, opCapAt, opIrqAck, opIrqBind, opConsoleRead, opPciHost, opPciRoute, opRandom, opAuditRead,
  opServiceStart, opTaskKill, opTaskInfo, opCapInfo, opMemInfo, opExitWatch, opMemMap, opMemUnmap, opMmioMap,
  opMemPhys, opNoSuchCall, opVictim, opShare, mapReceived, opClock, opTimerSet, opReplyRecv,
} from "./ops";
import {
  CAP_OWN, CAP_CONTROL, CAP_SYSTEM, CAP_PEER_FIRST, CAP_LOG, CAP_MEMORY, CAP_MEMORY_RO, CAP_IRQ, CAP_RANDOM, CAP_AUDIT,
  CAP_VICTIMS, CAP_ECAM, LABEL_HELLO, LABEL_FINISHED, LABEL_EXIT, RUN_SEED, RUN_CALLS, RUN_TASKS, FINISHED_MAGIC,
} from "./protocol";

type Op = () => void;

/** The operations and their weights (out of the sum). */
const OPS: Op[] = arrayOf([
  opWrite, opYield, opTaskId, opTime, opSleep, opSend, opReceive, opCall, opReply, opCapDerive, opCapDeriveRange,
  opCapRevoke, opCapAt, opIrqAck, opIrqBind, opConsoleRead, opPciHost, opPciRoute, opRandom, opAuditRead,
  opServiceStart, opTaskKill, opTaskInfo, opCapInfo, opMemInfo, opExitWatch, opMemMap, opMemUnmap, opMmioMap,
  opMemPhys, opNoSuchCall, opVictim, opShare, serve, mapReceived, opClock, opTimerSet, opReplyRecv,
]);
const WEIGHTS: readonly u32[] = arrayOf([
  3, 2, 1, 1, 2, 10, 5, 8, 2, 8, 6,
  7, 2, 2, 2, 2, 2, 2, 2, 2,
  3, 3, 3, 3, 2, 2, 6, 5, 3,
  2, 3, 1, 3, 6, 2, 2, 2, 3,
]);
/** Its endpoint is served at least this often (fuzzers with lower indices may be waiting in a call to it). */
const SERVE_EVERY: u32 = 32;
/** Its picture of its table is rebuilt at least this often. */
const RESCAN_EVERY: u32 = 300;

const line = new Line();
/** "tally " */
const TALLY: u8[] = arrayOf([0x74, 0x61, 0x6c, 0x6c, 0x79, 0x20]);
/** The controller's task id (the sender of its answer to HELLO). */
let controller: u64 = 0xffff_ffffn;

function pick(total: u32): u32 {
  let x: u32 = fz.rng.below(total);
  for (let i: u32 = 0; i < WEIGHTS.length; i++) {
    if (x < WEIGHTS[i]) return i;
    x = u32(x - WEIGHTS[i]);
  }
  return 0;
}

/** A call to the controller from its private buffer, repeated while the queue is full or the sender throttled; the answer's word 0, or the error. */
function control(label: u32, w0: u64, w1: u64, w2: u64): u64 {
  const at: usize = scratchAt(AT_CONTROL);
  for (;;) {
    putHeader(at, label, 24, 0, 0);
    putWord(at, 0, w0);
    putWord(at, 1, w1);
    putWord(at, 2, w2);
    const r: u64 = note(SYS_CALL, sysCall(fz.control, at));
    const e: u64 = errorCode(r);
    if (e == 0n) return getWord(at, 0);
    if (e != 5n && e != 6n) return r; // Throttled, WouldBlock: again
    sysSleep(100_000n);
  }
}

export function fuzzerMain(index: u32): u32 {
  if (OPS.length != WEIGHTS.length) panic("sysfuzz: OPS and WEIGHTS differ in length");
  fz.index = index;
  fz.self = sysTaskId();
  fz.own = sysCapAt(CAP_OWN);
  fz.control = sysCapAt(CAP_CONTROL);
  // The controller answers at once; no run (init started it at boot): nothing to do.
  const answer0: u64 = control(LABEL_HELLO, u64(index), 0n, 0n);
  if (answer0 != 0n) return 0;
  const at: usize = scratchAt(AT_CONTROL);
  controller = u64(get32(at, OFF_SENDER));
  fz.name[8] = u8(0x61 + index);
  const run: u64 = getWord(at, RUN_SEED);
  fz.budget = getWord(at, RUN_CALLS);
  for (let j: u32 = 0; j < 3; j++) fz.peers[j] = getWord(at, u32(RUN_TASKS + j));
  const seed: u64 = taskSeed(run, index);
  fz.rng.seed(seed);
  print(`${text(fz.name, 9)}: seed ${seed} (run ${run}, fuzzer ${index}), ${fz.budget} calls`);
  setUp();
  const start: u64 = sysTime();
  let total: u32 = 0;
  for (let i: u32 = 0; i < WEIGHTS.length; i++) total = u32(total + WEIGHTS[i]);
  let sinceServe: u32 = 0;
  let sinceRescan: u32 = 0;
  while (fz.made < fz.budget) {
    const op: Op = OPS[pick(total)];
    op();
    sinceServe = u32(sinceServe + 1);
    sinceRescan = u32(sinceRescan + 1);
    if (sinceServe >= SERVE_EVERY) {
      serve();
      sinceServe = 0;
    }
    if (sinceRescan >= RESCAN_EVERY) {
      rescan();
      sinceRescan = 0;
    }
  }
  const elapsed: u64 = u64(sysTime() - start);
  finish(run, elapsed);
  return 0;
}

function setUp(): void {
  fz.system = sysCapAt(CAP_SYSTEM);
  for (let j: u32 = 0; j < 3; j++) fz.peerEp[j] = sysCapAt(u64(CAP_PEER_FIRST + u64(j)));
  fz.log = sysCapAt(CAP_LOG);
  fz.memory = sysCapAt(CAP_MEMORY);
  fz.memoryRo = sysCapAt(CAP_MEMORY_RO);
  fz.irq = sysCapAt(CAP_IRQ);
  fz.random = sysCapAt(CAP_RANDOM);
  fz.audit = sysCapAt(CAP_AUDIT);
  fz.victimsEp = sysCapAt(CAP_VICTIMS);
  fz.ecam = sysCapAt(CAP_ECAM);
  learnEndpoints();
  rescan();
  fz.workMapped = !isError(note(SYS_MEM_MAP, sysMemMap(fz.memory, WORK_VA, 1n)));
  fz.roMapped = !isError(note(SYS_MEM_MAP, sysMemMap(fz.memoryRo, RO_VA, 0n)));
  fz.lastTime = note(SYS_TIME, sysTime());
}

/** The run's end: FINISHED to the controller, then its endpoint served until EXIT; the tally; exit. */
function finish(run: u64, elapsed: u64): void {
  killVictims();
  const made: u64 = fz.made;
  const ok: u64 = control(LABEL_FINISHED, u64(fz.index), made, u64(FINISHED_MAGIC ^ run));
  if (ok != 0n) print(`${text(fz.name, 9)}: the controller did not take FINISHED: ${ok}`);
  const at: usize = scratchAt(AT_SERVE);
  for (;;) {
    const r: u64 = note(SYS_RECEIVE, sysReceive(fz.own, at));
    if (isError(r)) {
      sysYield();
      continue;
    }
    const sender: u64 = u64(get32(at, OFF_SENDER));
    if (get32(at, OFF_LABEL) == LABEL_EXIT && sender == controller) break;
    if (u32(get32(at, OFF_FLAGS) & FLAG_CALL) != 0) answer(true);
  }
  note(SYS_EXIT, 0n); // counted before it happens: exit does not return
  printTally();
  print(`${text(fz.name, 9)}: done: ${made} calls in ${u64(elapsed / 1_000_000n)} ms, ${fz.anomalies} anomalies, ${fz.victimsStarted} victims started`);
  sysExit(fz.rng.next());
}

/** One line per system call it made: its number, then how many calls gave Ok, each error 1..12, and any other error. */
function printTally(): void {
  for (let row: u32 = 0; row < TALLY_ROWS; row++) {
    let any: u32 = 0;
    for (let c: u32 = 0; c < TALLY_COLUMNS; c++) any = u32(any | fz.tally[u32(row * TALLY_COLUMNS + c)]);
    if (any == 0) continue;
    line.clear();
    line.append(fz.name, 0, 9);
    line.byte(0x3a);
    line.byte(0x20);
    line.append(TALLY, 0, TALLY.length);
    line.decimal(u64(row));
    for (let c: u32 = 0; c < TALLY_COLUMNS; c++) {
      line.byte(0x20);
      line.decimal(u64(fz.tally[u32(row * TALLY_COLUMNS + c)]));
    }
    print(`${text(line.bytes, line.length)}`);
  }
}
