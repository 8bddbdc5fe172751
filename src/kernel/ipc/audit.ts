/**
 * The audit log: a ring of AUDIT_CAPACITY fixed-size records. Every IPC operation
 * (each one exercises an endpoint capability) and every policy violation is
 * recorded; when the ring is full the oldest record is overwritten and counted in
 * `dropped`. Each record carries its sequence number (records ever appended
 * before it), which is what a reader's cursor is.
 *
 * A flood must not wash the log out: a failed operation (result other than Ok
 * and Blocked) identical to the newest record in kind, subject, object, detail
 * and result is coalesced into it (`repeat` counts the occurrences, `time` stays
 * the first one). Only the newest record can still change this way.
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
 *   ConsoleWrite     object = NO_ENDPOINT detail = bytes written
 *   ModuleRefused    as the module loader records it
 */
import { u32, u64, panic, structs, array } from "kts";
import { IpcResult } from "./types";

export const AUDIT_CAPACITY = 1024;

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
  /** A task's console write: object = NO_ENDPOINT, detail = bytes (result Denied: a bad buffer). */
  ConsoleWrite = 12,
}

/** How many AuditKind values there are. */
export const AUDIT_KINDS = 13;

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

export class AuditLog {
  records: AuditRecord[] = structs(AUDIT_CAPACITY, AuditRecord);
  /** Records ever appended: the next record's sequence number. */
  total: u64 = 0n;
  /** Records overwritten before anyone could be sure to have read them. */
  dropped: u64 = 0n;
  /** Events of each kind ever recorded, coalesced or not, overwritten or not. */
  perKind: u64[] = array(AUDIT_KINDS, 0n);

  reset(): void {
    this.total = 0n;
    this.dropped = 0n;
    for (let k: u32 = 0; k < AUDIT_KINDS; k++) this.perKind[k] = 0n;
  }

  /** Events of kind k ever recorded (survives coalescing and the ring wrapping). */
  kindTotal(k: AuditKind): u64 {
    return this.perKind[u32(k)];
  }

  /** Appends (or coalesces) one record. */
  record(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): void {
    this.perKind[u32(kind)] = u64(this.perKind[u32(kind)] + 1n);
    if (this.total != 0n && result != IpcResult.Ok && result != IpcResult.Blocked) {
      const last = this.slotOf(u64(this.total - 1n));
      if (last.kind == kind && last.subject == subject && last.object == object && last.detail == detail && last.result == result) {
        if (last.repeat != 0xffff_ffff) last.repeat = u32(last.repeat + 1);
        return;
      }
    }
    if (this.total >= u64(AUDIT_CAPACITY)) this.dropped = u64(this.dropped + 1n);
    const r = this.slotOf(this.total);
    r.seq = this.total;
    r.time = now;
    r.kind = kind;
    r.subject = subject;
    r.object = object;
    r.detail = detail;
    r.result = result;
    r.repeat = 1;
    this.total = u64(this.total + 1n);
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
   */
  read(cursor: u64, out: AuditRecord): u64 {
    if (cursor >= this.total) return cursor;
    const from: u64 = cursor < this.firstSeq() ? this.firstSeq() : cursor;
    out.copyFrom(this.slotOf(from));
    return u64(from + 1n);
  }

  private slotOf(seq: u64): AuditRecord {
    return this.records[u32(seq % u64(AUDIT_CAPACITY))];
  }
}
