/**
 * The IPC fast path's part in the core (issue #14): the state changes of a call
 * handed straight to a receiver that is waiting, and of a reply handed straight
 * to its caller, for the syscall layer's direct switch (syscall/ipc-fast.ts).
 * The message itself goes from the sender's buffer to the receiver's without
 * passing through an inbox, so it is not seen here.
 *
 * Each operation comes in two halves: a check with no side effect that says
 * whether the fast case applies (otherwise the caller takes the ordinary path,
 * transfer.ts, which then makes every decision itself), and a commit that makes
 * exactly the changes the ordinary path would make in that case: the same task
 * and endpoint states, the same token generations, the same rate-limit credit
 * taken, the same audit record. The woken task is not put on the wake list: the
 * caller switches to it at once (Scheduler.handoff).
 *
 * The fast cases: a call without capabilities, by a runnable task within its
 * rate, to an open endpoint without content inspection where a receiver waits;
 * a reply without capabilities by the server that holds the caller's current
 * token, to a live caller whose endpoint is still the one it called and is not
 * inspected. A call's capability check (the endpoint right) is the syscall
 * layer's lookup of the handle; a reply's is the interceptor's hook, as admit()
 * asks it.
 */
import { u32, u64, bool } from "kts";
import { AuditKind } from "./audit";
import { EP_INSPECT } from "./endpoint";
import { IpcState } from "./state";
import { TaskState } from "./task";
import { IpcOp, IpcResult, MAX_ENDPOINTS, MAX_TASKS, NO_TASK } from "./types";

/** The receiver a call by task through endpoint would be handed to on the fast path, or NO_TASK (no side effects). */
export function fastCallReceiver(s: IpcState, task: u32, endpoint: u32, now: u64): u32 {
  if (task >= MAX_TASKS || endpoint >= MAX_ENDPOINTS) return NO_TASK;
  if (s.tasks[task].state != TaskState.Ready) return NO_TASK;
  const e = s.endpoints[endpoint];
  if (!e.isOpen() || (e.flags & EP_INSPECT) != 0) return NO_TASK;
  if (!s.interceptor.buckets[task].wouldTake(now)) return NO_TASK;
  return e.recvHead;
}

/**
 * Commits the call fastCallReceiver allowed: the receiver (the head of the
 * endpoint's FIFO) leaves it, Ready with Ok; the caller awaits its reply;
 * audited as the ordinary call. Returns the call's reply token.
 */
export function fastCallCommit(s: IpcState, task: u32, endpoint: u32, label: u32, now: u64): u64 {
  // fastCallReceiver found the credit (wouldTake) under this same lock hold.
  s.interceptor.buckets[task].spend();
  const receiver: u32 = s.popReceiver(endpoint);
  const t = s.tasks[task];
  t.bumpToken();
  s.awaitReply(task, endpoint, receiver);
  s.release(receiver, IpcResult.Ok);
  s.interceptor.log.recordPassed(now, AuditKind.Call, task, endpoint, label, IpcResult.Blocked);
  return t.token(task);
}

/** The caller a reply by server with token would be handed to on the fast path, or NO_TASK (no side effects). */
export function fastReplyCaller(s: IpcState, server: u32, token: u64): u32 {
  const caller: u32 = u32(token & 0xffff_ffffn);
  if (server >= MAX_TASKS || caller >= MAX_TASKS || s.tasks[server].state != TaskState.Ready) return NO_TASK;
  const t = s.tasks[caller];
  if (t.state != TaskState.AwaitingReply || t.server != server || t.tokenGen != u32(token >> 32n) || t.tokenGen == 0) return NO_TASK;
  if (t.endpoint >= MAX_ENDPOINTS) return NO_TASK;
  const e = s.endpoints[t.endpoint];
  if (!e.isOpen() || e.generation != t.endpointGen || (e.flags & EP_INSPECT) != 0) return NO_TASK;
  // As admit() asks for a reply (the kernel's hook allows every reply: its token is the authority).
  if (!s.interceptor.checkCapability(server, t.endpoint, IpcOp.Reply)) return NO_TASK;
  return caller;
}

/** Commits the reply fastReplyCaller allowed: the token is used up, the caller Ready with Ok; audited. Returns the endpoint the call came through. */
export function fastReplyCommit(s: IpcState, server: u32, caller: u32, now: u64): u32 {
  const t = s.tasks[caller];
  const endpoint: u32 = t.endpoint;
  t.bumpToken();
  s.release(caller, IpcResult.Ok);
  s.interceptor.log.recordPassed(now, AuditKind.Reply, server, endpoint, caller, IpcResult.Ok);
  return endpoint;
}

/** Whether a receive by task on endpoint would block now (open, nothing queued, task runnable): replyRecv's second half on the fast path. No side effects. */
export function fastReceiveWaits(s: IpcState, task: u32, endpoint: u32): bool {
  if (task >= MAX_TASKS || endpoint >= MAX_ENDPOINTS) return false;
  const e = s.endpoints[endpoint];
  return e.isOpen() && e.count == 0 && s.tasks[task].state == TaskState.Ready;
}
