/**
 * The shell's commands: each takes the line and its words, does its system
 * calls and prints the outcome; every failure is printed with its error name.
 */
import { u8, u32, u64, bool, print, text, slice } from "kts";
import {
  sysTaskKill, sysYield,
  TASK_INFO_STATE, TASK_INFO_CPU, TASK_INFO_BAND, TASK_INFO_CAPS, TASK_INFO_NAME, TASK_INFO_SERVICE,
  CAP_INFO_HANDLE, CAP_INFO_KIND, CAP_INFO_RIGHTS, CAP_INFO_USES_LEFT, CAP_INFO_OBJ_A, CAP_INFO_OBJ_B, CAP_INFO_EXPIRY,
  MEM_INFO_TOTAL_FRAMES, MEM_INFO_FREE_FRAMES, MEM_INFO_HEAP_USED, MEM_INFO_TASKS_LIVE, MEM_INFO_CPUS, MEM_INFO_CAPS_USED, MEM_INFO_ENDPOINTS_USED, MEM_INFO_IDLE_NANOS,
  AUDIT_RECORD_SEQ, AUDIT_RECORD_TIME, AUDIT_RECORD_KIND, AUDIT_RECORD_SUBJECT, AUDIT_RECORD_OBJECT, AUDIT_RECORD_DETAIL, AUDIT_RECORD_RESULT, AUDIT_RECORD_REPEAT,
} from "../../lib/sys/syscalls.generated";
import { call, msgStart, msgWord, msgWordAt, msgSetWord, msgSetWordAt, errorOf } from "../../lib/ipc/message";
import { LABEL_PING, LABEL_RESTART, LABEL_FUZZ, SERVICE_NAMES } from "../../lib/ipc/protocol";
import { errorText, errorName, ERR_INVALID, ERR_THROTTLED } from "../../lib/errors";
import { readTaskInfo, readCapInfo, readMemInfo, readAudit, taskRecord, capRecord, memRecord, auditBatch, auditAt, AUDIT_BATCH } from "../../lib/inspect";
import { field32, field64, appendRights, TASK_FREE, TASK_EXITED, NO_SERVICE, TASK_STATE_NAMES, CAP_KIND_NAMES, AUDIT_KIND_NAMES } from "../../lib/records";
import { nameLength } from "../../lib/names";
import { Line } from "../../lib/format";
import { appendPciId } from "../../lib/pci/names";
import { now, wallClock, NANOS_PER_MILLI, NANOS_PER_SECOND } from "../../lib/time";
import { utcText } from "../../lib/calendar";
import { Words, NOT_A_NUMBER } from "./words";

/** The shell's capabilities, by what they are for (filled by main from the manifest's order). */
export class ShellCaps {
  irq: u64 = 0n;
  endpoint: u64 = 0n;
  init: u64 = 0n;
  log: u64 = 0n;
  system: u64 = 0n;
  audit: u64 = 0n;
  pci: u64 = 0n;
  fuzz: u64 = 0n;
  net: u64 = 0n;
  ntp: u64 = 0n;
}
export const caps = new ShellCaps();

const MAX_TASK_ID = 64;
const NO_ID: u32 = 0xffff_ffff;
const row = new Line();

function printRow(): void {
  print(`${text(row.bytes, row.length)}`);
}

/** Appends an id, or "-" for the kernel's "none" (0xffffffff). */
function appendId(v: u32): void {
  if (v == NO_ID) row.byte(0x2d);
  else row.decimal(u64(v));
}

/** Word i as a number; prints why not and gives NOT_A_NUMBER if it is missing or no number. */
function numberArgument(line: u8[], words: Words, i: u32): u64 {
  if (i >= words.count) {
    print("shell: this command needs a number (try help)");
    return NOT_A_NUMBER;
  }
  const v: u64 = words.number(line, i);
  if (v == NOT_A_NUMBER) print(`shell: '${text(slice(line, words.start[i], line.length), words.length[i])}' is not a number`);
  return v;
}

export function help(): void {
  print("commands:");
  print("  help                  this list");
  print("  ps                    the live tasks");
  print("  caps <task>           a task's capabilities");
  print("  audit [n] [from]      n audit records (default 10, at most 32): the last, or from seq");
  print("  mem                   memory, kernel heap, tasks, CPUs, capabilities, endpoints");
  print("  uptime                time since boot");
  print("  date                  the wall clock (UTC), once the network time client has set it");
  print("  net [drops]           the network: address, gateway, lease, MAC, link, frame counters; or drops by reason");
  print("  ping <a.b.c.d> [n]    n echo requests (default 3) through the network service");
  print("  ntp [a.b.c.d]         set the clock by SNTP now (from that server from now on)");
  print("  echo <words...>       prints the words");
  print("  ipc-ping [n] [init]   n call/reply round trips to log (or init), average time (n: 100)");
  print("  kill <task>           ends a task");
  print("  restart <service>     restarts a service through init (a running one's name, or an index)");
  print("  lspci                 PCI functions: address, ids, class, BARs, interrupt, holder");
  print("  id                    this shell's principal and public key (key store)");
  print("  put <text>            stores the text as a signed object; prints its address");
  print("  cat <address>         an object, verified (hash and signature) before it is shown");
  print("  ls [principal]        my objects, or another principal's that I may read");
  print("  rm <address>          deletes one of my objects");
  print("  grant <address> <principal>   lets a principal read one of my objects");
  print("  df                    store space, my usage and quota");
  print("  fuzz [seed] [calls]   a system-call fuzzing run (fuzz tier; default seed 1, 30000 calls)");
}

/** The manifest index of the live task named line[start .. start + length), or NOT_A_NUMBER. Names come from the tier, so this works for any tier. */
function runningServiceNamed(line: u8[], start: u32, length: u32): u64 {
  for (let id: u32 = 0; id < MAX_TASK_ID; id++) {
    if (errorOf(readTaskInfo(caps.system, u64(id))) != 0n) continue;
    if (field32(taskRecord, TASK_INFO_STATE) == TASK_FREE || field32(taskRecord, TASK_INFO_STATE) == TASK_EXITED) continue;
    const service: u32 = field32(taskRecord, TASK_INFO_SERVICE);
    if (service == NO_SERVICE || nameLength(taskRecord, TASK_INFO_NAME) != length) continue;
    let same: bool = true;
    for (let k: u32 = 0; k < length; k++) if (taskRecord[u32(TASK_INFO_NAME + k)] != line[u32(start + k)]) same = false;
    if (same) return u64(service);
  }
  return NOT_A_NUMBER;
}

export function ps(): void {
  print("  id  state    cpu  band  caps  name");
  for (let id: u32 = 0; id < MAX_TASK_ID; id++) {
    const e: u64 = errorOf(readTaskInfo(caps.system, u64(id)));
    if (e == ERR_INVALID) break; // past the last task slot
    if (e != 0n) {
      print(`ps: taskInfo(${id}) failed: ${text(errorText, errorName(e))}`);
      return;
    }
    const state: u32 = field32(taskRecord, TASK_INFO_STATE);
    if (state == TASK_FREE) continue;
    row.clear();
    row.padTo(2);
    row.decimal(u64(id));
    row.padTo(6);
    row.name(TASK_STATE_NAMES, state);
    row.padTo(15);
    row.decimal(u64(field32(taskRecord, TASK_INFO_CPU)));
    row.padTo(20);
    row.decimal(u64(field32(taskRecord, TASK_INFO_BAND)));
    row.padTo(26);
    row.decimal(u64(field32(taskRecord, TASK_INFO_CAPS)));
    row.padTo(32);
    const n: u32 = nameLength(taskRecord, TASK_INFO_NAME);
    if (n == 0) row.byte(0x2d);
    else row.append(taskRecord, TASK_INFO_NAME, n);
    printRow();
  }
}

export function capsOf(line: u8[], words: Words): void {
  const task: u64 = numberArgument(line, words, 1);
  if (task == NOT_A_NUMBER) return;
  let shown: u32 = 0;
  for (let i: u32 = 0; i < 256; i++) {
    const e: u64 = errorOf(readCapInfo(caps.system, task, u64(i)));
    if (e == ERR_INVALID) break; // past its last capability (or no such task)
    if (e != 0n) {
      print(`caps: capInfo failed: ${text(errorText, errorName(e))}`);
      return;
    }
    if (shown == 0) print("  handle      kind      rights  object            uses  expires (ms)");
    shown = u32(shown + 1);
    const kind: u32 = field32(capRecord, CAP_INFO_KIND);
    row.clear();
    row.padTo(2);
    row.hex(u64(field32(capRecord, CAP_INFO_HANDLE)));
    row.padTo(14);
    row.name(CAP_KIND_NAMES, kind);
    row.padTo(24);
    appendRights(row, field32(capRecord, CAP_INFO_RIGHTS));
    row.padTo(32);
    appendObject(kind);
    row.padTo(50);
    const uses: u32 = field32(capRecord, CAP_INFO_USES_LEFT);
    if (uses == 0) row.byte(0x2d); // unlimited
    else row.decimal(u64(uses));
    row.padTo(56);
    const expiry: u64 = field64(capRecord, CAP_INFO_EXPIRY);
    if (expiry == 0n) row.byte(0x2d); // never
    else row.decimal(u64(expiry / NANOS_PER_MILLI));
    printRow();
  }
  if (shown == 0) print(`caps: task ${task} holds no capabilities (or there is no such task)`);
}

/** The object a capability names: ranges (2 memory, 3 IRQ lines, 4 MMIO, 5 ports) as base+size, the rest as a number. */
function appendObject(kind: u32): void {
  const a: u64 = field64(capRecord, CAP_INFO_OBJ_A);
  if (kind == 3) {
    row.decimal(a);
    const n: u64 = field64(capRecord, CAP_INFO_OBJ_B);
    if (n > 1n) {
      row.byte(0x2b); // +
      row.decimal(n);
    }
  } else if (kind == 10) {
    appendPciId(row, a);
  } else if (kind == 2 || kind == 4 || kind == 5) {
    row.hex(a);
    row.byte(0x2b); // +
    row.hex(field64(capRecord, CAP_INFO_OBJ_B));
  } else {
    row.decimal(a);
  }
}

export function auditTail(line: u8[], words: Words): void {
  let count: u64 = 10n;
  if (words.count > 1) {
    count = numberArgument(line, words, 1);
    if (count == NOT_A_NUMBER) return;
  }
  if (count > u64(AUDIT_BATCH)) count = u64(AUDIT_BATCH);
  if (count == 0n) return;
  // `audit n from`: the records from sequence number `from` on, whatever came after them.
  let start: u64 = NOT_A_NUMBER;
  if (words.count > 2) {
    start = numberArgument(line, words, 2);
    if (start == NOT_A_NUMBER) return;
  }
  // Find the end of the ring: read forward in batches until it runs out.
  let end: u64 = 0n;
  for (;;) {
    const r: u64 = readAudit(caps.audit, end, AUDIT_BATCH);
    const e: u64 = errorOf(r);
    if (e != 0n) {
      print(`audit: auditRead failed: ${text(errorText, errorName(e))}`);
      return;
    }
    const n: u32 = u32(r);
    if (n == 0) break;
    end = u64(field64(auditBatch, u32(auditAt(u32(n - 1)) + AUDIT_RECORD_SEQ)) + 1n);
    if (n < AUDIT_BATCH) break;
  }
  const from: u64 = start != NOT_A_NUMBER ? start : end > count ? u64(end - count) : 0n;
  const r: u64 = readAudit(caps.audit, from, u32(count));
  const e: u64 = errorOf(r);
  if (e != 0n) {
    print(`audit: auditRead failed: ${text(errorText, errorName(e))}`);
    return;
  }
  const n: u32 = u32(r);
  print("  seq     time (ms)  kind                  subject  object  detail      result  repeat");
  for (let i: u32 = 0; i < n; i++) {
    const at: u32 = auditAt(i);
    const kind: u32 = field32(auditBatch, u32(at + AUDIT_RECORD_KIND));
    row.clear();
    row.padTo(2);
    row.decimal(field64(auditBatch, u32(at + AUDIT_RECORD_SEQ)));
    row.padTo(10);
    row.decimal(u64(field64(auditBatch, u32(at + AUDIT_RECORD_TIME)) / NANOS_PER_MILLI));
    row.padTo(21);
    row.name(AUDIT_KIND_NAMES, kind);
    row.padTo(43);
    appendId(field32(auditBatch, u32(at + AUDIT_RECORD_SUBJECT)));
    row.padTo(52);
    appendId(field32(auditBatch, u32(at + AUDIT_RECORD_OBJECT)));
    row.padTo(60);
    const detail: u32 = field32(auditBatch, u32(at + AUDIT_RECORD_DETAIL));
    if (kind <= 1) row.hex(u64(detail)); // send, call: the message label
    else appendId(detail);
    row.padTo(72);
    row.decimal(u64(field32(auditBatch, u32(at + AUDIT_RECORD_RESULT))));
    row.padTo(80);
    row.decimal(u64(field32(auditBatch, u32(at + AUDIT_RECORD_REPEAT))));
    printRow();
  }
  if (n == 0) print("audit: no records");
}

export function mem(): void {
  const e: u64 = errorOf(readMemInfo(caps.system));
  if (e != 0n) {
    print(`mem: memInfo failed: ${text(errorText, errorName(e))}`);
    return;
  }
  const total: u64 = field64(memRecord, MEM_INFO_TOTAL_FRAMES);
  const free: u64 = field64(memRecord, MEM_INFO_FREE_FRAMES);
  // 256 frames of 4 KiB make a MiB.
  print(`memory: ${total} frames (${u64(total / 256n)} MiB), ${free} free (${u64(free / 256n)} MiB)`);
  print(`kernel heap: ${field64(memRecord, MEM_INFO_HEAP_USED)} bytes used`);
  print(`tasks: ${field32(memRecord, MEM_INFO_TASKS_LIVE)} live, CPUs: ${field32(memRecord, MEM_INFO_CPUS)}`);
  print(`capabilities: ${field32(memRecord, MEM_INFO_CAPS_USED)} in use, endpoints: ${field32(memRecord, MEM_INFO_ENDPOINTS_USED)} open`);
}

export function date(): void {
  const t: u64 = wallClock();
  if (t == 0n) {
    print("date: the clock is not set (the network time client sets it)");
    return;
  }
  row.clear();
  row.length = utcText(t, row.bytes);
  print(`date: ${text(row.bytes, row.length)}`);
}

/** When the first prompt was printed (monotonic ns) and how much of that time the CPUs were busy (not halted): 0 until then. */
let promptAt: u64 = 0n;
let promptBusy: u64 = 0n;

/** Notes the first prompt's time (`uptime` reports it; under QEMU -icount shift=0 the busy time is guest instructions: `cambi bench`'s boot figure). */
export function notePrompt(): void {
  promptAt = now();
  if (errorOf(readMemInfo(caps.system)) != 0n) return;
  const idle: u64 = field64(memRecord, MEM_INFO_IDLE_NANOS);
  promptBusy = idle < promptAt ? u64(promptAt - idle) : 0n;
}

export function uptime(): void {
  const t: u64 = now();
  row.clear();
  row.decimalZeros(u64(u64(t / NANOS_PER_MILLI) % 1000n), 3);
  print(`uptime: ${u64(t / NANOS_PER_SECOND)}.${text(row.bytes, row.length)} s`);
  print(`uptime: first prompt at ${promptAt} ns, ${promptBusy} ns of it busy`);
}

/** Prints the line from its second word on, as typed. */
export function echo(line: u8[], length: u32, words: Words): void {
  if (words.count < 2) {
    print("");
    return;
  }
  const from: u32 = words.start[1];
  print(`${text(slice(line, from, length), u32(length - from))}`);
}

export function ipcPing(line: u8[], words: Words): void {
  let rounds: u64 = 100n;
  if (words.count > 1) {
    rounds = numberArgument(line, words, 1);
    if (rounds == NOT_A_NUMBER) return;
  }
  if (rounds == 0n) return;
  let target: u64 = caps.log;
  if (words.count > 2) {
    const which: u32 = words.lookup(line, 2, SERVICE_NAMES);
    if (which == 0) target = caps.init;
    else if (which != 1) {
      print("ipc-ping: the target is log or init");
      return;
    }
  }
  let throttled: u64 = 0n;
  const start: u64 = now();
  let i: u64 = 0n;
  while (i < rounds) {
    msgStart(LABEL_PING);
    msgSetWord(i);
    const e: u64 = errorOf(call(target));
    if (e == ERR_THROTTLED) {
      // The interceptor's rate limit: wait a little and repeat the round.
      throttled = u64(throttled + 1n);
      sysYield();
      continue;
    }
    if (e != 0n) {
      print(`ipc-ping: round ${i} failed: ${text(errorText, errorName(e))}`);
      return;
    }
    if (msgWord() != u64(i + 1n)) {
      print(`ipc-ping: round ${i}: wrong answer ${msgWord()}`);
      return;
    }
    i = u64(i + 1n);
  }
  const elapsed: u64 = u64(now() - start);
  if (throttled == 0n) print(`ipc-ping: ${rounds} round trips, avg ${u64(elapsed / rounds)} ns`);
  else print(`ipc-ping: ${rounds} round trips, avg ${u64(elapsed / rounds)} ns (throttled ${throttled} times)`);
}

export function kill(line: u8[], words: Words): void {
  const task: u64 = numberArgument(line, words, 1);
  if (task == NOT_A_NUMBER) return;
  const e: u64 = errorOf(sysTaskKill(caps.system, task));
  if (e != 0n) print(`kill: task ${task}: ${text(errorText, errorName(e))}`);
  else print(`kill: task ${task} ended`);
}

/** restart <service>: by the name of a running service or by index, through init (which kills it and lets its exit notice restart it). */
export function restart(line: u8[], words: Words): void {
  if (words.count < 2) {
    print("restart: which service? (the name of a running one, as ps shows it, or an index)");
    return;
  }
  let index: u64 = words.number(line, 1);
  if (index == NOT_A_NUMBER) {
    index = runningServiceNamed(line, words.start[1], words.length[1]);
    if (index == NOT_A_NUMBER) {
      print(`restart: no running service '${text(slice(line, words.start[1], line.length), words.length[1])}' (give its index to start a stopped one)`);
      return;
    }
  }
  msgStart(LABEL_RESTART);
  msgSetWord(index);
  const e: u64 = errorOf(call(caps.init));
  if (e != 0n) {
    print(`restart: init did not answer: ${text(errorText, errorName(e))}`);
    return;
  }
  const answer: u64 = errorOf(msgWord());
  if (answer != 0n) print(`restart: service ${index}: ${text(errorText, errorName(answer))}`);
  else print(`restart: service ${index} is restarting`);
}

/** fuzz [seed] [calls]: asks the fuzz tier's controller (sysfuzz) for a run; it reports on the console as the run goes. */
export function fuzz(line: u8[], words: Words): void {
  let seed: u64 = 1n;
  let total: u64 = 30000n;
  if (words.count > 1) {
    seed = numberArgument(line, words, 1);
    if (seed == NOT_A_NUMBER) return;
  }
  if (words.count > 2) {
    total = numberArgument(line, words, 2);
    if (total == NOT_A_NUMBER) return;
  }
  msgStart(LABEL_FUZZ);
  msgSetWordAt(0, seed);
  msgSetWordAt(1, total);
  const e: u64 = errorOf(call(caps.fuzz));
  if (e != 0n) {
    print(`fuzz: no fuzzer here (${text(errorText, errorName(e))}): the fuzz tier has one`);
    return;
  }
  const answer: u64 = errorOf(msgWord());
  if (answer != 0n) print(`fuzz: refused (${text(errorText, errorName(answer))}): a run is going, or no calls`);
  else print(`fuzz: started: seed ${seed}, ${total} calls (${msgWordAt(1)} per fuzzer); sysfuzz reports when done`);
}
