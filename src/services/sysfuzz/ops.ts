"use unsafe";
/**
 * The fuzzer's operations: one or a few system calls each, with arguments
 * from the pickers of state.ts, and the bookkeeping that keeps the task's
 * picture of its capabilities, mappings and queue true enough that it never
 * blocks for ever (state.ts says what must never happen). Every system call
 * of src/abi/syscalls.json has one here (exit ends the run: fuzzer.ts).
 */
import { u8, u32, u64, usize, bool, arrayOf, min } from "kts";
import { addressOf, load8 } from "kts/unsafe";
import {
  sysWrite, sysYield, sysTaskId, sysTime, sysSleep, sysSend, sysReceive, sysCall, sysReply, sysReplyRecv,
  sysCapDerive, sysCapRevoke, sysCapAt, sysCapDeriveRange, sysIrqAck, sysIrqBind, sysConsoleRead,
  sysPciHost, sysPciRoute, sysRandom, sysAuditRead, sysServiceStart, sysTaskKill, sysTaskInfo,
  sysCapInfo, sysMemInfo, sysExitWatch, sysMemMap, sysMemUnmap, sysMmioMap, sysMemPhys, sysClock, sysClockSet, sysTimerSet, sysBootArgs,
  TASK_INFO_STATE, TASK_INFO_ID, TASK_INFO_NAME, CAP_INFO_HANDLE, CAP_INFO_KIND, CAP_INFO_RIGHTS, CAP_INFO_OBJ_A,
} from "../../lib/sys/syscalls.generated";
import { print, text } from "kts";
import {
  fz, note, isError, errorCode, scratch, scratchAt, knownFind, knownAdd, knownDead, roleOf, vital, manifestRoot,
  impossibleHandle, forgedHandle, deadHandle, knownHandle, knownOfKind, anyHandle, notSendable, callable, roleOfHandle,
  placeableTask, anyTask, anyLength, anyRights, anyBuffer, writable, shortSleep,
  SYS_WRITE, SYS_YIELD, SYS_TASK_ID, SYS_TIME, SYS_SLEEP, SYS_CLOCK, SYS_CLOCK_SET, SYS_TIMER_SET, SYS_BOOT_ARGS, SYS_SEND, SYS_RECEIVE, SYS_CALL, SYS_REPLY, SYS_REPLY_RECV,
  SYS_CAP_DERIVE, SYS_CAP_REVOKE, SYS_CAP_AT, SYS_CAP_DERIVE_RANGE, SYS_IRQ_ACK, SYS_IRQ_BIND, SYS_CONSOLE_READ,
  SYS_PCI_HOST, SYS_PCI_ROUTE, SYS_RANDOM, SYS_AUDIT_READ, SYS_SERVICE_START, SYS_TASK_KILL, SYS_TASK_INFO,
  SYS_CAP_INFO, SYS_MEM_INFO, SYS_EXIT_WATCH, SYS_MEM_MAP, SYS_MEM_UNMAP, SYS_MMIO_MAP, SYS_MEM_PHYS, SYS_OTHER,
  KIND_UNKNOWN, KIND_ENDPOINT, KIND_MEMORY, KIND_IRQ, KIND_MMIO, RIGHT_GRANT, RIGHT_MAP,
  ROLE_NONE, ROLE_OWN, ROLE_UNKNOWN, MAX_KNOWN, MAX_VICTIMS,
  WORK_VA, WORK_BYTES, RO_VA, GUARD_VA, MAP_AREA, MAP_SLOTS, MAP_SLOT_BYTES, UNMAPPED, KERNEL_HALF, OWN_CODE, USER_TOP, STACK_PAGE,
  MESSAGE_BYTES, SCRATCH_FUZZ, AT_SERVE, AT_REPLY, AT_BUILD,
} from "./state";
import { putHeader, putCap, putWord, get32, get64, getWord, getCap, OFF_SENDER, OFF_FLAGS, OFF_LABEL, OFF_CAP_COUNT, FLAG_CALL } from "./msg";
import { LABEL_HELLO, LABEL_FINISHED, LABEL_EXIT, SERVICE_VICTIM, NAME_PREFIX, NAME_LETTERS } from "./protocol";

declare function kts_syscall(n: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): u64;

const LABEL_PING = 0x50494e47; // "PING"
const LABEL_LOG = 0x4c4f4721; // "LOG!"
/** Fuzzer -> fuzzer: word 0 = a handle the sender placed in the receiver's table (capDerive to it). */
export const LABEL_ANNOUNCE = 0x465a414e; // "FZAN"
/** Its own messages to itself, to have something queued before it receives. */
const LABEL_SELF = 0x465a5346; // "FZSF"
/** "\n": the one byte a fuzzer writes to the console (an attributed empty line). */
const NEWLINE: u8[] = arrayOf([0x0a]);
/** System-call numbers no call has (below 256; larger ones never name one either). */
const UNUSED: readonly u32[] = arrayOf([6, 7, 8, 9, 14, 15, 16, 17, 18, 19, 24, 25, 26, 27, 28, 29, 36, 37, 38, 39, 41, 42, 45, 49, 56, 57, 58, 59, 64, 99, 100, 128, 200, 254, 255]);
const TASK_RUNNING: u32 = 2;
const TASK_FREE: u32 = 0;
const TASK_EXITED: u32 = 4;
/** Anomalies printed (the rest only counted). */
const ANOMALY_REPORTS: u32 = 8;
/** rescan's mark on what it has not seen yet. */
const UNSEEN: u32 = 0x100;

/** Where it receives and reads messages (private: nobody else can write there). */
function serveBuffer(): usize {
  return scratchAt(AT_SERVE);
}

function anomaly(what: u32, a: u64, b: u64): void {
  fz.anomalies = u32(fz.anomalies + 1);
  if (fz.anomalies <= ANOMALY_REPORTS) print(`${text(fz.name, 9)}: ANOMALY in system call ${what}: ${a} (${b})`);
}

// ---- messages ----

/** A label for a random message: never one of the controller's. */
function randomLabel(toLog: bool): u32 {
  const r = fz.rng;
  let label: u32 = 0;
  if (toLog) label = r.oneIn(8) ? LABEL_LOG : r.oneIn(4) ? u32(r.next() & 0xffff_ffffn) : LABEL_PING;
  else {
    switch (r.below(5)) {
      case 0:
        label = LABEL_PING;
        break;
      case 1:
        label = u32(r.below(16));
        break;
      case 2:
        label = 0xffff_ffff;
        break;
      default:
        label = u32(r.next() & 0xffff_ffffn);
        break;
    }
  }
  if (label == LABEL_HELLO || label == LABEL_FINISHED || label == LABEL_EXIT || label == LABEL_ANNOUNCE || label == LABEL_SELF) label = u32(label ^ 1);
  return label;
}

/** A handle to carry in a message: one it derived or received (never a manifest one), dead, forged or impossible. */
function carriedHandle(): u64 {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(6)) {
    case 0:
    case 1:
    case 2:
      h = knownHandle();
      break;
    case 3:
      h = deadHandle();
      break;
    case 4:
      h = forgedHandle();
      break;
    default:
      h = impossibleHandle();
      break;
  }
  return manifestRoot(h) ? 0n : h;
}

/**
 * Writes a random message at `at` (which it may write): label, a length in or
 * past the payload's 256 bytes, a capability count in or past 4, user and
 * kernel flags, handles (only if `carry`; else zero), and payload words.
 */
function buildMessage(at: usize, carry: bool, toLog: bool): void {
  const r = fz.rng;
  let len: u32 = 0;
  switch (r.below(10)) {
    case 0:
      len = u32(257 + r.below(1000));
      break;
    case 1:
      len = 0xffff_ffff;
      break;
    case 2:
      len = 256;
      break;
    case 3:
      len = 0;
      break;
    default:
      len = r.below(257);
      break;
  }
  let count: u32 = 0;
  const c: u32 = r.below(12);
  if (c == 0) count = u32(5 + r.below(100));
  else if (c == 1) count = 0xffff_ffff;
  else if (c < 5) count = u32(1 + r.below(4));
  let flags: u32 = u32(r.below(4) == 0 ? r.next() & 0xffff_ffffn : 0n);
  if (toLog) flags = u32(flags & 0xffff);
  const label: u32 = randomLabel(toLog);
  putHeader(at, label, len, count, flags);
  for (let i: u32 = 0; i < 4; i++) putCap(at, i, carry && i < count ? carriedHandle() : 0n);
  const words: u32 = len >= 256 ? 32 : u32(u32(len + 7) >>> 3);
  for (let i: u32 = 0; i < words; i++) {
    // Log's text: printable letters (the rest is refused by its inspection).
    if (toLog && label == LABEL_LOG) putWord(at, i, 0x7a7a_7566_7379_73n); // "sysfuzz"
    else putWord(at, i, r.oneIn(2) ? r.next() : u64(r.below(64)));
  }
}

/** A buffer for a message the task builds: its scratch (any alignment), or the work region while mapped. */
function messageBuffer(privateOnly: bool): usize {
  const r = fz.rng;
  if (privateOnly || !fz.workMapped || r.below(4) != 0) return scratchAt(r.below(3600));
  return usize(WORK_VA + r.below64(u64(WORK_BYTES - MESSAGE_BYTES + 1n)));
}

/** A message buffer that is certainly not readable (or not writable, if `write`): the kernel must refuse it before anything happens. */
function badBuffer(write: bool): usize {
  const r = fz.rng;
  switch (r.below(write ? 8 : 6)) {
    case 0:
      return KERNEL_HALF;
    case 1:
      return usize(UNMAPPED + u64(r.below(1 << 24)));
    case 2:
      return usize(GUARD_VA - u64(1 + r.below(335))); // read-only into unmapped
    case 3:
      return usize(USER_TOP - u64(1 + r.below(335)));
    case 4:
      return usize(0n - u64(1 + r.below(335)));
    case 5:
      return u64(r.below(4096)); // page zero
    case 6:
      return usize(OWN_CODE + u64(r.below(4096))); // read-only
    default:
      return usize(RO_VA - u64(1 + r.below(335))); // writable into read-only
  }
}

/** Reads what a message received into its private buffer carried: its own messages, handles, announcements, calls. */
function received(at: usize): void {
  const sender: u64 = u64(get32(at, OFF_SENDER));
  if (sender == fz.self && fz.selfQueued > 0) fz.selfQueued = u32(fz.selfQueued - 1);
  const count: u32 = get32(at, OFF_CAP_COUNT);
  for (let i: u32 = 0; i < min(count, 4); i++) {
    const h: u64 = getCap(at, i);
    if (h != 0n) knownAdd(h, KIND_UNKNOWN, 0, ROLE_UNKNOWN);
  }
  let peer: bool = false;
  for (let j: u32 = 0; j < 3; j++) if (sender == fz.peers[j] && sender != fz.self) peer = true;
  if (peer && get32(at, OFF_LABEL) == LABEL_ANNOUNCE) knownAdd(getWord(at, 0), KIND_UNKNOWN, 0, ROLE_UNKNOWN);
  if (u32(get32(at, OFF_FLAGS) & FLAG_CALL) != 0) answer(true);
}

/**
 * After a message arrived: the call it may have been gets its reply now (the
 * next call received would replace the token, and its caller would wait for
 * ever). Sometimes a bad reply first (refused before the token is used), or a
 * second one (the token is gone). `isCall` false: not known, so a reply is
 * made anyway (Invalid if there was no call).
 */
export function answer(isCall: bool): void {
  const r = fz.rng;
  if (isCall && r.oneIn(4)) {
    const bad: u64 = note(SYS_REPLY, sysReply(badBuffer(false)));
    if (errorCode(bad) != 2n) return; // not BadAddress: the reply was made (or there was nothing to answer)
  }
  const at: usize = scratchAt(AT_REPLY);
  buildMessage(at, r.oneIn(4), false);
  note(SYS_REPLY, sysReply(at));
  if (r.oneIn(8)) note(SYS_REPLY, sysReply(scratchAt(AT_REPLY)));
}

// ---- the queue of its own endpoint ----

/** Sends a message of its own to its endpoint (private buffer, no capabilities); true if one is now queued there. */
export function selfSend(): bool {
  const at: usize = scratchAt(AT_BUILD);
  putHeader(at, LABEL_SELF, 8, 0, 0);
  putWord(at, 0, fz.made);
  const r: u64 = note(SYS_SEND, sysSend(fz.own, at));
  if (!isError(r)) fz.selfQueued = u32(fz.selfQueued + 1);
  return !isError(r);
}

/** Receives whatever is queued on its endpoint up to its own latest message, answering calls. */
export function serve(): void {
  if (fz.selfQueued == 0 && !selfSend()) return;
  for (let k: u32 = 0; k < 24; k++) {
    if (fz.selfQueued == 0) return;
    const at: usize = serveBuffer();
    const r: u64 = note(SYS_RECEIVE, sysReceive(fz.own, at));
    if (isError(r)) return;
    received(at);
    if (fz.rng.oneIn(16)) mapReceived();
  }
}

// ---- the operations ----

export function opWrite(): void {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
    case 1:
    case 2:
      note(SYS_WRITE, sysWrite(addressOf(NEWLINE), 0n));
      break;
    case 3:
      if (r.oneIn(32)) note(SYS_WRITE, sysWrite(addressOf(NEWLINE), 1n));
      else note(SYS_WRITE, sysWrite(anyBuffer(0n), 0n));
      break;
    case 4:
    case 5:
      note(SYS_WRITE, sysWrite(badBuffer(false), u64(336n + u64(r.below(3000)))));
      break;
    default:
      note(SYS_WRITE, sysWrite(anyBuffer(4097n), r.oneIn(2) ? u64(4097n + u64(r.below(10))) : anyLength(0n) | 0x1_0000_0000n));
      break;
  }
}

export function opYield(): void {
  note(SYS_YIELD, sysYield());
}

export function opTaskId(): void {
  const id: u64 = note(SYS_TASK_ID, sysTaskId());
  if (id != fz.self) anomaly(SYS_TASK_ID, id, fz.self);
}

export function opTime(): void {
  const t: u64 = note(SYS_TIME, sysTime());
  if (t < fz.lastTime) anomaly(SYS_TIME, t, fz.lastTime);
  fz.lastTime = t;
}

export function opSleep(): void {
  note(SYS_SLEEP, sysSleep(shortSleep()));
}

/** The wall clock (read by anyone; set only with a Clock capability, which no fuzzer holds) and the boot arguments (anyone's, into any buffer). */
export function opClock(): void {
  const r = fz.rng;
  const which: u32 = r.below(3);
  if (which == 0) note(SYS_CLOCK, sysClock());
  else if (which == 1) note(SYS_CLOCK_SET, sysClockSet(anyHandle(), r.next()));
  else {
    const n: u64 = anyLength(300n);
    note(SYS_BOOT_ARGS, sysBootArgs(anyBuffer(n), n));
  }
}

/**
 * The task's timer: on its own endpoint (sometimes soon: the TIMER message then
 * joins the self-sent ones there, which serve takes in any order), on anything
 * else, or disarmed.
 */
export function opTimerSet(): void {
  const r = fz.rng;
  const handle: u64 = r.below(2) == 0 ? fz.own : anyHandle();
  let nanos: u64 = 0n;
  switch (r.below(4)) {
    case 0:
      nanos = 0n;
      break;
    case 1:
      nanos = u64(1_000_000n + u64(r.below(50_000_000)));
      break;
    case 2:
      nanos = r.next();
      break;
    default:
      nanos = u64(60_000_000_000n + u64(r.below(1_000_000_000)));
      break;
  }
  note(SYS_TIMER_SET, sysTimerSet(handle, nanos));
}

/** A target for send: its own endpoint, a peer's, the controller, log, the victims', or anything. */
function sendTarget(): u64 {
  const r = fz.rng;
  switch (r.below(10)) {
    case 0:
      return fz.own;
    case 1:
    case 2:
      return fz.peerEp[r.below(3)];
    case 3:
      return fz.control;
    case 4:
      return r.oneIn(3) ? fz.log : fz.victimsEp;
    case 5:
      return fz.victimsEp;
    case 6:
    case 7:
      return knownHandle();
    default:
      return anyHandle();
  }
}

/** Whether a successful send through h queued a message on its own endpoint for certain. */
function namesOwn(h: u64): bool {
  return h == fz.own || h == fz.peerEp[fz.index] || roleOfHandle(h) == ROLE_OWN;
}

export function opSend(): void {
  const r = fz.rng;
  const h: u64 = sendTarget();
  const toLog: bool = h == fz.log;
  let at: usize = 0n;
  if (toLog || r.below(5) != 0) {
    at = messageBuffer(toLog);
    buildMessage(at, !toLog && r.oneIn(3), toLog);
  } else {
    at = anyBuffer(MESSAGE_BYTES);
    // What is there already goes as it is: never toward log, whose table must not gain what a stray handle names.
  }
  const res: u64 = note(SYS_SEND, sysSend(h, at));
  if (!isError(res) && namesOwn(h)) fz.selfQueued = u32(fz.selfQueued + 1);
}

export function opReceive(): void {
  receiveWith(false);
}

/** replyRecv: nothing is pending here (every call received is answered at once), so it is a receive, or a reply first if one were. */
export function opReplyRecv(): void {
  receiveWith(true);
}

function receiveWith(replyToo: bool): void {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(5)) {
    case 0:
    case 1:
      h = fz.own;
      break;
    case 2:
      h = anyHandle();
      break;
    case 3:
      h = knownHandle();
      break;
    default:
      h = r.oneIn(2) ? fz.peerEp[r.below(3)] : r.oneIn(2) ? fz.control : fz.log;
      break;
  }
  // Only its own endpoint has the receive right (no grant: there is no copy of it anywhere), so only there may a receive wait.
  if (h == fz.own && fz.selfQueued == 0 && r.oneIn(2)) selfSend();
  let at: usize = 0n;
  if (h == fz.own && fz.selfQueued == 0) at = badBuffer(true);
  else at = r.below(4) != 0 ? scratchAt(r.below(u32(SCRATCH_FUZZ - 400))) : anyBuffer(MESSAGE_BYTES);
  const tag: u64 = fuzzTag(replyToo);
  const res: u64 = note(replyToo ? SYS_REPLY_RECV : SYS_RECEIVE, kts_syscall(replyToo ? 14n : 11n, h, at, tag, fz.rng.next(), fz.rng.next(), fz.rng.next()));
  if (isError(res)) return;
  if (res == 1n) {
    // Delivered in the message registers (a short message, no capabilities): unseen here, so answered as unknown.
    if (fz.selfQueued > 0) fz.selfQueued = u32(fz.selfQueued - 1);
    answer(false);
    return;
  }
  if (writable(at, MESSAGE_BYTES) && at >= scratchAt(0) && at < scratchAt(SCRATCH_FUZZ)) {
    received(at);
    return;
  }
  // Received somewhere it cannot read back safely (shared memory): assume the worst.
  if (fz.selfQueued > 0) fz.selfQueued = u32(fz.selfQueued - 1);
  answer(false);
}

/** A target for call that certainly answers: the controller, log, a fuzzer with a higher index, or a handle that is refused at once. */
function callTarget(): u64 {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(9)) {
    case 0:
    case 1:
      h = fz.control;
      break;
    case 2:
      h = fz.log;
      break;
    case 3:
    case 4:
    case 5:
      // A fuzzer with a higher index (the last one has none: the controller).
      h = fz.index < 2 ? fz.peerEp[u32(fz.index + 1 + r.below(u32(2 - fz.index)))] : fz.control;
      break;
    case 6:
      h = knownHandle();
      break;
    default:
      h = anyHandle();
      break;
  }
  if (h == fz.control || h == fz.log) return h;
  return callable(h) ? h : fz.control;
}

/**
 * Argument 2 of call, receive and replyRecv (src/kernel/syscall/message-registers.ts):
 * mostly none; else a register answer asked for, a short message in registers
 * (when `sends`), or random bits (refused with Invalid unless well formed).
 */
function fuzzTag(sends: bool): u64 {
  const r = fz.rng;
  switch (r.below(6)) {
    case 0:
      return REGS_RECEIVE;
    case 1:
      return sends ? u64(REGS_SEND | REGS_RECEIVE | u64(u64(r.below(25)) << 32n) | u64(r.below(1000))) : REGS_RECEIVE;
    case 2:
      return r.next();
    default:
      return 0n;
  }
}

const REGS_SEND: u64 = 0x8000_0000_0000_0000n;
const REGS_RECEIVE: u64 = 0x4000_0000_0000_0000n;

export function opCall(): void {
  const r = fz.rng;
  const h: u64 = callTarget();
  const toLog: bool = h == fz.log;
  let at: usize = 0n;
  const kind: u32 = r.below(8);
  if (toLog || kind < 6) {
    at = toLog || kind < 4 ? scratchAt(r.below(u32(SCRATCH_FUZZ - 400))) : messageBuffer(false);
    buildMessage(at, !toLog && r.oneIn(4), toLog);
  } else if (kind == 6) {
    at = badBuffer(r.oneIn(2));
  } else {
    at = anyBuffer(MESSAGE_BYTES);
    // Unknown content (shared memory, say): not toward log (a stray handle must not land in its table).
    if (h == fz.log) return;
  }
  // The controller and log take well-formed messages in memory only.
  const tag: u64 = h == fz.control || toLog ? 0n : fuzzTag(true);
  const res: u64 = note(SYS_CALL, kts_syscall(12n, h, at, tag, r.next(), r.next(), r.next()));
  // 1: the reply came in the message registers (no capabilities in it).
  if (!isError(res) && res != 1n && at >= scratchAt(0) && at < scratchAt(SCRATCH_FUZZ)) {
    const count: u32 = get32(at, OFF_CAP_COUNT);
    for (let i: u32 = 0; i < min(count, 4); i++) {
      const c: u64 = getCap(at, i);
      if (c != 0n) knownAdd(c, KIND_UNKNOWN, 0, ROLE_UNKNOWN);
    }
  }
}

export function opReply(): void {
  // Nothing is pending here (every call received is answered at once): Invalid, or BadAddress first.
  const at: usize = fz.rng.oneIn(2) ? badBuffer(false) : anyBuffer(MESSAGE_BYTES);
  note(SYS_REPLY, sysReply(at));
}

/** A source for derivation: anything, a handle it knows (granting ones first), or a manifest one that can grant. */
function deriveSource(): u64 {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
      return fz.memory;
    case 1:
      return fz.peerEp[r.below(3)];
    case 2:
      return r.oneIn(2) ? fz.irq : fz.ecam;
    case 3: {
      const g: u64 = knownOfKind(r.oneIn(2) ? KIND_MEMORY : KIND_ENDPOINT, RIGHT_GRANT);
      return g != 0n ? g : fz.memoryRo;
    }
    case 4:
    case 5:
      return knownHandle();
    default:
      return anyHandle();
  }
}

/** Rights for a derivation: a random subset of the source's (if it is known), else of all six. */
function subsetOf(source: u64): u64 {
  const i: u32 = knownFind(source);
  const mask: u32 = i == MAX_KNOWN || fz.knownKind[i] == KIND_UNKNOWN ? 63 : fz.knownRights[i];
  return u64(u32(fz.rng.below(64) & mask));
}

function anyUses(): u64 {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
      return 1n;
    case 1:
      return u64(2 + r.below(5));
    case 2:
      return 0xffff_ffffn;
    case 3:
      return 0x1_0000_0000n;
    case 4:
      return 0xffff_ffff_ffff_ffffn;
    default:
      return 0n;
  }
}

function anyExpiry(): u64 {
  const r = fz.rng;
  const now: u64 = note(SYS_TIME, sysTime());
  switch (r.below(12)) {
    case 0:
      return 1n; // long past
    case 1:
      return now > 0n ? u64(now - 1n) : 1n;
    case 2:
      return u64(now + u64(r.below(2_000_000))); // expires soon: the kernel reaps it
    case 3:
      return u64(now + 10_000_000_000n);
    case 4:
      return 0xffff_ffff_ffff_ffffn;
    default:
      return 0n;
  }
}

/** Records a capability it derived for itself: the source's kind and role, the rights asked for. */
function derivedForSelf(source: u64, h: u64, rights: u64): void {
  const i: u32 = knownFind(source);
  if (i == MAX_KNOWN) knownAdd(h, KIND_UNKNOWN, 0, ROLE_UNKNOWN);
  else knownAdd(h, fz.knownKind[i], u32(rights & 63n), fz.knownRole[i]);
}

/** Tells the peer about a capability placed in its table (else only its next rescan would find it). */
function announce(task: u64, h: u64): void {
  for (let j: u32 = 0; j < 3; j++) {
    if (fz.peers[j] != task || task == fz.self) continue;
    const at: usize = scratchAt(AT_BUILD);
    putHeader(at, LABEL_ANNOUNCE, 8, 0, 0);
    putWord(at, 0, h);
    note(SYS_SEND, sysSend(fz.peerEp[j], at));
  }
}

export function opCapDerive(): void {
  const r = fz.rng;
  const source: u64 = deriveSource();
  const to: u64 = placeableTask();
  const rights: u64 = r.oneIn(2) ? subsetOf(source) : anyRights();
  const res: u64 = note(SYS_CAP_DERIVE, sysCapDerive(source, to, rights, anyUses(), anyExpiry()));
  if (isError(res)) return;
  if (to == fz.self) derivedForSelf(source, res, rights);
  else if (r.oneIn(2)) announce(to, res);
}

export function opCapDeriveRange(): void {
  const r = fz.rng;
  let source: u64 = 0n;
  let offset: u64 = 0n;
  let size: u64 = 0n;
  const k: u32 = r.below(10);
  if (k < 4) {
    source = r.oneIn(2) ? fz.memory : knownOfKind(KIND_MEMORY, RIGHT_GRANT);
    if (source == 0n) source = fz.memory;
    offset = u64(u64(r.below(5)) << 12n);
    size = u64(u64(r.below(5)) << 12n);
  } else if (k < 6) {
    source = fz.irq;
    offset = u64(r.below(10));
    size = u64(r.below(4));
  } else if (k < 8) {
    source = r.oneIn(2) ? fz.ecam : knownOfKind(KIND_MMIO, RIGHT_GRANT);
    if (source == 0n) source = fz.ecam;
    offset = u64(u64(r.below(1 << 12)) << 12n);
    size = u64(u64(1 + r.below(256)) << 12n);
  } else {
    source = anyHandle();
    offset = anyLength(0x10_0000n);
    size = anyLength(0x10_0000n);
  }
  if (r.oneIn(6)) offset = u64(offset + u64(1 + r.below(4095))); // not page-aligned
  if (r.oneIn(8)) size = 0xffff_ffff_ffff_f000n; // past the end, wrapping
  const to: u64 = r.below(4) != 0 ? fz.self : placeableTask();
  const rights: u64 = r.oneIn(3) ? anyRights() : subsetOf(source);
  const res: u64 = note(SYS_CAP_DERIVE_RANGE, sysCapDeriveRange(source, to, rights, offset, size));
  if (isError(res)) return;
  if (to == fz.self) derivedForSelf(source, res, rights);
  else if (r.oneIn(2)) announce(to, res);
}

/** Whether the run is near its end (manifest capabilities may go then). */
function late(): bool {
  return u64(fz.made * 10n) > u64(fz.budget * 9n);
}

export function opCapRevoke(): void {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(8)) {
    case 0:
      h = deadHandle();
      break;
    case 1:
      h = forgedHandle();
      break;
    case 2:
      h = impossibleHandle();
      break;
    default:
      h = knownHandle();
      break;
  }
  if (vital(h) || (manifestRoot(h) && !late())) h = impossibleHandle();
  const res: u64 = note(SYS_CAP_REVOKE, sysCapRevoke(h));
  if (!isError(res) || errorCode(res) == 3n) knownDead(h);
}

export function opCapAt(): void {
  const r = fz.rng;
  const i: u64 = r.oneIn(8) ? anyLength(70n) : u64(r.below(70));
  const res: u64 = note(SYS_CAP_AT, sysCapAt(i));
  if (i == 0n && res != fz.own) anomaly(SYS_CAP_AT, res, fz.own);
  // Something in its table it did not know of: a peer placed it.
  if (!isError(res) && knownFind(res) == MAX_KNOWN) knownAdd(res, KIND_UNKNOWN, 0, ROLE_UNKNOWN);
}

/** An IRQ capability: the PCI lines (several: refused), one line of them, or anything. */
function irqHandle(): u64 {
  const r = fz.rng;
  switch (r.below(5)) {
    case 0:
      return fz.irq;
    case 1:
    case 2:
      return oneLine();
    case 3: {
      const h: u64 = knownOfKind(KIND_IRQ, 0);
      return h != 0n ? h : fz.irq;
    }
    default:
      return anyHandle();
  }
}

/** A capability for one of the PCI lines, derived from [9] (again, if the last one was revoked). */
function oneLine(): u64 {
  if (fz.irqLine != 0n && knownFind(fz.irqLine) != MAX_KNOWN) return fz.irqLine;
  const r = fz.rng;
  const h: u64 = note(SYS_CAP_DERIVE_RANGE, sysCapDeriveRange(fz.irq, fz.self, u64(r.oneIn(2) ? 2 : 6), u64(r.below(4)), 1n));
  if (isError(h)) return fz.irq;
  knownAdd(h, KIND_IRQ, 2, ROLE_NONE);
  fz.irqLine = h;
  return h;
}

export function opIrqAck(): void {
  note(SYS_IRQ_ACK, sysIrqAck(irqHandle()));
}

export function opIrqBind(): void {
  const r = fz.rng;
  let ep: u64 = 0n;
  switch (r.below(5)) {
    case 0:
      ep = fz.own;
      break;
    case 1:
      ep = fz.peerEp[r.below(3)];
      break;
    case 2:
      ep = fz.victimsEp;
      break;
    default:
      ep = anyHandle();
      break;
  }
  if (ep == fz.log) ep = fz.victimsEp;
  note(SYS_IRQ_BIND, sysIrqBind(irqHandle(), ep));
}

export function opConsoleRead(): void {
  const r = fz.rng;
  const max: u64 = anyLength(300n);
  note(SYS_CONSOLE_READ, sysConsoleRead(irqHandle(), anyBuffer(max), max));
}

/** Configuration-space capabilities: the whole window, a part, or anything. */
function ecamHandle(): u64 {
  const r = fz.rng;
  switch (r.below(4)) {
    case 0:
      return fz.ecam;
    case 1: {
      const h: u64 = knownOfKind(KIND_MMIO, 0);
      return h != 0n ? h : fz.ecam;
    }
    case 2:
      return r.oneIn(2) ? fz.memory : fz.irq;
    default:
      return anyHandle();
  }
}

export function opPciHost(): void {
  note(SYS_PCI_HOST, sysPciHost(ecamHandle(), anyBuffer(48n)));
}

export function opPciRoute(): void {
  const r = fz.rng;
  const slot: u64 = r.oneIn(6) ? anyLength(64n) : u64(r.below(34));
  const pin: u64 = r.oneIn(6) ? anyLength(8n) : u64(r.below(6));
  note(SYS_PCI_ROUTE, sysPciRoute(ecamHandle(), slot, pin));
}

export function opRandom(): void {
  const r = fz.rng;
  const len: u64 = anyLength(4096n);
  note(SYS_RANDOM, sysRandom(r.below(3) != 0 ? fz.random : anyHandle(), anyBuffer(len), len));
}

export function opAuditRead(): void {
  const r = fz.rng;
  const max: u64 = r.oneIn(6) ? anyLength(100n) : u64(r.below(70));
  let cursor: u64 = 0n;
  switch (r.below(4)) {
    case 0:
      cursor = 0n;
      break;
    case 1:
      cursor = r.next();
      break;
    case 2:
      cursor = 0xffff_ffff_ffff_ffffn;
      break;
    default:
      cursor = u64(r.below(100000));
      break;
  }
  const n: u64 = max < 64n ? max : 64n;
  note(SYS_AUDIT_READ, sysAuditRead(r.below(3) != 0 ? fz.audit : anyHandle(), cursor, anyBuffer(u64(n * 40n)), max));
}

/** Reads task t's record into the reply buffer: its state (TASK_FREE if there is no such task), and whether it is a victim (by name). */
function victimState(t: u64): u32 {
  const at: usize = scratchAt(AT_REPLY);
  const res: u64 = note(SYS_TASK_INFO, sysTaskInfo(fz.system, t, at));
  if (isError(res)) return TASK_FREE;
  return get32(at, TASK_INFO_STATE);
}

/** Whether the record victimState just read names a victim (sysfuzz-v). */
function recordIsVictim(): bool {
  const at: usize = scratchAt(AT_REPLY);
  for (let i: u32 = 0; i < 8; i++) if (u32(load8(usize(at + u64(TASK_INFO_NAME + i)))) != NAME_PREFIX[i]) return false;
  return u32(load8(usize(at + u64(TASK_INFO_NAME + 8)))) == NAME_LETTERS[3] && load8(usize(at + u64(TASK_INFO_NAME + 9))) == 0;
}

/** Whether task t is free, ended, or a victim: a task it may kill. */
function victimOrGone(t: u64): bool {
  const state: u32 = victimState(t);
  return state == TASK_FREE || state == TASK_EXITED || recordIsVictim();
}

/** Its victims still alive are killed (before it finishes: one may be waiting in a call to a fuzzer that is about to exit). */
export function killVictims(): void {
  for (let k: u32 = 0; k < MAX_VICTIMS; k++) {
    const v: u64 = fz.victims[k];
    if (v < 64n && !gone(v)) note(SYS_TASK_KILL, sysTaskKill(fz.system, v));
  }
}

/** Whether its victim t has ended (or its slot holds another task now). */
function gone(t: u64): bool {
  const state: u32 = victimState(t);
  return state == TASK_FREE || state == TASK_EXITED || !recordIsVictim();
}

/** Starts a victim if one of its slots is free (the victim it held there ended). */
function startVictim(): void {
  const slot: u32 = fz.rng.below(MAX_VICTIMS);
  const old: u64 = fz.victims[slot];
  if (old < 64n && !gone(old)) return;
  const res: u64 = note(SYS_SERVICE_START, sysServiceStart(fz.system, u64(SERVICE_VICTIM)));
  if (!isError(res)) {
    fz.victims[slot] = res;
    fz.victimsStarted = u32(fz.victimsStarted + 1);
  }
}

export function opServiceStart(): void {
  const r = fz.rng;
  const k: u32 = r.below(6);
  if (k < 2) {
    startVictim();
    return;
  }
  if (k < 4) {
    // The system capability: only past the manifest's end (its victim is the only service it starts).
    const index: u64 = r.oneIn(2) ? u64(8 + r.below(40)) : r.oneIn(2) ? 0xffff_ffff_ffff_ffffn : u64(0x1_0000_0000n + u64(r.below(8)));
    note(SYS_SERVICE_START, sysServiceStart(fz.system, index));
    return;
  }
  // Anything else is refused before the index counts: any index, init's too.
  let h: u64 = anyHandle();
  if (h == fz.system) h = impossibleHandle();
  note(SYS_SERVICE_START, sysServiceStart(h, r.oneIn(2) ? u64(r.below(8)) : r.next()));
}

export function opTaskKill(): void {
  const r = fz.rng;
  const k: u32 = r.below(6);
  if (k < 3) {
    const t: u64 = fz.victims[r.below(MAX_VICTIMS)];
    // Its victim (alive, or ended: Invalid), if nothing else took the slot since.
    if (t < 64n && victimOrGone(t)) note(SYS_TASK_KILL, sysTaskKill(fz.system, t));
    return;
  }
  if (k == 3) {
    const t: u64 = r.oneIn(2) ? u64(64 + r.below(1000)) : r.next() | 0x8000_0000_0000_0000n;
    note(SYS_TASK_KILL, sysTaskKill(fz.system, t));
    return;
  }
  let h: u64 = anyHandle();
  if (h == fz.system) h = impossibleHandle();
  note(SYS_TASK_KILL, sysTaskKill(h, anyTask()));
}

function systemOrAny(): u64 {
  return fz.rng.below(3) != 0 ? fz.system : anyHandle();
}

export function opTaskInfo(): void {
  const t: u64 = anyTask();
  const at: usize = anyBuffer(64n);
  const res: u64 = note(SYS_TASK_INFO, sysTaskInfo(systemOrAny(), t, at));
  if (!isError(res) && t == fz.self && at >= scratchAt(0) && at < scratchAt(SCRATCH_FUZZ)) {
    if (u64(get32(at, TASK_INFO_ID)) != fz.self) anomaly(SYS_TASK_INFO, u64(get32(at, TASK_INFO_ID)), fz.self);
    if (get32(at, TASK_INFO_STATE) != TASK_RUNNING) anomaly(SYS_TASK_INFO, u64(get32(at, TASK_INFO_STATE)), u64(TASK_RUNNING));
  }
}

export function opCapInfo(): void {
  const r = fz.rng;
  const index: u64 = r.oneIn(6) ? anyLength(300n) : u64(r.below(70));
  note(SYS_CAP_INFO, sysCapInfo(systemOrAny(), anyTask(), index, anyBuffer(48n)));
}

export function opMemInfo(): void {
  note(SYS_MEM_INFO, sysMemInfo(systemOrAny(), anyBuffer(48n)));
}

export function opExitWatch(): void {
  const r = fz.rng;
  if (r.oneIn(2)) {
    // The real system capability, with an endpoint argument it certainly cannot send to: init keeps its exit notices.
    let ep: u64 = r.oneIn(2) ? impossibleHandle() : r.oneIn(2) ? deadHandle() : knownHandle();
    if (!notSendable(ep)) ep = impossibleHandle();
    note(SYS_EXIT_WATCH, sysExitWatch(fz.system, ep));
    return;
  }
  let h: u64 = anyHandle();
  if (h == fz.system) h = impossibleHandle();
  note(SYS_EXIT_WATCH, sysExitWatch(h, r.oneIn(2) ? fz.own : anyHandle()));
}

/** A free MAP_AREA slot (by its belief), or MAP_SLOTS. */
function freeSlot(): u32 {
  const start: u32 = fz.rng.below(MAP_SLOTS);
  for (let k: u32 = 0; k < MAP_SLOTS; k++) {
    const s: u32 = u32(u32(start + k) % MAP_SLOTS);
    if (!fz.slotMapped[s]) return s;
  }
  return MAP_SLOTS;
}

function slotVa(s: u32): usize {
  return usize(MAP_AREA + u64(u64(s) * MAP_SLOT_BYTES));
}

/** Addresses no mapping may be made at (or that overlap one): the kernel half, the top, its code, stack, work region, unaligned. */
function badMapVa(): usize {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
      return KERNEL_HALF;
    case 1:
      return usize(USER_TOP - 0x1000n);
    case 2:
      return OWN_CODE;
    case 3:
      return STACK_PAGE;
    case 4:
      return WORK_VA;
    case 5:
      return usize(slotVa(r.below(MAP_SLOTS)) + u64(1 + r.below(4095)));
    case 6:
      return 0xffff_ffff_ffff_f000n;
    default:
      return usize(USER_TOP - u64(u64(r.below(8)) << 12n));
  }
}

function anyMapFlags(): u64 {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
      return 2n;
    case 1:
      return 3n;
    case 2:
      return u64(4n + u64(r.below(1000)));
    case 3:
      return 0xffff_ffff_ffff_ffffn;
    case 4:
    case 5:
      return 0n;
    default:
      return 1n;
  }
}

/** Maps one handle it received or derived (a memory region, perhaps) at a free slot. */
export function mapReceived(): void {
  const s: u32 = freeSlot();
  if (s == MAP_SLOTS) return;
  let h: u64 = knownOfKind(KIND_UNKNOWN, 0);
  if (h == 0n) h = knownOfKind(KIND_MEMORY, RIGHT_MAP);
  if (h == 0n) return;
  const res: u64 = note(SYS_MEM_MAP, sysMemMap(h, slotVa(s), fz.rng.oneIn(2) ? 1n : 0n));
  if (!isError(res)) fz.slotMapped[s] = true;
}

export function opMemMap(): void {
  const r = fz.rng;
  const k: u32 = r.below(10);
  if (k == 0) {
    if (!fz.workMapped) fz.workMapped = !isError(note(SYS_MEM_MAP, sysMemMap(fz.memory, WORK_VA, 1n)));
    else note(SYS_MEM_MAP, sysMemMap(fz.memory, WORK_VA, 1n)); // AddressInUse
    return;
  }
  if (k == 1) {
    if (!fz.roMapped) fz.roMapped = !isError(note(SYS_MEM_MAP, sysMemMap(fz.memoryRo, RO_VA, 0n)));
    else note(SYS_MEM_MAP, sysMemMap(fz.memoryRo, u64(RO_VA + u64(r.oneIn(2) ? 0n : 0x8000n)), r.oneIn(2) ? 1n : 0n)); // in use, or writable without the right
    return;
  }
  if (k < 7) {
    const s: u32 = freeSlot();
    if (s == MAP_SLOTS) return;
    let h: u64 = 0n;
    switch (r.below(5)) {
      case 0:
        h = fz.memory;
        break;
      case 1:
        h = fz.memoryRo;
        break;
      case 2:
        h = knownOfKind(KIND_MEMORY, 0);
        break;
      default:
        h = anyHandle();
        break;
    }
    const res: u64 = note(SYS_MEM_MAP, sysMemMap(h, slotVa(s), anyMapFlags()));
    if (!isError(res)) fz.slotMapped[s] = true;
    return;
  }
  const va: usize = badMapVa();
  const res: u64 = note(SYS_MEM_MAP, sysMemMap(r.oneIn(2) ? fz.memory : anyHandle(), va, anyMapFlags()));
  // Outside user space, unaligned, over its code or stack: never mapped.
  if (!isError(res) && (va >= USER_TOP || (va & 0xfffn) != 0n || va == OWN_CODE || va == STACK_PAGE)) anomaly(SYS_MEM_MAP, va, res);
}

export function opMemUnmap(): void {
  const r = fz.rng;
  const k: u32 = r.below(12);
  if (k < 5) {
    const s: u32 = r.below(MAP_SLOTS);
    note(SYS_MEM_UNMAP, sysMemUnmap(usize(slotVa(s) + u64(r.oneIn(8) ? 0x1000n : 0n))));
    fz.slotMapped[s] = false;
    return;
  }
  if (k == 5) {
    fz.workMapped = false;
    note(SYS_MEM_UNMAP, sysMemUnmap(WORK_VA));
    return;
  }
  if (k == 6) {
    fz.roMapped = false;
    note(SYS_MEM_UNMAP, sysMemUnmap(RO_VA));
    return;
  }
  let va: usize = 0n;
  switch (r.below(6)) {
    case 0:
      va = OWN_CODE;
      break;
    case 1:
      va = STACK_PAGE;
      break;
    case 2:
      va = KERNEL_HALF;
      break;
    case 3:
      va = 0n;
      break;
    case 4:
      va = usize(WORK_VA + 0x1000n); // inside a mapping, not its start
      break;
    default:
      va = r.next();
      break;
  }
  note(SYS_MEM_UNMAP, sysMemUnmap(va));
}

export function opMmioMap(): void {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(5)) {
    case 0:
      h = fz.ecam; // the whole window: more than 1 MiB
      break;
    case 1:
    case 2:
      h = knownOfKind(KIND_MMIO, RIGHT_MAP);
      break;
    case 3:
      h = fz.memory;
      break;
    default:
      h = anyHandle();
      break;
  }
  const s: u32 = freeSlot();
  const va: usize = s == MAP_SLOTS || r.oneIn(4) ? badMapVa() : slotVa(s);
  const flags: u64 = r.oneIn(2) ? 0n : anyMapFlags();
  const res: u64 = note(SYS_MMIO_MAP, sysMmioMap(h, va, flags));
  if (!isError(res) && s != MAP_SLOTS && va == slotVa(s)) fz.slotMapped[s] = true;
}

export function opMemPhys(): void {
  const r = fz.rng;
  let h: u64 = 0n;
  switch (r.below(4)) {
    case 0:
      h = fz.memory;
      break;
    case 1:
      h = knownOfKind(KIND_MEMORY, 0);
      break;
    default:
      h = anyHandle();
      break;
  }
  note(SYS_MEM_PHYS, sysMemPhys(h));
}

export function opNoSuchCall(): void {
  const r = fz.rng;
  let n: u64 = 0n;
  switch (r.below(4)) {
    case 0:
      n = u64(256 + r.below(10000));
      break;
    case 1:
      n = r.next() | 0x1_0000_0000n;
      break;
    default:
      n = u64(UNUSED[r.below(UNUSED.length)]);
      break;
  }
  note(SYS_OTHER, kts_syscall(n, r.next(), r.next(), r.next(), r.next(), r.next(), r.next()));
}

/** A victim's life: started, capabilities placed with it, messages for the victims' endpoint, then (maybe) killed. */
export function opVictim(): void {
  const r = fz.rng;
  startVictim();
  const v: u64 = fz.victims[r.below(MAX_VICTIMS)];
  if (v >= 64n) return;
  const n: u32 = r.below(4);
  for (let i: u32 = 0; i < n; i++) {
    const res: u64 = note(SYS_CAP_DERIVE, sysCapDerive(deriveSource(), v, u64(r.below(64)), anyUses(), 0n));
    if (isError(res)) break;
  }
  if (r.oneIn(2)) {
    const at: usize = scratchAt(AT_BUILD);
    buildMessage(at, r.oneIn(2), false);
    note(SYS_SEND, sysSend(fz.victimsEp, at));
  }
  if (r.oneIn(2)) note(SYS_SLEEP, sysSleep(u64(r.below(1_000_000))));
  if (r.oneIn(2) && victimOrGone(v)) {
    note(SYS_TASK_KILL, sysTaskKill(fz.system, v));
    if (r.oneIn(2)) note(SYS_TASK_KILL, sysTaskKill(fz.system, v)); // again: Invalid (or a new victim there)
  }
}

/** Memory shared with a peer: a part of its region derived for itself, a part of that for the peer, told to it; revoking the first later takes both. */
export function opShare(): void {
  const r = fz.rng;
  const mine: u64 = note(SYS_CAP_DERIVE_RANGE, sysCapDeriveRange(fz.memory, fz.self, u64(RIGHT_MAP | RIGHT_GRANT | (r.oneIn(2) ? 16 : 0)), u64(u64(r.below(3)) << 12n), 0x1000n));
  if (isError(mine)) return;
  knownAdd(mine, KIND_MEMORY, u32(RIGHT_MAP | RIGHT_GRANT), ROLE_NONE);
  const j: u32 = r.below(3);
  const peer: u64 = fz.peers[j];
  if (peer == fz.self) return;
  const theirs: u64 = note(SYS_CAP_DERIVE, sysCapDerive(mine, peer, u64(RIGHT_MAP | (r.oneIn(2) ? RIGHT_GRANT : 0)), anyUses(), 0n));
  if (!isError(theirs)) announce(peer, theirs);
  // Or the capability itself, moved in a message.
  if (r.oneIn(2)) {
    const at: usize = scratchAt(AT_BUILD);
    putHeader(at, LABEL_PING, 0, 1, 0);
    putCap(at, 0, mine);
    note(SYS_SEND, sysSend(fz.peerEp[j], at));
  }
}

/** Rebuilds its picture of its table from capInfo: every handle it holds, its kind, rights and (for endpoints) whose it is. */
export function rescan(): void {
  const at: usize = scratchAt(AT_REPLY);
  // What it knew and is not there any more is dead: marked unseen first.
  for (let i: u32 = 0; i < fz.knownCount; i++) fz.knownRole[i] = u32(fz.knownRole[i] | UNSEEN);
  let seen: u32 = 0;
  for (let i: u64 = 0n; i < 64n; i++) {
    const res: u64 = note(SYS_CAP_INFO, sysCapInfo(fz.system, fz.self, i, at));
    if (isError(res)) break;
    seen = u32(seen + 1);
    const kind: u32 = get32(at, CAP_INFO_KIND);
    knownAdd(u64(get32(at, CAP_INFO_HANDLE)), kind, get32(at, CAP_INFO_RIGHTS), kind == KIND_ENDPOINT ? roleOf(get64(at, CAP_INFO_OBJ_A)) : ROLE_NONE);
  }
  for (let i: u32 = fz.knownCount; i > 0; i--) {
    const k: u32 = u32(i - 1);
    if (u32(fz.knownRole[k] & UNSEEN) != 0) knownDead(fz.known[k]);
  }
  if (seen == 0) anomaly(SYS_CAP_INFO, 0n, 0n);
}

/** Learns the endpoint index of each of its manifest endpoints (whose endpoint a handle names is known from then on). */
export function learnEndpoints(): void {
  const at: usize = scratchAt(AT_REPLY);
  for (let i: u64 = 0n; i < 64n; i++) {
    const res: u64 = note(SYS_CAP_INFO, sysCapInfo(fz.system, fz.self, i, at));
    if (isError(res)) break;
    const h: u64 = u64(get32(at, CAP_INFO_HANDLE));
    const objA: u64 = get64(at, CAP_INFO_OBJ_A);
    if (h == fz.own) fz.epOwn = objA;
    else if (h == fz.control) fz.epControl = objA;
    else if (h == fz.log) fz.epLog = objA;
    else if (h == fz.victimsEp) fz.epVictims = objA;
    for (let j: u32 = 0; j < 3; j++) if (h == fz.peerEp[j]) fz.epPeer[j] = objA;
  }
}
