// The shadow model's data for ipc-stress.ts: a deliberately simple, independent
// record of what the IPC state should be. Queues and receiver FIFOs are plain
// arrays with index 0 the oldest (shifted on removal); expected wakes are kept per
// task; reply tokens are recorded as they are seen in inboxes.
import { u32, u64, bool, array, check } from "kts";
import { IpcResult, TaskState, MAX_ENDPOINTS, QUEUE_DEPTH, NO_TASK, NO_ENDPOINT } from "../../src/kernel/ipc/index";

export const NT = 8;
export const NTOK = 64;

export const sState: TaskState[] = array(NT, TaskState.Free);
export const sEp: u32[] = array(NT, NO_ENDPOINT);
export const sServer: u32[] = array(NT, NO_TASK);

export const sOpen: bool[] = array(MAX_ENDPOINTS, false);
export const sOwner: u32[] = array(MAX_ENDPOINTS, NO_TASK);
export const sQCount: u32[] = array(MAX_ENDPOINTS, 0);
export const sQLabel: u32[] = array(MAX_ENDPOINTS * QUEUE_DEPTH, 0);
export const sQSender: u32[] = array(MAX_ENDPOINTS * QUEUE_DEPTH, 0);
export const sQCall: bool[] = array(MAX_ENDPOINTS * QUEUE_DEPTH, false);
export const sWCount: u32[] = array(MAX_ENDPOINTS, 0);
export const sWaiters: u32[] = array(MAX_ENDPOINTS * NT, 0);

export const tokVal: u64[] = array(NTOK, 0n);
export const tokCaller: u32[] = array(NTOK, 0);
export const tokServer: u32[] = array(NTOK, 0);
export const tokUsed: bool[] = array(NTOK, true);
let tokNext: u32 = 0;

/** Expected wakes, per task. */
export class Wakes {
  pending: bool[] = array(NT, false);
  result: IpcResult[] = array(NT, IpcResult.Ok);
  label: u32[] = array(NT, 0);
  sender: u32[] = array(NT, 0);
}

export const W = new Wakes();

export function resetShadow(): void {
  for (let t: u32 = 0; t < NT; t++) {
    sState[t] = TaskState.Free;
    sEp[t] = NO_ENDPOINT;
    sServer[t] = NO_TASK;
    W.pending[t] = false;
  }
  for (let e: u32 = 0; e < MAX_ENDPOINTS; e++) {
    sOpen[e] = false;
    sQCount[e] = 0;
    sWCount[e] = 0;
  }
  for (let k: u32 = 0; k < NTOK; k++) {
    tokVal[k] = 0n;
    tokUsed[k] = true;
  }
  tokNext = 0;
}

/** Task t must be woken by this operation with result (and, for Ok, label from sender); it is Ready again. */
export function expectWake(t: u32, result: IpcResult, label: u32, sender: u32): void {
  check(!W.pending[t], `shadow: task ${t} woken twice`);
  W.pending[t] = true;
  W.result[t] = result;
  W.label[t] = label;
  W.sender[t] = sender;
  sState[t] = TaskState.Ready;
  sEp[t] = NO_ENDPOINT;
  sServer[t] = NO_TASK;
}

/** Removes the i-th queued message of ep. */
export function shiftQueue(ep: u32, i: u32): void {
  const base: u32 = u32(ep * QUEUE_DEPTH);
  for (let k: u32 = i; k < u32(sQCount[ep] - 1); k++) {
    sQLabel[u32(base + k)] = sQLabel[u32(base + k + 1)];
    sQSender[u32(base + k)] = sQSender[u32(base + k + 1)];
    sQCall[u32(base + k)] = sQCall[u32(base + k + 1)];
  }
  sQCount[ep] = u32(sQCount[ep] - 1);
}

/** Takes the longest-waiting receiver of ep. */
export function shiftWaiter(ep: u32): u32 {
  const base: u32 = u32(ep * NT);
  const t: u32 = sWaiters[base];
  for (let k: u32 = 0; k < u32(sWCount[ep] - 1); k++) sWaiters[u32(base + k)] = sWaiters[u32(base + k + 1)];
  sWCount[ep] = u32(sWCount[ep] - 1);
  return t;
}

export function removeWaiter(ep: u32, t: u32): void {
  const base: u32 = u32(ep * NT);
  let j: u32 = 0;
  for (let k: u32 = 0; k < sWCount[ep]; k++) {
    const w: u32 = sWaiters[u32(base + k)];
    if (w == t) continue;
    sWaiters[u32(base + j)] = w;
    j = u32(j + 1);
  }
  check(j == u32(sWCount[ep] - 1), "shadow: waiter not found");
  sWCount[ep] = j;
}

/** Records a token seen in server's inbox, answering caller. */
export function tokenRegister(val: u64, caller: u32, server: u32): void {
  for (let n: u32 = 0; n < NTOK; n++) {
    const k: u32 = u32(u32(tokNext + n) % NTOK);
    if (tokVal[k] != 0n && !tokUsed[k]) continue;
    tokVal[k] = val;
    tokCaller[k] = caller;
    tokServer[k] = server;
    tokUsed[k] = false;
    tokNext = u32(u32(k + 1) % NTOK);
    return;
  }
  check(false, "shadow: too many outstanding tokens");
}

/** Voids the outstanding tokens of task t as caller (re-created) or as server (died). */
export function tokenVoid(t: u32, asCaller: bool): void {
  for (let k: u32 = 0; k < NTOK; k++) {
    if (asCaller ? tokCaller[k] == t : tokServer[k] == t) tokUsed[k] = true;
  }
}
