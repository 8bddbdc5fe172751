/**
 * The IPC and capability system calls: decode (handle -> capability -> endpoint,
 * user buffers validated, message copied in) with no side effects, then perform
 * the IPC operation under the scheduler lock, blocking the task when the
 * operation must wait and waking every task the operation released. A handle
 * that names no capability is refused and audited.
 */
import { u32, u64, usize, bool } from "kts";
import { cpuIndex, monotonicNanos, frameArg } from "arch";
import { userMemorySweep, memoryCapabilityMoved } from "../task/user-memory";
import { capLookup, capExerciseLean, capAt, capInSlot, capDerive, capDeriveRange, capRevoke, capTransfer, CapKind, CapError, CapView, CAP_SLOTS, RIGHT_SEND, RIGHT_RECEIVE, RIGHT_GRANT } from "../cap/index";
import { ipc, IpcResult, IpcOp, Message, AuditKind, NO_TASK, NO_ENDPOINT, ipcSysError, FLAG_CALL } from "../ipc/index";
import { scheduler, BlockReason, MAX_TASKS, TaskState } from "../sched/index";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { waits, waitFor, waitClear, wakeReleased, blockAfter, NOT_DELIVERED, DELIVERED_IN_REGISTERS } from "./ipc-waits";
import { tagOf, sendsInRegisters, receivesInRegisters, tagValid, messageFromRegisters, messageToRegisters, fitsRegisters } from "./message-registers";
import { fastCall, fastReplyRecv, FAST_BLOCKED } from "./ipc-fast";
import { messageFromUser, messageFromUserWritable, messageToUser, messageWritable } from "./message-copy";
import { mayPlace, placedBy } from "./cap-quota";
import { SysError } from "./numbers.generated";
import { probeStart, probeStop, probeMark, PART_COPY, PART_CAP, PART_INTERCEPT, PART_SWITCH } from "./probe";

/** Scratch message for decoding (used only under the scheduler lock). */
const incoming = new Message();
const view = new CapView();
const scan = new CapView();
export function sysError(e: SysError): u64 {
  return u64(0n - u64(u32(e)));
}

function fromIpc(r: IpcResult): u64 {
  return r == IpcResult.Ok ? 0n : sysError(ipcSysError(r));
}

/**
 * The endpoint capability the current system call just resolved (task, endpoint,
 * rights held), so that the interceptor's check of the same operation, moments
 * later under the same lock, need not search the task's table again. Consumed by
 * that check; NO_TASK when none.
 */
let resolvedTask: u32 = NO_TASK;
let resolvedEndpoint: u32 = 0;
let resolvedRights: u32 = 0;

/** Resolves a user handle to an endpoint with `rights`; audits and returns an error code on failure. */
function endpointOf(task: u32, handle: u64, rights: u32, now: u64): u64 {
  const ep: u64 = endpointCapability(task, handle, rights, now);
  resolvedTask = isError(ep) ? NO_TASK : task;
  resolvedEndpoint = u32(ep & 0xffff_ffffn);
  resolvedRights = view.rights;
  return ep;
}

/**
 * Resolves a user handle to a capability of `kind` with `rights` (exercising
 * it: use counts and expiry apply). Returns its object (objA) or, audited as a
 * denial, an error code (test with isError).
 */
export function capabilityOf(task: u32, handle: u64, kind: CapKind, rights: u32, now: u64): u64 {
  return capabilityInto(task, handle, kind, rights, now, view);
}

/** capabilityOf for an endpoint, through the lean lookup (view.kind, rights and objA only). */
function endpointCapability(task: u32, handle: u64, rights: u32, now: u64): u64 {
  const e: CapError = handle > 0xffff_ffffn ? CapError.BadHandle : capExerciseLean(task, u32(handle), CapKind.Endpoint, rights, now, view);
  if (e == CapError.Ok) return view.objA;
  return refused(task, handle, e, now);
}

/** capabilityOf that also reports the whole capability in `out`. */
export function capabilityInto(task: u32, handle: u64, kind: CapKind, rights: u32, now: u64, out: CapView): u64 {
  const e: CapError = handle > 0xffff_ffffn ? CapError.BadHandle : capLookup(task, u32(handle), kind, rights, now, true, out);
  if (e == CapError.Ok) return out.objA;
  return refused(task, handle, e, now);
}

/** A lookup refused with e: audited as a denial; the error code. */
function refused(task: u32, handle: u64, e: CapError, now: u64): u64 {
  // Object: the slot the handle names (or none), never the raw handle: the caller must not write the log.
  const slot: u32 = handle <= 0xffff_ffffn && u32(u32(handle) & 0xff) < CAP_SLOTS ? u32(u32(handle) & 0xff) : NO_ENDPOINT;
  ipc.audit(AuditKind.Denied, task, slot, u32(e), IpcResult.Denied, now);
  const denied: bool = e == CapError.Rights || e == CapError.WrongKind || e == CapError.Expired || e == CapError.Exhausted;
  return sysError(denied ? SysError.Denied : SysError.BadCapability);
}

export function isError(v: u64): bool {
  return v >= 0xffff_ffff_ffff_0000n;
}

/** The interceptor's capability check: does the task hold an endpoint capability allowing op? */
export function holdsEndpointRight(task: u32, endpoint: u32, op: u32): bool {
  // Replies are authorized by their one-shot token (installed with repliesByToken: the interceptor does not ask).
  return op == u32(IpcOp.Reply) || holdsEndpointCapability(task, endpoint, op);
}

/** @outline (its loop's registers stay out of the reply's check) */
function holdsEndpointCapability(task: u32, endpoint: u32, op: u32): bool {
  const need: u32 = op == u32(IpcOp.Receive) ? RIGHT_RECEIVE : RIGHT_SEND;
  const resolved: bool = resolvedTask == task && resolvedEndpoint == endpoint && u32(resolvedRights & need) == need;
  resolvedTask = NO_TASK;
  if (resolved) return true;
  for (let s: u32 = 0; s < CAP_SLOTS; s++) {
    if (capInSlot(task, s, scan) != CapError.Ok) continue;
    if (scan.kind == CapKind.Endpoint && scan.objA == u64(endpoint) && u32(scan.rights & need) == need) return true;
  }
  return false;
}

/** The interceptor's transfer check: may the task pass this handle in a message (it holds it with GRANT)? */
export function mayTransfer(task: u32, handle: u32): bool {
  return capLookup(task, handle, CapKind.Any, RIGHT_GRANT, monotonicNanos(), false, scan) == CapError.Ok;
}

/**
 * The interceptor's delivery hook: a message carrying capabilities reached the
 * receiver's inbox, so each one moves from sender to receiver and the message
 * names it by the receiver's handle. One that went away since the send (revoked,
 * expired), or that finds no room the sender may fill in the receiver's table,
 * arrives as handle 0 (and stays the sender's).
 */
export function moveCarriedCapabilities(sender: u32, receiver: u32, msg: Message, now: u64): void {
  for (let i: u32 = 0; i < msg.capCount; i++) {
    // The receiver's table has room for what others send it, but not all of it (cap-quota.ts).
    const e: CapError = mayPlace(receiver, sender) ? capTransfer(sender, msg.caps[i], receiver, now, scan) : CapError.TableFull;
    msg.caps[i] = e == CapError.Ok ? scan.handle : 0;
    if (e == CapError.Ok && receiver != sender) placedBy(scan, sender);
    // The sender's mappings through it must go (at the end of this system call).
    if (e == CapError.Ok && scan.kind == CapKind.MemoryRegion) memoryCapabilityMoved();
  }
}

/** Each call runs its locked body: the body may return early; the lock is taken and dropped here. */
export function sysSend(task: u32, handle: u64, va: usize): u64 {
  schedLock();
  const r: u64 = send(task, handle, va);
  schedUnlock();
  return r;
}

/** The IPC calls that may carry a short message in registers take the frame (argument 2 is the tag: message-registers.ts). */
export function sysReceive(task: u32, frame: usize): u64 {
  schedLock();
  const r: u64 = receive(task, frameArg(frame, 0), frameArg(frame, 1), false, frame, receivesInRegisters(tagOf(frame)));
  schedUnlock();
  return r;
}

export function sysCall(task: u32, frame: usize): u64 {
  schedLock();
  const r: u64 = call(task, frame, tagOf(frame), frameArg(frame, 0), frameArg(frame, 1));
  schedUnlock();
  return r;
}

export function sysReply(task: u32, va: usize): u64 {
  schedLock();
  const r: u64 = reply(task, va, false, 0n, 0n);
  schedUnlock();
  return r;
}

export function sysReplyRecv(task: u32, frame: usize): u64 {
  schedLock();
  const r: u64 = replyRecv(task, frame, tagOf(frame), frameArg(frame, 0), frameArg(frame, 1));
  schedUnlock();
  return r;
}

function send(task: u32, handle: u64, va: usize): u64 {
  probeStop();
  const now: u64 = monotonicNanos();
  if (!messageFromUser(resources[task].space, va, incoming)) return sysError(SysError.BadAddress);
  const ep: u64 = endpointOf(task, handle, RIGHT_SEND, now);
  if (isError(ep)) return ep;
  const r = ipc.send(task, u32(ep), incoming, now);
  wakeReleased();
  return fromIpc(r);
}

/**
 * `checked`: the caller has just found va writable (replyRecv, under the same
 * lock hold). `regs`: a short message may be returned in the frame's message
 * registers (REGS_RECEIVE).
 */
function receive(task: u32, handle: u64, va: usize, checked: bool, frame: usize, regs: bool): u64 {
  if (!checked) probeStart();
  const space = resources[task].space;
  const now: u64 = monotonicNanos();
  if (!checked && !messageWritable(space, va)) return sysError(SysError.BadAddress);
  if (waits[task].kept) return deliver(task, va, frame, regs);
  probeMark(PART_COPY);
  const ep: u64 = endpointOf(task, handle, RIGHT_RECEIVE, now);
  if (isError(ep)) return ep;
  probeMark(PART_CAP);
  const r = ipc.receive(task, u32(ep), true, now);
  probeMark(PART_INTERCEPT);
  if (r == IpcResult.Blocked) {
    waitFor(task, va, frame, regs);
    blockAfter(task, BlockReason.Receive);
    return resumed(task);
  }
  if (r != IpcResult.Ok) return fromIpc(r);
  waits[task].kept = true;
  return deliver(task, va, frame, regs);
}

/**
 * A task woken from a blocking receive or call (waitFor recorded where it
 * receives): the fast path handed it its message already (0 in memory, 1 in
 * registers), or its result and its inbox delivered.
 */
function resumed(task: u32): u64 {
  const w = waits[task];
  const how: u32 = w.delivered;
  if (how != NOT_DELIVERED) {
    w.delivered = NOT_DELIVERED;
    return how == DELIVERED_IN_REGISTERS ? 1n : 0n;
  }
  const r = ipc.taskResult(task);
  if (r != IpcResult.Ok) return fromIpc(r);
  w.kept = true;
  return deliver(task, w.buffer, w.frame, w.registers);
}

/**
 * The task's inbox, kept until now, to its buffer at va (0), or to the frame's
 * message registers if `regs` and it fits them (1); BadAddress (still kept) if
 * the buffer is no longer writable.
 */
function deliver(task: u32, va: usize, frame: usize, regs: bool): u64 {
  const got = ipc.inbox(task);
  const inRegs: bool = regs && fitsRegisters(got) && messageWritable(resources[task].space, va);
  if (inRegs) messageToRegisters(frame, got);
  else if (!messageToUser(resources[task].space, va, got)) return sysError(SysError.BadAddress);
  probeMark(PART_COPY);
  waits[task].kept = false;
  // A message that is not a call (an interrupt, a notification) leaves the pending
  // reply alone: a driver answers a client's call once the device has finished.
  if ((got.flags & FLAG_CALL) != 0) waits[task].replyToken = got.replyToken;
  return inRegs ? 1n : 0n;
}

/** The sender's part of the message to send: from the registers (REGS_SEND) or the buffer; false if either is bad (BadAddress, or Invalid for a bad tag: see sendError). */
function takeMessage(task: u32, frame: usize, tag: u64, va: usize, writable: bool): u64 {
  const space = resources[task].space;
  if (sendsInRegisters(tag)) {
    if (!tagValid(tag)) return sysError(SysError.Invalid);
    if (writable && !messageWritable(space, va)) return sysError(SysError.BadAddress);
    messageFromRegisters(frame, tag, incoming);
    return 0n;
  }
  const read: bool = writable ? messageFromUserWritable(space, va, incoming) : messageFromUser(space, va, incoming);
  return read ? 0n : sysError(SysError.BadAddress);
}

function call(task: u32, frame: usize, tag: u64, handle: u64, va: usize): u64 {
  probeStart();
  if (fastCall(task, frame, tag, handle, va) == FAST_BLOCKED) return resumed(task);
  const now: u64 = monotonicNanos();
  // The reply lands in the same buffer: writable.
  const taken: u64 = takeMessage(task, frame, tag, va, true);
  if (taken != 0n) return taken;
  // Its reply would land on the message it has not received yet.
  if (waits[task].kept) return sysError(SysError.Invalid);
  probeMark(PART_COPY);
  const ep: u64 = endpointOf(task, handle, RIGHT_SEND, now);
  if (isError(ep)) return ep;
  probeMark(PART_CAP);
  const r = ipc.call(task, u32(ep), incoming, now);
  probeMark(PART_INTERCEPT);
  if (r != IpcResult.Blocked) {
    wakeReleased();
    return fromIpc(r);
  }
  waitFor(task, va, frame, receivesInRegisters(tag));
  blockAfter(task, BlockReason.Call);
  return resumed(task);
}

/** Replies; the caller it released is woken now unless `deferWake` (replyRecv may switch to it directly). */
function reply(task: u32, va: usize, deferWake: bool, frame: usize, tag: u64): u64 {
  probeStart();
  const now: u64 = monotonicNanos();
  // replyRecv's buffer takes the message received next: one walk checks it writable too.
  const taken: u64 = takeMessage(task, frame, tag, va, deferWake);
  if (taken != 0n) return taken;
  probeMark(PART_COPY);
  const token: u64 = waits[task].replyToken;
  if (token == 0n) return sysError(SysError.Invalid);
  waits[task].replyToken = 0n;
  const r = ipc.reply(task, token, incoming, now);
  probeMark(PART_INTERCEPT);
  if (deferWake) return fromIpc(r);
  wakeReleased();
  probeMark(PART_SWITCH);
  return fromIpc(r);
}

/**
 * Reply (if a call is pending) then receive, with one buffer: its result is the
 * receive's; a reply refused or dropped (the caller died, the interceptor
 * refused it) is audited there and reported to the caller, not here. A bad
 * buffer (BadAddress) or tag (Invalid) is refused before anything.
 */
function replyRecv(task: u32, frame: usize, tag: u64, handle: u64, va: usize): u64 {
  if (fastReplyRecv(task, frame, tag, handle, va) == FAST_BLOCKED) return resumed(task);
  let checked: bool = false;
  if (waits[task].replyToken != 0n) {
    // The caller it releases stays on the wake list: if the receive blocks, it runs next here, directly.
    const r: u64 = reply(task, va, true, frame, tag);
    if (r == sysError(SysError.BadAddress) || r == sysError(SysError.Invalid)) return r;
    checked = true;
  }
  const r: u64 = receive(task, handle, va, checked, frame, receivesInRegisters(tag));
  // Whoever the receive did not switch to (it returned at once, or took the slow path).
  wakeReleased();
  return r;
}

/** capDerive: a subset of a capability's rights, for another task (the source needs GRANT). */
export function sysCapDerive(task: u32, handle: u64, toTask: u64, rights: u64, uses: u64, expiry: u64): u64 {
  if (uses > 0xffff_ffffn) return sysError(SysError.Invalid);
  return deriveInto(task, handle, toTask, rights, u32(uses), expiry, false, 0n, 0n);
}

/** capDeriveRange: part of a range (bytes of memory or registers, lines of an IRQ capability), unlimited uses. */
export function sysCapDeriveRange(task: u32, handle: u64, toTask: u64, rights: u64, offset: u64, size: u64): u64 {
  return deriveInto(task, handle, toTask, rights, 0, 0n, true, offset, size);
}

function deriveInto(task: u32, handle: u64, toTask: u64, rights: u64, uses: u32, expiry: u64, narrow: bool, offset: u64, size: u64): u64 {
  if (handle > 0xffff_ffffn || toTask >= u64(MAX_TASKS) || rights > 0xffff_ffffn) return sysError(SysError.Invalid);
  schedLock();
  // Only into a live user task: a free, dead or kernel slot would keep it for whoever comes next.
  let e: CapError = CapError.BadTask;
  if (taskAcceptsCapabilities(u32(toTask))) {
    if (!mayPlace(u32(toTask), task)) e = CapError.TableFull;
    else if (narrow) e = partOk(task, handle, offset, size) ? capDeriveRange(task, u32(handle), u32(toTask), u32(rights), 0, 0n, offset, size, monotonicNanos(), view) : CapError.BadRange;
    else e = capDerive(task, u32(handle), u32(toTask), u32(rights), uses, expiry, monotonicNanos(), view);
    if (e == CapError.Ok && u32(toTask) != task) placedBy(view, task);
  }
  // The shared view is read before the lock goes: another CPU's call would refill it.
  const r: u64 = e == CapError.Ok ? u64(view.handle) : sysError(capSysError(e));
  schedUnlock();
  return r;
}

/** Under the lock: memory and register parts are whole pages (each is mapped on its own). */
function partOk(task: u32, handle: u64, offset: u64, size: u64): bool {
  if (capLookup(task, u32(handle), CapKind.Any, 0, monotonicNanos(), false, view) != CapError.Ok) return true; // derive reports it
  if (view.kind == CapKind.Irq) return true;
  return (offset & 0xfffn) == 0n && (size & 0xfffn) == 0n;
}

/** capRevoke: the capability and everything derived from it, in every task. */
export function sysCapRevoke(task: u32, handle: u64): u64 {
  if (handle > 0xffff_ffffn) return sysError(SysError.BadCapability);
  schedLock();
  const e: CapError = capRevoke(task, u32(handle));
  schedUnlock();
  // Memory mapped through what was revoked is gone on every CPU before this returns.
  if (e == CapError.Ok) userMemorySweep();
  return e == CapError.Ok ? 0n : sysError(capSysError(e));
}

/**
 * Under the lock: whether task t is a running user task, the only kind another
 * task may place a capability in: a free, dead or kernel slot would hand it to
 * whoever is started there next, and a task not yet started is still receiving
 * its manifest's capabilities in order.
 */
function taskAcceptsCapabilities(t: u32): bool {
  if (t >= MAX_TASKS) return false;
  const tk = scheduler.task(t);
  const started: bool = !(tk.state == TaskState.Blocked && tk.reason == BlockReason.Start);
  return resources[t].live && resources[t].user && started && tk.state != TaskState.Dead && tk.state != TaskState.Free;
}

function capSysError(e: CapError): SysError {
  switch (e) {
    case CapError.NoGrant:
    case CapError.Rights:
    case CapError.NotSubset:
    case CapError.Limits:
    case CapError.Expired:
    case CapError.Exhausted:
      return SysError.Denied;
    case CapError.TableFull:
    case CapError.PoolFull:
      return SysError.NoMemory;
    case CapError.BadTask:
    case CapError.BadRights:
    case CapError.BadRange:
      return SysError.Invalid;
    default:
      return SysError.BadCapability;
  }
}

/** The handle of the task's i-th capability (slot order), or -Invalid. */
export function sysCapAt(task: u32, i: u64): u64 {
  schedLock();
  const e = i > 63n ? CapError.NotFound : capAt(task, u32(i), view);
  // Read under the lock: the view is shared by every CPU.
  const r: u64 = e == CapError.Ok ? u64(view.handle) : sysError(SysError.Invalid);
  schedUnlock();
  return r;
}

/** After a task ends: IPC peers waiting on it are released with PeerDied. */
export function ipcTaskEnded(task: u32): void {
  ipc.taskDied(task, monotonicNanos());
  waitClear(task);
  wakeReleased();
}

export function currentTask(): u32 {
  return scheduler.current(cpuIndex());
}
