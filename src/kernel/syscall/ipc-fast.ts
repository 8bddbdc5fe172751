/**
 * The IPC fast path (issue #14), the L4 way: a call to a server waiting in
 * receive, and a server's replyRecv answering a caller and then waiting, go
 * straight from one task to the other. The message is copied once, from the
 * sender (its registers, or its buffer) to the receiver (its message registers,
 * or its buffer: message-registers.ts), with no kernel copy and no inbox, its
 * kernel fields stamped as words, and the CPU switches directly to the receiver
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
import { u32, u64, usize, bool, unlikely } from "kts";
import { monotonicNanos } from "arch";
import { capEndpointPeek, CAP_NO_OBJECT, RIGHT_SEND, RIGHT_RECEIVE } from "../cap/index";
import { ipc, NO_TASK, FLAG_CALL, FLAG_REPLY } from "../ipc/index";
import { BlockReason } from "../sched/index";
import { resources } from "../task/table";
import { waits, waitFor, blockAndRun, ipcFastPathOn, DELIVERED_IN_MEMORY, DELIVERED_IN_REGISTERS } from "./ipc-waits";
import { messageInPage, messageDirectOk, messageLabel, messageDirect } from "./message-copy";
import { sendsInRegisters, receivesInRegisters, tagValid, tagLabel, shortAt, stampIntoRegisters, registersIntoMemory } from "./message-registers";
import { probeStart, probeMark, PART_CAP, PART_COPY, PART_INTERCEPT } from "./probe";
import { setStamp } from "./stamp";

export const NOT_FAST: u64 = 0xffff_ffff_ffff_fff0n;
export const FAST_BLOCKED: u64 = 0xffff_ffff_ffff_fff1n;

/** Whether task may take the fast path at all now. */
function eligible(task: u32, handle: u64): bool {
  return ipcFastPathOn() && handle <= 0xffff_ffffn && !waits[task].kept && !resources[task].killPending;
}

/**
 * The sender's message, checked for the fast path: its own buffer's kernel
 * address (writable: what it receives next lands there), or 0 if the case is
 * not the fast one. A REGS_SEND tag must be well formed; a message in the buffer
 * must carry no capabilities (messageDirectOk).
 */
function senderBuffer(task: u32, va: usize, tag: u64): usize {
  if (sendsInRegisters(tag) && !tagValid(tag)) return 0n;
  const own: usize = messageInPage(resources[task].space, va, true);
  if (own == 0n || (!sendsInRegisters(tag) && !messageDirectOk(own))) return 0n;
  return own;
}

/**
 * Where the message goes: 1 into the partner's registers, else its buffer's kernel address; 0 if not the fast case.
 * @inline (once per direction)
 */
function partnerTarget(partner: u32, own: usize, tag: u64): usize {
  if (partner == NO_TASK || !resources[partner].user) return 0n;
  const w = waits[partner];
  if (w.kept) return 0n;
  if (w.registers && (sendsInRegisters(tag) || shortAt(own))) return 1n;
  return messageInPage(resources[partner].space, w.buffer, true);
}

/**
 * Copies the sender's message to its partner (target from partnerTarget),
 * stamped with the kernel's fields; records how it was handed over.
 * @inline (once per direction: the fields stay in registers)
 */
function handOver(frame: usize, tag: u64, own: usize, partner: u32, target: usize, sender: u32, endpoint: u32, token: u64, kernelFlags: u32): void {
  const inRegs: bool = sendsInRegisters(tag);
  const w = waits[partner];
  if (target == 1n) {
    stampIntoRegisters(frame, tag, inRegs ? 0n : own, w.frame, sender, endpoint, token, kernelFlags);
    w.delivered = DELIVERED_IN_REGISTERS;
  } else {
    // The copies to memory are out of line: they read the fields from the shared record.
    setStamp(sender, endpoint, token, kernelFlags);
    if (inRegs) registersIntoMemory(frame, tag, target);
    else messageDirect(own, target);
    w.delivered = DELIVERED_IN_MEMORY;
  }
}

/** call(handle, va, tag): straight to the receiver waiting on the endpoint. */
export function fastCall(task: u32, frame: usize, tag: u64, handle: u64, va: usize): u64 {
  if (unlikely(!eligible(task, handle))) return NOT_FAST;
  const now: u64 = monotonicNanos();
  const ep: u64 = capEndpointPeek(task, u32(handle), RIGHT_SEND, now);
  if (unlikely(ep == CAP_NO_OBJECT)) return NOT_FAST;
  probeMark(PART_CAP);
  const own: usize = senderBuffer(task, va, tag);
  if (unlikely(own == 0n)) return NOT_FAST;
  const receiver: u32 = ipc.fastCallReceiver(task, u32(ep), now);
  const target: usize = partnerTarget(receiver, own, tag);
  if (unlikely(target == 0n)) return NOT_FAST;
  const label: u32 = sendsInRegisters(tag) ? tagLabel(tag) : messageLabel(own);
  const token: u64 = ipc.fastCallCommit(task, u32(ep), label, now);
  probeMark(PART_INTERCEPT);
  handOver(frame, tag, own, receiver, target, task, u32(ep), token, FLAG_CALL);
  waits[receiver].replyToken = token;
  probeMark(PART_COPY);
  waitFor(task, va, frame, receivesInRegisters(tag));
  blockAndRun(task, receiver, BlockReason.Call);
  return FAST_BLOCKED;
}

/** replyRecv(handle, va, tag): the reply straight to its caller, then this task waits on the endpoint. */
export function fastReplyRecv(task: u32, frame: usize, tag: u64, handle: u64, va: usize): u64 {
  probeStart();
  const token: u64 = waits[task].replyToken;
  if (unlikely(token == 0n || !eligible(task, handle))) return NOT_FAST;
  const now: u64 = monotonicNanos();
  const ep: u64 = capEndpointPeek(task, u32(handle), RIGHT_RECEIVE, now);
  if (unlikely(ep == CAP_NO_OBJECT)) return NOT_FAST;
  probeMark(PART_CAP);
  if (unlikely(!ipc.fastReceiveWaits(task, u32(ep)))) return NOT_FAST;
  const own: usize = senderBuffer(task, va, tag);
  if (unlikely(own == 0n)) return NOT_FAST;
  const caller: u32 = ipc.fastReplyCaller(task, token);
  const target: usize = partnerTarget(caller, own, tag);
  if (unlikely(target == 0n)) return NOT_FAST;
  waits[task].replyToken = 0n;
  const called: u32 = ipc.fastReplyCommit(task, caller, now);
  probeMark(PART_INTERCEPT);
  handOver(frame, tag, own, caller, target, task, called, 0n, FLAG_REPLY);
  probeMark(PART_COPY);
  ipc.fastReceiveBlock(task, u32(ep), now);
  probeMark(PART_INTERCEPT);
  waitFor(task, va, frame, receivesInRegisters(tag));
  blockAndRun(task, caller, BlockReason.Receive);
  return FAST_BLOCKED;
}
