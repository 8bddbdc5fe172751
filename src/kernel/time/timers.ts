/**
 * Timers as IPC: each task may arm one timer. At its deadline the kernel posts
 * a message (label TIMER_LABEL, word 0 = the deadline) to an endpoint the task
 * serves (it holds send and receive on it), so that a service that waits in receive for its clients also
 * waits for time (retransmissions, leases, re-syncs). The boot CPU's tick fires
 * timers, so one fires at most a tick (10 ms) late. A full queue leaves the
 * timer armed for a later tick; a capability gone since arming disarms it;
 * a task's end disarms its timer. One slot per task: a fair share by design.
 */
import { u32, u64, bool, array } from "kts";
import { MAX_TASKS } from "../sched/index";
import { ipc, IpcResult, Message, NO_ENDPOINT } from "../ipc/index";
import { capNodeAlive } from "../cap/index";

export const TIMER_LABEL: u32 = 0x5449_4d45; // "TIME"

/** Monotonic ns at which each task's timer fires; 0 = not armed. */
const deadline: u64[] = array(MAX_TASKS, 0n);
const endpoint: u32[] = array(MAX_TASKS, NO_ENDPOINT);
/** The endpoint capability the timer was armed through (its pool node and generation). */
const node: u32[] = array(MAX_TASKS, 0);
const nodeGen: u32[] = array(MAX_TASKS, 0);
const note = new Message();

/** Under the lock: task's timer posts to ep at `at` (replacing an armed one). */
export function timerArm(task: u32, ep: u32, capNode: u32, capGen: u32, at: u64): void {
  endpoint[task] = ep;
  node[task] = capNode;
  nodeGen[task] = capGen;
  deadline[task] = at == 0n ? 1n : at;
}

/** Under the lock: task's timer will not fire. */
export function timerDisarm(task: u32): void {
  deadline[task] = 0n;
  endpoint[task] = NO_ENDPOINT;
}

/** Under the lock, from the boot CPU's tick: posts every due timer; true if any message went out. */
export function fireTimers(now: u64): bool {
  let posted: bool = false;
  for (let t: u32 = 0; t < MAX_TASKS; t++) {
    if (deadline[t] == 0n || deadline[t] > now) continue;
    if (!capNodeAlive(node[t], nodeGen[t])) {
      timerDisarm(t);
      continue;
    }
    note.clear();
    note.label = TIMER_LABEL;
    note.len = 8;
    note.payload[0] = deadline[t];
    const r: IpcResult = ipc.postFromKernel(endpoint[t], note, now);
    // A full queue: tried again at the next tick.
    if (r == IpcResult.QueueFull) continue;
    timerDisarm(t);
    if (r == IpcResult.Ok) posted = true;
  }
  return posted;
}
