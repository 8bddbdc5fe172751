// Seeded random stress of the IPC core against a shadow model: 8 tasks, a
// handful of endpoints (one inspected), random rights and transferable handles;
// sends (and bursts of them, against each sender's share of a queue), calls,
// kernel posts, receives, replies (valid, replayed, forged, by the wrong task),
// deaths, re-creations, endpoint creation and closing. The shadow predicts every
// result, every woken task with its result, and every delivered label; the IPC
// state's invariants and the shadow's queue and state views are compared too.
import { u8, u32, u64, bool, array, print, check } from "kts";
import {
  ipc,
  IpcResult,
  IpcOp,
  TaskState,
  Message,
  FLAG_CALL,
  NO_TASK,
  NO_ENDPOINT,
  MAX_ENDPOINTS,
  QUEUE_DEPTH,
  SENDER_SHARE,
  USER_QUEUE_LIMIT,
  POLICY_ALL,
  policySet,
  policyRights,
  policySetTransfer,
  tablePolicyTransfer,
  ipcInvariantBroken,
} from "../../src/kernel/ipc/index";
import { fresh, tasks, msg, now, advance, principalOf, pbuf } from "./ipc-world";
import {
  W,
  NT,
  NTOK,
  sState,
  sEp,
  sServer,
  sOpen,
  sOwner,
  sQCount,
  sQLabel,
  sQSender,
  sQCall,
  sWCount,
  sWaiters,
  tokVal,
  tokCaller,
  tokServer,
  tokUsed,
  expectWake,
  shiftQueue,
  shiftWaiter,
  removeWaiter,
  tokenRegister,
  tokenVoid,
  resetShadow,
} from "./ipc-shadow";

const E_MAX = 10;
const openList: u32[] = array(E_MAX, 0);
let openCount: u32 = 0;
let lastClosed: u32 = 200;
let inspected: u32 = 0;
let seed: u32 = 1;
let nextLabel: u32 = 1;
const tally: u32[] = array(16, 0);
let wakes: u32 = 0;
let peerDied: u32 = 0;

function count(r: IpcResult): void {
  const i: u32 = u32(r);
  if (i < 16) tally[i] = u32(tally[i] + 1);
}

function rand(): u32 {
  seed = u32(seed ^ u32(seed << 13));
  seed = u32(seed ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

function below(n: u32): u32 {
  return u32(rand() % n);
}

function live(t: u32): bool {
  return sState[t] != TaskState.Free && sState[t] != TaskState.Dead;
}

function blocked(t: u32): bool {
  return sState[t] == TaskState.Receiving || sState[t] == TaskState.Calling || sState[t] == TaskState.AwaitingReply;
}

function rightOf(t: u32, ep: u32, op: IpcOp): bool {
  return (u32(policyRights(t, ep)) & u32(1 << u32(op))) != 0;
}

/** Random rights for every task on ep: mostly everything. */
function grant(ep: u32): void {
  for (let t: u32 = 0; t < NT; t++) policySet(t, ep, below(8) == 0 ? u8(below(16)) : POLICY_ALL);
}

/** Fills the scratch message; returns it. Occasionally malformed or carrying a handle. */
function randomMessage(): Message {
  const m = msg(nextLabel, below(40), nextLabel);
  nextLabel = u32(nextLabel + 1);
  if (below(40) == 0) m.len = 300;
  if (below(10) == 0) {
    m.capCount = 1;
    m.caps[0] = below(4);
  }
  return m;
}

/** The result the interceptor gives a well-addressed message (before delivery). */
function admitted(t: u32, ep: u32, op: IpcOp, m: Message): IpcResult {
  if (m.len > 256) return IpcResult.BadMessage;
  if (!rightOf(t, ep, op)) return IpcResult.Denied;
  if (m.capCount == 1 && !tablePolicyTransfer(t, m.caps[0])) return IpcResult.Denied;
  if (ep == inspected && m.label % 7 == 0) return IpcResult.Rejected;
  return IpcResult.Ok;
}

function expectPost(t: u32, ep: u32, op: IpcOp, m: Message): IpcResult {
  if (!live(t)) return IpcResult.BadTask;
  if (blocked(t)) return IpcResult.BadState;
  if (!sOpen[ep]) return IpcResult.Closed;
  const a: IpcResult = admitted(t, ep, op, m);
  if (a != IpcResult.Ok) return a;
  const call: bool = op == IpcOp.Call;
  if (sWCount[ep] != 0) {
    const w: u32 = shiftWaiter(ep);
    expectWake(w, IpcResult.Ok, m.label, t);
    if (call) awaiting(t, ep, w);
    return call ? IpcResult.Blocked : IpcResult.Ok;
  }
  if (!roomFor(ep, t)) return IpcResult.QueueFull;
  enqueue(ep, m.label, t, call);
  if (call) {
    sState[t] = TaskState.Calling;
    sEp[t] = ep;
  }
  return call ? IpcResult.Blocked : IpcResult.Ok;
}

/** The queue rule, from the shadow queue: not full; for a task, its share and the users' part. */
function roomFor(ep: u32, t: u32): bool {
  if (sQCount[ep] == QUEUE_DEPTH) return false;
  if (t == NO_TASK) return true;
  let own: u32 = 0;
  let user: u32 = 0;
  for (let i: u32 = 0; i < sQCount[ep]; i++) {
    const from: u32 = sQSender[u32(ep * QUEUE_DEPTH + i)];
    if (from != NO_TASK) user = u32(user + 1);
    if (from == t) own = u32(own + 1);
  }
  return own < SENDER_SHARE && user < USER_QUEUE_LIMIT;
}

function enqueue(ep: u32, label: u32, sender: u32, call: bool): void {
  const k: u32 = u32(ep * QUEUE_DEPTH + sQCount[ep]);
  sQLabel[k] = label;
  sQSender[k] = sender;
  sQCall[k] = call;
  sQCount[ep] = u32(sQCount[ep] + 1);
}

/** The kernel posts to ep (an interrupt, an exit notice): no rights, no rate, no capabilities. */
function doKernelPost(ep: u32): void {
  const m = randomMessage();
  let want: IpcResult = IpcResult.Ok;
  if (!sOpen[ep]) want = IpcResult.Closed;
  else if (m.len > 256 || m.capCount != 0) want = IpcResult.BadMessage;
  else if (sWCount[ep] != 0) expectWake(shiftWaiter(ep), IpcResult.Ok, m.label, NO_TASK);
  else if (!roomFor(ep, NO_TASK)) want = IpcResult.QueueFull;
  else enqueue(ep, m.label, NO_TASK, false);
  const got: IpcResult = ipc.postFromKernel(ep, m, now());
  count(got);
  check(got == want, `kernel post ep ${ep}: got ${u32(got)} want ${u32(want)}`);
}

function awaiting(caller: u32, ep: u32, server: u32): void {
  sState[caller] = TaskState.AwaitingReply;
  sEp[caller] = ep;
  sServer[caller] = server;
}

/**
 * The fast path (ipc/fastpath.ts) in place of the ordinary operation, half the
 * time its check allows it: the same states, tokens and audit, and the woken
 * task is the one the shadow expects, but it is switched to directly (not on
 * the wake list) and its message is the syscall layer's to copy.
 */
function fastWoken(t: u32, label: u32, sender: u32): void {
  check(t < NT && W.pending[t] && W.result[t] == IpcResult.Ok && W.label[t] == label && W.sender[t] == sender, `fast path: task ${t} released, not the one the shadow expects`);
  check(ipc.taskState(t) == TaskState.Ready, `fast path: task ${t} not Ready`);
  W.pending[t] = false;
  wakes = u32(wakes + 1);
}

function doPost(t: u32, ep: u32, op: IpcOp): void {
  const m = randomMessage();
  // The syscall layer's part of the fast path's check: the right, no capabilities, a well-formed message.
  const mayFast: bool = op == IpcOp.Call && m.capCount == 0 && m.wellFormed() && rightOf(t, ep, IpcOp.Call) && live(t) && ep < MAX_ENDPOINTS;
  const receiver: u32 = mayFast ? ipc.fastCallReceiver(t, ep, now()) : NO_TASK;
  const waiter: u32 = ep < MAX_ENDPOINTS && sWCount[ep] != 0 ? sWaiters[u32(ep * NT)] : NO_TASK;
  const want: IpcResult = expectPost(t, ep, op, m);
  if (receiver != NO_TASK) check(want == IpcResult.Blocked && receiver == waiter, `fast call by ${t} on ${ep}: allowed, but the ordinary path gives ${u32(want)}`);
  if (receiver != NO_TASK && below(2) == 0) {
    const token: u64 = ipc.fastCallCommit(t, ep, m.label, now());
    fastWoken(receiver, m.label, t);
    tokenRegister(token, t, receiver);
    count(IpcResult.Blocked);
    fastOps = u32(fastOps + 1);
    return;
  }
  const got: IpcResult = op == IpcOp.Call ? ipc.call(t, ep, m, now()) : ipc.send(t, ep, m, now());
  count(got);
  check(got == want, `post op ${u32(op)} task ${t} ep ${ep}: got ${u32(got)} want ${u32(want)}`);
}

function doReceive(t: u32, ep: u32, blocking: bool): void {
  let want: IpcResult = IpcResult.Ok;
  let label: u32 = 0;
  let sender: u32 = NO_TASK;
  if (!live(t)) want = IpcResult.BadTask;
  else if (blocked(t)) want = IpcResult.BadState;
  else if (!sOpen[ep]) want = IpcResult.Closed;
  else if (!rightOf(t, ep, IpcOp.Receive)) want = IpcResult.Denied;
  else if (sQCount[ep] != 0) {
    const k: u32 = u32(ep * QUEUE_DEPTH);
    label = sQLabel[k];
    sender = sQSender[k];
    if (sQCall[k]) awaiting(sender, ep, t);
    shiftQueue(ep, 0);
  } else if (!blocking) want = IpcResult.WouldBlock;
  else {
    want = IpcResult.Blocked;
    sWaiters[u32(ep * NT + sWCount[ep])] = t;
    sWCount[ep] = u32(sWCount[ep] + 1);
    sState[t] = TaskState.Receiving;
    sEp[t] = ep;
  }
  if (blocking && want == IpcResult.Blocked && ipc.fastReceiveWaits(t, ep) && below(2) == 0) {
    ipc.fastReceiveBlock(t, ep, now());
    count(IpcResult.Blocked);
    fastOps = u32(fastOps + 1);
    return;
  }
  if (blocking && want != IpcResult.Blocked && rightOf(t, ep, IpcOp.Receive)) check(!ipc.fastReceiveWaits(t, ep), `fast receive by ${t} on ${ep}: allowed, but the ordinary path gives ${u32(want)}`);
  const got: IpcResult = ipc.receive(t, ep, blocking, now());
  count(got);
  check(got == want, `receive task ${t} ep ${ep}: got ${u32(got)} want ${u32(want)}`);
  if (got == IpcResult.Ok && want == IpcResult.Ok) delivered(t, label, sender);
}

/** Checks task t's inbox holds label from sender; registers a call's token. */
function delivered(t: u32, label: u32, sender: u32): void {
  const m = ipc.inbox(t);
  if (sender == NO_TASK) for (let i: u32 = 0; i < 32; i++) pbuf[i] = 0;
  else principalOf(sender, pbuf);
  check(m.label == label && m.sender == sender && m.principalIs(pbuf), `task ${t} inbox: label ${m.label} from ${m.sender}, want ${label} from ${sender}`);
  if ((m.flags & FLAG_CALL) != 0) tokenRegister(m.replyToken, sender, t);
}

/** Task t replies: mostly with a token it holds, else with any token seen (replays, wrong replier). */
function doReply(t: u32): void {
  let k: u32 = below(NTOK);
  for (let i: u32 = 0; i < NTOK; i++) {
    if (tokVal[i] != 0n && !tokUsed[i] && tokServer[i] == t && below(4) != 0) k = i;
  }
  replyWith(k, below(6) == 0 ? below(NT) : tokServer[k]);
}

function replyWith(k: u32, s: u32): void {
  if (tokVal[k] == 0n) return;
  const forged: bool = below(10) == 0;
  const token: u64 = forged ? u64(tokVal[k] ^ 0x8000_0000_0000_0000n) : tokVal[k];
  const m = randomMessage();
  const c: u32 = tokCaller[k];
  let want: IpcResult = IpcResult.Ok;
  const fastCaller: u32 = live(s) && m.capCount == 0 && m.wellFormed() ? ipc.fastReplyCaller(s, token) : NO_TASK;
  if (!live(s)) want = IpcResult.BadTask;
  else if (blocked(s)) want = IpcResult.BadState;
  else if (forged || tokUsed[k] || tokServer[k] != s) want = IpcResult.BadToken;
  else {
    tokUsed[k] = true;
    if (sState[c] == TaskState.Dead) want = IpcResult.PeerDied;
    else {
      check(sState[c] == TaskState.AwaitingReply && sServer[c] == s, "shadow: outstanding token without a waiting caller");
      want = admitted(s, sEp[c], IpcOp.Reply, m);
      expectWake(c, want, m.label, s);
    }
  }
  if (fastCaller != NO_TASK) check(want == IpcResult.Ok && fastCaller == c, `fast reply by ${s}: allowed, but the ordinary path gives ${u32(want)}`);
  if (fastCaller != NO_TASK && below(2) == 0) {
    ipc.fastReplyCommit(s, c, now());
    fastWoken(c, m.label, s);
    count(IpcResult.Ok);
    fastOps = u32(fastOps + 1);
    return;
  }
  const got: IpcResult = ipc.reply(s, token, m, now());
  count(got);
  check(got == want, `reply by ${s} to ${c}: got ${u32(got)} want ${u32(want)}`);
}

/** Closes shadow endpoint ep, waking its callers and receivers with why. */
function shadowClose(ep: u32, why: IpcResult): void {
  for (let i: u32 = 0; i < sQCount[ep]; i++) {
    const k: u32 = u32(ep * QUEUE_DEPTH + i);
    if (sQCall[k] && sState[sQSender[k]] == TaskState.Calling) expectWake(sQSender[k], why, 0, NO_TASK);
  }
  sQCount[ep] = 0;
  while (sWCount[ep] != 0) expectWake(shiftWaiter(ep), why, 0, NO_TASK);
  sOpen[ep] = false;
  for (let i: u32 = 0; i < openCount; i++) {
    if (openList[i] != ep) continue;
    openList[i] = openList[u32(openCount - 1)];
    openCount = u32(openCount - 1);
    break;
  }
  lastClosed = ep;
}

function doDie(t: u32): void {
  let want: IpcResult = IpcResult.Ok;
  if (!live(t)) want = IpcResult.BadTask;
  else {
    if (sState[t] == TaskState.Receiving) removeWaiter(sEp[t], t);
    sState[t] = TaskState.Dead;
    for (let ep: u32 = 0; ep < MAX_ENDPOINTS; ep++) {
      if (!sOpen[ep]) continue;
      if (sOwner[ep] == t) {
        shadowClose(ep, IpcResult.PeerDied);
        continue;
      }
      for (let i: u32 = sQCount[ep]; i > 0; i--) if (sQSender[u32(ep * QUEUE_DEPTH + i - 1)] == t) shiftQueue(ep, u32(i - 1));
    }
    for (let u: u32 = 0; u < NT; u++) {
      if (sState[u] == TaskState.AwaitingReply && sServer[u] == t) expectWake(u, IpcResult.PeerDied, 0, NO_TASK);
    }
    tokenVoid(t, false);
  }
  const got: IpcResult = ipc.taskDied(t, now());
  count(got);
  check(got == want, `taskDied ${t}`);
}

function doCreateTask(t: u32): void {
  const want: IpcResult = live(t) ? IpcResult.BadState : IpcResult.Ok;
  if (want == IpcResult.Ok) {
    sState[t] = TaskState.Ready;
    tokenVoid(t, true);
  }
  principalOf(t, pbuf);
  check(ipc.taskCreate(t, pbuf, now()) == want, `taskCreate ${t}`);
}

function doCreateEndpoint(owner: u32): void {
  const ep: u32 = ipc.endpointCreate(owner, now());
  if (!live(owner)) {
    check(ep == NO_ENDPOINT, "endpoint for a dead owner");
    return;
  }
  if (!check(ep != NO_ENDPOINT && !sOpen[ep], "endpoint created")) return;
  sOpen[ep] = true;
  sOwner[ep] = owner;
  sQCount[ep] = 0;
  sWCount[ep] = 0;
  grant(ep);
  openList[openCount] = ep;
  openCount = u32(openCount + 1);
}

function doClose(t: u32, ep: u32): void {
  let want: IpcResult = IpcResult.Ok;
  if (!live(t)) want = IpcResult.BadTask;
  else if (blocked(t)) want = IpcResult.BadState;
  else if (!sOpen[ep]) want = IpcResult.Closed;
  else if (sOwner[ep] != t) want = IpcResult.NotOwner;
  else shadowClose(ep, IpcResult.Closed);
  const got: IpcResult = ipc.endpointClose(t, ep, now());
  count(got);
  check(got == want, `close ${ep} by ${t}`);
}

/** Drains the wake list against the shadow's expectations. */
function settle(): void {
  for (;;) {
    const t: u32 = ipc.popWake();
    if (t == NO_TASK) break;
    if (!check(t < NT && W.pending[t], `unexpected wake of task ${t}`)) continue;
    W.pending[t] = false;
    const r: IpcResult = ipc.taskResult(t);
    wakes = u32(wakes + 1);
    if (r == IpcResult.PeerDied) peerDied = u32(peerDied + 1);
    check(r == W.result[t], `task ${t} woken with ${u32(r)}, want ${u32(W.result[t])}`);
    if (r == IpcResult.Ok) delivered(t, W.label[t], W.sender[t]);
  }
  for (let t: u32 = 0; t < NT; t++) {
    if (W.pending[t]) check(false, `task ${t} was not woken`);
    W.pending[t] = false;
  }
}

function compareViews(): void {
  check(ipcInvariantBroken(ipc.state) == 0, `invariant ${ipcInvariantBroken(ipc.state)}`);
  for (let t: u32 = 0; t < NT; t++) check(ipc.taskState(t) == sState[t], `task ${t} state ${u32(ipc.taskState(t))} want ${u32(sState[t])}`);
  for (let i: u32 = 0; i < openCount; i++) {
    const ep: u32 = openList[i];
    check(ipc.endpointQueued(ep) == sQCount[ep] && ipc.endpointReceivers(ep) == sWCount[ep], `endpoint ${ep} queue/receivers`);
  }
}

function pickEndpoint(): u32 {
  if (openCount == 0 || below(30) == 0) return lastClosed;
  return openList[below(openCount)];
}

/** Some runnable task other than t, or NO_TASK. */
function helper(t: u32): u32 {
  const start: u32 = below(NT);
  for (let i: u32 = 0; i < NT; i++) {
    const h: u32 = u32(u32(start + i) % NT);
    if (h != t && live(h) && !blocked(h)) return h;
  }
  return NO_TASK;
}

/** What a scheduler would eventually see: somebody acting so that blocked t can go on. */
function unblock(t: u32): void {
  const ep: u32 = sEp[t];
  if (sState[t] == TaskState.AwaitingReply) {
    for (let k: u32 = 0; k < NTOK; k++) {
      if (tokVal[k] != 0n && !tokUsed[k] && tokCaller[k] == t) {
        replyWith(k, tokServer[k]);
        return;
      }
    }
    return;
  }
  const h: u32 = helper(t);
  if (h == NO_TASK) return;
  if (sState[t] == TaskState.Receiving) doPost(h, ep, below(3) == 0 ? IpcOp.Call : IpcOp.Send);
  else doReceive(h, ep, false);
}

/** One random operation by live, runnable (or, rarely, blocked) task t. */
function randomOp(t: u32): void {
  const dice: u32 = below(100);
  if (dice < 24) doPost(t, pickEndpoint(), IpcOp.Send);
  else if (dice < 27) doKernelPost(pickEndpoint());
  else if (dice < 30) {
    const ep: u32 = pickEndpoint();
    for (let i: u32 = 0; i < 20; i++) doPost(t, ep, IpcOp.Send);
  }
  else if (dice < 45) doPost(t, pickEndpoint(), IpcOp.Call);
  else if (dice < 70) doReceive(t, pickEndpoint(), below(3) == 0);
  else if (dice < 87) doReply(t);
  else if (dice < 90 && t != 0) doDie(t);
  else if (dice < 93 && openCount < E_MAX) doCreateEndpoint(t);
  else if (dice < 96) {
    const ep: u32 = pickEndpoint();
    if (ep != inspected) doClose(below(2) == 0 ? t : sOwner[ep], ep);
  } else if (dice < 98) grant(pickEndpoint());
  else doCreateTask(t);
}

/** Operations done through the fast path's commits. */
let fastOps: u32 = 0;

export function stressSuite(steps: u32, seed0: u32): void {
  seed = seed0;
  fastOps = 0;
  for (let i: u32 = 0; i < 16; i++) tally[i] = 0;
  wakes = 0;
  peerDied = 0;
  fresh();
  resetShadow();
  tasks(NT);
  for (let t: u32 = 0; t < NT; t++) {
    sState[t] = TaskState.Ready;
    for (let h: u32 = 0; h < 4; h++) policySetTransfer(t, h, below(2) == 0);
  }
  openCount = 0;
  doCreateEndpoint(0);
  inspected = openList[0];
  ipc.setInspector(inspected, labelNotMultipleOf7);
  let ops: u32 = 0;
  for (let step: u32 = 0; step < steps; step++) {
    advance(1000n);
    const t: u32 = below(NT);
    if (!live(t)) {
      if (below(4) != 0) doCreateTask(t);
      else randomOp(t);
    } else if (blocked(t) && below(8) != 0) unblock(t);
    else randomOp(t);
    settle();
    if (step % 64 == 0) compareViews();
    ops = u32(ops + 1);
  }
  compareViews();
  print(`stress: ${ops} random operations against the shadow model, ${wakes} wakes (${peerDied} PeerDied), ${fastOps} through the fast path`);
  print(`stress results: ok ${tally[0]} blocked ${tally[1]} wouldblock ${tally[2]} full ${tally[3]} denied ${tally[4]} rejected ${tally[6]}`);
  print(`stress results: peerdied ${tally[7]} closed ${tally[8]} badtask ${tally[9]} badmsg ${tally[11]} badtoken ${tally[12]} badstate ${tally[13]} notowner ${tally[14]}`);
}

function labelNotMultipleOf7(m: Message): bool {
  return m.label % 7 != 0;
}
