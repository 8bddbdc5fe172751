"use unsafe";
/**
 * The split virtqueue of virtio 1.x (spec 2.7), driver side, in DMA memory the
 * driver owns: `va` is where the driver reads and writes it, `pa` is what the
 * device is told (descriptor addresses are physical too).
 *
 * Layout from va (alignments 16/2/4, spec 2.7):
 *   descriptor table  16 * size      {addr u64, len u32, flags u16, next u16}
 *   available ring    6 + 2 * size   {flags u16, idx u16, ring[size] u16, used_event u16}
 *   used ring         6 + 8 * size   {flags u16, idx u16, ring[size] {id u32, len u32}, avail_event u16}
 *
 * The device may write anything anywhere in this memory, so the driver never
 * reads back the descriptor table or the available ring: chains, the free list
 * and what is in flight live in shadow arrays here. The only things read from
 * the shared memory are the used ring's flags, index and entries, and each is
 * checked before it is used; a device that breaks the protocol makes the queue
 * broken (every later call returns DeviceError) and the driver resets it.
 *
 * Barriers are fence() (mfence / dmb ish): virtio's "weak barriers", enough for
 * devices that are other CPUs or a hypervisor, which is all we drive without
 * VIRTIO_F_ORDER_PLATFORM.
 */
import { u8, u16, u32, u64, usize, bool, array } from "kts";
import { load16, load32, store8, store16, store32, store64, fence, compilerBarrier } from "kts/unsafe";

/** Largest queue this library drives (its shadow arrays are this long). */
export const VQ_MAX_SIZE = 256;
/** Most buffers in one chain. */
export const VQ_MAX_CHAIN = 16;

export const VIRTQ_DESC_F_NEXT: u16 = 1;
export const VIRTQ_DESC_F_WRITE: u16 = 2;
export const VIRTQ_AVAIL_F_NO_INTERRUPT: u16 = 1;
export const VIRTQ_USED_F_NO_NOTIFY: u16 = 1;

export enum VqStatus {
  Ok = 0,
  /** Not enough free descriptors for the chain: collect completions first. */
  NoRoom = 1,
  /** collect(): no completion waiting. */
  Empty = 2,
  /** The caller's request is malformed (bad size, alignment, empty or misordered chain). */
  BadArgument = 3,
  /** The device broke the protocol; the queue is unusable until init() again. */
  DeviceError = 4,
}

// Per-descriptor shadow state.
const FREE: u8 = 0;
const INNER: u8 = 1; // in a chain, not its head
const ADDED: u8 = 2; // head, in the available ring but not yet published
const PUBLISHED: u8 = 3; // head the device may complete

/** The buffers of one request, in order: device-readable ones first, then device-writable ones. */
export class BufferChain {
  count: u32 = 0;
  addr: u64[] = array(VQ_MAX_CHAIN, 0n);
  len: u32[] = array(VQ_MAX_CHAIN, 0);
  writable: bool[] = array(VQ_MAX_CHAIN, false);

  clear(): void {
    this.count = 0;
  }

  /** Appends a buffer at physical address pa; false if the chain already has VQ_MAX_CHAIN. */
  push(pa: u64, len: u32, writable: bool): bool {
    if (this.count >= VQ_MAX_CHAIN) return false;
    this.addr[this.count] = pa;
    this.len[this.count] = len;
    this.writable[this.count] = writable;
    this.count = u32(this.count + 1);
    return true;
  }
}

function align4(x: u32): u32 {
  return u32(u32(x + 3) & 0xffff_fffc);
}

export class Virtqueue {
  size: u32 = 0;
  mask: u32 = 0;
  va: usize = 0n;
  pa: usize = 0n;
  availOff: u32 = 0;
  usedOff: u32 = 0;
  /** Free descriptors. */
  numFree: u32 = 0;
  freeHead: u32 = 0;
  /** Chains published and not yet collected. */
  inFlight: u32 = 0;
  /** Next available-ring index to fill; publishedIdx is what the device has been shown. */
  availIdx: u16 = 0;
  publishedIdx: u16 = 0;
  lastUsed: u16 = 0;
  availFlags: u16 = 0;
  unnotified: bool = false;
  /** Set by a device error, and until init() succeeds: every call then refuses. */
  broken: bool = true;
  /** Results: the head add() used; the head and written length collect() returned. */
  addedHead: u32 = 0;
  usedId: u32 = 0;
  usedLen: u32 = 0;
  next: u16[] = array(VQ_MAX_SIZE, 0);
  state: u8[] = array(VQ_MAX_SIZE, 0);
  chainLen: u16[] = array(VQ_MAX_SIZE, 0);
  writableLen: u64[] = array(VQ_MAX_SIZE, 0n);
  ring: u16[] = array(VQ_MAX_SIZE, 0);

  /** Bytes of DMA memory a queue of `size` entries needs (from a 16-byte aligned start). */
  static bytesNeeded(size: u32): u32 {
    return u32(align4(u32(u32(16 * size) + 6 + u32(2 * size))) + 6 + u32(8 * size));
  }

  /**
   * Lays the queue out in [va, va + bytesNeeded(size)) (device address pa) and
   * zeroes it. size: a power of two, 1..VQ_MAX_SIZE; va and pa 16-byte aligned.
   * Call again after a device reset to start over (a refused init leaves the
   * queue unusable).
   */
  init(size: u32, va: usize, pa: usize): VqStatus {
    this.size = 0;
    this.broken = true;
    if (size == 0 || size > VQ_MAX_SIZE || (size & u32(size - 1)) != 0) return VqStatus.BadArgument;
    if ((va & 15n) != 0n || (pa & 15n) != 0n) return VqStatus.BadArgument;
    const bytes: u32 = Virtqueue.bytesNeeded(size);
    if (va > u64(0xffff_ffff_ffff_ffffn - u64(bytes)) || pa > u64(0xffff_ffff_ffff_ffffn - u64(bytes))) return VqStatus.BadArgument;
    this.size = size;
    this.mask = u32(size - 1);
    this.va = va;
    this.pa = pa;
    this.availOff = u32(16 * size);
    this.usedOff = align4(u32(this.availOff + 6 + u32(2 * size)));
    for (let i: u32 = 0; i < bytes; i++) store8(usize(va + u64(i)), 0);
    for (let i: u32 = 0; i < size; i++) {
      this.next[i] = u16(i + 1);
      this.state[i] = FREE;
    }
    this.freeHead = 0;
    this.numFree = size;
    this.inFlight = 0;
    this.availIdx = 0;
    this.publishedIdx = 0;
    this.lastUsed = 0;
    this.availFlags = 0;
    this.unnotified = false;
    this.broken = false;
    fence();
    return VqStatus.Ok;
  }

  descPa(): usize {
    return this.pa;
  }

  availPa(): usize {
    return usize(this.pa + u64(this.availOff));
  }

  usedPa(): usize {
    return usize(this.pa + u64(this.usedOff));
  }

  /**
   * Writes the chain into free descriptors and appends its head to the
   * available ring, not yet visible to the device (publish() does that).
   * Ok: the head is in addedHead, the id collect() will return for it.
   */
  add(chain: BufferChain): VqStatus {
    if (this.broken) return VqStatus.DeviceError;
    const n: u32 = chain.count;
    if (n == 0 || n > this.size) return VqStatus.BadArgument;
    let sawWritable = false;
    let writable: u64 = 0n;
    for (let i: u32 = 0; i < n; i++) {
      // Spec 2.7.4.2: device-writable buffers come after the readable ones.
      if (chain.writable[i]) {
        sawWritable = true;
        writable = u64(writable + u64(chain.len[i]));
      } else if (sawWritable) return VqStatus.BadArgument;
      if (chain.addr[i] > u64(0xffff_ffff_ffff_ffffn - u64(chain.len[i]))) return VqStatus.BadArgument;
    }
    if (n > this.numFree) return VqStatus.NoRoom;
    const head: u32 = this.freeHead;
    let id: u32 = head;
    for (let i: u32 = 0; i < n; i++) {
      const d: usize = usize(this.va + u64(u32(16 * id)));
      const last = u32(i + 1) == n;
      let flags: u16 = chain.writable[i] ? VIRTQ_DESC_F_WRITE : 0;
      if (!last) flags |= VIRTQ_DESC_F_NEXT;
      store64(d, chain.addr[i]);
      store32(usize(d + 8n), chain.len[i]);
      store16(usize(d + 12n), flags);
      store16(usize(d + 14n), last ? 0 : this.next[id]);
      this.state[id] = INNER;
      if (last) this.freeHead = u32(this.next[id]);
      else id = u32(this.next[id]);
    }
    this.numFree = u32(this.numFree - n);
    this.state[head] = ADDED;
    this.chainLen[head] = u16(n);
    this.writableLen[head] = writable;
    const slot: u32 = u32(u32(this.availIdx) & this.mask);
    this.ring[slot] = u16(head);
    store16(usize(this.va + u64(u32(this.availOff + 4 + u32(2 * slot)))), u16(head));
    this.availIdx = u16(this.availIdx + 1);
    this.addedHead = head;
    return VqStatus.Ok;
  }

  /** Makes every chain added so far visible to the device. */
  publish(): void {
    if (this.broken || this.availIdx == this.publishedIdx) return;
    let i: u16 = this.publishedIdx;
    while (i != this.availIdx) {
      this.state[this.ring[u32(u32(i) & this.mask)]] = PUBLISHED;
      this.inFlight = u32(this.inFlight + 1);
      i = u16(i + 1);
    }
    fence(); // descriptors and ring entries before the index that shows them
    store16(usize(this.va + u64(u32(this.availOff + 2))), this.availIdx);
    this.publishedIdx = this.availIdx;
    this.unnotified = true;
  }

  /**
   * Whether the device must be notified of what publish() showed it since the
   * last call: not if nothing new, nor if the device set VIRTQ_USED_F_NO_NOTIFY.
   */
  needsNotify(): bool {
    if (this.broken || !this.unnotified) return false;
    this.unnotified = false;
    fence(); // the index store before the flags load (store-load needs a full fence)
    const flags: u16 = load16(usize(this.va + u64(this.usedOff)));
    return (flags & VIRTQ_USED_F_NO_NOTIFY) == 0;
  }

  /** Asks the device not to interrupt on completions (polling), or to interrupt again. */
  setInterrupts(enabled: bool): void {
    this.availFlags = enabled ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
    store16(usize(this.va + u64(this.availOff)), this.availFlags);
    fence();
  }

  /**
   * Takes one completion from the used ring and frees its chain. Ok: usedId is
   * the chain's head (as add() gave it) and usedLen the bytes the device says it
   * wrote (never more than the chain's writable length). Empty: none waiting.
   * DeviceError: the device broke the protocol; nothing was freed.
   */
  collect(): VqStatus {
    if (this.broken) return VqStatus.DeviceError;
    const used: usize = usize(this.va + u64(this.usedOff));
    compilerBarrier(); // read the index again on every call, even inlined in a poll loop
    const idx: u16 = load16(usize(used + 2n));
    const pending: u16 = u16(idx - this.lastUsed);
    if (pending == 0) return VqStatus.Empty;
    if (u32(pending) > this.inFlight) return this.fail();
    fence(); // the entry after the index that covers it
    const slot: u32 = u32(u32(this.lastUsed) & this.mask);
    const e: usize = usize(used + u64(u32(4 + u32(8 * slot))));
    const id: u32 = load32(e);
    const len: u32 = load32(usize(e + 4n));
    if (id >= this.size || this.state[id] != PUBLISHED) return this.fail();
    if (u64(len) > this.writableLen[id]) return this.fail();
    const n: u32 = u32(this.chainLen[id]);
    let tail: u32 = id;
    for (let i: u32 = 0; i < n; i++) {
      this.state[tail] = FREE;
      if (u32(i + 1) < n) tail = u32(this.next[tail]);
    }
    this.next[tail] = u16(this.freeHead);
    this.freeHead = id;
    this.numFree = u32(this.numFree + n);
    this.inFlight = u32(this.inFlight - 1);
    this.lastUsed = u16(this.lastUsed + 1);
    this.usedId = id;
    this.usedLen = len;
    return VqStatus.Ok;
  }

  private fail(): VqStatus {
    this.broken = true;
    return VqStatus.DeviceError;
  }
}
