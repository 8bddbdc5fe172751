"use unsafe";
/**
 * The client side of the net service's UDP sockets (socket-protocol.ts): open
 * one (the region capability placed in our table is the socket), queue
 * datagrams to send and buffers to receive into, take completions, close.
 *
 * A client never blocks in a call to net beyond OPEN and CLOSE (answered at
 * once): it pushes requests (kicking net when the ring was empty), and when it
 * has nothing to do it blocks in receive on its own endpoint, where net's
 * NOTIFY (label LABEL_SOCKET_NOTIFY, word 0 = the socket's handle) arrives
 * together with whatever else the client serves (its timer, calls). On a
 * notification it takes completions with next() until there are none.
 *
 *   const s = new UdpClient();
 *   s.open(net, myEndpoint, 0x4000_0000n, 0)           // 0 or an error code
 *   s.channel.writeData(0, bytes, 0, n); s.send(1, 0, n, ip, port);
 *   s.receiveInto(2, 2048, 1472);
 *   ... receive(myEndpoint) ...; while (s.next(done)) { ... }
 *
 * The data area (channel.dataSize() bytes) is the client's to divide into
 * buffers; a buffer belongs to net from the request naming it until its
 * completion. At most SOCKET_RING requests may be outstanding.
 */
import { u16, u32, u64, usize, bool, print, text } from "kts";
import { sysCapDerive, sysCapRevoke, sysMemMap, sysMemUnmap, sysTaskId, sysTimerSet } from "../sys/syscalls.generated";
import { call, send, receive, reply, msgStart, msgLabel, msgSetWordAt, msgSetCaps, msgWordAt, msgIsCall, msgSender, errorOf } from "../ipc/message";
import { KERNEL_SENDER, LABEL_TIMER } from "../ipc/protocol";
import { ERR_INVALID, errorText, errorName } from "../errors";
import { sleepNanos, NANOS_PER_MILLI } from "../time";
import { Channel, Entry, Side, Status } from "../channel/channel";
import {
  LABEL_SOCKET_OPEN, LABEL_SOCKET_CLOSE, LABEL_SOCKET_KICK, LABEL_SOCKET_NOTIFY, LABEL_SOCKET_CHECK, OPEN_HANDLE, OPEN_REGION, OPEN_BYTES, OPEN_PORT, OP_SEND, OP_RECEIVE,
} from "./socket-protocol";

/** Rights of the notification capability carried with OPEN: send, grant. */
const RIGHTS_SEND_GRANT: u64 = 5n;

export class UdpClient {
  net: u64 = 0n;
  handle: u64 = 0n;
  region: u64 = 0n;
  va: usize = 0n;
  bytes: u32 = 0;
  /** The local port bound. */
  port: u16 = 0;
  channel = new Channel();

  /**
   * Opens a socket bound to port (0: ephemeral), its region mapped at va
   * (page-aligned, SOCKET_BYTES of address space free): 0 or an error code.
   * endpoint: the caller's own endpoint capability (send, grant), where net's
   * notifications are to arrive.
   */
  open(net: u64, endpoint: u64, va: usize, port: u16): u64 {
    this.close();
    const notify: u64 = sysCapDerive(endpoint, u64(sysTaskId()), RIGHTS_SEND_GRANT, 0n, 0n);
    if (errorOf(notify) != 0n) return errorOf(notify);
    msgStart(LABEL_SOCKET_OPEN);
    msgSetWordAt(0, u64(port));
    msgSetCaps(1, notify, 0n);
    const c: u64 = errorOf(call(net));
    const e: u64 = c != 0n ? c : errorOf(msgWordAt(0));
    if (e != 0n) {
      // Not carried (the call failed before delivery): it is still ours.
      if (c != 0n) sysCapRevoke(notify);
      return e;
    }
    this.net = net;
    this.handle = msgWordAt(OPEN_HANDLE);
    this.region = msgWordAt(OPEN_REGION);
    this.bytes = u32(msgWordAt(OPEN_BYTES));
    this.port = u16(msgWordAt(OPEN_PORT));
    this.va = va;
    const m: u64 = errorOf(sysMemMap(this.region, va, 1n));
    if (m != 0n) {
      this.close();
      return m;
    }
    if (this.channel.attach(va, this.bytes, Side.Client) != Status.Ok) {
      this.close();
      return ERR_INVALID;
    }
    return 0n;
  }

  opened(): bool {
    return this.region != 0n;
  }

  /** open(), again every second until it works (saying why it did not, once per reason). */
  openPatiently(net: u64, endpoint: u64, va: usize, port: u16): void {
    let said: u64 = 0n;
    for (;;) {
      const e: u64 = this.open(net, endpoint, va, port);
      if (e == 0n) return;
      if (e != said) print(`socket: no socket on port ${port} (${text(errorText, errorName(e))}); trying again every second`);
      said = e;
      sleepNanos(u64(1000n * NANOS_PER_MILLI));
    }
  }

  /** Net still knows this socket (false once net restarted: close it and open another). */
  alive(): bool {
    msgStart(LABEL_SOCKET_CHECK);
    msgSetWordAt(0, this.handle);
    const c: u64 = errorOf(call(this.net));
    return c != 0n || errorOf(msgWordAt(0)) == 0n;
  }

  /** Closes the socket: unmaps the region and tells net (which revokes the capability). */
  close(): void {
    if (this.region == 0n) return;
    sysMemUnmap(this.va);
    msgStart(LABEL_SOCKET_CLOSE);
    msgSetWordAt(0, this.handle);
    call(this.net);
    // Net revoked it already; if net is not the one that placed it (it restarted), it goes now.
    sysCapRevoke(this.region);
    this.region = 0n;
  }

  /**
   * Queues data [offset, offset + length) as a datagram to dstIp:dstPort
   * (kicking net if it needs it): Ok/Notify, or Full, or an error status.
   */
  send(id: u32, offset: u32, length: u32, dstIp: u32, dstPort: u16): Status {
    const arg: u64 = u64(u64(u64(dstIp) << 16n) | u64(dstPort));
    return this.kickIf(this.channel.pushRequest(id, OP_SEND, offset, length, arg, 0n));
  }

  /** Hands net the buffer data [offset, offset + length) for one received datagram. */
  receiveInto(id: u32, offset: u32, length: u32): Status {
    return this.kickIf(this.channel.pushRequest(id, OP_RECEIVE, offset, length, 0n, 0n));
  }

  /**
   * The next completion into out (false if none is waiting): out.arg2's low
   * 32 bits are the opcode; see socket-protocol.ts for the other fields.
   */
  next(out: Entry): bool {
    const s: Status = this.kickIf(this.channel.popCompletion(out));
    return s == Status.Ok || s == Status.Notify;
  }

  /** Wakes net to look at this socket's ring. */
  kick(): u64 {
    msgStart(LABEL_SOCKET_KICK);
    msgSetWordAt(0, this.handle);
    return errorOf(send(this.net));
  }

  private kickIf(s: Status): Status {
    if (s == Status.Notify) this.kick();
    return s;
  }
}

/** The opcode of a completion (OP_SEND or OP_RECEIVE). */
export function completionOp(e: Entry): u32 {
  return u32(e.arg2 & 0xffff_ffffn);
}

/** A received datagram's source address (from a receive completion). */
export function sourceIp(e: Entry): u32 {
  return u32(e.arg >> 16n);
}

export function sourcePort(e: Entry): u16 {
  return u16(e.arg);
}

/** A received datagram's whole length (more than e.length: it was cut to the buffer). */
export function datagramLength(e: Entry): u32 {
  return u32(e.arg2 >> 32n);
}

/** What a single-socket service does with one completion (its id, code, offset and length are in the entry). */
export type OnCompletion = (e: Entry) => void;

/** How often serveSocket asks net whether it still knows the socket. */
const CHECK_NANOS: u64 = 2_000_000_000n;

/**
 * The loop of a service that serves one socket and nothing else: waits on its
 * endpoint (which must have send and receive rights: its timer comes there),
 * answers any call with -Invalid, and hands each completion of net's
 * NOTIFYs to `handle`. Every 2 s it asks net whether the socket is still
 * open: if net restarted, the socket is closed and serveSocket returns 0 (the
 * service opens another); it returns receive's error if that fails.
 */
export function serveSocket(socket: UdpClient, endpoint: u64, done: Entry, handle: OnCompletion): u64 {
  sysTimerSet(endpoint, CHECK_NANOS);
  for (;;) {
    const r: u64 = errorOf(receive(endpoint));
    if (r != 0n) return r;
    if (msgIsCall()) {
      msgStart(msgLabel());
      msgSetWordAt(0, u64(0n - ERR_INVALID));
      reply();
      continue;
    }
    if (msgSender() == KERNEL_SENDER) {
      if (msgLabel() != LABEL_TIMER) continue;
      if (!socket.alive()) {
        sysTimerSet(endpoint, 0n);
        socket.close();
        return 0n;
      }
      sysTimerSet(endpoint, CHECK_NANOS);
    } else if (msgLabel() == LABEL_SOCKET_NOTIFY) {
      while (socket.next(done)) handle(done);
    }
  }
}
