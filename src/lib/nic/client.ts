"use unsafe";
/**
 * The client side of the NIC protocol (protocol.ts): open the driver's
 * channel, queue frames to send and buffers to receive into, wait for
 * completions. A driver that dies shows up as wait() returning PeerDied;
 * open() again then waits for its restart (the endpoint outlives the driver)
 * and starts a fresh channel.
 */
import { u32, u64, usize, bool } from "kts";
import { sysMemMap, sysMemUnmap, sysCapRevoke } from "../sys/syscalls.generated";
import { call, send, msgStart, msgSetWord, msgSetCaps, msgWordAt, errorOf } from "../ipc/message";
import { ERR_WOULD_BLOCK } from "../errors";
import { callPaced } from "../ipc/paced";
import { sleepNanos, NANOS_PER_MILLI } from "../time";
import { Channel, Entry, Side, Status } from "../channel/channel";
import { LABEL_OPEN, LABEL_WAIT, LABEL_STATS, OPEN_REGION, OPEN_BYTES, OPEN_MAC, OPEN_MTU, OPEN_LINK, OPEN_RECEIVE_BUFFERS, OP_SEND, OP_RECEIVE } from "./protocol";

/** OPEN is retried this often while the driver resets its device for us. */
const OPEN_TRIES: u32 = 100;

export class NicClient {
  endpoint: u64 = 0n;
  /** Where the channel region is mapped. */
  va: usize = 0n;
  region: u64 = 0n;
  bytes: u32 = 0;
  /** The MAC address, its first byte lowest. */
  mac: u64 = 0n;
  mtu: u32 = 0;
  link: u32 = 0;
  /** Receive buffers the device holds at once: post no more. */
  receiveBuffers: u32 = 0;
  channel = new Channel();

  /**
   * Opens (or reopens) the driver's channel, mapped at va: 0 or an error code.
   * notify: 0, or a capability (send, grant) to the caller's endpoint that the
   * driver then notifies (LABEL_NOTIFY) of completions; it moves to the driver.
   */
  open(endpoint: u64, va: usize, notify: u64): u64 {
    this.close();
    this.endpoint = endpoint;
    this.va = va;
    let e: u64 = ERR_WOULD_BLOCK;
    for (let tries: u32 = 0; tries < OPEN_TRIES; tries++) {
      msgStart(LABEL_OPEN);
      if (notify != 0n) msgSetCaps(1, notify, 0n);
      const c: u64 = errorOf(call(endpoint));
      e = c != 0n ? c : errorOf(msgWordAt(0));
      if (e != ERR_WOULD_BLOCK) break;
      sleepNanos(u64(10n * NANOS_PER_MILLI));
    }
    if (e != 0n) return e;
    this.region = msgWordAt(OPEN_REGION);
    this.bytes = u32(msgWordAt(OPEN_BYTES));
    this.mac = msgWordAt(OPEN_MAC);
    this.mtu = u32(msgWordAt(OPEN_MTU));
    this.link = u32(msgWordAt(OPEN_LINK));
    this.receiveBuffers = u32(msgWordAt(OPEN_RECEIVE_BUFFERS));
    const m: u64 = errorOf(sysMemMap(this.region, va, 1n));
    if (m != 0n) return m;
    const a: Status = this.channel.attach(va, this.bytes, Side.Client);
    return a == Status.Ok ? 0n : ERR_WOULD_BLOCK;
  }

  /** Drops the channel: its mapping and capability. */
  close(): void {
    if (this.region == 0n) return;
    sysMemUnmap(this.va);
    sysCapRevoke(this.region);
    this.region = 0n;
  }

  /** Queues the frame at data [offset, offset + length) to be sent (no IPC): Ok/Notify, or Full. */
  send(id: u32, offset: u32, length: u32): Status {
    return this.channel.pushRequest(id, OP_SEND, offset, length, 0n, 0n);
  }

  /** Queues the buffer at data [offset, offset + length) to receive a frame into. */
  receiveInto(id: u32, offset: u32, length: u32): Status {
    return this.channel.pushRequest(id, OP_RECEIVE, offset, length, 0n, 0n);
  }

  /** Hands the queued requests to the driver and blocks until a completion is there: 0 or an error (PeerDied). */
  wait(): u64 {
    msgStart(LABEL_WAIT);
    msgSetWord(0n);
    // One WAIT per request: at a fast device's pace that can reach the rate limit, which it then waits out.
    const c: u64 = errorOf(callPaced(this.endpoint));
    return c != 0n ? c : errorOf(msgWordAt(0));
  }

  /** Hands the queued requests to the driver without waiting (a client opened with notify). */
  kick(): u64 {
    msgStart(LABEL_WAIT);
    return errorOf(send(this.endpoint));
  }

  /** The driver's counters (protocol.ts STATS_*), readable with msgWordAt after a 0 result. */
  stats(): u64 {
    msgStart(LABEL_STATS);
    const c: u64 = errorOf(call(this.endpoint));
    return c != 0n ? c : errorOf(msgWordAt(0));
  }

  /** The next completion into out; false if none is waiting. Its `arg` is OP_SEND or OP_RECEIVE. */
  next(out: Entry): bool {
    const s: Status = this.channel.popCompletion(out);
    return s == Status.Ok || s == Status.Notify;
  }

  opened(): bool {
    return this.region != 0n;
  }
}
