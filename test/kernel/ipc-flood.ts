// The interceptor under load: a flood against the rate limiter (throttled, not
// fatal, refilled as time passes, other senders unaffected), and the audit ring
// (wrap-around, dropped counter, cursor reads, coalesced repeats).
import { u32, u64, bool, print, check } from "kts";
import { ipc, IpcResult, TaskState, AuditKind, AuditRecord, AUDIT_CAPACITY, policySet } from "../../src/kernel/ipc/index";
import { fresh, tasks, openEndpoint, msg, now, advance } from "./ipc-world";

const rec = new AuditRecord();

export function rateSuite(): void {
  fresh();
  tasks(4);
  const ep: u32 = openEndpoint(2, 4);
  ipc.setRateLimit(1, 100_000, 8, now());
  ipc.setRateLimit(3, 1_000, 4, now());
  const start: u64 = now();
  let accepted: u32 = 0;
  let throttled: u32 = 0;
  let other: u32 = 0;
  let bystander: u32 = 0;
  // 10000 sends, one every 100 ns: 1 ms of simulated time.
  for (let i: u32 = 0; i < 10000; i++) {
    const t: u64 = u64(start + u64(i) * 100n);
    const r: IpcResult = ipc.send(1, ep, msg(i, 0, 0), t);
    if (r == IpcResult.Ok) {
      accepted = u32(accepted + 1);
      ipc.receive(2, ep, false, t);
    } else if (r == IpcResult.Throttled) {
      throttled = u32(throttled + 1);
    } else {
      other = u32(other + 1);
    }
    if (i % 1000 == 0 && ipc.send(3, ep, msg(7, 0, 0), t) == IpcResult.Ok) {
      bystander = u32(bystander + 1);
      ipc.receive(2, ep, false, t);
    }
  }
  print(`flood: 10000 sends in 1 ms: ${accepted} accepted, ${throttled} throttled`);
  // Burst 8, then 100 per ms: 99 whole refills by the last send.
  check(accepted == 107 && throttled == 9893 && other == 0, "burst plus the rate, the rest throttled");
  check(ipc.throttledCount(1) == u64(throttled), "throttled count");
  check(bystander == 4, "another sender has its own bucket (its burst of 4)");
  check(ipc.taskState(1) == TaskState.Ready, "the flooder is still a Ready task");
  let throttleRecords: u32 = 0;
  let repeats: u32 = 0;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) {
    const a = ipc.auditAt(i);
    if (a.kind == AuditKind.Throttled && a.subject == 1) {
      throttleRecords = u32(throttleRecords + 1);
      repeats = u32(repeats + a.repeat);
    }
  }
  check(ipc.auditDropped() == 0n, "coalescing kept the flood inside the audit ring");
  check(repeats == throttled && throttleRecords <= 130, "throttled sends audited as coalesced runs");
  print(`flood: ${throttleRecords} audit records for ${throttled} throttled sends`);
  // Time passes: the bucket refills to its burst, no more.
  advance(u64(u64(10000n * 100n) + 1_000_000_000n));
  let after: u32 = 0;
  for (let i: u32 = 0; i < 20; i++) {
    if (ipc.send(1, ep, msg(i, 0, 0), now()) == IpcResult.Ok) {
      after = u32(after + 1);
      ipc.receive(2, ep, false, now());
    }
  }
  check(after == 8, "refilled to the burst after a second");
  // A clock that goes backwards refills nothing.
  check(ipc.send(1, ep, msg(1, 0, 0), u64(now() - 500_000_000n)) == IpcResult.Throttled, "no credit from the past");
  advance(10_000n);
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok, "one message per 10 us");
  // Huge gaps cannot overflow the refill.
  ipc.setRateLimit(1, 0xffff_fffe, 0xffff_fffe, now());
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok, "extreme rate");
  ipc.receive(2, ep, false, now());
  advance(0x7fff_ffff_ffff_ffffn);
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok, "extreme rate and gap");
  ipc.setRateLimit(1, 0, 2, now());
  advance(1_000_000_000n);
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok, "rate 0: the burst");
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok, "rate 0: the burst");
  advance(1_000_000_000n);
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Throttled, "rate 0: never refilled");
}

export function auditSuite(): void {
  fresh();
  check(ipc.auditCount() == 0 && ipc.auditRead(0n, rec) == 0n, "empty log");
  tasks(3);
  const ep: u32 = openEndpoint(2, 3);
  for (let i: u32 = 0; i < 1500; i++) {
    advance(10n);
    ipc.send(1, ep, msg(i, 0, 0), now());
    ipc.receive(2, ep, false, now());
  }
  ipc.audit(AuditKind.ModuleRefused, 1, 77, 5, IpcResult.Denied, now());
  const total: u64 = 3002n;
  check(ipc.auditNextSeq() == total && ipc.auditCount() == AUDIT_CAPACITY, "ring full");
  check(ipc.auditDropped() == u64(total - u64(AUDIT_CAPACITY)), "dropped counts the overwritten records");
  check(ipc.auditFirstSeq() == ipc.auditDropped() && ipc.auditAt(0).seq == ipc.auditFirstSeq(), "oldest held record");
  let ordered: bool = true;
  for (let i: u32 = 1; i < AUDIT_CAPACITY; i++) {
    const a = ipc.auditAt(i);
    const b = ipc.auditAt(u32(i - 1));
    if (a.seq != u64(b.seq + 1n) || a.time < b.time) ordered = false;
  }
  check(ordered, "records in sequence, time never goes back");
  const last = ipc.auditAt(u32(AUDIT_CAPACITY - 1));
  check(last.kind == AuditKind.ModuleRefused && last.object == 77 && last.detail == 5 && last.result == IpcResult.Denied, "external record");
  const s = ipc.auditAt(u32(AUDIT_CAPACITY - 3));
  check(s.kind == AuditKind.Send && s.subject == 1 && s.object == ep && s.detail == 1499 && s.result == IpcResult.Ok, "send record fields");
  const r = ipc.auditAt(u32(AUDIT_CAPACITY - 2));
  check(r.kind == AuditKind.Receive && r.subject == 2 && r.detail == 1 && r.repeat == 1, "receive record fields");
  // A reader that starts late learns how much it missed, then reads everything held.
  let cursor: u64 = ipc.auditRead(0n, rec);
  check(rec.seq == u64(total - u64(AUDIT_CAPACITY)) && cursor == u64(rec.seq + 1n), "late reader skips to the oldest record");
  let n: u32 = 1;
  for (;;) {
    const next: u64 = ipc.auditRead(cursor, rec);
    if (next == cursor) break;
    check(rec.seq == cursor, "no gap while keeping up");
    cursor = next;
    n = u32(n + 1);
  }
  check(n == AUDIT_CAPACITY && cursor == total, "read every held record");
  ipc.audit(AuditKind.ModuleRefused, 2, 78, 0, IpcResult.Denied, now());
  check(ipc.auditRead(cursor, rec) == u64(cursor + 1n) && rec.object == 78, "then only the new one");
  cursor = u64(cursor + 1n);
  // Identical refusals coalesce; successes never do.
  policySet(0, ep, 0);
  for (let i: u32 = 0; i < 50; i++) ipc.send(0, ep, msg(9, 0, 0), now());
  const d = ipc.auditAt(u32(AUDIT_CAPACITY - 1));
  check(d.kind == AuditKind.Denied && d.subject == 0 && d.repeat == 50, "50 identical denials, one record");
  check(ipc.auditNextSeq() == u64(cursor + 1n), "one sequence number for the run");
  for (let i: u32 = 0; i < 2000; i++) ipc.audit(AuditKind.ModuleRefused, 1, i, 0, IpcResult.Ok, now());
  const c2: u64 = ipc.auditRead(cursor, rec);
  check(u64(rec.seq - cursor) == u64(2001n - u64(AUDIT_CAPACITY)) && c2 == u64(rec.seq + 1n), "a slow reader is told how many it missed");
  print(`audit: ${ipc.auditNextSeq()} records, ${ipc.auditCount()} held, ${ipc.auditDropped()} dropped`);
}
