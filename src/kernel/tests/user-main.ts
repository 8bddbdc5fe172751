"use unsafe";
/**
 * The user-mode test image: boots, starts every program of the boot bundle as a
 * user task through the ELF gate, gives the IPC test programs their endpoint
 * capabilities by name (pingserver: receive on endpoint A; pingclient: send on A;
 * granter: send+grant and send on A; capreceiver: receive on endpoint C;
 * capsender: send+grant on A and send on C; flooder: send on its own endpoint
 * B, which nobody reads; memkeeper: receive on endpoint D; mapper: a 2-page
 * memory region with map, write and grant, and send on D if memkeeper came
 * first; the attack image's programs, beside pingserver: vclient sends on A
 * (and may derive from a send+grant copy), attacker sends and grants on A and
 * holds a 1-page region and receives on E, lookup (three copies) holds send+grant on A, keeper
 * receives on K and sends on revoker's R, revoker receives on R, holds a
 * 1-page region and send+grant on K, sleeper sends on E if attacker came first,
 * writer (three copies) holds nothing; the move-and-back scenario: returner
 * receives on its endpoint, bouncer holds two 1-page regions and send+grant on
 * it, churner (three copies) a 1-page region; everyone else: nothing), lets the scheduler run them on all CPUs, and when every task has
 * ended prints each one's exit status, the CPUs it ran on and the audit summary.
 */
import { u8, u32, u64, usize, bool, print, log, slice, array, arrayOf, LOG_WARN } from "kts";
import { bytesAt } from "kts/unsafe";
import { physToVirt, powerOff, waitForInterrupt, monotonicNanos } from "arch";
import { bootKernel, bootInfo } from "../main";
import { bundleCheck, bundleCount, bundleEntryOk, bundleEntryOffset, bundleEntrySize, bundleNameOffset, bundleNameLength, BundleError } from "../loader/bundle";
import { spawnElf, startTask, ElfResult } from "../task/lifecycle";
import { resources } from "../task/table";
import { schedule } from "../task/schedule";
import { schedLock, schedUnlock } from "../task/lock";
import { scheduler, NO_TASK, MAX_TASKS, TaskState } from "../sched/index";
import { capInsertRoot, CapKind, CapView, RIGHT_SEND, RIGHT_RECEIVE, RIGHT_GRANT, RIGHT_MAP, RIGHT_WRITE } from "../cap/index";
import { regionCreate } from "../task/user-memory";
import { frames } from "../mem/index";
import { ipc, AuditKind, NO_ENDPOINT } from "../ipc/index";
import { cmdlineHas } from "../boot/cmdline";
import { probeEnable, probing, probeSpent, PART_COPY, PART_CAP, PART_INTERCEPT, PART_SWITCH } from "../syscall/probe";

/** "probe=ipc": `cambi bench` times the parts of the IPC round trip (syscall/probe.ts). */
const PROBE_IPC: u8[] = arrayOf([0x70, 0x72, 0x6f, 0x62, 0x65, 0x3d, 0x69, 0x70, 0x63]);

const spawned: u32[] = array(MAX_TASKS, 0);
const why = new ElfResult();
const view = new CapView();

const PINGSERVER: u8[] = arrayOf([0x70, 0x69, 0x6e, 0x67, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72]);
const PINGCLIENT: u8[] = arrayOf([0x70, 0x69, 0x6e, 0x67, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74]);
const FLOODER: u8[] = arrayOf([0x66, 0x6c, 0x6f, 0x6f, 0x64, 0x65, 0x72]);
const PACEDCLIENT: u8[] = arrayOf([0x70, 0x61, 0x63, 0x65, 0x64, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74]);
const GRANTER: u8[] = arrayOf([0x67, 0x72, 0x61, 0x6e, 0x74, 0x65, 0x72]);
const CAPRECEIVER: u8[] = arrayOf([0x63, 0x61, 0x70, 0x72, 0x65, 0x63, 0x65, 0x69, 0x76, 0x65, 0x72]);
const CAPSENDER: u8[] = arrayOf([0x63, 0x61, 0x70, 0x73, 0x65, 0x6e, 0x64, 0x65, 0x72]);
const MAPPER: u8[] = arrayOf([0x6d, 0x61, 0x70, 0x70, 0x65, 0x72]);
const MEMKEEPER: u8[] = arrayOf([0x6d, 0x65, 0x6d, 0x6b, 0x65, 0x65, 0x70, 0x65, 0x72]);
const VCLIENT: u8[] = arrayOf([0x76, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74]);
const ATTACKER: u8[] = arrayOf([0x61, 0x74, 0x74, 0x61, 0x63, 0x6b, 0x65, 0x72]);
const LOOKUP: u8[] = arrayOf([0x6c, 0x6f, 0x6f, 0x6b, 0x75, 0x70]);
const WRITER: u8[] = arrayOf([0x77, 0x72, 0x69, 0x74, 0x65, 0x72]);
const KEEPER: u8[] = arrayOf([0x6b, 0x65, 0x65, 0x70, 0x65, 0x72]);
const REVOKER: u8[] = arrayOf([0x72, 0x65, 0x76, 0x6f, 0x6b, 0x65, 0x72]);
const SLEEPER: u8[] = arrayOf([0x73, 0x6c, 0x65, 0x65, 0x70, 0x65, 0x72]);
const CLOCK: u8[] = arrayOf([0x63, 0x6c, 0x6f, 0x63, 0x6b]);
const TIMER: u8[] = arrayOf([0x74, 0x69, 0x6d, 0x65, 0x72]);
const RETURNER: u8[] = arrayOf([0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x65, 0x72]);
const BOUNCER: u8[] = arrayOf([0x62, 0x6f, 0x75, 0x6e, 0x63, 0x65, 0x72]);
const CHURNER: u8[] = arrayOf([0x63, 0x68, 0x75, 0x72, 0x6e, 0x65, 0x72]);
/** Programs started this many times (their copies run side by side). */
const COPIES: u32 = 3;

function nameIs(blob: u8[], i: u32, name: u8[]): bool {
  if (bundleNameLength(blob, i) != name.length) return false;
  const at: u32 = bundleNameOffset(i);
  for (let k: u32 = 0; k < name.length; k++) if (blob[u32(at + k)] != name[k]) return false;
  return true;
}

function grantEndpoint(task: u32, endpoint: u32, rights: u32): void {
  schedLock();
  capInsertRoot(task, CapKind.Endpoint, rights, u64(endpoint), 0n, 0, 0n, view);
  schedUnlock();
}

/** A 1-page memory region for task t: map, write, grant. */
function grantRegion(t: u32): void {
  schedLock();
  regionCreate(t, 1, u32(RIGHT_MAP | RIGHT_WRITE | RIGHT_GRANT), view);
  schedUnlock();
}

/** A new endpoint that task t receives on. */
function receiveEndpoint(t: u32): u32 {
  schedLock();
  const ep: u32 = ipc.endpointCreate(t, monotonicNanos());
  schedUnlock();
  grantEndpoint(t, ep, RIGHT_RECEIVE);
  return ep;
}

export function kernelMain(bootArg: usize): void {
  bootKernel(bootArg);
  if (bootInfo.initrdSize == 0n) {
    print("no boot bundle");
    powerOff(1);
  }
  const blob: u8[] = bytesAt(physToVirt(bootInfo.initrdBase), u32(bootInfo.initrdSize));
  if (bundleCheck(blob) != BundleError.Ok) {
    print(`bad boot bundle: error ${u32(bundleCheck(blob))}`);
    powerOff(1);
  }
  const freeBefore: u32 = frames.freeCount;
  let n: u32 = 0;
  let server: u32 = NO_TASK;
  let endpointA: u32 = NO_ENDPOINT;
  let endpointC: u32 = NO_ENDPOINT;
  let endpointD: u32 = NO_ENDPOINT;
  let endpointK: u32 = NO_ENDPOINT;
  let keeper: u32 = NO_TASK;
  let endpointE: u32 = NO_ENDPOINT;
  let endpointR: u32 = NO_ENDPOINT;
  for (let i: u32 = 0; i < bundleCount(blob); i++) {
    if (!bundleEntryOk(blob, i)) continue;
    const off: u32 = bundleEntryOffset(blob, i);
    const copies: u32 = nameIs(blob, i, WRITER) || nameIs(blob, i, LOOKUP) || nameIs(blob, i, CHURNER) ? COPIES : 1;
    for (let c: u32 = 0; c < copies; c++) {
      const t: u32 = spawnElf(slice(blob, off, u32(off + bundleEntrySize(blob, i))), 2, why);
      if (t == NO_TASK) {
        log(LOG_WARN, `bundle entry ${i} refused: ELF error ${u32(why.error)}`);
        continue;
      }
      if (nameIs(blob, i, PINGSERVER)) {
        server = t;
        endpointA = receiveEndpoint(t);
      } else if (nameIs(blob, i, PINGCLIENT)) {
        // Its round trips are the IPC benchmark: under -icount a fast one outruns the default rate limit (the bucket still runs).
        schedLock();
        ipc.setRateLimit(t, 10_000_000, 64, monotonicNanos());
        schedUnlock();
        grantEndpoint(t, endpointA, RIGHT_SEND);
      } else if (nameIs(blob, i, PACEDCLIENT)) {
        // Calls faster than this allows: lib/ipc/paced.ts waits the limit out.
        schedLock();
        ipc.setRateLimit(t, 1000, 8, monotonicNanos());
        schedUnlock();
        grantEndpoint(t, endpointA, RIGHT_SEND);
      } else if (nameIs(blob, i, GRANTER)) {
        // Capability 0: send and grant (to delegate, then revoke); capability 1: send.
        grantEndpoint(t, endpointA, u32(RIGHT_SEND | RIGHT_GRANT));
        grantEndpoint(t, endpointA, RIGHT_SEND);
      } else if (nameIs(blob, i, CAPRECEIVER)) {
        endpointC = receiveEndpoint(t);
      } else if (nameIs(blob, i, CAPSENDER)) {
        // Capability 0: send and grant on A (to pass along); capability 1: send on C.
        grantEndpoint(t, endpointA, u32(RIGHT_SEND | RIGHT_GRANT));
        grantEndpoint(t, endpointC, RIGHT_SEND);
      } else if (nameIs(blob, i, MEMKEEPER)) {
        endpointD = receiveEndpoint(t);
      } else if (nameIs(blob, i, MAPPER)) {
        schedLock();
        regionCreate(t, 2, u32(RIGHT_MAP | RIGHT_WRITE | RIGHT_GRANT), view);
        schedUnlock();
        if (endpointD != NO_ENDPOINT) grantEndpoint(t, endpointD, RIGHT_SEND);
      } else if (nameIs(blob, i, FLOODER)) {
        schedLock();
        const b: u32 = ipc.endpointCreate(t, monotonicNanos());
        // A flood must meet the rate limiter, not only the queue's bound: 1000 messages/s, burst 32.
        ipc.setRateLimit(t, 1000, 32, monotonicNanos());
        schedUnlock();
        grantEndpoint(t, b, RIGHT_SEND);
      } else if (nameIs(blob, i, VCLIENT)) {
        grantEndpoint(t, endpointA, RIGHT_SEND);
        grantEndpoint(t, endpointA, u32(RIGHT_SEND | RIGHT_GRANT));
      } else if (nameIs(blob, i, ATTACKER)) {
        grantEndpoint(t, endpointA, u32(RIGHT_SEND | RIGHT_GRANT));
        grantRegion(t);
        endpointE = receiveEndpoint(t);
      } else if (nameIs(blob, i, TIMER)) {
        // Capability 0: receive on its own endpoint; 1: send on it; 2: both (for its timer).
        const ep: u32 = receiveEndpoint(t);
        grantEndpoint(t, ep, RIGHT_SEND);
        grantEndpoint(t, ep, u32(RIGHT_SEND | RIGHT_RECEIVE));
      } else if (nameIs(blob, i, CLOCK)) {
        // Capability 0: the wall clock (right send: set it).
        capInsertRoot(t, CapKind.Clock, RIGHT_SEND, 0n, 0n, 0, 0n, view);
      } else if (nameIs(blob, i, SLEEPER) && endpointE != NO_ENDPOINT) {
        grantEndpoint(t, endpointE, RIGHT_SEND);
      } else if (nameIs(blob, i, LOOKUP)) {
        grantEndpoint(t, endpointA, u32(RIGHT_SEND | RIGHT_GRANT));
      } else if (nameIs(blob, i, KEEPER)) {
        keeper = t;
        endpointK = receiveEndpoint(t);
      } else if (nameIs(blob, i, RETURNER)) {
        endpointR = receiveEndpoint(t);
      } else if (nameIs(blob, i, BOUNCER)) {
        // Capabilities 0 and 1: two 1-page regions; 2: send and grant on the returner's endpoint.
        grantRegion(t);
        grantRegion(t);
        if (endpointR != NO_ENDPOINT) grantEndpoint(t, endpointR, u32(RIGHT_SEND | RIGHT_GRANT));
      } else if (nameIs(blob, i, CHURNER)) {
        grantRegion(t);
      } else if (nameIs(blob, i, REVOKER)) {
        const r: u32 = receiveEndpoint(t);
        grantRegion(t);
        grantEndpoint(t, endpointK, u32(RIGHT_SEND | RIGHT_GRANT));
        grantEndpoint(keeper, r, RIGHT_SEND);
      }
      spawned[n] = t;
      n = u32(n + 1);
    }
  }
  if (cmdlineHas(bootInfo, PROBE_IPC)) probeEnable();
  for (let k: u32 = 0; k < n; k++) startTask(spawned[k]);
  print(`started ${n} user tasks (ping server ${server})`);
  // The boot CPU is now an idle task too: run tasks until all have ended.
  let fewestFree: u32 = freeBefore;
  for (;;) {
    // Sampled each tick: what the tasks held at their peak.
    if (frames.freeCount < fewestFree) fewestFree = frames.freeCount;
    let alive: u32 = 0;
    // Until each task is released: its memory (and regions) freed, not just marked dead.
    for (let k: u32 = 0; k < n; k++) if (scheduler.task(spawned[k]).state != TaskState.Free) alive = u32(alive + 1);
    if (alive == 0) break;
    schedule();
    waitForInterrupt();
  }
  let cpus: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const t: u32 = spawned[k];
    cpus = u32(cpus | scheduler.task(t).cpusUsed);
    print(`task ${t} exit ${resources[t].exitCode} faults ${resources[t].faults} cpus ${scheduler.task(t).cpusUsed}`);
  }
  const denied: u64 = ipc.auditKindTotal(AuditKind.Denied);
  const throttled: u64 = ipc.auditKindTotal(AuditKind.Throttled);
  print(`audit: ${denied} denied, ${throttled} throttled records; cpus used mask ${cpus}`);
  // Every task's pages, tables, stacks and memory regions came back.
  print(`frames free: ${freeBefore} before the tasks, ${frames.freeCount} after, fewest ${fewestFree} in between`);
  if (probing()) {
    print(`probe: copy ${probeSpent(PART_COPY)} cap ${probeSpent(PART_CAP)} intercept ${probeSpent(PART_INTERCEPT)} switch ${probeSpent(PART_SWITCH)}`);
  }
  print("user tasks done");
  powerOff(0);
}
