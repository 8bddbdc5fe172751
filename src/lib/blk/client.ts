"use unsafe";
/**
 * The client side of the block protocol (protocol.ts): open the driver's
 * channel, queue requests, wait for completions. A driver that dies shows up as
 * wait() returning PeerDied; open() again then waits for its restart (the
 * endpoint outlives the driver) and starts a fresh channel.
 */
import { u32, u64, usize, bool } from "kts";
import { sysMemMap, sysMemUnmap, sysCapRevoke } from "../sys/syscalls.generated";
import { call, msgStart, msgSetWord, msgWordAt, errorOf } from "../ipc/message";
import { ERR_WOULD_BLOCK } from "../errors";
import { callPaced } from "../ipc/paced";
import { sleepNanos, NANOS_PER_MILLI } from "../time";
import { Channel, Entry, Side, Status } from "../channel/channel";
import { LABEL_OPEN, LABEL_WAIT, OPEN_REGION, OPEN_BYTES, OPEN_BLOCKS, OPEN_BLOCK_SIZE, OPEN_FLAGS } from "./protocol";

/** OPEN is retried this often while the driver still has an earlier client's requests in flight. */
const OPEN_TRIES: u32 = 100;

export class BlockClient {
  endpoint: u64 = 0n;
  /** Where the channel region is mapped. */
  va: usize = 0n;
  region: u64 = 0n;
  bytes: u32 = 0;
  blocks: u64 = 0n;
  blockSize: u32 = 0;
  flags: u32 = 0;
  channel = new Channel();

  /** Opens (or reopens) the driver's channel, mapped at va: 0 or an error code. */
  open(endpoint: u64, va: usize): u64 {
    this.close();
    this.endpoint = endpoint;
    this.va = va;
    let e: u64 = ERR_WOULD_BLOCK;
    for (let tries: u32 = 0; tries < OPEN_TRIES; tries++) {
      msgStart(LABEL_OPEN);
      const c: u64 = errorOf(call(endpoint));
      e = c != 0n ? c : errorOf(msgWordAt(0));
      if (e != ERR_WOULD_BLOCK) break;
      sleepNanos(u64(10n * NANOS_PER_MILLI));
    }
    if (e != 0n) return e;
    this.region = msgWordAt(OPEN_REGION);
    this.bytes = u32(msgWordAt(OPEN_BYTES));
    this.blocks = msgWordAt(OPEN_BLOCKS);
    this.blockSize = u32(msgWordAt(OPEN_BLOCK_SIZE));
    this.flags = u32(msgWordAt(OPEN_FLAGS));
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

  /** Queues a request (no IPC): Ok/Notify, or Full when the ring has no room. */
  submit(id: u32, op: u32, block: u64, offset: u32, length: u32): Status {
    return this.channel.pushRequest(id, op, offset, length, block, 0n);
  }

  /** Hands the queued requests to the driver and blocks until a completion is there: 0 or an error (PeerDied). */
  wait(): u64 {
    msgStart(LABEL_WAIT);
    msgSetWord(0n);
    // One WAIT per request: at a fast device's pace that can reach the rate limit, which it then waits out.
    const c: u64 = errorOf(callPaced(this.endpoint));
    return c != 0n ? c : errorOf(msgWordAt(0));
  }

  /** The next completion into out; false if none is waiting. */
  next(out: Entry): bool {
    const s: Status = this.channel.popCompletion(out);
    return s == Status.Ok || s == Status.Notify;
  }

  /** The data area's bytes [offset, offset + length) in this mapping, or 0. */
  data(offset: u32, length: u32): usize {
    return this.channel.dataAddress(offset, length);
  }

  opened(): bool {
    return this.region != 0n;
  }
}
