/**
 * Structural invariants of the IPC state, for tests and debug builds. Returns 0
 * when everything holds, else the number of the first invariant broken:
 *   1  a free endpoint has queued messages or waiting receivers
 *   2  an open endpoint's owner is not a live task
 *   3  a receiver FIFO member is not Receiving on that endpoint, or the FIFO is cyclic
 *   4  a Receiving task is missing from its endpoint's FIFO
 *   5  an endpoint has both queued messages and waiting receivers
 *   6  a queued message's sender is neither live nor the kernel (NO_TASK, never a
 *      call), or its endpoint stamp is wrong
 *   7  a queued call's sender is not Calling on that endpoint
 *   8  a Calling task does not have exactly one queued call
 *   9  an AwaitingReply task's server is not live
 *  10  the wake list disagrees with the tasks' onWakeList flags, or holds a dead task
 *  11  an endpoint holds more than USER_QUEUE_LIMIT user messages, or more than
 *      SENDER_SHARE from one task
 */
import { u32 } from "kts";
import { FLAG_CALL } from "./message";
import { IpcState } from "./state";
import { TaskState } from "./task";
import { MAX_ENDPOINTS, MAX_TASKS, NO_TASK, SENDER_SHARE, USER_QUEUE_LIMIT } from "./types";

export function ipcInvariantBroken(s: IpcState): u32 {
  let receiving: u32 = 0;
  let listed: u32 = 0;
  for (let i: u32 = 0; i < MAX_ENDPOINTS; i++) {
    const e = s.endpoints[i];
    const q = s.queues[i];
    if (!e.isOpen()) {
      if (e.count != 0 || e.recvHead != NO_TASK) return 1;
      continue;
    }
    if (e.owner >= MAX_TASKS || !s.tasks[e.owner].isLive()) return 2;
    let t: u32 = e.recvHead;
    let steps: u32 = 0;
    while (t != NO_TASK) {
      const task = s.tasks[t];
      if (task.state != TaskState.Receiving || task.endpoint != i || steps == MAX_TASKS) return 3;
      steps = u32(steps + 1);
      t = task.next;
    }
    listed = u32(listed + steps);
    if (steps != 0 && e.count != 0) return 5;
    let user: u32 = 0;
    for (let k: u32 = 0; k < e.count; k++) {
      const m = q.at(e, k);
      if (m.endpoint != i) return 6;
      if (m.sender == NO_TASK) {
        if ((m.flags & FLAG_CALL) != 0) return 6;
        continue;
      }
      if (m.sender >= MAX_TASKS || !s.tasks[m.sender].isLive()) return 6;
      if ((m.flags & FLAG_CALL) != 0) {
        const c = s.tasks[m.sender];
        if (c.state != TaskState.Calling || c.endpoint != i) return 7;
      }
      user = u32(user + 1);
      if (queuedFrom(s, i, m.sender) > SENDER_SHARE) return 11;
    }
    if (user > USER_QUEUE_LIMIT) return 11;
  }
  let onList: u32 = 0;
  for (let i: u32 = 0; i < MAX_TASKS; i++) {
    const t = s.tasks[i];
    if (t.onWakeList) {
      onList = u32(onList + 1);
      if (!t.isLive()) return 10;
    }
    if (t.state == TaskState.Receiving) receiving = u32(receiving + 1);
    if (t.state == TaskState.Calling && queuedCalls(s, i) != 1) return 8;
    if (t.state == TaskState.AwaitingReply && (t.server >= MAX_TASKS || !s.tasks[t.server].isLive())) return 9;
  }
  if (receiving != listed) return 4;
  if (onList != s.wakeCount) return 10;
  return 0;
}

/** Messages from task queued on endpoint ep. */
function queuedFrom(s: IpcState, ep: u32, task: u32): u32 {
  const e = s.endpoints[ep];
  const q = s.queues[ep];
  let n: u32 = 0;
  for (let k: u32 = 0; k < e.count; k++) if (q.at(e, k).sender == task) n = u32(n + 1);
  return n;
}

/** Queued call messages from task on the endpoint it is Calling on. */
function queuedCalls(s: IpcState, task: u32): u32 {
  const ep: u32 = s.tasks[task].endpoint;
  if (ep >= MAX_ENDPOINTS) return 0;
  const e = s.endpoints[ep];
  const q = s.queues[ep];
  let n: u32 = 0;
  for (let k: u32 = 0; k < e.count; k++) {
    const m = q.at(e, k);
    if (m.sender == task && (m.flags & FLAG_CALL) != 0) n = u32(n + 1);
  }
  return n;
}
