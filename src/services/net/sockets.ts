"use unsafe";
/**
 * The net service's UDP sockets (protocol: src/lib/net/socket-protocol.ts).
 * Each socket is one of the service's memory regions (manifest capabilities
 * [3 .. 3 + SOCKET_REGIONS)), mapped here for good, with a channel in it whose
 * server is this service; the client holds a capability to the region.
 *
 * main.ts calls three things: socketsInit once, socketCall for a call whose
 * label it does not know (false: not ours either), and socketsRun after every
 * message it handled: that is where requests are taken from every open
 * socket's ring, received datagrams are copied from the stack's queues into
 * the buffers clients handed over, and clients are notified. Nothing here
 * waits: a client that does not drain its completions has one completion held
 * back and its socket left alone until it does; its datagrams wait in (and
 * overflow from) the stack's queue.
 *
 * Liveness: net's own capability to the region it gives a client (`mine`) has
 * SOCKET_CAP_USES + 1 uses, of which the client's takes SOCKET_CAP_USES; the
 * client's mapping uses one. When the client's capability goes (the client
 * ended, or dropped it), what it had left returns to `mine`: a derivation of
 * SOCKET_CAP_USES uses from `mine` then succeeds, and the socket is closed.
 */
import { u8, u16, u32, u64, usize, bool, array, structs, fillBytes, min, print } from "kts";
import { bytesAt } from "kts/unsafe";
import { sysCapDerive, sysCapRevoke, sysMemMap, sysTaskId } from "../../lib/sys/syscalls.generated";
import { capAt, send, reply, msgStart, msgSetWordAt, msgWordAt, msgSender, msgCapCount, msgCap, errorOf } from "../../lib/ipc/message";
import { ERR_INVALID, ERR_NO_MEMORY, ERR_ADDRESS_IN_USE } from "../../lib/errors";
import { now, NANOS_PER_SECOND } from "../../lib/time";
import { Channel, Entry, Side, Status } from "../../lib/channel/channel";
import { NetStack, Send, TX_QUEUE } from "../../lib/net/stack";
import { Datagram, NO_SOCKET } from "../../lib/net/udp";
import {
  LABEL_SOCKET_OPEN, LABEL_SOCKET_CLOSE, LABEL_SOCKET_CHECK, LABEL_SOCKET_NOTIFY, OPEN_HANDLE, OPEN_REGION, OPEN_BYTES, OPEN_PORT,
  SOCKET_REGIONS, SOCKET_BYTES, SOCKETS_PER_CLIENT, SOCKET_RING, SOCKET_CAP_USES, SOCKET_MAX_DATAGRAM,
  OP_SEND, OP_RECEIVE, ST_OK, ST_NOT_SENT, ST_INVALID,
} from "../../lib/net/socket-protocol";

/** Where socket i's region is mapped: SOCKET_VA + i * SOCKET_VA_STEP. */
const SOCKET_VA: usize = 0x3_1000_0000n;
const SOCKET_VA_STEP: usize = 0x10_0000n;
const RIGHT_MAP: u64 = 8n;
const RIGHT_WRITE: u64 = 16n;
const RIGHT_GRANT: u64 = 4n;
/** How often clients' capabilities are checked. */
const PROBE_NANOS: u64 = u64(2n * NANOS_PER_SECOND);

type Flush = () => void;

class Socket {
  /** The region is mapped here (false: its capability was missing or would not map). */
  usable: bool = false;
  open: bool = false;
  region: u64 = 0n;
  va: usize = 0n;
  /** Bumped at every open: handles of earlier openings no longer match. */
  generation: u32 = 0;
  /** The stack's socket, its port, and the task that opened it. */
  udp: u32 = 0;
  port: u16 = 0;
  owner: u32 = 0;
  /** Our capability the client's was derived from, and the client's notification capability. */
  mine: u64 = 0n;
  notify: u64 = 0n;
  ch = new Channel();
  // Receive buffers handed over and not yet filled, oldest first (a ring of SOCKET_RING).
  bufId: u32[] = array(SOCKET_RING, 0);
  bufOffset: u32[] = array(SOCKET_RING, 0);
  bufLength: u32[] = array(SOCKET_RING, 0);
  bufHead: u32 = 0;
  bufCount: u32 = 0;
  // A completion the ring had no room for.
  held: bool = false;
  heldId: u32 = 0;
  heldCode: u32 = 0;
  heldOffset: u32 = 0;
  heldLength: u32 = 0;
  heldValue: u64 = 0n;
  heldArg2: u64 = 0n;
  /** A completion or a popped request asked for a notification. */
  wake: bool = false;
}

const sockets: Socket[] = structs(SOCKET_REGIONS, Socket);
const request = new Entry();
const datagram = new Datagram();
const scratch: u8[] = array(SOCKET_MAX_DATAGRAM, 0);
let self: u64 = 0n;
let lastProbe: u64 = 0n;

/** Maps the socket regions, manifest capabilities first .. first + SOCKET_REGIONS. */
export function socketsInit(first: u32): void {
  self = u64(sysTaskId());
  let mapped: u32 = 0;
  for (let i: u32 = 0; i < SOCKET_REGIONS; i++) {
    const s = sockets[i];
    s.region = capAt(u64(first + i));
    s.va = usize(SOCKET_VA + usize(i) * SOCKET_VA_STEP);
    s.usable = errorOf(s.region) == 0n && errorOf(sysMemMap(s.region, s.va, 1n)) == 0n;
    if (s.usable) mapped = u32(mapped + 1);
  }
  if (mapped != SOCKET_REGIONS) print(`net: ${mapped} of ${SOCKET_REGIONS} socket regions usable`);
}

/** A call main.ts does not know: OPEN or CLOSE are answered here (true); anything else is not ours (false). */
export function socketCall(stack: NetStack, label: u32): bool {
  if (label == LABEL_SOCKET_OPEN) open(stack);
  else if (label == LABEL_SOCKET_CLOSE) closeCall(stack);
  else if (label == LABEL_SOCKET_CHECK) answer(LABEL_SOCKET_CHECK, lookup(msgWordAt(0), msgSender()) == SOCKET_REGIONS ? ERR_INVALID : 0n);
  else return false;
  return true;
}

/** Serves every open socket: its requests, datagrams for its buffers, its notification. */
export function socketsRun(stack: NetStack, flush: Flush): void {
  const t: u64 = now();
  if (u64(t - lastProbe) >= PROBE_NANOS) {
    lastProbe = t;
    probe(stack);
  }
  for (let i: u32 = 0; i < SOCKET_REGIONS; i++) {
    if (sockets[i].open) serve(stack, i, flush);
  }
  if (stack.txPending() != 0) flush();
}

function answer(label: u32, err: u64): void {
  msgStart(label);
  msgSetWordAt(0, u64(0n - err));
  reply();
}

function handleOf(i: u32): u64 {
  return u64(u32(i | u32(sockets[i].generation << 8)));
}

/** The open socket a handle names if `who` opened it; SOCKET_REGIONS if none. */
function lookup(handle: u64, who: u32): u32 {
  const i: u32 = u32(handle & 0xffn);
  if (handle > 0xffff_ffffn || i >= SOCKET_REGIONS) return SOCKET_REGIONS;
  const s = sockets[i];
  if (!s.open || handleOf(i) != handle || s.owner != who) return SOCKET_REGIONS;
  return i;
}

function open(stack: NetStack): void {
  const who: u32 = msgSender();
  const carried: u64 = msgCapCount() > 0 ? msgCap(0) : 0n;
  const port: u64 = msgWordAt(0);
  if (carried == 0n) return answer(LABEL_SOCKET_OPEN, ERR_INVALID);
  const e: u64 = tryOpen(stack, who, carried, port);
  if (e != 0n) {
    sysCapRevoke(carried);
    answer(LABEL_SOCKET_OPEN, e);
  }
}

/** Opens a socket for `who` and answers; or returns the error (nothing kept). */
function tryOpen(stack: NetStack, who: u32, carried: u64, port: u64): u64 {
  if (port > 0xffffn) return ERR_INVALID;
  let held: u32 = 0;
  let free: u32 = SOCKET_REGIONS;
  for (let i: u32 = 0; i < SOCKET_REGIONS; i++) {
    const s = sockets[i];
    if (s.open && s.owner == who) held = u32(held + 1);
    if (!s.open && s.usable && free == SOCKET_REGIONS) free = i;
  }
  if (held >= SOCKETS_PER_CLIENT || free == SOCKET_REGIONS) return ERR_NO_MEMORY;
  if (port != 0n && stack.sockets.find(u16(port)) != NO_SOCKET) return ERR_ADDRESS_IN_USE;
  const udp: u32 = stack.udpOpen(u16(port));
  if (udp == NO_SOCKET) return ERR_NO_MEMORY;
  const s = sockets[free];
  // Nothing of an earlier holder's reaches the next one.
  fillBytes(bytesAt(s.va, SOCKET_BYTES), 0, SOCKET_BYTES, 0);
  if (s.ch.init(s.va, SOCKET_BYTES, SOCKET_RING, SOCKET_RING, Side.Server) != Status.Ok) {
    stack.udpClose(udp);
    return ERR_INVALID;
  }
  const mine: u64 = sysCapDerive(s.region, self, u64(RIGHT_MAP | RIGHT_WRITE | RIGHT_GRANT), u64(SOCKET_CAP_USES + 1), 0n);
  if (errorOf(mine) != 0n) {
    stack.udpClose(udp);
    return errorOf(mine);
  }
  const theirs: u64 = sysCapDerive(mine, u64(who), u64(RIGHT_MAP | RIGHT_WRITE), u64(SOCKET_CAP_USES), 0n);
  if (errorOf(theirs) != 0n) {
    sysCapRevoke(mine);
    stack.udpClose(udp);
    return errorOf(theirs);
  }
  s.open = true;
  s.generation = u32(u32(s.generation + 1) & 0xff_ffff);
  s.udp = udp;
  s.port = stack.udpPort(udp);
  s.owner = who;
  s.mine = mine;
  s.notify = carried;
  s.bufHead = 0;
  s.bufCount = 0;
  s.held = false;
  s.wake = false;
  msgStart(LABEL_SOCKET_OPEN);
  msgSetWordAt(0, 0n);
  msgSetWordAt(OPEN_HANDLE, handleOf(free));
  msgSetWordAt(OPEN_REGION, theirs);
  msgSetWordAt(OPEN_BYTES, u64(SOCKET_BYTES));
  msgSetWordAt(OPEN_PORT, u64(s.port));
  reply();
  return 0n;
}

function closeCall(stack: NetStack): void {
  const i: u32 = lookup(msgWordAt(0), msgSender());
  if (i == SOCKET_REGIONS) return answer(LABEL_SOCKET_CLOSE, ERR_INVALID);
  close(stack, i);
  answer(LABEL_SOCKET_CLOSE, 0n);
}

/** Unbinds socket i and takes its capabilities back (the client's mapping goes with them). */
function close(stack: NetStack, i: u32): void {
  const s = sockets[i];
  if (!s.open) return;
  stack.udpClose(s.udp);
  sysCapRevoke(s.mine);
  sysCapRevoke(s.notify);
  s.open = false;
  s.mine = 0n;
  s.notify = 0n;
  s.bufCount = 0;
  s.held = false;
}

/** Closes the sockets whose client capability is gone (see the file comment). */
function probe(stack: NetStack): void {
  for (let i: u32 = 0; i < SOCKET_REGIONS; i++) {
    const s = sockets[i];
    if (!s.open) continue;
    const p: u64 = sysCapDerive(s.mine, self, RIGHT_MAP, u64(SOCKET_CAP_USES), 0n);
    if (errorOf(p) != 0n) continue;
    sysCapRevoke(p);
    print(`net: socket on port ${s.port} closed: its holder is gone`);
    close(stack, i);
  }
}

function broken(stack: NetStack, i: u32, why: u32): void {
  print(`net: socket on port ${sockets[i].port} closed: protocol error (channel fault ${sockets[i].ch.fault}, ${why})`);
  close(stack, i);
}

/**
 * Puts a completion on socket i's ring: true if it is there; false if the ring
 * was full (it is held until the client makes room) or the channel broke (the
 * socket is closed).
 */
function complete(stack: NetStack, i: u32, id: u32, code: u32, offset: u32, length: u32, value: u64, arg2: u64): bool {
  const s = sockets[i];
  const st: Status = s.ch.pushCompletion(id, code, offset, length, value, arg2);
  if (st == Status.Ok || st == Status.Notify) {
    if (st == Status.Notify) s.wake = true;
    return true;
  }
  if (st == Status.Full) {
    s.held = true;
    s.heldId = id;
    s.heldCode = code;
    s.heldOffset = offset;
    s.heldLength = length;
    s.heldValue = value;
    s.heldArg2 = arg2;
    return false;
  }
  broken(stack, i, 1);
  return false;
}

function serve(stack: NetStack, i: u32, flush: Flush): void {
  const s = sockets[i];
  if (s.held) {
    s.held = false;
    if (!complete(stack, i, s.heldId, s.heldCode, s.heldOffset, s.heldLength, s.heldValue, s.heldArg2)) {
      finish(i);
      return;
    }
  }
  if (!takeRequests(stack, i, flush) || !s.open) {
    finish(i);
    return;
  }
  deliver(stack, i);
  finish(i);
}

/** Takes socket i's requests until its ring is empty; false if it stopped early (held completion, closed, transmit queue full). */
function takeRequests(stack: NetStack, i: u32, flush: Flush): bool {
  const s = sockets[i];
  const r = request;
  for (;;) {
    if (stack.txPending() >= TX_QUEUE) {
      flush();
      // The NIC has no free buffer: the rest waits for its completions (they wake us).
      if (stack.txPending() >= TX_QUEUE) return false;
    }
    const st: Status = s.ch.popRequest(r);
    if (st == Status.Empty) return true;
    if (st != Status.Ok && st != Status.Notify) {
      broken(stack, i, 2);
      return false;
    }
    if (st == Status.Notify) s.wake = true;
    const arg2: u64 = u64(r.code);
    if (r.code == OP_RECEIVE) {
      if (r.length == 0) {
        if (!complete(stack, i, r.id, ST_INVALID, r.offset, 0, 0n, arg2)) return false;
        continue;
      }
      if (s.bufCount >= SOCKET_RING) {
        // More outstanding requests than the protocol allows.
        broken(stack, i, 3);
        return false;
      }
      const k: u32 = u32(u32(s.bufHead + s.bufCount) % SOCKET_RING);
      s.bufId[k] = r.id;
      s.bufOffset[k] = r.offset;
      s.bufLength[k] = r.length;
      s.bufCount = u32(s.bufCount + 1);
      continue;
    }
    let code: u32 = ST_INVALID;
    let value: u64 = 0n;
    if (r.code == OP_SEND && r.length <= SOCKET_MAX_DATAGRAM && s.ch.readData(r.offset, scratch, 0, r.length)) {
      const sent: Send = stack.udpSend(s.udp, u32(r.arg >> 16n), u16(r.arg), scratch, r.length, now());
      value = u64(sent);
      code = sent == Send.Sent || sent == Send.Pending ? ST_OK : sent == Send.BadArgument || sent == Send.TooLong ? ST_INVALID : ST_NOT_SENT;
    }
    if (!complete(stack, i, r.id, code, r.offset, r.length, value, arg2)) return false;
  }
}

/** Fills socket i's buffers with the datagrams waiting in its stack queue, oldest first. */
function deliver(stack: NetStack, i: u32): void {
  const s = sockets[i];
  while (s.bufCount > 0 && stack.sockets.sockets[s.udp].count > 0) {
    if (!stack.udpRecv(s.udp, scratch, datagram)) return;
    const k: u32 = s.bufHead;
    const n: u32 = min(min(datagram.len, s.bufLength[k]), SOCKET_MAX_DATAGRAM);
    // The channel checked the buffer when it was handed over; n is within it.
    s.ch.writeData(s.bufOffset[k], scratch, 0, n);
    s.bufHead = u32(u32(s.bufHead + 1) % SOCKET_RING);
    s.bufCount = u32(s.bufCount - 1);
    const from: u64 = u64(u64(u64(datagram.srcIp) << 16n) | u64(datagram.srcPort));
    if (!complete(stack, i, s.bufId[k], ST_OK, s.bufOffset[k], n, from, u64(u64(OP_RECEIVE) | u64(u64(datagram.len) << 32n)))) return;
  }
}

/** Sends socket i's client its notification if one is due. */
function finish(i: u32): void {
  const s = sockets[i];
  if (!s.wake || !s.open) return;
  s.wake = false;
  msgStart(LABEL_SOCKET_NOTIFY);
  msgSetWordAt(0, handleOf(i));
  // A full queue means notifications are already waiting there; a bad capability hurts only its client.
  send(s.notify);
}
