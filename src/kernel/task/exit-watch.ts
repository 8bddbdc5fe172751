/**
 * Exit notifications: the holder of the system capability (init) names one
 * endpoint, and every task that ends is announced there by a kernel message
 * (label EXIT_LABEL; words: task, exit code, service index, 1 if it faulted or
 * was killed, 1 if the manifest says to restart it). That is how init learns a
 * service died and whether to restart it.
 *
 * No exit is lost to a full queue: a notice the watcher's queue refuses (it is
 * full even of the slots kept for kernel messages) waits in a ring of
 * PENDING_EXITS and is posted, oldest first, as soon as a receive takes a
 * message out of that queue (the IPC queue-drained hook), or at the next exit
 * or exitWatch. Only an exit beyond PENDING_EXITS waiting ones is
 * dropped, and logged; so are notices for a watcher endpoint that has closed.
 * Runs under the scheduler lock (inside endTask, receive, sysExitWatch).
 */
import { u32, u64, bool, array, log, LOG_WARN } from "kts";
import { monotonicNanos } from "arch";
import { ipc, IpcResult, Message, MAX_TASKS, NO_ENDPOINT } from "../ipc/index";
import { resources } from "./table";
import { serviceRestarts } from "./services";

export const EXIT_LABEL: u32 = 0x4558_4954;
/** Payload words of a notice. */
const NOTICE_WORDS = 5;
/** Exits waiting for room at most (as many as there are tasks: each can end once before init hears). */
const PENDING_EXITS = MAX_TASKS;

let watcher: u32 = NO_ENDPOINT;
/** The watcher endpoint's generation when it was named: a slot closed and reused is not it. */
let watcherGen: u32 = 0;
const note = new Message();
/** The notices not yet posted, NOTICE_WORDS each, a ring from pendingHead. */
const pending: u64[] = array(PENDING_EXITS * NOTICE_WORDS, 0n);
let pendingHead: u32 = 0;
let pendingCount: u32 = 0;

export function setExitWatch(endpoint: u32): void {
  watcher = endpoint;
  watcherGen = ipc.endpointGeneration(endpoint);
  ipc.setQueueDrained(watcherDrained);
  // Exits still waiting go to the new watcher.
  postPending(monotonicNanos());
}

export function notifyExit(t: u32, code: u64, abnormal: bool): void {
  if (watcher == NO_ENDPOINT) return;
  if (pendingCount == PENDING_EXITS) {
    log(LOG_WARN, `exit of task ${pending[u32(pendingHead * NOTICE_WORDS)]} not announced: ${PENDING_EXITS} exits wait for endpoint ${watcher}`);
    dropOldest();
  }
  const at: u32 = u32(u32(u32(pendingHead + pendingCount) % PENDING_EXITS) * NOTICE_WORDS);
  pending[at] = u64(t);
  pending[u32(at + 1)] = code;
  pending[u32(at + 2)] = u64(resources[t].service);
  pending[u32(at + 3)] = abnormal ? 1n : 0n;
  pending[u32(at + 4)] = serviceRestarts(resources[t].service) ? 1n : 0n;
  pendingCount = u32(pendingCount + 1);
  postPending(monotonicNanos());
}

/** The IPC queue-drained hook: a slot of endpoint's queue is free again. */
function watcherDrained(endpoint: u32, now: u64): void {
  if (endpoint == watcher && pendingCount != 0) postPending(now);
}

/** Posts the waiting notices in order until the watcher's queue is full again. */
function postPending(now: u64): void {
  while (pendingCount != 0 && watcher != NO_ENDPOINT) {
    const at: u32 = u32(pendingHead * NOTICE_WORDS);
    let r: IpcResult = IpcResult.Closed;
    if (ipc.endpointGeneration(watcher) == watcherGen) {
      note.clear();
      note.label = EXIT_LABEL;
      note.len = u32(NOTICE_WORDS * 8);
      for (let i: u32 = 0; i < NOTICE_WORDS; i++) note.payload[i] = pending[u32(at + i)];
      r = ipc.postFromKernel(watcher, note, now);
    }
    // Kept: posted when the watcher takes a message.
    if (r == IpcResult.QueueFull) return;
    if (r != IpcResult.Ok) log(LOG_WARN, `exit of task ${pending[at]} not announced: endpoint ${watcher} result ${u32(r)}`);
    dropOldest();
  }
}

function dropOldest(): void {
  pendingHead = u32(u32(pendingHead + 1) % PENDING_EXITS);
  pendingCount = u32(pendingCount - 1);
}
