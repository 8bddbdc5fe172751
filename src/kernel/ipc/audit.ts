/**
 * The audit log: a ring of AUDIT_CAPACITY fixed-size records. Every IPC operation
 * (each one exercises an endpoint capability) and every policy violation is
 * recorded; when the ring is full the oldest record is overwritten and counted in
 * dropped(). Each record carries its sequence number (records ever appended
 * before it), which is what a reader's cursor is.
 *
 * No task can wash the log out (push older records, another task's or its own,
 * out of the ring). A task's limited records are its failures (result other than
 * Ok and Blocked) and its console writes (nothing else bounds them; successful
 * IPC is bounded by the rate limiter):
 *  - coalesced: one identical in kind, subject, object, detail and result to any
 *    of the task's AUDIT_RECENT newest limited records still held is counted in
 *    that record's `repeat` (`time` stays the first occurrence's), unless a
 *    reader has copied that record already: a record never changes once read;
 *  - budgeted: otherwise it is appended only if the task's budget allows, a leaky
 *    bucket per subject on the caller's clock: AUDIT_BURST records at once,
 *    AUDIT_RATE per second after that. One over budget is folded into the task's
 *    count, written as one Suppressed record (detail = how many were folded) just
 *    before the task's next record that is appended, whatever its result (at the
 *    latest its TaskDied).
 * So in t seconds a task adds at most AUDIT_BURST + AUDIT_RATE * t limited
 * records, each after at most one summary, to a ring of 1,024. Records the
 * kernel makes (subject NO_TASK or past the task table, ModuleRefused) are not
 * limited; their failures still coalesce into the newest record if identical
 * (and not yet read).
 * perKind counts every event, coalesced, folded (perKind[Suppressed] counts the
 * folded ones as they are folded) or overwritten.
 *
 * Record fields by kind (subject is always the acting task):
 *   Send, Call       object = endpoint  detail = message label
 *   Receive          object = endpoint  detail = sender of the message (NO_TASK if none)
 *   Reply            object = endpoint the call came through  detail = caller
 *   Denied, Throttled, Rejected          object = endpoint  detail = the IpcOp attempted
 *   CapExercised     object = endpoint  detail = the capability handle carried
 *                    (result Denied: the transfer check refused that handle)
 *   EndpointCreate, EndpointClose        object = endpoint  detail = owner
 *   TaskDied         object = NO_ENDPOINT detail = waiters woken with PeerDied
 *   ConsoleWrite     object = NO_ENDPOINT detail = 0 (so a task's writes coalesce)
 *   Suppressed       object = NO_ENDPOINT detail = the subject's records folded
 *                    (result Throttled; time = when it was written)
 *   ModuleRefused    as the module loader records it
 */
import { u32, u64, bool, panic, structs, array } from "kts";
import { NS_PER_SEC } from "./ratelimit";
import { IpcResult, MAX_TASKS, NO_ENDPOINT } from "./types";

/** A power of two (slotOf masks with it). */
export const AUDIT_CAPACITY = 1024;
/** A task's limited records (see the header): AUDIT_BURST at once, then AUDIT_RATE per second. */
export const AUDIT_BURST = 32;
export const AUDIT_RATE = 4;
/** How many of a task's newest limited records a new one may coalesce into. */
export const AUDIT_RECENT = 8;
/** "No record" in AuditBudget.recent. */
const NO_SEQ: u64 = 0xffff_ffff_ffff_ffffn;

export enum AuditKind {
  Send = 0,
  Call = 1,
  Receive = 2,
  Reply = 3,
  Denied = 4,
  Throttled = 5,
  Rejected = 6,
  CapExercised = 7,
  ModuleRefused = 8,
  EndpointCreate = 9,
  EndpointClose = 10,
  TaskDied = 11,
  /** A task's console write: object = NO_ENDPOINT, detail 0 (result Denied: a bad buffer). */
  ConsoleWrite = 12,
  /** Records of the subject folded by its budget: detail = how many. */
  Suppressed = 13,
}

/** How many AuditKind values there are. */
export const AUDIT_KINDS = 14;

/** @align 64 — the ring is indexed on every IPC operation: a shift, not a multiply (40 bytes of fields) */
export class AuditRecord {
  /** Position in the stream of all records ever appended. */
  seq: u64 = 0n;
  /** Nanoseconds (the caller's clock) of the first occurrence. */
  time: u64 = 0n;
  kind: AuditKind = AuditKind.Send;
  subject: u32 = 0;
  object: u32 = 0;
  detail: u32 = 0;
  result: IpcResult = IpcResult.Ok;
  /** Occurrences coalesced into this record (at least 1). */
  repeat: u32 = 0;

  copyFrom(r: AuditRecord): void {
    this.seq = r.seq;
    this.time = r.time;
    this.kind = r.kind;
    this.subject = r.subject;
    this.object = r.object;
    this.detail = r.detail;
    this.result = r.result;
    this.repeat = r.repeat;
  }
}

/** Whether a record counts against its subject's budget (the header says why these). */
function limited(kind: AuditKind, result: IpcResult): bool {
  return kind == AuditKind.ConsoleWrite || (result != IpcResult.Ok && result != IpcResult.Blocked);
}

/**
 * One subject task's budget of limited records, and what it folded.
 * @align 128 — its `folded` is read on every IPC operation's record: a shift, not a multiply (92 bytes of fields)
 */
export class AuditBudget {
  /** Budget in use, in nano-records (one record = NS_PER_SEC), leaking AUDIT_RATE records a second. */
  used: u64 = 0n;
  /** When used was last brought up to date. */
  last: u64 = 0n;
  /** Records folded since the subject's last appended one. */
  folded: u32 = 0;
  /** Sequence numbers of the subject's newest limited records (a ring; NO_SEQ: none). */
  recent: u64[] = array(AUDIT_RECENT, NO_SEQ);
  recentNext: u32 = 0;

  clear(): void {
    this.used = 0n;
    this.last = 0n;
    this.folded = 0;
    this.forgetRecent();
    this.recentNext = 0;
  }

  /** Takes one record's budget at now; false if it is used up. A clock going backwards leaks nothing. */
  take(now: u64): bool {
    if (now > this.last) {
      const elapsed: u64 = u64(now - this.last);
      const rate: u64 = u64(AUDIT_RATE);
      // Past used / rate nanoseconds it is empty; below that the product stays under used.
      if (elapsed > u64(this.used / rate)) this.used = 0n;
      else this.used = u64(this.used - u64(elapsed * rate));
      this.last = now;
    }
    if (u64(this.used + NS_PER_SEC) > u64(u64(AUDIT_BURST) * NS_PER_SEC)) return false;
    this.used = u64(this.used + NS_PER_SEC);
    return true;
  }

  fold(): void {
    if (this.folded != 0xffff_ffff) this.folded = u32(this.folded + 1);
  }

  forgetRecent(): void {
    for (let i: u32 = 0; i < AUDIT_RECENT; i++) this.recent[i] = NO_SEQ;
  }

  remember(seq: u64): void {
    this.recent[this.recentNext] = seq;
    this.recentNext = u32(u32(this.recentNext + 1) % AUDIT_RECENT);
  }
}

export class AuditLog {
  // The counters, then the ring: near the structure's base, where AArch64 reaches a field with one
  // instruction and a record's fields with paired stores (stp reaches 256 bytes). The budgets last.
  /** Records ever appended: the next record's sequence number. */
  total: u64 = 0n;
  /** Records before this one have been copied by a reader: they no longer coalesce. */
  readMark: u64 = 0n;
  /** Events of each kind ever recorded, coalesced or not, overwritten or not. */
  perKind: u64[] = array(AUDIT_KINDS, 0n);
  records: AuditRecord[] = structs(AUDIT_CAPACITY, AuditRecord);
  /** Per subject task, its budget of limited records. */
  budgets: AuditBudget[] = structs(MAX_TASKS, AuditBudget);

  reset(): void {
    this.total = 0n;
    this.readMark = 0n;
    for (let k: u32 = 0; k < AUDIT_KINDS; k++) this.perKind[k] = 0n;
    for (let t: u32 = 0; t < MAX_TASKS; t++) this.budgets[t].clear();
  }

  /** Events of kind k ever recorded (survives coalescing and the ring wrapping). */
  kindTotal(k: AuditKind): u64 {
    return this.perKind[u32(k)];
  }

  /** Appends, coalesces or folds one record (see the header). */
  record(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): void {
    this.perKind[u32(kind)] = u64(this.perKind[u32(kind)] + 1n);
    const lim: bool = limited(kind, result);
    if (subject >= MAX_TASKS || kind == AuditKind.ModuleRefused) {
      // The kernel's own: never limited.
      const failed: bool = result != IpcResult.Ok && result != IpcResult.Blocked;
      if (failed && this.total != 0n && this.coalesce(u64(this.total - 1n), kind, subject, object, detail, result)) return;
      this.append(now, kind, subject, object, detail, result);
      return;
    }
    const b = this.budgets[subject];
    if (lim) {
      for (let i: u32 = 0; i < AUDIT_RECENT; i++) {
        if (this.coalesce(b.recent[i], kind, subject, object, detail, result)) return;
      }
      if (!b.take(now)) {
        b.fold();
        this.perKind[u32(AuditKind.Suppressed)] = u64(this.perKind[u32(AuditKind.Suppressed)] + 1n);
        return;
      }
    }
    if (b.folded != 0) {
      this.append(now, AuditKind.Suppressed, subject, NO_ENDPOINT, b.folded, IpcResult.Throttled);
      b.folded = 0;
    }
    const seq: u64 = this.append(now, kind, subject, object, detail, result);
    if (lim) b.remember(seq);
    // The next task in this slot is another subject: nothing of its coalesces into these.
    if (kind == AuditKind.TaskDied) b.forgetRecent();
  }

  /**
   * record() for an IPC operation that passed (result Ok or Blocked, so never
   * limited), the fast path's: with nothing folded for the subject, one store
   * sequence into the next slot; otherwise record() itself.
   */
  recordPassed(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): void {
    if (subject >= MAX_TASKS || this.budgets[subject].folded != 0 || (result != IpcResult.Ok && result != IpcResult.Blocked) || kind == AuditKind.ConsoleWrite || kind == AuditKind.TaskDied) {
      this.record(now, kind, subject, object, detail, result);
      return;
    }
    this.perKind[u32(kind)] = u64(this.perKind[u32(kind)] + 1n);
    this.append(now, kind, subject, object, detail, result);
  }

  /** If record seq is still held, unread and identical, counts one more occurrence in it. */
  private coalesce(seq: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): bool {
    if (seq >= this.total || seq < this.firstSeq() || seq < this.readMark) return false;
    const r = this.slotOf(seq);
    if (r.kind != kind || r.subject != subject || r.object != object || r.detail != detail || r.result != result) return false;
    if (r.repeat != 0xffff_ffff) r.repeat = u32(r.repeat + 1);
    return true;
  }

  /** Appends one record; its sequence number. */
  private append(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): u64 {
    const seq: u64 = this.total;
    const r = this.slotOf(seq);
    r.seq = seq;
    r.time = now;
    r.kind = kind;
    r.subject = subject;
    r.object = object;
    r.detail = detail;
    r.result = result;
    r.repeat = 1;
    this.total = u64(seq + 1n);
    return seq;
  }

  /** Records overwritten before anyone could be sure to have read them: every append to a full ring overwrote one. */
  dropped(): u64 {
    return this.total > u64(AUDIT_CAPACITY) ? u64(this.total - u64(AUDIT_CAPACITY)) : 0n;
  }

  /** Records currently held. */
  count(): u32 {
    return this.total < u64(AUDIT_CAPACITY) ? u32(this.total) : AUDIT_CAPACITY;
  }

  /** Sequence number of the oldest record held (== nextSeq() when empty). */
  firstSeq(): u64 {
    return u64(this.total - u64(this.count()));
  }

  nextSeq(): u64 {
    return this.total;
  }

  /** The i-th held record, 0 = the oldest. */
  at(i: u32): AuditRecord {
    if (i >= this.count()) panic(`audit record ${i} of ${this.count()}`);
    return this.slotOf(u64(this.firstSeq() + u64(i)));
  }

  /**
   * Cursor read for a user-space reader: copies into out the first record whose
   * sequence number is >= cursor and returns the cursor after it. Returns cursor
   * unchanged (out untouched) when there is nothing new. If records were
   * overwritten since the reader's cursor, out.seq - cursor of them were missed.
   * The copied record is final: later occurrences no longer coalesce into it.
   */
  read(cursor: u64, out: AuditRecord): u64 {
    if (cursor >= this.total) return cursor;
    const from: u64 = cursor < this.firstSeq() ? this.firstSeq() : cursor;
    out.copyFrom(this.slotOf(from));
    if (u64(from + 1n) > this.readMark) this.readMark = u64(from + 1n);
    return u64(from + 1n);
  }

  private slotOf(seq: u64): AuditRecord {
    return this.records[u32(seq & u64(AUDIT_CAPACITY - 1))];
  }
}
