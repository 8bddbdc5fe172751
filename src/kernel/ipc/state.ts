/**
 * The IPC state: the task table, the endpoint pool, the interceptor and the wake
 * list, with the bookkeeping every operation shares (argument checks, receiver
 * FIFOs, waking). The operations themselves are in transfer.ts (send, call,
 * receive, reply) and lifecycle.ts (tasks and endpoints coming and going).
 *
 * The wake list is how the scheduler learns of tasks leaving a blocked state:
 * wake() sets the task Ready with its result and appends it (once) to a ring of
 * MAX_TASKS ids, which the scheduler drains with popWake(). Blocking is the other
 * half: an operation that returns IpcResult.Blocked has already moved the task to
 * Receiving/Calling/AwaitingReply, and the scheduler must stop running it.
 */
import { u32, u64, panic, array, structs } from "kts";
import { AuditKind } from "./audit";
import { Endpoint, EndpointQueue } from "./endpoint";
import { Interceptor } from "./interceptor";
import { Message } from "./message";
import { TaskIpc, TaskState } from "./task";
import { IpcResult, MAX_ENDPOINTS, MAX_TASKS, NO_ENDPOINT, NO_TASK } from "./types";

/** The queue-drained hook until one is set: nothing to post. */
export function queueDrainedNothing(endpoint: u32, now: u64): void {}

export class IpcState {
  // Small and hot first: the endpoints' hot table (8 KiB), the task table (4
  // KiB), the interceptor (its rate buckets first), and the big tables after. AArch64 reaches a field
  // whose offset in the structure is under 4 KiB (16 KiB for a word, 32 KiB for
  // a double word) with one instruction, past it with up to three (measured:
  // the task table after the interceptor's 70 KiB cost 36 instructions per IPC
  // round trip, the endpoints 106 KiB in about 30).
  wakeHead: u32 = 0;
  wakeCount: u32 = 0;
  /** Where endpointCreate starts looking for a free slot. */
  endpointHint: u32 = 0;
  /**
   * Called after a receive took a message out of endpoint's queue (a slot is
   * free again): where the kernel posts what a full queue refused (exit notices).
   */
  queueDrained: (endpoint: u32, now: u64) => void = queueDrainedNothing;
  endpoints: Endpoint[] = structs(MAX_ENDPOINTS, Endpoint);
  tasks: TaskIpc[] = structs(MAX_TASKS, TaskIpc);
  interceptor = new Interceptor();
  wakeRing: u32[] = array(MAX_TASKS, NO_TASK);
  /** Each task's inbox: where a message it receives lands (kept apart from the task table: 336 bytes each). */
  inboxes: Message[] = structs(MAX_TASKS, Message);
  /** Each endpoint's message slots and inspector (endpoint.ts: kept apart from the hot table). */
  queues: EndpointQueue[] = structs(MAX_ENDPOINTS, EndpointQueue);
  /** Where an outgoing message is built and inspected before it is delivered. */
  staging = new Message();

  /** Ok if task exists and is live; BadState if it is blocked; else BadTask. */
  checkRunnable(task: u32): IpcResult {
    if (task >= MAX_TASKS) return IpcResult.BadTask;
    const t = this.tasks[task];
    if (!t.isLive()) return IpcResult.BadTask;
    if (t.isBlocked()) return IpcResult.BadState;
    return IpcResult.Ok;
  }

  /** Ok if endpoint is in range and open; Closed if it is not open. */
  checkEndpoint(endpoint: u32): IpcResult {
    if (endpoint >= MAX_ENDPOINTS) return IpcResult.BadEndpoint;
    if (!this.endpoints[endpoint].isOpen()) return IpcResult.Closed;
    return IpcResult.Ok;
  }

  audit(now: u64, kind: AuditKind, subject: u32, object: u32, detail: u32, result: IpcResult): void {
    this.interceptor.audit(now, kind, subject, object, detail, result);
  }

  /** Ends a blocked task's operation with result and tells the scheduler. */
  wake(task: u32, result: IpcResult): void {
    const t = this.tasks[task];
    if (!t.isBlocked()) panic(`wake of task ${task}, which is not blocked`);
    this.release(task, result);
    if (t.onWakeList) return;
    if (this.wakeCount == MAX_TASKS) panic("wake list overflow");
    this.wakeRing[u32(u32(this.wakeHead + this.wakeCount) % MAX_TASKS)] = task;
    this.wakeCount = u32(this.wakeCount + 1);
    t.onWakeList = true;
  }

  /**
   * wake() without the wake list: the blocked task is Ready with result. The
   * fast path (fastpath.ts) switches to it directly instead of telling the
   * scheduler.
   */
  release(task: u32, result: IpcResult): void {
    const t = this.tasks[task];
    t.state = TaskState.Ready;
    t.result = result;
    t.endpoint = NO_ENDPOINT;
    t.server = NO_TASK;
    t.next = NO_TASK;
  }

  /** caller's call through endpoint is now held by server. */
  awaitReply(caller: u32, endpoint: u32, server: u32): void {
    const t = this.tasks[caller];
    t.state = TaskState.AwaitingReply;
    t.endpoint = endpoint;
    t.endpointGen = this.endpoints[endpoint].generation;
    t.server = server;
  }

  /**
   * task waits in endpoint's receiver FIFO (a receive that found nothing queued); audited.
   * @inline (the fast path's replyRecv ends with it)
   */
  receiveWaits(endpoint: u32, task: u32, now: u64): void {
    this.pushReceiver(endpoint, task);
    this.interceptor.log.recordPassed(now, AuditKind.Receive, task, endpoint, NO_TASK, IpcResult.Blocked);
  }

  /** The next woken task (its result is tasks[id].result), or NO_TASK. */
  popWake(): u32 {
    if (this.wakeCount == 0) return NO_TASK;
    const task: u32 = this.wakeRing[this.wakeHead];
    this.wakeHead = u32(u32(this.wakeHead + 1) % MAX_TASKS);
    this.wakeCount = u32(this.wakeCount - 1);
    this.tasks[task].onWakeList = false;
    return task;
  }

  /** Takes task off the wake list (it died before the scheduler saw it). */
  unwake(task: u32): void {
    if (!this.tasks[task].onWakeList) return;
    let kept: u32 = 0;
    for (let i: u32 = 0; i < this.wakeCount; i++) {
      const id: u32 = this.wakeRing[u32(u32(this.wakeHead + i) % MAX_TASKS)];
      if (id == task) continue;
      this.wakeRing[u32(u32(this.wakeHead + kept) % MAX_TASKS)] = id;
      kept = u32(kept + 1);
    }
    this.wakeCount = kept;
    this.tasks[task].onWakeList = false;
  }

  /** Appends task to endpoint's receiver FIFO and blocks it there. */
  pushReceiver(endpoint: u32, task: u32): void {
    const e = this.endpoints[endpoint];
    const t = this.tasks[task];
    t.state = TaskState.Receiving;
    t.endpoint = endpoint;
    t.endpointGen = e.generation;
    t.next = NO_TASK;
    if (e.recvTail == NO_TASK) e.recvHead = task;
    else this.tasks[e.recvTail].next = task;
    e.recvTail = task;
  }

  /** Unlinks and returns the longest-waiting receiver, or NO_TASK. */
  popReceiver(endpoint: u32): u32 {
    const e = this.endpoints[endpoint];
    const task: u32 = e.recvHead;
    if (task == NO_TASK) return NO_TASK;
    e.recvHead = this.tasks[task].next;
    if (e.recvHead == NO_TASK) e.recvTail = NO_TASK;
    this.tasks[task].next = NO_TASK;
    return task;
  }

  /** Unlinks task from endpoint's receiver FIFO (it is there). */
  removeReceiver(endpoint: u32, task: u32): void {
    const e = this.endpoints[endpoint];
    let prev: u32 = NO_TASK;
    let cur: u32 = e.recvHead;
    while (cur != NO_TASK && cur != task) {
      prev = cur;
      cur = this.tasks[cur].next;
    }
    if (cur == NO_TASK) panic(`task ${task} is not waiting on endpoint ${endpoint}`);
    const next: u32 = this.tasks[task].next;
    if (prev == NO_TASK) e.recvHead = next;
    else this.tasks[prev].next = next;
    if (e.recvTail == task) e.recvTail = prev;
    this.tasks[task].next = NO_TASK;
  }

  /** Every task free, every endpoint closed, wake list and audit log empty; hooks kept. */
  reset(): void {
    for (let i: u32 = 0; i < MAX_TASKS; i++) {
      const t = this.tasks[i];
      t.state = TaskState.Free;
      t.endpoint = NO_ENDPOINT;
      t.server = NO_TASK;
      t.next = NO_TASK;
      t.onWakeList = false;
      t.result = IpcResult.Ok;
      this.inboxes[i].clear();
    }
    for (let i: u32 = 0; i < MAX_ENDPOINTS; i++) {
      const e = this.endpoints[i];
      while (e.count != 0) this.queues[i].dropHead(e);
      e.recvHead = NO_TASK;
      e.recvTail = NO_TASK;
      if (e.isOpen()) e.release();
    }
    this.wakeHead = 0;
    this.wakeCount = 0;
    this.endpointHint = 0;
    this.interceptor.log.reset();
  }
}
