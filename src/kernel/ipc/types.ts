/**
 * IPC limits, result codes and the operations the interceptor sees. Every IPC
 * entry point returns an IpcResult (kernel-internal, and recorded in the audit
 * log, so members are only ever appended); syserror.ts maps them to the syscall
 * ABI's error codes.
 *
 * Task ids and endpoint indices are small integers handed in by the caller (the
 * syscall layer, after the capability subsystem has resolved a handle to an
 * endpoint index). The IPC core still range-checks them and reports BadTask /
 * BadEndpoint rather than trusting them.
 */
import { u32 } from "kts";

/** Task ids are the scheduler's task-table slots, 0 .. MAX_TASKS - 1. */
export { MAX_TASKS } from "../sched/task";
/** Endpoints live in a static pool of MAX_ENDPOINTS slots. */
export const MAX_ENDPOINTS = 256;
/** Each endpoint's asynchronous queue holds at most QUEUE_DEPTH messages. */
export const QUEUE_DEPTH = 16;
/**
 * One sending task's fair share of an endpoint's queue: at most SENDER_SHARE of
 * the queued messages (its queued call included) are its own, so a flooder
 * cannot keep a shared endpoint full for everyone else.
 */
export const SENDER_SHARE = 4;
/**
 * The last KERNEL_RESERVE slots are for kernel messages (interrupts, exit
 * notices): user senders together fill at most USER_QUEUE_LIMIT.
 */
export const KERNEL_RESERVE = 2;
export const USER_QUEUE_LIMIT = QUEUE_DEPTH - KERNEL_RESERVE;

/** "No task" in task-id slots (an empty wake list, no sender, no server). */
export const NO_TASK: u32 = 0xffff_ffff;
/** "No endpoint": what endpointCreate returns when the pool is exhausted. */
export const NO_ENDPOINT: u32 = 0xffff_ffff;

export enum IpcResult {
  /** 0: done. */
  Ok = 0,
  /** 1: the calling task is now blocked; the scheduler must block it. Its final
   * result (and message) arrive later through the wake list. */
  Blocked,
  /** 2: a non-blocking receive found the queue empty. */
  WouldBlock,
  /** 3: the endpoint's queue is full; the message was not queued (never dropped silently). */
  QueueFull,
  /** 4: the capability check refused the operation (or a transferred capability). */
  Denied,
  /** 5: the sender exceeded its rate limit; the message was not delivered. */
  Throttled,
  /** 6: the endpoint's content-inspection hook rejected the message. */
  Rejected,
  /** 7: the peer died: the server holding the reply token, or the endpoint's owner. */
  PeerDied,
  /** 8: the endpoint is (or was, while waiting) closed. */
  Closed,
  /** 9: the task id is out of range or not a live task. */
  BadTask,
  /** 10: the endpoint index is out of range. */
  BadEndpoint,
  /** 11: the message's length or capability count is out of range. */
  BadMessage,
  /** 12: the reply token is not outstanding for this replier (forged, or already used). */
  BadToken,
  /** 13: the task is blocked and cannot start another operation (a scheduler bug). */
  BadState,
  /** 14: the task is not the endpoint's owner. */
  NotOwner,
  /** 15: no free endpoint slot (endpointCreate; audited, it returns NO_ENDPOINT). */
  Exhausted,
}

/** The operation a capability check or an audit record is about. */
export enum IpcOp {
  Send = 0,
  Call = 1,
  Receive = 2,
  Reply = 3,
}
