/**
 * Tasks and endpoints coming and going, and the rule that nobody is left hanging:
 *
 * taskDiedOp(task) — from any state:
 *   - if it was waiting in receive, it leaves that endpoint's receiver FIFO;
 *   - every endpoint it owned is closed: queued messages are dropped, and callers
 *     whose calls were queued there and receivers waiting there wake with PeerDied;
 *   - every message it sent that is still queued anywhere is dropped (it may have
 *     been a call; nobody can reply to it now);
 *   - every caller whose reply token it held wakes with PeerDied, and every token
 *     it held is void (a task later created in its slot inherits none);
 *   - it leaves the wake list; it becomes Dead until taskCreateOp reuses the slot.
 *     A server replying later to a call it made gets PeerDied (once).
 * endpointCloseOp (by the owner) does the same to one endpoint, with Closed.
 * Callers whose calls were already taken by a live server keep waiting for it:
 * the reply goes to them directly, not through the endpoint.
 */
import { u8, u32, u64, bool } from "kts";
import { AuditKind } from "./audit";
import { FLAG_CALL, PRINCIPAL_BYTES, packPrincipal } from "./message";
import { IpcState } from "./state";
import { TaskState } from "./task";
import { IpcResult, MAX_ENDPOINTS, MAX_TASKS, NO_ENDPOINT, NO_TASK } from "./types";

/** Makes task id `task` a live, Ready task with `principal` (32 bytes) and the default rate. */
export function taskCreateOp(s: IpcState, task: u32, principal: u8[], now: u64): IpcResult {
  if (task >= MAX_TASKS) return IpcResult.BadTask;
  if (principal.length != PRINCIPAL_BYTES) return IpcResult.BadMessage;
  const t = s.tasks[task];
  if (t.isLive()) return IpcResult.BadState;
  t.state = TaskState.Ready;
  t.endpoint = NO_ENDPOINT;
  t.server = NO_TASK;
  t.next = NO_TASK;
  t.result = IpcResult.Ok;
  t.bumpToken();
  packPrincipal(principal, t.principalWords);
  s.inboxes[task].clear();
  s.interceptor.resetBucket(task, now);
  return IpcResult.Ok;
}

/** A new endpoint owned by `owner`, or NO_ENDPOINT (owner not live, or pool exhausted). */
export function endpointCreateOp(s: IpcState, owner: u32, now: u64): u32 {
  if (owner >= MAX_TASKS || !s.tasks[owner].isLive()) return NO_ENDPOINT;
  for (let n: u32 = 0; n < MAX_ENDPOINTS; n++) {
    const i: u32 = u32(u32(s.endpointHint + n) % MAX_ENDPOINTS);
    const e = s.endpoints[i];
    if (e.isOpen()) continue;
    e.open(owner);
    s.queues[i].open();
    s.endpointHint = u32(u32(i + 1) % MAX_ENDPOINTS);
    s.audit(now, AuditKind.EndpointCreate, owner, i, owner, IpcResult.Ok);
    return i;
  }
  s.audit(now, AuditKind.EndpointCreate, owner, NO_ENDPOINT, owner, IpcResult.Exhausted);
  return NO_ENDPOINT;
}

/** The owner closes endpoint: its waiters wake with Closed, its queue is dropped. */
export function endpointCloseOp(s: IpcState, task: u32, endpoint: u32, now: u64): IpcResult {
  let r: IpcResult = s.checkRunnable(task);
  if (r == IpcResult.Ok) r = s.checkEndpoint(endpoint);
  if (r == IpcResult.Ok && s.endpoints[endpoint].owner != task) r = IpcResult.NotOwner;
  if (r != IpcResult.Ok) {
    s.audit(now, AuditKind.EndpointClose, task, endpoint, task, r);
    return r;
  }
  closeEndpoint(s, task, endpoint, IpcResult.Closed, now);
  return IpcResult.Ok;
}

/** Closes an open endpoint, waking its blocked callers and receivers with `why`; returns how many. */
function closeEndpoint(s: IpcState, actor: u32, endpoint: u32, why: IpcResult, now: u64): u32 {
  const e = s.endpoints[endpoint];
  const q = s.queues[endpoint];
  const owner: u32 = e.owner;
  let woken: u32 = 0;
  while (e.count != 0) {
    const m = q.at(e, 0);
    if ((m.flags & FLAG_CALL) != 0 && s.tasks[m.sender].state == TaskState.Calling) {
      s.wake(m.sender, why);
      woken = u32(woken + 1);
    }
    q.dropHead(e);
  }
  for (;;) {
    const r: u32 = s.popReceiver(endpoint);
    if (r == NO_TASK) break;
    s.wake(r, why);
    woken = u32(woken + 1);
  }
  e.release();
  s.audit(now, AuditKind.EndpointClose, actor, endpoint, owner, why);
  return woken;
}

/** Task `task` is gone: see the header. BadTask if it was not live. */
export function taskDiedOp(s: IpcState, task: u32, now: u64): IpcResult {
  if (task >= MAX_TASKS || !s.tasks[task].isLive()) return IpcResult.BadTask;
  const t = s.tasks[task];
  if (t.state == TaskState.Receiving) s.removeReceiver(t.endpoint, task);
  s.unwake(task);
  // Dead now, so wake() and the purges below never touch it as a waiter.
  const wasAwaiting: bool = t.state == TaskState.AwaitingReply;
  t.state = TaskState.Dead;
  t.next = NO_TASK;
  if (!wasAwaiting) {
    t.server = NO_TASK;
    t.endpoint = NO_ENDPOINT;
  }
  let woken: u32 = 0;
  for (let i: u32 = 0; i < MAX_ENDPOINTS; i++) {
    const e = s.endpoints[i];
    if (!e.isOpen()) continue;
    if (e.owner == task) {
      woken = u32(woken + closeEndpoint(s, task, i, IpcResult.PeerDied, now));
      continue;
    }
    const q = s.queues[i];
    for (let k: u32 = e.count; k > 0; k--) {
      if (q.at(e, u32(k - 1)).sender == task) q.removeAt(e, u32(k - 1));
    }
  }
  for (let i: u32 = 0; i < MAX_TASKS; i++) {
    const c = s.tasks[i];
    if (c.server != task || i == task) continue;
    // Tokens it held die with it, even those of callers already dead (whose
    // PeerDied reply it can no longer give): a new task in its slot gets none.
    c.bumpToken();
    if (c.state == TaskState.AwaitingReply) {
      s.wake(i, IpcResult.PeerDied);
      woken = u32(woken + 1);
    } else {
      c.server = NO_TASK;
    }
  }
  s.audit(now, AuditKind.TaskDied, task, NO_ENDPOINT, woken, IpcResult.Ok);
  return IpcResult.Ok;
}
