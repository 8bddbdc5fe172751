/**
 * init, the first task: starts the boot manifest's services, restarts those
 * that end and whose manifest says so (exponential back-off; a service that
 * fails 5 times within 10 s is given up), and answers the shell's RESTART and
 * PING calls.
 *
 * Capabilities: [0] system (send + receive), [1] endpoint "init" (send + receive).
 */
import { u8, u32, u64, bool, array, structs, print, text } from "kts";
import { sysExitWatch, sysServiceStart, sysTaskKill, TASK_INFO_NAME } from "../../lib/sys/syscalls.generated";
import { capAt, receive, reply, msgLabel, msgWord, msgWordAt, msgSetWord, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { LABEL_EXIT, LABEL_PING, LABEL_RESTART, KERNEL_SENDER, SERVICE_INIT } from "../../lib/ipc/protocol";
import { errorText, errorName, ERR_INVALID, ERR_REFUSED } from "../../lib/errors";
import { readTaskInfo, taskRecord } from "../../lib/inspect";
import { nameLength } from "../../lib/names";
import { formatDecimal } from "../../lib/format";
import { now, sleepNanos, NANOS_PER_MILLI } from "../../lib/time";

const MAX_SERVICES = 16;
const NO_TASK: u32 = 0xffff_ffff;
const NAME_BYTES = 16;

const FIRST_BACKOFF: u64 = 100_000_000n; // 100 ms
const MAX_BACKOFF: u64 = 5_000_000_000n; // 5 s
/** A service up this long counts as healthy again: its back-off starts over. */
const STABLE: u64 = 10_000_000_000n; // 10 s
/** This many failures within STABLE and it is not restarted any more. */
const FAILURE_LIMIT: u32 = 5;

enum Status {
  /** Past the manifest's last service. */
  Absent = 0,
  Running = 1,
  /** Its module failed verification: it can never run. */
  Refused = 2,
  /** It failed too often; only an explicit RESTART starts it again. */
  GivenUp = 3,
  /** Not running (serviceStart failed); RESTART may start it. */
  Down = 4,
}

class Service {
  status: Status = Status.Absent;
  task: u32 = NO_TASK;
  startedAt: u64 = 0n;
  backoff: u64 = FIRST_BACKOFF;
  /** Failures since windowStart (a window is STABLE long). */
  failures: u32 = 0;
  windowStart: u64 = 0n;
  /** The next exit was asked for (RESTART): restart at once, not a failure. */
  restartAsked: bool = false;
  name: u8[] = array(NAME_BYTES, 0);
  nameLength: u32 = 0;
}

const services: Service[] = structs(MAX_SERVICES, Service);
let system: u64 = 0n;
let endpoint: u64 = 0n;

export function main(): u32 {
  system = capAt(0n);
  endpoint = capAt(1n);
  print("init: starting services");
  const watch: u64 = errorOf(sysExitWatch(system, endpoint));
  if (watch != 0n) print(`init: exitWatch failed (${text(errorText, errorName(watch))}); services will not be restarted`);
  startAll();
  for (;;) {
    const e: u64 = errorOf(receive(endpoint));
    if (e != 0n) {
      print(`init: receive failed (${text(errorText, errorName(e))})`);
      sleepNanos(u64(100n * NANOS_PER_MILLI));
      continue;
    }
    if (msgIsCall()) answerCall();
    else if (msgLabel() == LABEL_EXIT && msgSender() == KERNEL_SENDER) {
      onExit(u32(msgWordAt(0)), msgWordAt(1), msgWordAt(2), msgWordAt(3) != 0n, msgWordAt(4) != 0n);
    }
  }
}

/** serviceStart for 1, 2, ... until the manifest has no more (Invalid). */
function startAll(): void {
  let started: u32 = 0;
  let refused: u32 = 0;
  for (let i: u32 = 1; i < MAX_SERVICES; i++) {
    const e: u64 = errorOf(start(i));
    if (e == ERR_INVALID) {
      services[i].status = Status.Absent;
      break;
    }
    const s = services[i];
    if (e == ERR_REFUSED) {
      print(`init: service ${i} refused by the kernel`);
      refused = u32(refused + 1);
    } else if (e != 0n) {
      print(`init: service ${i} failed to start (${text(errorText, errorName(e))})`);
    } else {
      print(`init: started ${text(s.name, s.nameLength)} (service ${i}) as task ${s.task}`);
      started = u32(started + 1);
    }
  }
  print(`init: ${started} services started, ${refused} refused`);
}

/** Starts service index; returns serviceStart's result and records the outcome. */
function start(index: u32): u64 {
  const s = services[index];
  const r: u64 = sysServiceStart(system, u64(index));
  const e: u64 = errorOf(r);
  s.task = NO_TASK;
  if (e == 0n) {
    s.status = Status.Running;
    s.task = u32(r);
    s.startedAt = now();
    if (s.nameLength == 0) learnName(s, index);
  } else {
    s.status = e == ERR_REFUSED ? Status.Refused : Status.Down;
    if (s.nameLength == 0) s.nameLength = formatDecimal(s.name, 0, u64(index));
  }
  return r;
}

/** The service's name from the kernel's task record; its index if it has none. */
function learnName(s: Service, index: u32): void {
  let n: u32 = 0;
  if (errorOf(readTaskInfo(system, u64(s.task))) == 0n) {
    n = nameLength(taskRecord, TASK_INFO_NAME);
    if (n > NAME_BYTES) n = NAME_BYTES;
    for (let i: u32 = 0; i < n; i++) s.name[i] = taskRecord[u32(TASK_INFO_NAME + i)];
  }
  s.nameLength = n > 0 ? n : formatDecimal(s.name, 0, u64(index));
}

/**
 * A task ended (the kernel's notice): if it is a running service whose manifest
 * asks for restarts (or a RESTART asked for this exit), restart it after its back-off.
 */
function onExit(task: u32, code: u64, serviceIndex: u64, faulted: bool, restarts: bool): void {
  if (serviceIndex >= u64(MAX_SERVICES) || services[u32(serviceIndex)].task != task) {
    print(`init: task ${task} exited with code ${code}`);
    return;
  }
  const index: u32 = u32(serviceIndex);
  const s = services[index];
  s.task = NO_TASK;
  s.status = Status.Down;
  const t: u64 = now();
  let delay: u64 = 0n;
  if (s.restartAsked) {
    s.restartAsked = false;
  } else if (!restarts) {
    if (faulted) print(`init: service ${text(s.name, s.nameLength)} (task ${task}) exited with code ${code}, faulted; not restarted (its manifest says never)`);
    else print(`init: service ${text(s.name, s.nameLength)} (task ${task}) exited with code ${code}; not restarted (its manifest says never)`);
    return;
  } else {
    if (u64(t - s.startedAt) >= STABLE) s.backoff = FIRST_BACKOFF;
    if (s.failures == 0 || u64(t - s.windowStart) >= STABLE) {
      s.windowStart = t;
      s.failures = 0;
    }
    s.failures = u32(s.failures + 1);
    if (s.failures >= FAILURE_LIMIT) {
      s.status = Status.GivenUp;
      print(`init: service ${text(s.name, s.nameLength)} (task ${task}) exited with code ${code}; it failed ${s.failures} times within 10 s: given up`);
      return;
    }
    delay = s.backoff;
    s.backoff = u64(s.backoff * 2n) < MAX_BACKOFF ? u64(s.backoff * 2n) : MAX_BACKOFF;
  }
  const ms: u64 = u64(delay / NANOS_PER_MILLI);
  if (faulted) print(`init: service ${text(s.name, s.nameLength)} (task ${task}) exited with code ${code}, faulted; restarting in ${ms} ms`);
  else print(`init: service ${text(s.name, s.nameLength)} (task ${task}) exited with code ${code}; restarting in ${ms} ms`);
  if (delay > 0n) sleepNanos(delay);
  restart(index);
}

function restart(index: u32): void {
  const s = services[index];
  const e: u64 = errorOf(start(index));
  if (e == 0n) print(`init: restarted ${text(s.name, s.nameLength)} (service ${index}) as task ${s.task}`);
  else print(`init: service ${text(s.name, s.nameLength)} could not be restarted (${text(errorText, errorName(e))})`);
}

/** A call (from the shell): RESTART or PING; anything else is answered -Invalid. */
function answerCall(): void {
  const label: u32 = msgLabel();
  if (label == LABEL_PING) {
    msgSetWord(u64(msgWord() + 1n));
    reply();
    return;
  }
  if (label != LABEL_RESTART) {
    msgSetWord(u64(0n - ERR_INVALID));
    reply();
    return;
  }
  const index: u64 = msgWord();
  if (index == u64(SERVICE_INIT) || index >= u64(MAX_SERVICES) || services[u32(index)].status == Status.Absent) {
    msgSetWord(u64(0n - ERR_INVALID)); // init cannot restart itself
    reply();
    return;
  }
  const s = services[u32(index)];
  if (s.status == Status.Refused) {
    msgSetWord(u64(0n - ERR_REFUSED));
    reply();
    return;
  }
  if (s.status != Status.Running) {
    // Not running (given up or failed to start): an explicit restart starts it afresh.
    s.failures = 0;
    s.backoff = FIRST_BACKOFF;
    const e: u64 = errorOf(start(u32(index)));
    msgSetWord(e == 0n ? 0n : u64(0n - e));
    reply();
    if (e == 0n) print(`init: started ${text(s.name, s.nameLength)} (service ${index}) as task ${s.task} on request`);
    return;
  }
  // Kill it; its exit notice restarts it. A caller restarting itself gets its answer first.
  s.restartAsked = true;
  const task: u32 = s.task;
  const self: bool = msgSender() == task;
  if (self) {
    msgSetWord(0n);
    reply();
  }
  const e: u64 = errorOf(sysTaskKill(system, u64(task)));
  if (e != 0n) s.restartAsked = false;
  print(`init: restart of ${text(s.name, s.nameLength)} (task ${task}) requested by task ${msgSender()}`);
  if (!self) {
    msgSetWord(e == 0n ? 0n : u64(0n - e));
    reply();
  }
}
