// One task must not crowd the others out: of a shared endpoint's queue (each
// sender holds at most its share, and the last slots are the kernel's), nor of
// the audit ring (a task's failure records are coalesced and budgeted, so a
// flood of denials cannot push out an earlier record).
import { u32, u64, bool, print, check } from "kts";
import {
  ipc,
  IpcResult,
  TaskState,
  AuditKind,
  AuditRecord,
  AUDIT_CAPACITY,
  AUDIT_BURST,
  AUDIT_RATE,
  NO_TASK,
  NO_ENDPOINT,
  QUEUE_DEPTH,
  SENDER_SHARE,
  USER_QUEUE_LIMIT,
  NS_PER_SEC,
  policySet,
  POLICY_SEND,
  ipcInvariantBroken,
} from "../../src/kernel/ipc/index";
import { fresh, tasks, openEndpoint, msg, now, advance, drainWakes, principalOf, pbuf } from "./ipc-world";

const rec = new AuditRecord();

function consistent(): bool {
  return check(ipcInvariantBroken(ipc.state) == 0, `invariant ${ipcInvariantBroken(ipc.state)} broken`);
}

/** Sends `n` messages labelled label, label + 1, ... from task; how many were queued. */
function sendMany(task: u32, ep: u32, n: u32, label: u32): u32 {
  let ok: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const r: IpcResult = ipc.send(task, ep, msg(u32(label + i), 8, i), now());
    if (r == IpcResult.Ok) ok = u32(ok + 1);
    else check(r == IpcResult.QueueFull, `send refused with ${u32(r)}, not QueueFull`);
  }
  return ok;
}

/** A flooder keeps only its share of a shared endpoint; another sender still gets through. */
function sharedQueue(): void {
  fresh();
  tasks(8);
  const ep: u32 = openEndpoint(3, 8);
  const a: u32 = sendMany(1, ep, 100, 1000);
  check(a == SENDER_SHARE, `the flooder queued ${a}, its share is ${SENDER_SHARE}`);
  const last = ipc.auditAt(u32(ipc.auditCount() - 1));
  check(last.kind == AuditKind.Send && last.subject == 1 && last.result == IpcResult.QueueFull, "over its share: audited QueueFull");
  // The flooder keeps at it while a second sender tries 20 messages.
  let b: u32 = 0;
  let more: u32 = 0;
  for (let i: u32 = 0; i < 20; i++) {
    more = u32(more + sendMany(1, ep, 5, u32(1100 + i * 5)));
    b = u32(b + sendMany(2, ep, 1, u32(2000 + i)));
  }
  check(more == 0 && b == SENDER_SHARE, `the second sender queued ${b} of 20, the flooder ${more} more`);
  // Its share is per endpoint: the flooder can still write elsewhere.
  const other: u32 = openEndpoint(3, 8);
  check(sendMany(1, other, 1, 3000) == 1, "the flooder's share of another endpoint is its own");
  // A queued call counts: over its share, a call is refused and does not block.
  check(ipc.call(1, ep, msg(1, 0, 0), now()) == IpcResult.QueueFull && ipc.taskState(1) == TaskState.Ready, "a call over the share");
  check(ipc.call(4, ep, msg(4000, 0, 0), now()) == IpcResult.Blocked, "a queued call");
  check(sendMany(5, ep, 3, 5000) == 3, "another sender, 3 messages");
  check(sendMany(6, ep, 5, 6000) == u32(USER_QUEUE_LIMIT - 2 * SENDER_SHARE - 1 - 3), "user senders stop at USER_QUEUE_LIMIT");
  check(ipc.endpointQueued(ep) == USER_QUEUE_LIMIT, "the last slots stay free");
  // The kernel's messages still get in.
  for (let i: u32 = USER_QUEUE_LIMIT; i < QUEUE_DEPTH; i++) {
    check(ipc.postFromKernel(ep, msg(u32(9000 + i), 8, 0), now()) == IpcResult.Ok, "a kernel message takes a reserved slot");
  }
  check(ipc.postFromKernel(ep, msg(9999, 8, 0), now()) == IpcResult.QueueFull, "a full queue refuses the kernel too");
  consistent();
  // Everyone's messages come out in the order they were queued.
  let fromA: u32 = 0;
  let fromB: u32 = 0;
  let fromKernel: u32 = 0;
  let prev: u32 = 0;
  let ordered: bool = true;
  for (let i: u32 = 0; i < QUEUE_DEPTH; i++) {
    check(ipc.receive(3, ep, false, now()) == IpcResult.Ok, "receive");
    const m = ipc.inbox(3);
    if (m.sender == 1) fromA = u32(fromA + 1);
    if (m.sender == 2) fromB = u32(fromB + 1);
    if (m.sender == NO_TASK) fromKernel = u32(fromKernel + 1);
    if (m.label <= prev) ordered = false;
    prev = m.label;
  }
  check(ordered && fromA == SENDER_SHARE && fromB == SENDER_SHARE && fromKernel == u32(QUEUE_DEPTH - USER_QUEUE_LIMIT), "all received, in order");
  check(ipc.taskState(4) == TaskState.AwaitingReply, "the call was received");
  // Room again: each sender's share is back.
  check(sendMany(1, ep, 100, 10000) == SENDER_SHARE && sendMany(2, ep, 1, 20000) == 1, "shares come back as the queue drains");
  consistent();
  print(`shared queue: a flooder queued ${a} of 100, then, as it kept on, another sender ${b} of 20; ${u32(QUEUE_DEPTH - USER_QUEUE_LIMIT)} slots kept for the kernel`);
}

let retryEndpoint: u32 = NO_ENDPOINT;
let retryPending: u32 = 0;
let retried: u32 = 0;

/** A stand-in for exit-watch.ts: kernel messages the queue refused are posted as it drains. */
function retryKernelPosts(endpoint: u32, t: u64): void {
  if (endpoint != retryEndpoint) return;
  while (retryPending != 0 && ipc.postFromKernel(endpoint, msg(u32(7000 + retried), 8, 0), t) == IpcResult.Ok) {
    retryPending = u32(retryPending - 1);
    retried = u32(retried + 1);
  }
}

/** Kernel messages refused by a full queue are not lost: the drain hook posts them as it empties. */
function kernelRetry(): void {
  fresh();
  tasks(8);
  const ep: u32 = openEndpoint(7, 8);
  retryEndpoint = ep;
  retryPending = 0;
  retried = 0;
  ipc.setQueueDrained(retryKernelPosts);
  let user: u32 = 0;
  for (let t: u32 = 0; t < 7; t++) user = u32(user + sendMany(t, ep, 10, u32(100 * t + 100)));
  check(user == USER_QUEUE_LIMIT, "users filled their part");
  let posted: u32 = 0;
  for (let i: u32 = 0; i < 5; i++) {
    if (ipc.postFromKernel(ep, msg(u32(6000 + i), 8, 0), now()) == IpcResult.Ok) posted = u32(posted + 1);
    else retryPending = u32(retryPending + 1);
  }
  check(posted == u32(QUEUE_DEPTH - USER_QUEUE_LIMIT) && retryPending == 3, "two kernel messages queued, three waiting");
  let kernel: u32 = 0;
  let received: u32 = 0;
  while (ipc.receive(7, ep, false, now()) == IpcResult.Ok) {
    received = u32(received + 1);
    if (ipc.inbox(7).sender == NO_TASK) kernel = u32(kernel + 1);
  }
  check(retried == 3 && retryPending == 0 && kernel == 5 && received == u32(USER_QUEUE_LIMIT + 5), "every kernel message arrived");
  check(ipc.receive(7, ep, true, now()) == IpcResult.Blocked && ipc.postFromKernel(ep, msg(1, 0, 0), now()) == IpcResult.Ok, "direct delivery");
  check(drainWakes() == 1 && ipc.inbox(7).sender == NO_TASK, "to the waiting receiver");
  consistent();
  ipc.setQueueDrained(queueDrainedNothing);
  print(`kernel retry: ${retried} of 3 refused kernel messages posted as the queue drained`);
}

function queueDrainedNothing(endpoint: u32, t: u64): void {}

/** Records of subject in the held ring: how many, and how many of them are Suppressed summaries. */
function heldOf(subject: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) if (ipc.auditAt(i).subject == subject) n = u32(n + 1);
  return n;
}

function summariesOf(subject: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) {
    const a = ipc.auditAt(i);
    if (a.subject == subject && a.kind == AuditKind.Suppressed) n = u32(n + 1);
  }
  return n;
}

/** Occurrences of subject's failures the ring accounts for: repeats plus folded counts. */
function accountedOf(subject: u32): u64 {
  let n: u64 = 0n;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) {
    const a = ipc.auditAt(i);
    if (a.subject != subject || a.result == IpcResult.Ok) continue;
    n = u64(n + u64(a.kind == AuditKind.Suppressed ? a.detail : a.repeat));
  }
  return n;
}

/** The record with sequence number seq (task subject's) is still held, as it was written. */
function stillHeld(seq: u64, kind: AuditKind, subject: u32, object: u32): void {
  check(seq >= ipc.auditFirstSeq(), `task ${subject}'s record ${seq}: overwritten (oldest held ${ipc.auditFirstSeq()})`);
  const at: u64 = ipc.auditRead(seq, rec);
  check(at == u64(seq + 1n) && rec.seq == seq, `task ${subject}'s record ${seq}: not readable at its cursor`);
  check(rec.kind == kind && rec.subject == subject && rec.object == object, `task ${subject}'s record ${seq}: fields changed`);
  const i: u32 = u32(seq - ipc.auditFirstSeq());
  check(i < ipc.auditCount() && ipc.auditAt(i).seq == seq, `task ${subject}'s record ${seq}: at() misses it`);
}

/** A task alternating denied operations cannot wash another's (or its own earlier) record out. */
function auditWash(): void {
  fresh();
  tasks(4);
  const ep: u32 = openEndpoint(3, 4);
  const locked: u32 = ipc.endpointCreate(3, now());
  policySet(2, locked, POLICY_SEND);
  // The victim's misdeed, then the attacker's own first one.
  check(ipc.call(2, locked, msg(5, 0, 0), now()) == IpcResult.Denied, "the victim is denied");
  const victim: u64 = u64(ipc.auditNextSeq() - 1n);
  check(ipc.receive(1, locked, false, now()) == IpcResult.Denied, "the attacker is denied");
  const own: u64 = u64(ipc.auditNextSeq() - 1n);
  const deniedBefore: u64 = ipc.auditKindTotal(AuditKind.Denied);
  // 5000 alternating denials (send, receive), then 5000 denials that all differ (labels to a closed endpoint).
  for (let i: u32 = 0; i < 5000; i++) {
    advance(1000n);
    ipc.send(1, locked, msg(i, 0, 0), now());
    ipc.receive(1, ep, false, now());
    ipc.receive(1, locked, false, now());
  }
  check(ipc.auditKindTotal(AuditKind.Denied) == u64(deniedBefore + 10000n), "every denial counted");
  for (let i: u32 = 0; i < 5000; i++) {
    advance(1000n);
    ipc.send(1, 200, msg(i, 0, 0), now());
  }
  check(ipc.auditKindTotal(AuditKind.Send) >= 5000n, "every send counted");
  stillHeld(victim, AuditKind.Denied, 2, locked);
  stillHeld(own, AuditKind.Denied, 1, locked);
  const held: u32 = heldOf(1);
  const summaries: u32 = summariesOf(1);
  check(held <= u32(AUDIT_BURST + summaries), `the attacker holds ${held} records (${summaries} summaries), budget ${AUDIT_BURST}`);
  check(held < 100 && ipc.auditDropped() == 0n, "nothing pushed out");
  // Time passes: the budget refills slowly, and the folded count is written first.
  advance(NS_PER_SEC);
  const before: u64 = ipc.auditNextSeq();
  ipc.send(1, 201, msg(1, 0, 0), now());
  check(ipc.auditNextSeq() == u64(before + 2n), "a summary, then the record");
  check(ipc.auditAt(u32(ipc.auditCount() - 2)).kind == AuditKind.Suppressed, "the summary comes first");
  check(accountedOf(1) == u64(1n + 15000n + 5000n + 1n), "repeats and summaries account for every failure");
  check(ipc.auditKindTotal(AuditKind.Suppressed) != 0n, "kindTotal counts the folded records");
  // At most the rate after the burst: 10 s of one distinct denial per ms.
  const heldBefore: u32 = heldOf(1);
  for (let i: u32 = 0; i < 10000; i++) {
    advance(1_000_000n);
    ipc.send(1, 202, msg(i, 0, 0), now());
  }
  const gained: u32 = u32(heldOf(1) - heldBefore);
  // Each record the refill allows may be preceded by the summary of what was folded before it.
  check(gained >= u32(AUDIT_RATE * 10) && gained <= u32(2 * AUDIT_RATE * 10 + AUDIT_BURST), `10 s at the budget's rate: ${gained} records`);
  stillHeld(victim, AuditKind.Denied, 2, locked);
  // Successes are not limited (the rate limiter bounds them); neither are the kernel's records.
  const seq0: u64 = ipc.auditNextSeq();
  for (let i: u32 = 0; i < 100; i++) {
    ipc.send(1, ep, msg(i, 0, 0), now());
    ipc.receive(3, ep, false, now());
    ipc.postFromKernel(u32(100 + i), msg(i, 0, 0), now());
    ipc.audit(AuditKind.ModuleRefused, 0, i, 0, IpcResult.Denied, now());
  }
  // The attacker's first record since its last folds is the summary of them.
  const summary: u64 = ipc.auditRead(seq0, rec) == u64(seq0 + 1n) && rec.kind == AuditKind.Suppressed ? 1n : 0n;
  check(ipc.auditNextSeq() == u64(seq0 + 400n + summary), "successes, kernel posts and module refusals all recorded");
  print(`audit wash: 20000 denials, the attacker holds ${heldOf(1)} records; the victim's record held ${victim >= ipc.auditFirstSeq()}`);
}

/** Console writes are limited like failures; a record a reader has copied never changes again. */
function auditDetails(): void {
  fresh();
  tasks(3);
  for (let i: u32 = 0; i < 1000; i++) {
    advance(1000n);
    ipc.audit(AuditKind.ConsoleWrite, 2, NO_ENDPOINT, u32(i + 1), IpcResult.Ok, now());
  }
  check(heldOf(2) <= AUDIT_BURST && ipc.auditKindTotal(AuditKind.ConsoleWrite) == 1000n, "1000 console writes: the budget's worth held, all counted");
  const ep: u32 = openEndpoint(1, 1);
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock, "a failure");
  const seq: u64 = u64(ipc.auditNextSeq() - 1n);
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock && ipc.auditNextSeq() == u64(seq + 1n), "the same failure coalesces");
  check(ipc.auditRead(seq, rec) == u64(seq + 1n) && rec.repeat == 2, "a reader copies it");
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock && ipc.auditNextSeq() == u64(seq + 2n), "then it is final: a new record");
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock && ipc.auditNextSeq() == u64(seq + 2n), "which coalesces in turn");
  check(ipc.auditRead(seq, rec) == u64(seq + 1n) && rec.repeat == 2, "the copied record is unchanged");
  check(ipc.auditRead(u64(seq + 1n), rec) != u64(seq + 1n) && rec.repeat == 2, "the new one counts the rest");
  // A task in a dead task's slot is another subject: its failures start new records.
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock && ipc.auditNextSeq() == u64(seq + 3n), "a failure");
  principalOf(0, pbuf);
  check(ipc.taskDied(0, now()) == IpcResult.Ok && ipc.taskCreate(0, pbuf, now()) == IpcResult.Ok, "the task dies, another takes its slot");
  const died: u64 = ipc.auditNextSeq();
  check(ipc.receive(0, ep, false, now()) == IpcResult.WouldBlock && ipc.auditNextSeq() == u64(died + 1n), "its own record");
  print(`audit details: 1000 console writes, ${heldOf(2)} records; read records are final`);
}

export function crowdSuite(): void {
  sharedQueue();
  kernelRetry();
  auditWash();
  auditDetails();
  check(AUDIT_CAPACITY > u32(AUDIT_BURST * 4), "the budget is a small part of the ring");
}
