/**
 * Message transfer: send, call, receive and reply, each through the interceptor.
 *
 * The path of a message (send or call):
 *   validate (task runnable, endpoint open, message well formed)
 *   -> admit: capability check, transferred handles, rate limit
 *   -> build in the staging message: the sender's body plus the kernel stamp
 *      (sender id, principal, endpoint, reply token, kernel flags)
 *   -> inspect (EP_INSPECT endpoints)
 *   -> deliver: straight into the inbox of the longest-waiting receiver (which is
 *      woken), else into the endpoint's queue if the sender has room there (its
 *      share, not the kernel's reserve: Endpoint.roomFor), else QueueFull;
 *      carried capabilities move (capDelivery hook) when a message reaches an inbox
 *   -> audit.
 * A call additionally blocks the caller: Calling while its message is queued,
 * AwaitingReply once a receiver has it. The receiver finds the reply token in
 * inbox.replyToken; reply() consumes it, so a second reply is BadToken.
 *
 * Once a token validates, the reply ends the call whatever happens: the caller
 * wakes with Ok and the reply in its inbox, or with the reason the reply was
 * refused (Denied, Rejected, BadMessage). A call is never left hanging.
 */
import { u8, u32, u64, bool, array } from "kts";
import { AuditKind } from "./audit";
import { FLAG_CALL, FLAG_REPLY, Message } from "./message";
import { IpcState } from "./state";
import { TaskState } from "./task";
import { IpcOp, IpcResult, MAX_TASKS, NO_ENDPOINT, NO_TASK } from "./types";

/** Where a message is built: task's inbox, or (NO_TASK) the staging message. */
function buildIn(s: IpcState, task: u32): Message {
  if (task != NO_TASK) return s.inboxes[task];
  return s.staging;
}

/** Asynchronous send: Ok (delivered or queued), or why not. Never blocks. */
export function sendOp(s: IpcState, task: u32, endpoint: u32, msg: Message, now: u64): IpcResult {
  return post(s, task, endpoint, msg, IpcOp.Send, now);
}

/**
 * Synchronous call: Blocked on success (the caller must be blocked until it
 * appears on the wake list; its result is then Ok with the reply in its inbox, or
 * PeerDied / Closed / Denied / Rejected / BadMessage). Any other result means
 * nothing was sent and the caller keeps running.
 */
export function callOp(s: IpcState, task: u32, endpoint: u32, msg: Message, now: u64): IpcResult {
  return post(s, task, endpoint, msg, IpcOp.Call, now);
}

function post(s: IpcState, task: u32, endpoint: u32, msg: Message, op: IpcOp, now: u64): IpcResult {
  const kind: AuditKind = op == IpcOp.Call ? AuditKind.Call : AuditKind.Send;
  let r: IpcResult = s.checkRunnable(task);
  if (r == IpcResult.Ok) r = s.checkEndpoint(endpoint);
  if (r == IpcResult.Ok && !msg.wellFormed()) r = IpcResult.BadMessage;
  if (r != IpcResult.Ok) {
    s.audit(now, kind, task, endpoint, msg.label, r);
    return r;
  }
  r = s.interceptor.admit(task, endpoint, op, msg, now);
  if (r != IpcResult.Ok) return r;
  const e = s.endpoints[endpoint];
  const t = s.tasks[task];
  let token: u64 = 0n;
  let kernelFlags: u32 = 0;
  if (op == IpcOp.Call) {
    t.bumpToken();
    token = t.token(task);
    kernelFlags = FLAG_CALL;
  }
  // With a receiver waiting, the message is built straight in its inbox (one copy
  // fewer): a waiting receiver's inbox holds nothing it has not had (a task with
  // a kept message never waits), and a rejected message there is never delivered.
  // Not when it carries capabilities: the audit names the sender's handles, which delivery rewrites.
  const waiting: u32 = msg.capCount == 0 ? e.recvHead : NO_TASK;
  const m = buildIn(s, waiting);
  m.build(msg, task, t.principalWords, endpoint, token, kernelFlags);
  r = s.interceptor.inspect(e, s.queues[endpoint], task, endpoint, op, m, now);
  if (r != IpcResult.Ok) return r;
  const receiver: u32 = s.popReceiver(endpoint);
  if (receiver != NO_TASK) {
    const inbox = s.inboxes[receiver];
    if (waiting == NO_TASK) inbox.copyFrom(m);
    s.interceptor.deliverCapabilities(task, receiver, inbox, now);
    s.wake(receiver, IpcResult.Ok);
    if (op == IpcOp.Call) s.awaitReply(task, endpoint, receiver);
  } else if (!s.queues[endpoint].roomFor(e, task)) {
    // Full, or full for this sender (its share taken, or only the kernel's reserve left).
    s.audit(now, kind, task, endpoint, msg.label, IpcResult.QueueFull);
    return IpcResult.QueueFull;
  } else {
    s.queues[endpoint].tailSlot(e).copyFrom(m);
    e.commitTail();
    if (op == IpcOp.Call) {
      t.state = TaskState.Calling;
      t.endpoint = endpoint;
      t.endpointGen = e.generation;
    }
  }
  if (m.capCount != 0) s.interceptor.exercised(task, endpoint, m, now);
  r = op == IpcOp.Call ? IpcResult.Blocked : IpcResult.Ok;
  s.audit(now, kind, task, endpoint, msg.label, r);
  return r;
}

/** The principal kernel messages carry: all zero, which no program image hashes to. */
const KERNEL_PRINCIPAL: u64[] = array(4, 0n);

/**
 * A message from the kernel itself (an interrupt, a task's exit), sender
 * NO_TASK: delivered to a waiting receiver or queued like a send. The kernel
 * checked the recipient's right to it when the binding was made, so there is
 * no capability check or rate limit; carried capabilities are not allowed.
 */
export function kernelPostOp(s: IpcState, endpoint: u32, msg: Message, now: u64): IpcResult {
  let r: IpcResult = s.checkEndpoint(endpoint);
  if (r == IpcResult.Ok && (!msg.wellFormed() || msg.capCount != 0)) r = IpcResult.BadMessage;
  if (r == IpcResult.Ok && s.endpoints[endpoint].recvHead == NO_TASK && s.endpoints[endpoint].full()) r = IpcResult.QueueFull;
  if (r != IpcResult.Ok) {
    s.audit(now, AuditKind.Send, NO_TASK, endpoint, msg.label, r);
    return r;
  }
  const e = s.endpoints[endpoint];
  const m = s.staging;
  m.build(msg, NO_TASK, KERNEL_PRINCIPAL, endpoint, 0n, 0);
  const receiver: u32 = s.popReceiver(endpoint);
  if (receiver != NO_TASK) {
    s.inboxes[receiver].copyFrom(m);
    s.wake(receiver, IpcResult.Ok);
  } else {
    s.queues[endpoint].tailSlot(e).copyFrom(m);
    e.commitTail();
  }
  s.audit(now, AuditKind.Send, NO_TASK, endpoint, msg.label, IpcResult.Ok);
  return IpcResult.Ok;
}

/**
 * Receive on endpoint into the task's inbox: Ok (a message was queued), Blocked
 * (blocking and nothing queued: the task waits, and is woken with the message),
 * WouldBlock (not blocking, nothing queued), or a refusal. Taking a queued
 * message runs the queue-drained hook (IpcState.queueDrained).
 */
export function receiveOp(s: IpcState, task: u32, endpoint: u32, blocking: bool, now: u64): IpcResult {
  let r: IpcResult = s.checkRunnable(task);
  if (r == IpcResult.Ok) r = s.checkEndpoint(endpoint);
  if (r != IpcResult.Ok) {
    s.audit(now, AuditKind.Receive, task, endpoint, NO_TASK, r);
    return r;
  }
  r = s.interceptor.admitReceive(task, endpoint, now);
  if (r != IpcResult.Ok) return r;
  const e = s.endpoints[endpoint];
  if (e.count != 0) {
    const inbox = s.inboxes[task];
    s.queues[endpoint].popHead(e, inbox);
    s.interceptor.deliverCapabilities(inbox.sender, task, inbox, now);
    if ((inbox.flags & FLAG_CALL) != 0) s.awaitReply(inbox.sender, endpoint, task);
    s.audit(now, AuditKind.Receive, task, endpoint, inbox.sender, IpcResult.Ok);
    // Nobody waits on a queue that held a message, so whatever the hook posts is only queued.
    const drained = s.queueDrained;
    drained(endpoint, now);
    return IpcResult.Ok;
  }
  if (!blocking) {
    s.audit(now, AuditKind.Receive, task, endpoint, NO_TASK, IpcResult.WouldBlock);
    return IpcResult.WouldBlock;
  }
  s.receiveWaits(endpoint, task, now);
  return IpcResult.Blocked;
}

/**
 * Reply with msg to the call that `token` answers. BadToken if the token is not
 * outstanding for `server` (forged, someone else's, or already used: the caller
 * is not affected); PeerDied if the caller died meanwhile (the token is used up);
 * otherwise the call ends (see the header) and the result says how.
 */
export function replyOp(s: IpcState, server: u32, token: u64, msg: Message, now: u64): IpcResult {
  let r: IpcResult = s.checkRunnable(server);
  if (r != IpcResult.Ok) {
    s.audit(now, AuditKind.Reply, server, NO_ENDPOINT, NO_TASK, r);
    return r;
  }
  const caller: u32 = u32(token & 0xffff_ffffn);
  const gen: u32 = u32(token >> 32n);
  if (caller >= MAX_TASKS || !tokenOutstanding(s, caller, gen, server)) {
    s.audit(now, AuditKind.Reply, server, NO_ENDPOINT, caller, IpcResult.BadToken);
    return IpcResult.BadToken;
  }
  const t = s.tasks[caller];
  const endpoint: u32 = t.endpoint;
  t.bumpToken();
  if (t.state == TaskState.Dead) {
    s.audit(now, AuditKind.Reply, server, endpoint, caller, IpcResult.PeerDied);
    return IpcResult.PeerDied;
  }
  r = msg.wellFormed() ? IpcResult.Ok : IpcResult.BadMessage;
  if (r == IpcResult.Ok) r = s.interceptor.admit(server, endpoint, IpcOp.Reply, msg, now);
  // Built straight in the caller's inbox (it waits for this and has nothing kept there), unless it carries capabilities (see post).
  const direct: bool = msg.capCount == 0;
  const m = buildIn(s, direct ? caller : NO_TASK);
  if (r == IpcResult.Ok) {
    m.build(msg, server, s.tasks[server].principalWords, endpoint, 0n, FLAG_REPLY);
    const e = s.endpoints[endpoint];
    if (e.isOpen() && e.generation == t.endpointGen) r = s.interceptor.inspect(e, s.queues[endpoint], server, endpoint, IpcOp.Reply, m, now);
  }
  if (r != IpcResult.Ok) {
    if (r == IpcResult.BadMessage) s.audit(now, AuditKind.Reply, server, endpoint, caller, r);
    s.wake(caller, r);
    return r;
  }
  if (!direct) s.inboxes[caller].copyFrom(m);
  s.interceptor.deliverCapabilities(server, caller, s.inboxes[caller], now);
  s.wake(caller, IpcResult.Ok);
  if (m.capCount != 0) s.interceptor.exercised(server, endpoint, m, now);
  s.audit(now, AuditKind.Reply, server, endpoint, caller, IpcResult.Ok);
  return IpcResult.Ok;
}

/** Is (caller, gen) a token server may use now? Dead callers still match, to report PeerDied. */
function tokenOutstanding(s: IpcState, caller: u32, gen: u32, server: u32): bool {
  const t = s.tasks[caller];
  if (gen == 0 || t.tokenGen != gen || t.server != server) return false;
  return t.state == TaskState.AwaitingReply || t.state == TaskState.Dead;
}
