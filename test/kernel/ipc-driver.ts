// Host driver for the IPC core and the zero-trust interceptor: async FIFO, full
// queues and the kernel's reserve, call/reply with one-shot tokens, principal
// stamping, peer death, the rate limiter under a flood, the audit ring,
// capability and inspection refusals, fair shares of a queue and of the audit
// ring (ipc-crowd.ts), then a seeded random stress against a shadow model
// (ipc-stress.ts).
import { u8, u32, u64, bool, print, check, checkFailures } from "kts";
import {
  ipc,
  IpcResult,
  TaskState,
  AuditKind,
  Message,
  NO_TASK,
  NO_ENDPOINT,
  QUEUE_DEPTH,
  USER_QUEUE_LIMIT,
  MAX_ENDPOINTS,
  FLAG_CALL,
  FLAG_REPLY,
  policySet,
  policySetTransfer,
  POLICY_SEND,
  POLICY_RECEIVE,
  ipcInvariantBroken,
  ipcSysError,
} from "../../src/kernel/ipc/index";
import { SysError } from "../../src/kernel/syscall/numbers.generated";
import { fresh, tasks, openEndpoint, msg, now, advance, drainWakes, principalOf, pbuf } from "./ipc-world";
import { auditSuite, rateSuite } from "./ipc-flood";
import { stressSuite } from "./ipc-stress";
import { crowdSuite } from "./ipc-crowd";

function consistent(): bool {
  return check(ipcInvariantBroken(ipc.state) == 0, `invariant ${ipcInvariantBroken(ipc.state)} broken`);
}

function defaultsDeny(): void {
  ipc.reset();
  tasks(2);
  const ep: u32 = ipc.endpointCreate(1, now());
  check(ipc.send(0, ep, msg(1, 0, 0), now()) == IpcResult.Denied, "unwired capability hook denies");
  fresh();
  tasks(2);
  const ep2: u32 = openEndpoint(1, 2);
  check(ipc.send(0, ep2, msg(1, 0, 0), now()) == IpcResult.Ok, "table policy allows what it grants");
  print("defaults: capability hooks deny until wired");
}

function fifo(): void {
  fresh();
  tasks(6);
  const ep: u32 = openEndpoint(5, 6);
  // Four senders in turn, each within its share, fill the users' part; the kernel the rest.
  for (let i: u32 = 0; i < USER_QUEUE_LIMIT; i++) {
    check(ipc.send(u32(i % 4), ep, msg(u32(100 + i), u32(i * 8 + 3), i), now()) == IpcResult.Ok, "send into the queue");
  }
  check(ipc.send(4, ep, msg(999, 0, 0), now()) == IpcResult.QueueFull, "users leave the kernel's reserve");
  for (let i: u32 = USER_QUEUE_LIMIT; i < QUEUE_DEPTH; i++) {
    check(ipc.postFromKernel(ep, msg(u32(100 + i), u32(i * 8 + 3), i), now()) == IpcResult.Ok, "the kernel's reserve");
  }
  check(ipc.endpointQueued(ep) == QUEUE_DEPTH, "queue holds QUEUE_DEPTH");
  check(ipc.postFromKernel(ep, msg(998, 0, 0), now()) == IpcResult.QueueFull, "full queue refuses the kernel");
  check(ipc.send(4, ep, msg(999, 0, 0), now()) == IpcResult.QueueFull, "full queue refuses");
  check(ipc.auditAt(u32(ipc.auditCount() - 1)).result == IpcResult.QueueFull, "the refusal is audited");
  consistent();
  let inOrder: bool = true;
  for (let i: u32 = 0; i < QUEUE_DEPTH; i++) {
    check(ipc.receive(5, ep, false, now()) == IpcResult.Ok, "receive from the queue");
    const m = ipc.inbox(5);
    const len: u32 = u32(i * 8 + 3);
    const from: u32 = i < USER_QUEUE_LIMIT ? u32(i % 4) : NO_TASK;
    if (m.label != u32(100 + i) || m.len != len || m.sender != from || m.endpoint != ep) inOrder = false;
    for (let b: u32 = 0; b < len; b++) if (m.byteAt(b) != u8(i + b)) inOrder = false;
    if (len < 256 && m.byteAt(len) != 0) inOrder = false;
  }
  check(inOrder, "FIFO order, payload bytes and lengths preserved");
  check(ipc.receive(5, ep, false, now()) == IpcResult.WouldBlock, "empty queue would block");
  check(ipc.send(0, ep, msg(7, 0, 0), now()) == IpcResult.Ok, "space again after draining");
  consistent();
  print("fifo: 14 sent and 2 kernel messages queued in order, then QueueFull; empty WouldBlock");
}

function callReply(): void {
  fresh();
  tasks(4);
  const ep: u32 = openEndpoint(2, 4);
  // Server waits first: the call is handed straight to it.
  check(ipc.receive(2, ep, true, now()) == IpcResult.Blocked, "server blocks in receive");
  check(ipc.taskState(2) == TaskState.Receiving && ipc.endpointReceivers(ep) == 1, "server is a waiting receiver");
  check(ipc.call(1, ep, msg(42, 8, 1), now()) == IpcResult.Blocked, "call blocks the caller");
  check(ipc.taskState(1) == TaskState.AwaitingReply, "caller awaits the reply");
  check(ipc.popWake() == 2 && ipc.taskResult(2) == IpcResult.Ok && ipc.popWake() == NO_TASK, "only the server is woken");
  const req = ipc.inbox(2);
  const token: u64 = req.replyToken;
  check(req.label == 42 && req.sender == 1 && (req.flags & FLAG_CALL) != 0 && token != 0n, "server got the call and a token");
  check(ipc.reply(3, token, msg(1, 0, 0), now()) == IpcResult.BadToken, "another task cannot use the token");
  check(ipc.reply(2, u64(token + 0x1_0000_0000n), msg(1, 0, 0), now()) == IpcResult.BadToken, "a forged generation is refused");
  check(ipc.taskState(1) == TaskState.AwaitingReply && ipc.wakePending() == 0, "refused replies leave the caller waiting");
  check(ipc.endpointCallers(ep) == 1 && ipc.endpointReceivers(ep) == 0, "one blocked caller on the endpoint");
  check(ipc.reply(2, token, msg(43, 4, 9), now()) == IpcResult.Ok, "reply");
  check(ipc.popWake() == 1 && ipc.taskResult(1) == IpcResult.Ok, "caller woken with Ok");
  const rep = ipc.inbox(1);
  check(rep.label == 43 && rep.sender == 2 && (rep.flags & FLAG_REPLY) != 0 && rep.byteAt(3) == 12, "caller has the reply");
  check(ipc.reply(2, token, msg(44, 0, 0), now()) == IpcResult.BadToken, "second reply refused (one-shot)");
  check(ipc.inbox(1).label == 43 && ipc.wakePending() == 0, "second reply changed nothing");
  // Caller first: the call waits in the queue.
  check(ipc.call(3, ep, msg(50, 0, 0), now()) == IpcResult.Blocked && ipc.taskState(3) == TaskState.Calling, "queued call");
  check(ipc.endpointCallers(ep) == 1 && ipc.endpointQueued(ep) == 1, "the queued call's caller is listed");
  check(ipc.receive(2, ep, false, now()) == IpcResult.Ok && ipc.taskState(3) == TaskState.AwaitingReply, "received call");
  const t2: u64 = ipc.inbox(2).replyToken;
  check(t2 != token && ipc.reply(2, t2, msg(51, 0, 0), now()) == IpcResult.Ok, "reply to the queued call");
  check(ipc.popWake() == 3 && ipc.inbox(3).label == 51, "second caller answered");
  check(ipc.send(1, ep, msg(1, 0, 0), now()) == IpcResult.Ok && ipc.receive(2, ep, false, now()) == IpcResult.Ok, "async message");
  check(ipc.inbox(2).replyToken == 0n && ipc.reply(2, 0n, msg(1, 0, 0), now()) == IpcResult.BadToken, "async messages carry no token");
  check(ipc.call(2, ep, msg(1, 0, 0), now()) == IpcResult.Blocked, "a task may call its own endpoint");
  check(ipc.send(2, ep, msg(1, 0, 0), now()) == IpcResult.BadState, "a blocked task cannot start another operation");
  consistent();
  print("call/reply: direct and queued round trips, one-shot token");
}

function stamping(): void {
  fresh();
  tasks(3);
  policySetTransfer(1, 5, true);
  const ep: u32 = openEndpoint(2, 3);
  const m = msg(77, 13, 200);
  m.sender = 0;
  m.endpoint = 99;
  m.replyToken = 0x1234_0000_0000n;
  m.flags = u32(FLAG_REPLY | 0x5a);
  principalOf(0, pbuf);
  m.setPrincipalBytes(pbuf);
  m.capCount = 1;
  m.caps[0] = 5;
  m.caps[3] = 77;
  m.payload[5] = 0xdead_beefn;
  check(ipc.send(1, ep, m, now()) == IpcResult.Ok, "send with spoofed header fields");
  check(ipc.receive(2, ep, false, now()) == IpcResult.Ok, "receive it");
  const r = ipc.inbox(2);
  principalOf(1, pbuf);
  check(r.sender == 1 && r.endpoint == ep && r.replyToken == 0n, "sender, endpoint and token stamped by the kernel");
  check(r.principalIs(pbuf), "principal is the sender's own");
  principalOf(0, pbuf);
  check(!r.principalIs(pbuf), "not the one it claimed");
  check(r.flags == 0x5a, "kernel flag bits cleared, user bits kept");
  check(r.capCount == 1 && r.caps[0] == 5 && r.caps[3] == 0, "handles past capCount zeroed");
  check(r.byteAt(12) == u8(212) && r.byteAt(13) == 0 && r.payload[5] == 0n, "payload past len zeroed");
  const m2 = msg(1, 0, 0);
  m2.capCount = 1;
  m2.caps[0] = 6;
  check(ipc.send(1, ep, m2, now()) == IpcResult.Denied, "transfer of a handle not granted is denied");
  m2.capCount = 5;
  check(ipc.send(1, ep, m2, now()) == IpcResult.BadMessage, "capCount over MAX_CAPS");
  m2.capCount = 0;
  m2.len = 257;
  check(ipc.send(1, ep, m2, now()) == IpcResult.BadMessage, "len over PAYLOAD_BYTES");
  let exercised: bool = false;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) {
    const a = ipc.auditAt(i);
    if (a.kind == AuditKind.CapExercised && a.detail == 5 && a.result == IpcResult.Ok && a.subject == 1) exercised = true;
  }
  check(exercised, "the transferred capability was audited");
  // Capabilities move on delivery (queued or direct), to the receiver's handles.
  ipc.setCapDelivery(moveHandles);
  const m3 = msg(8, 0, 0);
  m3.capCount = 1;
  m3.caps[0] = 5;
  check(ipc.send(1, ep, m3, now()) == IpcResult.Ok && moved == 0, "nothing moves while queued");
  check(ipc.receive(2, ep, false, now()) == IpcResult.Ok && ipc.inbox(2).caps[0] == 0x1205 && moved == 1, "moved on receive");
  check(ipc.receive(2, ep, true, now()) == IpcResult.Blocked && ipc.send(1, ep, m3, now()) == IpcResult.Ok, "direct delivery");
  check(ipc.inbox(2).caps[0] == 0x1205 && moved == 2 && drainWakes() == 1, "moved on direct delivery");
  check(ipc.send(1, ep, msg(9, 0, 0), now()) == IpcResult.Ok && ipc.receive(2, ep, false, now()) == IpcResult.Ok && moved == 2, "no hook call without capabilities");
  print("stamping: sender, principal, token and kernel flags cannot be spoofed");
}

function peerDeath(): void {
  fresh();
  tasks(12);
  const ep: u32 = openEndpoint(2, 12);
  const ep2: u32 = openEndpoint(2, 12);
  const other: u32 = openEndpoint(10, 12);
  check(ipc.call(3, ep, msg(1, 0, 0), now()) == IpcResult.Blocked, "3 calls, queued");
  check(ipc.call(4, ep, msg(2, 0, 0), now()) == IpcResult.Blocked, "4 calls, queued");
  check(ipc.receive(2, ep, false, now()) == IpcResult.Ok, "server takes 3's call");
  check(ipc.receive(6, ep2, true, now()) == IpcResult.Blocked, "6 waits on the server's other endpoint");
  check(ipc.send(2, other, msg(3, 0, 0), now()) == IpcResult.Ok, "the server's message waits elsewhere");
  check(ipc.receive(7, other, true, now()) == IpcResult.Ok, "7 takes it");
  check(ipc.send(2, other, msg(4, 0, 0), now()) == IpcResult.Ok && ipc.endpointQueued(other) == 1, "another one queued");
  const gen: u32 = ipc.endpointGeneration(ep);
  check(ipc.taskDied(2, now()) == IpcResult.Ok, "server dies");
  let seen: u32 = 0;
  for (;;) {
    const t: u32 = ipc.popWake();
    if (t == NO_TASK) break;
    check(ipc.taskResult(t) == IpcResult.PeerDied && ipc.taskState(t) == TaskState.Ready, "woken with PeerDied");
    seen = u32(seen | u32(1 << t));
  }
  check(seen == 0x58, "the two callers and the waiting receiver were woken");
  check(ipc.endpointOwner(ep) == NO_TASK && ipc.send(5, ep, msg(1, 0, 0), now()) == IpcResult.Closed, "its endpoints are closed");
  check(ipc.endpointQueued(other) == 0, "its queued messages are dropped");
  check(ipc.send(2, other, msg(1, 0, 0), now()) == IpcResult.BadTask, "a dead task cannot send");
  check(ipc.endpointGeneration(ep) == u32(gen + 1), "closing bumped the generation");
  // A caller dies while the server holds its token.
  check(ipc.call(8, other, msg(5, 0, 0), now()) == IpcResult.Blocked, "8 calls");
  check(ipc.receive(10, other, false, now()) == IpcResult.Ok, "10 takes it");
  const token: u64 = ipc.inbox(10).replyToken;
  check(ipc.taskDied(8, now()) == IpcResult.Ok && ipc.wakePending() == 0, "caller dies, nobody to wake");
  check(ipc.reply(10, token, msg(6, 0, 0), now()) == IpcResult.PeerDied, "reply to a dead caller: PeerDied");
  check(ipc.reply(10, token, msg(6, 0, 0), now()) == IpcResult.BadToken, "and only once");
  // A dead server's tokens die with it, even for a dead caller: its slot's next task inherits none.
  check(ipc.call(4, other, msg(5, 0, 0), now()) == IpcResult.Blocked, "4 calls");
  check(ipc.receive(1, other, false, now()) == IpcResult.Ok, "1 takes it");
  const t4: u64 = ipc.inbox(1).replyToken;
  check(ipc.taskDied(4, now()) == IpcResult.Ok && ipc.taskDied(1, now()) == IpcResult.Ok, "caller, then server, die");
  principalOf(1, pbuf);
  check(ipc.taskCreate(1, pbuf, now()) == IpcResult.Ok, "server slot reused");
  check(ipc.reply(1, t4, msg(6, 0, 0), now()) == IpcResult.BadToken, "the new task cannot use the old token");
  principalOf(4, pbuf);
  check(ipc.taskCreate(4, pbuf, now()) == IpcResult.Ok, "caller slot reused");
  // A dead receiver leaves the FIFO; a woken-but-unscheduled task leaves the wake list.
  check(ipc.receive(9, other, true, now()) == IpcResult.Blocked && ipc.receive(11, other, true, now()) == IpcResult.Blocked, "9 and 11 wait");
  check(ipc.taskDied(9, now()) == IpcResult.Ok && ipc.endpointReceivers(other) == 1, "dead receiver unlinked");
  check(ipc.send(5, other, msg(7, 0, 0), now()) == IpcResult.Ok && ipc.wakePending() == 1, "the live receiver gets it");
  check(ipc.taskDied(11, now()) == IpcResult.Ok && ipc.popWake() == NO_TASK, "dead task dropped from the wake list");
  check(ipc.taskDied(11, now()) == IpcResult.BadTask, "dying twice");
  principalOf(11, pbuf);
  check(ipc.taskCreate(11, pbuf, now()) == IpcResult.Ok && ipc.taskState(11) == TaskState.Ready, "the slot is reused");
  check(ipc.taskCreate(11, pbuf, now()) == IpcResult.BadState, "but not while live");
  // Explicit close by the owner: Closed, not PeerDied; only the owner may close.
  check(ipc.receive(5, other, true, now()) == IpcResult.Blocked, "5 waits");
  check(ipc.endpointClose(5, other, now()) == IpcResult.BadState, "a blocked task cannot close");
  check(ipc.endpointClose(4, other, now()) == IpcResult.NotOwner, "only the owner closes");
  check(ipc.endpointClose(10, other, now()) == IpcResult.Ok, "owner closes");
  check(ipc.popWake() == 5 && ipc.taskResult(5) == IpcResult.Closed, "waiter woken with Closed");
  consistent();
  print("peer death: callers, receivers and tokens all resolved, nothing hangs");
}

function inspection(): void {
  fresh();
  tasks(5);
  const ep: u32 = openEndpoint(2, 5);
  check(ipc.setInspector(ep, refuseTask4AndLabel666) == IpcResult.Ok, "inspector installed");
  check(ipc.send(1, ep, msg(666, 0, 0), now()) == IpcResult.Rejected, "rejected by content");
  check(ipc.send(4, ep, msg(1, 0, 0), now()) == IpcResult.Rejected, "inspector sees the stamped sender");
  check(ipc.endpointQueued(ep) == 0, "nothing delivered");
  check(ipc.call(1, ep, msg(666, 0, 0), now()) == IpcResult.Rejected && ipc.taskState(1) == TaskState.Ready, "rejected call does not block");
  check(ipc.send(1, ep, msg(5, 0, 0), now()) == IpcResult.Ok && ipc.endpointQueued(ep) == 1, "clean message passes");
  check(ipc.call(3, ep, msg(6, 0, 0), now()) == IpcResult.Blocked, "call");
  check(ipc.receive(2, ep, false, now()) == IpcResult.Ok && ipc.receive(2, ep, false, now()) == IpcResult.Ok, "server takes both");
  const token: u64 = ipc.inbox(2).replyToken;
  check(ipc.reply(2, token, msg(666, 0, 0), now()) == IpcResult.Rejected, "replies are inspected too");
  check(ipc.popWake() == 3 && ipc.taskResult(3) == IpcResult.Rejected, "caller learns the reply was rejected");
  check(ipc.reply(2, token, msg(7, 0, 0), now()) == IpcResult.BadToken, "the token is used up");
  let rejected: u32 = 0;
  for (let i: u32 = 0; i < ipc.auditCount(); i++) if (ipc.auditAt(i).kind == AuditKind.Rejected) rejected = u32(rejected + 1);
  check(rejected == 4, "every rejection audited");
  check(ipc.clearInspector(ep) == IpcResult.Ok && ipc.send(1, ep, msg(666, 0, 0), now()) == IpcResult.Ok, "cleared");
  // Rights: send-only and receive-only tasks.
  const ep2: u32 = ipc.endpointCreate(2, now());
  policySet(1, ep2, POLICY_SEND);
  policySet(2, ep2, POLICY_RECEIVE);
  check(ipc.receive(1, ep2, false, now()) == IpcResult.Denied, "no receive right");
  check(ipc.call(1, ep2, msg(1, 0, 0), now()) == IpcResult.Denied, "no call right");
  check(ipc.send(2, ep2, msg(1, 0, 0), now()) == IpcResult.Denied, "no send right");
  check(ipc.send(1, ep2, msg(1, 0, 0), now()) == IpcResult.Ok && ipc.receive(2, ep2, false, now()) == IpcResult.Ok, "granted rights work");
  check(ipc.send(1, 300, msg(1, 0, 0), now()) == IpcResult.BadEndpoint, "index out of range");
  check(ipc.send(1, 200, msg(1, 0, 0), now()) == IpcResult.Closed, "endpoint not open");
  check(ipc.send(300, ep2, msg(1, 0, 0), now()) == IpcResult.BadTask, "task out of range");
  check(ipc.endpointCreate(7, now()) == NO_ENDPOINT, "no endpoint for a task that does not exist");
  let made: u32 = 0;
  while (ipc.endpointCreate(1, now()) != NO_ENDPOINT) made = u32(made + 1);
  check(made == MAX_ENDPOINTS - 2, "the pool holds MAX_ENDPOINTS");
  check(ipc.auditAt(u32(ipc.auditCount() - 1)).result == IpcResult.Exhausted, "exhaustion is audited");
  check(ipc.taskDied(1, now()) == IpcResult.Ok && ipc.endpointCreate(2, now()) != NO_ENDPOINT, "the owner's death frees them");
  consistent();
  print("interceptor: inspection rejects, capability checks deny");
}

let moved: u32 = 0;

/** A stand-in for capTransfer: the receiver's handle is 0x1000 + receiver * 0x100 + handle. */
function moveHandles(sender: u32, receiver: u32, m: Message, t: u64): void {
  if (sender != 1 || t == 0n) return;
  for (let i: u32 = 0; i < m.capCount; i++) m.caps[i] = u32(0x1000 + receiver * 0x100 + m.caps[i]);
  moved = u32(moved + 1);
}

function sysErrors(): void {
  check(ipcSysError(IpcResult.Ok) == SysError.Ok && ipcSysError(IpcResult.Blocked) == SysError.Ok, "success");
  check(ipcSysError(IpcResult.QueueFull) == SysError.WouldBlock && ipcSysError(IpcResult.WouldBlock) == SysError.WouldBlock, "would block");
  check(ipcSysError(IpcResult.Rejected) == SysError.Denied && ipcSysError(IpcResult.Throttled) == SysError.Throttled, "refusals");
  check(ipcSysError(IpcResult.BadToken) == SysError.BadCapability && ipcSysError(IpcResult.BadState) == SysError.Invalid, "bad arguments");
  check(ipcSysError(IpcResult.PeerDied) == SysError.PeerDied && ipcSysError(IpcResult.Exhausted) == SysError.NoMemory, "peer, memory");
  print("syscall errors: IPC results mapped to the ABI");
}

function refuseTask4AndLabel666(m: Message): bool {
  return m.label != 666 && m.sender != 4;
}

export function main(): u32 {
  defaultsDeny();
  fifo();
  callReply();
  stamping();
  peerDeath();
  inspection();
  sysErrors();
  rateSuite();
  auditSuite();
  crowdSuite();
  stressSuite(20000, 0x1234_5678);
  advance(1n);
  drainWakes();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
