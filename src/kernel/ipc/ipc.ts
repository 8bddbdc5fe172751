/**
 * Ipc: the one object the rest of the kernel talks to. It owns the IpcState and
 * forwards to the operations (transfer.ts, lifecycle.ts); everything here is a
 * thin, documented entry point. Time is always passed in (`now`, nanoseconds of a
 * monotonic clock): IPC never reads a clock, so it is pure and host-testable.
 *
 * Contract with the syscall layer and the scheduler:
 *  - task and endpoint arguments are ids the caller resolved (the endpoint index
 *    through the capability subsystem); they are range-checked anyway;
 *  - the message argument of send/call/reply is a kernel copy of the user's
 *    message; only its sender-controlled part is used (see message.ts);
 *  - a result of Blocked means: stop running the task. Blocked tasks come back
 *    through popWake(), with taskResult() and, for Ok, the message in inbox();
 *  - a received call carries its one-shot reply token in inbox().replyToken.
 */
import { u8, u32, u64, bool } from "kts";
import { AuditKind, AuditRecord } from "./audit";
import { EP_INSPECT } from "./endpoint";
import { endpointCloseOp, endpointCreateOp, taskCreateOp, taskDiedOp } from "./lifecycle";
import { Message } from "./message";
import { IpcState } from "./state";
import { TaskState } from "./task";
import { callOp, kernelPostOp, receiveOp, replyOp, sendOp } from "./transfer";
import { fastCallCommit, fastCallReceiver, fastReceiveWaits, fastReplyCaller, fastReplyCommit } from "./fastpath";
import { IpcResult, MAX_ENDPOINTS, MAX_TASKS, NO_TASK } from "./types";

export class Ipc {
  state = new IpcState();

  // ---- tasks and endpoints ----

  /** Registers task id `task` (Free or Dead) with its 32-byte principal. */
  taskCreate(task: u32, principal: u8[], now: u64): IpcResult {
    return taskCreateOp(this.state, task, principal, now);
  }

  /** The task is gone: every waiter on it is woken with PeerDied (lifecycle.ts). */
  taskDied(task: u32, now: u64): IpcResult {
    return taskDiedOp(this.state, task, now);
  }

  /** A new endpoint owned by owner, or NO_ENDPOINT. */
  endpointCreate(owner: u32, now: u64): u32 {
    return endpointCreateOp(this.state, owner, now);
  }

  /** The owner closes an endpoint; its waiters wake with Closed. */
  endpointClose(task: u32, endpoint: u32, now: u64): IpcResult {
    return endpointCloseOp(this.state, task, endpoint, now);
  }

  // ---- message transfer (transfer.ts) ----

  send(task: u32, endpoint: u32, msg: Message, now: u64): IpcResult {
    return sendOp(this.state, task, endpoint, msg, now);
  }

  call(task: u32, endpoint: u32, msg: Message, now: u64): IpcResult {
    return callOp(this.state, task, endpoint, msg, now);
  }

  receive(task: u32, endpoint: u32, blocking: bool, now: u64): IpcResult {
    return receiveOp(this.state, task, endpoint, blocking, now);
  }

  reply(server: u32, token: u64, msg: Message, now: u64): IpcResult {
    return replyOp(this.state, server, token, msg, now);
  }

  /** A message from the kernel (sender NO_TASK): an interrupt or a task's exit. */
  postFromKernel(endpoint: u32, msg: Message, now: u64): IpcResult {
    return kernelPostOp(this.state, endpoint, msg, now);
  }

  // ---- the fast path (fastpath.ts): a check without side effects, then its commit ----

  /** The waiting receiver a call would be handed to directly, or NO_TASK (take call()). */
  fastCallReceiver(task: u32, endpoint: u32, now: u64): u32 {
    return fastCallReceiver(this.state, task, endpoint, now);
  }

  /** Commits that call; its reply token. */
  fastCallCommit(task: u32, endpoint: u32, label: u32, now: u64): u64 {
    return fastCallCommit(this.state, task, endpoint, label, now);
  }

  /** The caller a reply with token would be handed to directly, or NO_TASK (take reply()). */
  fastReplyCaller(server: u32, token: u64): u32 {
    return fastReplyCaller(this.state, server, token);
  }

  /** Commits that reply; the endpoint the call came through. */
  fastReplyCommit(server: u32, caller: u32, now: u64): u32 {
    return fastReplyCommit(this.state, server, caller, now);
  }

  /** Whether a receive would block now (it then waits on the fast path too). */
  fastReceiveWaits(task: u32, endpoint: u32): bool {
    return fastReceiveWaits(this.state, task, endpoint);
  }

  /** Commits that receive: the task waits on the endpoint, audited as the ordinary blocking receive. */
  fastReceiveBlock(task: u32, endpoint: u32, now: u64): void {
    this.state.receiveWaits(endpoint, task, now);
  }

  // ---- the scheduler's view ----

  /** The next task to make runnable again, or NO_TASK. */
  popWake(): u32 {
    return this.state.popWake();
  }

  /** The task popWake() would return next, left on the list; NO_TASK if none. */
  peekWake(): u32 {
    return this.state.wakeCount == 0 ? NO_TASK : this.state.wakeRing[this.state.wakeHead];
  }

  /** Tasks on the wake list. */
  wakePending(): u32 {
    return this.state.wakeCount;
  }

  taskState(task: u32): TaskState {
    if (task >= MAX_TASKS) return TaskState.Free;
    return this.state.tasks[task].state;
  }

  /** The result of the task's last blocking operation (valid once it is woken). */
  taskResult(task: u32): IpcResult {
    if (task >= MAX_TASKS) return IpcResult.BadTask;
    return this.state.tasks[task].result;
  }

  /** The task's inbox: the last message received, or the reply to its call (task < MAX_TASKS). */
  inbox(task: u32): Message {
    return this.state.inboxes[task];
  }

  // ---- endpoints ----

  endpointOwner(endpoint: u32): u32 {
    if (endpoint >= MAX_ENDPOINTS || !this.state.endpoints[endpoint].isOpen()) return NO_TASK;
    return this.state.endpoints[endpoint].owner;
  }

  /** Endpoints open now (of MAX_ENDPOINTS): memInfo's endpointsUsed. */
  endpointsOpen(): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < MAX_ENDPOINTS; i++) if (this.state.endpoints[i].isOpen()) n = u32(n + 1);
    return n;
  }

  /** Bumped each time the slot is closed: (index, generation) names one endpoint. */
  endpointGeneration(endpoint: u32): u32 {
    if (endpoint >= MAX_ENDPOINTS) return 0;
    return this.state.endpoints[endpoint].generation;
  }

  /** Messages queued on the endpoint (calls not yet received included). */
  endpointQueued(endpoint: u32): u32 {
    if (endpoint >= MAX_ENDPOINTS) return 0;
    return this.state.endpoints[endpoint].count;
  }

  /** Tasks blocked in receive on the endpoint. */
  endpointReceivers(endpoint: u32): u32 {
    if (endpoint >= MAX_ENDPOINTS) return 0;
    let n: u32 = 0;
    let t: u32 = this.state.endpoints[endpoint].recvHead;
    while (t != NO_TASK) {
      n = u32(n + 1);
      t = this.state.tasks[t].next;
    }
    return n;
  }

  /** Tasks blocked in a call made through the endpoint: queued (Calling) or taken (AwaitingReply). */
  endpointCallers(endpoint: u32): u32 {
    if (endpoint >= MAX_ENDPOINTS) return 0;
    let n: u32 = 0;
    for (let i: u32 = 0; i < MAX_TASKS; i++) {
      const t = this.state.tasks[i];
      const calling: bool = t.state == TaskState.Calling || t.state == TaskState.AwaitingReply;
      if (calling && t.endpoint == endpoint) n = u32(n + 1);
    }
    return n;
  }

  // ---- interceptor configuration ----

  /**
   * Installs the capability hook: may task perform op (an IpcOp) on endpoint?
   * `repliesByToken`: the hook answers yes to every reply (its one-shot token is
   * its authority), so it is not called for them.
   */
  setCapabilityCheck(check: (task: u32, endpoint: u32, op: u32) => bool, repliesByToken: bool): void {
    this.state.interceptor.capabilityCheck = check;
    this.state.interceptor.repliesByToken = repliesByToken;
  }

  /** Installs the transfer hook: may task pass capability handle `handle`? */
  setTransferCheck(check: (task: u32, handle: u32) => bool): void {
    this.state.interceptor.transferCheck = check;
  }

  /** Installs the delivery hook: move msg's capabilities from sender to receiver, rewriting msg.caps. */
  setCapDelivery(deliver: (sender: u32, receiver: u32, msg: Message, now: u64) => void): void {
    this.state.interceptor.capDelivery = deliver;
  }

  /** Flags the endpoint for content inspection by `inspector` (false rejects a message). */
  setInspector(endpoint: u32, inspector: (msg: Message) => bool): IpcResult {
    const r: IpcResult = this.state.checkEndpoint(endpoint);
    if (r != IpcResult.Ok) return r;
    const e = this.state.endpoints[endpoint];
    this.state.queues[endpoint].inspector = inspector;
    e.flags = u32(e.flags | EP_INSPECT);
    return IpcResult.Ok;
  }

  clearInspector(endpoint: u32): IpcResult {
    const r: IpcResult = this.state.checkEndpoint(endpoint);
    if (r != IpcResult.Ok) return r;
    const e = this.state.endpoints[endpoint];
    e.flags = u32(e.flags & u32(~EP_INSPECT));
    return IpcResult.Ok;
  }

  /**
   * Installs the queue-drained hook: hook(endpoint, now) runs after each receive
   * that took a message out of endpoint's queue, under the same lock, so that the
   * kernel can post what the full queue refused (exit-watch.ts). Whatever it posts
   * is queued (nobody is waiting there), so it wakes nobody.
   */
  setQueueDrained(hook: (endpoint: u32, now: u64) => void): void {
    this.state.queueDrained = hook;
  }

  /** Sets one task's rate limit (RATE_UNLIMITED for none) and refills its bucket. */
  setRateLimit(task: u32, perSecond: u32, burst: u32, now: u64): IpcResult {
    if (task >= MAX_TASKS) return IpcResult.BadTask;
    this.state.interceptor.buckets[task].configure(perSecond, burst, now);
    return IpcResult.Ok;
  }

  /** The rate limit tasks get from taskCreate on. */
  setDefaultRateLimit(perSecond: u32, burst: u32): void {
    this.state.interceptor.defaultRate = perSecond;
    this.state.interceptor.defaultBurst = burst;
  }

  /** Messages of task refused by its rate limit since it was configured. */
  throttledCount(task: u32): u64 {
    if (task >= MAX_TASKS) return 0n;
    return this.state.interceptor.buckets[task].throttled;
  }

  // ---- audit (audit.ts) ----

  /** Records an event for another subsystem (ModuleRefused, CapExercised, ...). */
  audit(kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult, now: u64): void {
    this.state.audit(now, kind, subject, object, detail, result);
  }

  auditCount(): u32 {
    return this.state.interceptor.log.count();
  }

  /** The i-th held record, 0 = the oldest (i < auditCount()). */
  auditAt(i: u32): AuditRecord {
    return this.state.interceptor.log.at(i);
  }

  /** Cursor read: see AuditLog.read. */
  auditRead(cursor: u64, out: AuditRecord): u64 {
    return this.state.interceptor.log.read(cursor, out);
  }

  auditDropped(): u64 {
    return this.state.interceptor.log.dropped();
  }

  /** Events of one kind ever audited (coalesced repeats and overwritten records included). */
  auditKindTotal(kind: AuditKind): u64 {
    return this.state.interceptor.log.kindTotal(kind);
  }

  auditFirstSeq(): u64 {
    return this.state.interceptor.log.firstSeq();
  }

  auditNextSeq(): u64 {
    return this.state.interceptor.log.nextSeq();
  }

  /** Back to the initial state (no tasks, no endpoints, empty logs); hooks and default rate kept. */
  reset(): void {
    this.state.reset();
  }
}
