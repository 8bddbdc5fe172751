"use unsafe";
/**
 * Channels: a shared-memory ring protocol between a driver service (the server)
 * and its client. One region both map holds a header page, a request ring, a
 * completion ring and a data area; the peers pass offsets, never pointers, and
 * notify each other by IPC only when the other side is waiting. The layout, the
 * memory ordering and the rules for a hostile peer are in docs/channels.md.
 *
 * Everything read from the region is untrusted: indices and entry fields are
 * read once per operation (atomic loads, so no compiler re-fetches them),
 * validated, and a bad one breaks the channel locally with a Protocol result.
 * Each side keeps its own index privately and only publishes it, so the peer
 * cannot move it. The library never touches memory outside [va, va + bytes).
 */
import { u8, u32, u64, usize, bool, panic } from "kts";
import { atomicLoad32, atomicLoad64, atomicStore32, load8, store8, store32, store64 } from "kts/unsafe";

/** "CHAN" read as a number. */
export const CHANNEL_MAGIC: u32 = 0x4348_414e;
export const CHANNEL_VERSION: u32 = 1;
export const PAGE_BYTES: u32 = 4096;
export const ENTRY_BYTES: u32 = 32;
/** Entries a ring holds at most (a power of two, 2 MiB of ring). */
export const MAX_ENTRIES: u32 = 65536;

// Header fields (byte offsets from the region's start).
export const H_MAGIC = 0x000;
export const H_VERSION = 0x004;
export const H_REGION_BYTES = 0x008;
export const H_ENTRY_BYTES = 0x00c;
export const H_REQ_ENTRIES = 0x010;
export const H_CMP_ENTRIES = 0x014;
export const H_REQ_OFFSET = 0x018;
export const H_CMP_OFFSET = 0x01c;
export const H_DATA_OFFSET = 0x020;
export const H_DATA_BYTES = 0x024;
// Each ring's indices: the producer's line and the consumer's line, 128 bytes
// apart (two 64-byte lines: adjacent-line prefetchers fetch pairs).
export const H_REQ_PRODUCER = 0x080;
export const H_REQ_PRODUCER_WAITING = 0x084;
export const H_REQ_CONSUMER = 0x100;
export const H_REQ_CONSUMER_WAITING = 0x104;
export const H_CMP_PRODUCER = 0x180;
export const H_CMP_PRODUCER_WAITING = 0x184;
export const H_CMP_CONSUMER = 0x200;
export const H_CMP_CONSUMER_WAITING = 0x204;
/** Bytes of the header page init writes; the rest of the page is reserved. */
export const HEADER_USED = 0x280;

// Entry fields (byte offsets in a 32-byte entry).
export const E_ID = 0;
export const E_CODE = 4;
export const E_OFFSET = 8;
export const E_LENGTH = 12;
export const E_ARG = 16;
export const E_ARG2 = 24;

/** Which half of the protocol a side speaks. */
export enum Side {
  None = 0,
  /** Produces requests, consumes completions. */
  Client = 1,
  /** The driver: consumes requests, produces completions. */
  Server = 2,
}

export enum Status {
  Ok = 0,
  /** Done, and the peer must be notified (it waits for an entry, or for space). */
  Notify = 1,
  /** Pop: nothing to take (this side's waiting flag is now raised). */
  Empty = 2,
  /** Push: no free slot (this side's waiting flag is now raised). */
  Full = 3,
  /** This side's own mistake: a bad region, ring size, or data range. Nothing changed. */
  BadArgument = 4,
  /** The peer broke the protocol (see Channel.fault); the channel is now broken. */
  Protocol = 5,
  /** The channel was broken earlier, or never set up. */
  Broken = 6,
  /** attach refused the header (see Channel.fault). */
  BadHeader = 7,
}

/** A push or pop that took effect: Ok, or Notify (then also notify the peer). */
export function succeeded(s: Status): bool {
  return s == Status.Ok || s == Status.Notify;
}

/** Why a channel was refused or broken. */
export enum Fault {
  None = 0,
  Magic = 1,
  Version = 2,
  /** Region size, entry size, ring sizes or offsets disagree with the mapping. */
  Layout = 3,
  /** attach: an index pair already further apart than its ring. */
  Indices = 4,
  /** The peer's producer index is more than a ring ahead of ours. */
  ProducerIndex = 5,
  /** The peer's consumer index is ahead of ours, or a ring behind. */
  ConsumerIndex = 6,
  /** An entry's data offset + length leaves the data area. */
  Buffer = 7,
}

/** One ring entry, as popped. In a completion `code` is the status and `arg` the result value. */
export class Entry {
  id: u32 = 0;
  code: u32 = 0;
  offset: u32 = 0;
  length: u32 = 0;
  arg: u64 = 0n;
  arg2: u64 = 0n;
}

/** This side's private view of one ring. */
export class Ring {
  entries: u32 = 0;
  mask: u32 = 0;
  /** The ring's first entry, as a region offset. */
  off: u32 = 0;
  prodAt: u32 = 0;
  consAt: u32 = 0;
  /** Our index on this ring (producer's or consumer's): never read back from the region. */
  index: u32 = 0;
  /** Our waiting flag is raised, with value `seq`. */
  armed: bool = false;
  seq: u32 = 0;
  /** The peer's waiting-flag value we last notified for. */
  peerSeen: u32 = 0;
}

function entriesOk(n: u32): bool {
  return n >= 1 && n <= MAX_ENTRIES && (n & u32(n - 1)) == 0;
}

/** A ring's bytes, rounded up to whole pages so each ring and the data area start page-aligned. */
export function ringBytes(entries: u32): u32 {
  return u32((entries * ENTRY_BYTES + 4095) & 0xffff_f000);
}

/** The smallest region: a header page and two one-page rings. */
export const MIN_REGION_BYTES: u32 = 3 * 4096;

function regionOk(va: usize, bytes: u32): bool {
  return (va & 0xfffn) == 0n && va != 0n && (bytes & 0xfff) == 0 && bytes >= MIN_REGION_BYTES && va <= u64(0xffff_ffff_ffff_ffffn - usize(bytes));
}

export class Channel {
  base: usize = 0n;
  bytes: u32 = 0;
  side: Side = Side.None;
  dataOff: u32 = 0;
  dataBytes: u32 = 0;
  req = new Ring();
  cmp = new Ring();
  ready: bool = false;
  broken: bool = false;
  fault: Fault = Fault.None;

  /** The owner sets up the region (va and bytes page-aligned) with rings of the given sizes (powers of two). */
  init(va: usize, bytes: u32, reqEntries: u32, cmpEntries: u32, side: Side): Status {
    return this.initAt(va, bytes, reqEntries, cmpEntries, side, 0);
  }

  /** init with every index starting at `first` (tests start near 2^32 to cross the wrap). */
  initAt(va: usize, bytes: u32, reqEntries: u32, cmpEntries: u32, side: Side, first: u32): Status {
    this.reset();
    if (side == Side.None || !regionOk(va, bytes) || !entriesOk(reqEntries) || !entriesOk(cmpEntries)) return Status.BadArgument;
    const cmpOff = u32(PAGE_BYTES + ringBytes(reqEntries));
    const dataOff = u32(cmpOff + ringBytes(cmpEntries));
    if (dataOff > bytes) return Status.BadArgument;
    this.base = va;
    // Magic is stored last: a peer attaching before init is done refuses the header.
    for (let o: u32 = 0; o < HEADER_USED; o = u32(o + 8)) store64(this.at(o), 0n);
    store32(this.at(H_VERSION), CHANNEL_VERSION);
    store32(this.at(H_REGION_BYTES), bytes);
    store32(this.at(H_ENTRY_BYTES), ENTRY_BYTES);
    store32(this.at(H_REQ_ENTRIES), reqEntries);
    store32(this.at(H_CMP_ENTRIES), cmpEntries);
    store32(this.at(H_REQ_OFFSET), PAGE_BYTES);
    store32(this.at(H_CMP_OFFSET), cmpOff);
    store32(this.at(H_DATA_OFFSET), dataOff);
    store32(this.at(H_DATA_BYTES), u32(bytes - dataOff));
    store32(this.at(H_REQ_PRODUCER), first);
    store32(this.at(H_REQ_CONSUMER), first);
    store32(this.at(H_CMP_PRODUCER), first);
    store32(this.at(H_CMP_CONSUMER), first);
    atomicStore32(this.at(H_MAGIC), CHANNEL_MAGIC);
    this.setup(va, bytes, side, reqEntries, cmpEntries, dataOff);
    this.req.index = first;
    this.cmp.index = first;
    return Status.Ok;
  }

  /**
   * The peer joins a region the owner set up: every header field is read once
   * and checked against this side's own mapping; a bad header is refused
   * (BadHeader, reason in `fault`) and the channel stays unusable.
   */
  attach(va: usize, bytes: u32, side: Side): Status {
    this.reset();
    if (side == Side.None || !regionOk(va, bytes)) return Status.BadArgument;
    this.base = va;
    const magic = atomicLoad32(this.at(H_MAGIC));
    const version = atomicLoad32(this.at(H_VERSION));
    const regionBytes = atomicLoad32(this.at(H_REGION_BYTES));
    const entryBytes = atomicLoad32(this.at(H_ENTRY_BYTES));
    const reqEntries = atomicLoad32(this.at(H_REQ_ENTRIES));
    const cmpEntries = atomicLoad32(this.at(H_CMP_ENTRIES));
    const reqOff = atomicLoad32(this.at(H_REQ_OFFSET));
    const cmpOff = atomicLoad32(this.at(H_CMP_OFFSET));
    const dataOff = atomicLoad32(this.at(H_DATA_OFFSET));
    const dataBytes = atomicLoad32(this.at(H_DATA_BYTES));
    const reqProd = atomicLoad32(this.at(H_REQ_PRODUCER));
    const reqCons = atomicLoad32(this.at(H_REQ_CONSUMER));
    const cmpProd = atomicLoad32(this.at(H_CMP_PRODUCER));
    const cmpCons = atomicLoad32(this.at(H_CMP_CONSUMER));
    this.base = 0n;
    if (magic != CHANNEL_MAGIC) return this.refuse(Fault.Magic);
    if (version != CHANNEL_VERSION) return this.refuse(Fault.Version);
    if (regionBytes != bytes || entryBytes != ENTRY_BYTES || !entriesOk(reqEntries) || !entriesOk(cmpEntries)) return this.refuse(Fault.Layout);
    // Ring sizes are at most 2 MiB each, so these sums cannot wrap.
    const wantCmp = u32(PAGE_BYTES + ringBytes(reqEntries));
    const wantData = u32(wantCmp + ringBytes(cmpEntries));
    if (reqOff != PAGE_BYTES || cmpOff != wantCmp || dataOff != wantData || dataOff > bytes || dataBytes != u32(bytes - dataOff)) {
      return this.refuse(Fault.Layout);
    }
    if (u32(reqProd - reqCons) > reqEntries || u32(cmpProd - cmpCons) > cmpEntries) return this.refuse(Fault.Indices);
    this.setup(va, bytes, side, reqEntries, cmpEntries, dataOff);
    this.req.index = side == Side.Client ? reqProd : reqCons;
    this.cmp.index = side == Side.Client ? cmpCons : cmpProd;
    // Our own waiting flags start lowered (they may be left from a previous run).
    atomicStore32(this.at(side == Side.Client ? H_REQ_PRODUCER_WAITING : H_REQ_CONSUMER_WAITING), 0);
    atomicStore32(this.at(side == Side.Client ? H_CMP_CONSUMER_WAITING : H_CMP_PRODUCER_WAITING), 0);
    return Status.Ok;
  }

  /** Client: queue a request for data-area bytes [offset, offset + length). */
  pushRequest(id: u32, opcode: u32, offset: u32, length: u32, arg: u64, arg2: u64): Status {
    if (!this.usable()) return Status.Broken;
    this.need(Side.Client);
    return this.put(this.req, id, opcode, offset, length, arg, arg2);
  }

  /** Server: take the next request into out. */
  popRequest(out: Entry): Status {
    if (!this.usable()) return Status.Broken;
    this.need(Side.Server);
    return this.take(this.req, out);
  }

  /** Server: complete request `id` with `status`, data-area bytes [offset, offset + length) and a result value. */
  pushCompletion(id: u32, status: u32, offset: u32, length: u32, value: u64, arg2: u64): Status {
    if (!this.usable()) return Status.Broken;
    this.need(Side.Server);
    return this.put(this.cmp, id, status, offset, length, value, arg2);
  }

  /** Client: take the next completion into out. */
  popCompletion(out: Entry): Status {
    if (!this.usable()) return Status.Broken;
    this.need(Side.Client);
    return this.take(this.cmp, out);
  }

  /** True if [offset, offset + length) lies in the data area (no u32 overflow). */
  inData(offset: u32, length: u32): bool {
    return length <= this.dataBytes && offset <= u32(this.dataBytes - length);
  }

  /** The address of data-area bytes [offset, offset + length) in this side's mapping, or 0 if outside. */
  dataAddress(offset: u32, length: u32): usize {
    if (!this.ready || !this.inData(offset, length)) return 0n;
    return usize(this.base + usize(this.dataOff) + usize(offset));
  }

  /** Copies data-area bytes [offset, offset + length) to dst[at..]; false (nothing copied) if either range is outside. */
  readData(offset: u32, dst: u8[], at: u32, length: u32): bool {
    const src = this.dataAddress(offset, length);
    if (src == 0n || at > dst.length || length > u32(dst.length - at)) return false;
    for (let i: u32 = 0; i < length; i++) dst[u32(at + i)] = load8(usize(src + usize(i)));
    return true;
  }

  /** Copies src[at..at + length) to data-area bytes [offset, ...); false (nothing copied) if either range is outside. */
  writeData(offset: u32, src: readonly u8[], at: u32, length: u32): bool {
    const dst = this.dataAddress(offset, length);
    if (dst == 0n || at > src.length || length > u32(src.length - at)) return false;
    for (let i: u32 = 0; i < length; i++) store8(usize(dst + usize(i)), src[u32(at + i)]);
    return true;
  }

  /** Bytes of the data area. */
  dataSize(): u32 {
    return this.dataBytes;
  }

  private reset(): void {
    this.base = 0n;
    this.bytes = 0;
    this.side = Side.None;
    this.dataOff = 0;
    this.dataBytes = 0;
    this.ready = false;
    this.broken = false;
    this.fault = Fault.None;
    resetRing(this.req);
    resetRing(this.cmp);
  }

  private setup(va: usize, bytes: u32, side: Side, reqEntries: u32, cmpEntries: u32, dataOff: u32): void {
    this.base = va;
    this.bytes = bytes;
    this.side = side;
    this.dataOff = dataOff;
    this.dataBytes = u32(bytes - dataOff);
    setRing(this.req, reqEntries, PAGE_BYTES, H_REQ_PRODUCER, H_REQ_CONSUMER);
    setRing(this.cmp, cmpEntries, u32(PAGE_BYTES + ringBytes(reqEntries)), H_CMP_PRODUCER, H_CMP_CONSUMER);
    this.ready = true;
  }

  private usable(): bool {
    return this.ready && !this.broken;
  }

  private need(side: Side): void {
    if (this.side != side) panic("channel: operation of the other side");
  }

  private at(off: u32): usize {
    return usize(this.base + usize(off));
  }

  private refuse(f: Fault): Status {
    this.fault = f;
    return Status.BadHeader;
  }

  private fail(f: Fault): Status {
    this.broken = true;
    this.fault = f;
    return Status.Protocol;
  }

  /** The peer must be notified if the ring was empty, or its waiting flag shows a value not yet notified. */
  private notifyFor(r: Ring, wasEmpty: bool, peerFlag: u32): Status {
    let notify = wasEmpty;
    if (peerFlag != 0 && peerFlag != r.peerSeen) {
      notify = true;
      r.peerSeen = peerFlag;
    }
    return notify ? Status.Notify : Status.Ok;
  }

  /** Raises our waiting flag with a fresh nonzero value, so the peer notifies once per wait. */
  private raise(r: Ring, flagAt: u32): void {
    r.seq = r.seq == 0xffff_ffff ? 1 : u32(r.seq + 1);
    r.armed = true;
    atomicStore32(this.at(flagAt), r.seq);
  }

  private lower(r: Ring, flagAt: u32): void {
    r.armed = false;
    atomicStore32(this.at(flagAt), 0);
  }

  private put(r: Ring, w0: u32, w1: u32, offset: u32, length: u32, arg: u64, arg2: u64): Status {
    if (!this.inData(offset, length)) return Status.BadArgument;
    const prod = r.index;
    let used = u32(prod - atomicLoad32(this.at(r.consAt)));
    if (used > r.entries) return this.fail(Fault.ConsumerIndex);
    if (used == r.entries) {
      if (r.armed) return Status.Full;
      // Raise our flag, then look again: a pop in between either sees the flag or frees the slot we see now.
      this.raise(r, u32(r.prodAt + 4));
      used = u32(prod - atomicLoad32(this.at(r.consAt)));
      if (used > r.entries) return this.fail(Fault.ConsumerIndex);
      if (used == r.entries) return Status.Full;
    }
    const e = this.at(u32(r.off + u32((prod & r.mask) * ENTRY_BYTES)));
    store32(e, w0);
    store32(usize(e + 4n), w1);
    store32(usize(e + 8n), offset);
    store32(usize(e + 12n), length);
    store64(usize(e + 16n), arg);
    store64(usize(e + 24n), arg2);
    r.index = u32(prod + 1);
    // Sequentially consistent store: the entry is visible before the index.
    atomicStore32(this.at(r.prodAt), r.index);
    if (r.armed) this.lower(r, u32(r.prodAt + 4));
    // Read after the index store (both seq_cst): a consumer raising its flag sees the entry or we see the flag.
    return this.notifyFor(r, used == 0, atomicLoad32(this.at(u32(r.consAt + 4))));
  }

  private take(r: Ring, out: Entry): Status {
    const cons = r.index;
    let avail = u32(atomicLoad32(this.at(r.prodAt)) - cons);
    if (avail > r.entries) return this.fail(Fault.ProducerIndex);
    if (avail == 0) {
      if (r.armed) return Status.Empty;
      this.raise(r, u32(r.consAt + 4));
      avail = u32(atomicLoad32(this.at(r.prodAt)) - cons);
      if (avail > r.entries) return this.fail(Fault.ProducerIndex);
      if (avail == 0) return Status.Empty;
    }
    // Copy the entry out once, then validate the copy (the peer may rewrite the slot meanwhile).
    const e = this.at(u32(r.off + u32((cons & r.mask) * ENTRY_BYTES)));
    const id = atomicLoad32(e);
    const code = atomicLoad32(usize(e + 4n));
    const offset = atomicLoad32(usize(e + 8n));
    const length = atomicLoad32(usize(e + 12n));
    const arg = atomicLoad64(usize(e + 16n));
    const arg2 = atomicLoad64(usize(e + 24n));
    if (!this.inData(offset, length)) return this.fail(Fault.Buffer);
    r.index = u32(cons + 1);
    // After the entry's loads: the producer may reuse the slot once it sees this.
    atomicStore32(this.at(r.consAt), r.index);
    if (r.armed) this.lower(r, u32(r.consAt + 4));
    out.id = id;
    out.code = code;
    out.offset = offset;
    out.length = length;
    out.arg = arg;
    out.arg2 = arg2;
    return this.notifyFor(r, false, atomicLoad32(this.at(u32(r.prodAt + 4))));
  }
}

function resetRing(r: Ring): void {
  r.entries = 0;
  r.mask = 0;
  r.off = 0;
  r.prodAt = 0;
  r.consAt = 0;
  r.index = 0;
  r.armed = false;
  r.seq = 0;
  r.peerSeen = 0;
}

function setRing(r: Ring, entries: u32, off: u32, prodAt: u32, consAt: u32): void {
  r.entries = entries;
  r.mask = u32(entries - 1);
  r.off = off;
  r.prodAt = prodAt;
  r.consAt = consAt;
}
