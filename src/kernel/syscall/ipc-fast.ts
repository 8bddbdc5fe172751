/**
 * The IPC fast path (issue #14), the L4 way: a call to a server waiting in
 * receive, and a server's replyRecv answering a caller and then waiting, go
 * straight from one task to the other. The message is copied once, from the
 * sender's buffer to the receiver's (no kernel copy, no inbox), its kernel
 * fields stamped as words, and the CPU switches directly to the receiver
 * (Scheduler.handoff) with no trip through the run queues.
 *
 * Every check of the ordinary path is made: the capability (right, kind,
 * expiry: capEndpointPeek), the rate limit, content inspection (an inspected
 * endpoint is never fast), the one-shot reply token, and the same audit record
 * (ipc/fastpath.ts). Each function first checks, with no side effect, that its
 * case applies: a handle without a use count, no capabilities carried, both
 * buffers whole in one page each and writable, the partner a user task, nothing
 * kept. Otherwise it returns NOT_FAST and the ordinary path (ipc-calls.ts) does
 * everything. `ipc=slow` turns it off.
 *
 * Under the scheduler lock. FAST_BLOCKED: the task blocked and has been resumed;
 * its result is what ipc-calls.ts's resumed() says.
 */
import { u32, u64, usize, bool } from "kts";
import { monotonicNanos } from "arch";
import { capEndpointPeek, CAP_NO_OBJECT, RIGHT_SEND, RIGHT_RECEIVE } from "../cap/index";
import { ipc, NO_TASK, FLAG_CALL, FLAG_REPLY } from "../ipc/index";
import { BlockReason } from "../sched/index";
import { resources } from "../task/table";
import { replyTokens, kept, delivered, waitBuffer, blockAndRun, ipcFastPathOn } from "./ipc-waits";
import { messageInPage, messageDirectOk, messageLabel, messageDirect } from "./message-copy";
import { probeMark, PART_COPY, PART_INTERCEPT } from "./probe";

export const NOT_FAST: u64 = 0xffff_ffff_ffff_fff0n;
export const FAST_BLOCKED: u64 = 0xffff_ffff_ffff_fff1n;

/** Whether task may take the fast path at all now. */
function eligible(task: u32, handle: u64): bool {
  return ipcFastPathOn() && handle <= 0xffff_ffffn && !kept[task] && !resources[task].killPending;
}

/** The receiver's buffer a message from task may go straight to, or 0. */
function partnerBuffer(partner: u32): usize {
  if (partner == NO_TASK || !resources[partner].user || kept[partner]) return 0n;
  return messageInPage(resources[partner].space, waitBuffer[partner], true);
}

/** call(handle, va): straight to the receiver waiting on the endpoint. */
export function fastCall(task: u32, handle: u64, va: usize): u64 {
  if (!eligible(task, handle)) return NOT_FAST;
  const now: u64 = monotonicNanos();
  const ep: u64 = capEndpointPeek(task, u32(handle), RIGHT_SEND, now);
  if (ep == CAP_NO_OBJECT) return NOT_FAST;
  // The reply lands in the same buffer: writable.
  const from: usize = messageInPage(resources[task].space, va, true);
  if (from == 0n || !messageDirectOk(from)) return NOT_FAST;
  const receiver: u32 = ipc.fastCallReceiver(task, u32(ep), now);
  const to: usize = partnerBuffer(receiver);
  if (to == 0n) return NOT_FAST;
  const token: u64 = ipc.fastCallCommit(task, u32(ep), messageLabel(from), now);
  messageDirect(from, to, task, ipc.state.tasks[task].principalWords, u32(ep), token, FLAG_CALL);
  replyTokens[receiver] = token;
  delivered[receiver] = true;
  probeMark(PART_COPY);
  waitBuffer[task] = va;
  blockAndRun(task, receiver, BlockReason.Call);
  return FAST_BLOCKED;
}

/** replyRecv(handle, va): the reply straight to its caller, then this task waits on the endpoint. */
export function fastReplyRecv(task: u32, handle: u64, va: usize): u64 {
  const token: u64 = replyTokens[task];
  if (token == 0n || !eligible(task, handle)) return NOT_FAST;
  const now: u64 = monotonicNanos();
  const ep: u64 = capEndpointPeek(task, u32(handle), RIGHT_RECEIVE, now);
  if (ep == CAP_NO_OBJECT || !ipc.fastReceiveWaits(task, u32(ep))) return NOT_FAST;
  // The next message lands in the same buffer: writable.
  const from: usize = messageInPage(resources[task].space, va, true);
  if (from == 0n || !messageDirectOk(from)) return NOT_FAST;
  const caller: u32 = ipc.fastReplyCaller(task, token);
  const to: usize = partnerBuffer(caller);
  if (to == 0n) return NOT_FAST;
  replyTokens[task] = 0n;
  const called: u32 = ipc.fastReplyCommit(task, caller, now);
  messageDirect(from, to, task, ipc.state.tasks[task].principalWords, called, 0n, FLAG_REPLY);
  delivered[caller] = true;
  probeMark(PART_COPY);
  ipc.fastReceiveBlock(task, u32(ep), now);
  probeMark(PART_INTERCEPT);
  waitBuffer[task] = va;
  blockAndRun(task, caller, BlockReason.Receive);
  return FAST_BLOCKED;
}
