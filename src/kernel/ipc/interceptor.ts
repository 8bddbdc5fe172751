/**
 * The zero-trust interceptor: the checks every IPC path goes through, in order,
 * before anything is delivered:
 *
 *   1. capability check   checkCapability(task, endpoint, op): the one call site
 *      the capability subsystem (src/kernel/cap) plugs into, through the
 *      `capabilityCheck` hook; and checkTransfer(task, handle) for every
 *      capability handle a message carries (`transferCheck` hook). Both hooks
 *      deny everything until they are wired: zero trust by default.
 *      Carried capabilities move when the message is delivered (not when it is
 *      queued, so a dropped message moves nothing): deliverCapabilities calls the
 *      `capDelivery` hook on the receiver's inbox copy, which is where
 *      src/kernel/cap's capTransfer moves each one and rewrites msg.caps[i] to the
 *      receiver's handle. Until wired, handles travel unchanged.
 *   2. rate limit         a token bucket per sending task (Send and Call; replies
 *      and receives are bounded by the calls and messages that cause them).
 *   3. content inspection for endpoints flagged EP_INSPECT: the endpoint's
 *      inspector sees the stamped message (true sender and principal) and may
 *      reject it; replies to calls made through such an endpoint are inspected too.
 *   4. audit              every operation and every refusal is recorded in `log`
 *      (a task's failures coalesced and budgeted there, so none can wash it out).
 *
 * A refusal is audited here (Denied, Throttled, Rejected, or CapExercised with
 * result Denied naming the refused handle); IpcState audits the outcome of
 * operations that pass.
 */
import { u32, u64, bool, structs } from "kts";
import { AuditKind, AuditLog } from "./audit";
import { Endpoint, EndpointQueue, EP_INSPECT } from "./endpoint";
import { Message } from "./message";
import { DEFAULT_BURST, DEFAULT_RATE, TokenBucket } from "./ratelimit";
import { IpcOp, IpcResult, MAX_TASKS } from "./types";

/** The capability hook until src/kernel/cap is wired in: denies everything. */
export function capabilityCheckNotWired(task: u32, endpoint: u32, op: u32): bool {
  return false;
}

/** The transfer hook until src/kernel/cap is wired in: denies everything. */
export function transferCheckNotWired(task: u32, handle: u32): bool {
  return false;
}

/** The delivery hook until src/kernel/cap is wired in: handles travel unchanged. */
export function capDeliveryNotWired(sender: u32, receiver: u32, msg: Message, now: u64): void {}

export class Interceptor {
  /** May `task` perform `op` (an IpcOp) on `endpoint`? Wired by the lead to src/kernel/cap. */
  capabilityCheck: (task: u32, endpoint: u32, op: u32) => bool = capabilityCheckNotWired;
  /** The hook's policy authorizes every reply by its one-shot token alone: it is not asked for replies. */
  repliesByToken: bool = false;
  /** May `task` pass capability `handle` in a message? Wired by the lead to src/kernel/cap. */
  transferCheck: (task: u32, handle: u32) => bool = transferCheckNotWired;
  /** Moves msg's carried capabilities from sender to receiver, rewriting msg.caps. Wired by the lead. */
  capDelivery: (sender: u32, receiver: u32, msg: Message, now: u64) => void = capDeliveryNotWired;
  defaultRate: u32 = DEFAULT_RATE;
  defaultBurst: u32 = DEFAULT_BURST;
  buckets: TokenBucket[] = structs(MAX_TASKS, TokenBucket);
  log = new AuditLog();

  /**
   * THE capability check of the IPC path: endpoint and task are already-validated
   * indices; the hook decides whether `task` holds the right for `op` on it (a
   * reply: unless its policy said, when installed, that a reply's token is all
   * the authority it needs; the token is checked before this is asked).
   */
  checkCapability(task: u32, endpoint: u32, op: IpcOp): bool {
    if (op == IpcOp.Reply && this.repliesByToken) return true;
    const check = this.capabilityCheck;
    return check(task, endpoint, u32(op));
  }

  /** The capability check for one handle carried by a message. */
  checkTransfer(task: u32, handle: u32): bool {
    const check = this.transferCheck;
    return check(task, handle);
  }

  /** THE capability move of the IPC path: msg has just been delivered to receiver's inbox. */
  deliverCapabilities(sender: u32, receiver: u32, msg: Message, now: u64): void {
    if (msg.capCount == 0) return;
    const deliver = this.capDelivery;
    deliver(sender, receiver, msg, now);
  }

  /** Resets task's bucket to the default rate, full. */
  resetBucket(task: u32, now: u64): void {
    this.buckets[task].configure(this.defaultRate, this.defaultBurst, now);
  }

  /**
   * Steps 1 and 2 for an operation carrying msg (Send, Call, Reply): the
   * endpoint right, every transferred handle, then the sender's rate (not for
   * Reply). Ok, or the refusal (already audited).
   */
  admit(task: u32, endpoint: u32, op: IpcOp, msg: Message, now: u64): IpcResult {
    if (!this.checkCapability(task, endpoint, op)) {
      this.audit(now, AuditKind.Denied, task, endpoint, u32(op), IpcResult.Denied);
      return IpcResult.Denied;
    }
    for (let i: u32 = 0; i < msg.capCount; i++) {
      if (!this.checkTransfer(task, msg.caps[i])) {
        this.audit(now, AuditKind.CapExercised, task, endpoint, msg.caps[i], IpcResult.Denied);
        return IpcResult.Denied;
      }
    }
    if (op != IpcOp.Reply && !this.buckets[task].take(now)) {
      this.audit(now, AuditKind.Throttled, task, endpoint, u32(op), IpcResult.Throttled);
      return IpcResult.Throttled;
    }
    return IpcResult.Ok;
  }

  /** Step 1 for a receive. */
  admitReceive(task: u32, endpoint: u32, now: u64): IpcResult {
    if (this.checkCapability(task, endpoint, IpcOp.Receive)) return IpcResult.Ok;
    this.audit(now, AuditKind.Denied, task, endpoint, u32(IpcOp.Receive), IpcResult.Denied);
    return IpcResult.Denied;
  }

  /** Step 3: the endpoint's inspector on the stamped message, if it has one. */
  inspect(ep: Endpoint, queue: EndpointQueue, task: u32, endpoint: u32, op: IpcOp, msg: Message, now: u64): IpcResult {
    if ((ep.flags & EP_INSPECT) == 0) return IpcResult.Ok;
    const inspector = queue.inspector;
    if (inspector(msg)) return IpcResult.Ok;
    this.audit(now, AuditKind.Rejected, task, endpoint, u32(op), IpcResult.Rejected);
    return IpcResult.Rejected;
  }

  /** Records the capability handles a delivered message carried. */
  exercised(task: u32, endpoint: u32, msg: Message, now: u64): void {
    for (let i: u32 = 0; i < msg.capCount; i++) {
      this.audit(now, AuditKind.CapExercised, task, endpoint, msg.caps[i], IpcResult.Ok);
    }
  }

  audit(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): void {
    this.log.record(now, kind, subject, object, detail, result);
  }
}
