"use unsafe";
// libFuzzer target: one honest channel endpoint (src/lib/channel/channel.ts)
// against a hostile peer whose every write comes from the input. The shared
// region is a heap block of exactly its size (fuzz_alloc, page-aligned:
// AddressSanitizer reports any access outside it). Set-up: either the honest
// side owns the region (init, ring sizes and first index from the input), or
// the peer lays it out and then rewrites header fields before the honest side
// attaches. Then the script: the peer writes any word of the region (indices,
// waiting flags, entries), publishes entries with any offset and length,
// moves its indices anywhere, or plays its side honestly; the honest side
// pushes, pops and copies data. Checked: a popped entry's buffer lies in the
// data area (and is read through the library), a push is refused exactly when
// its buffer is outside it, copies stay inside, and a channel that reported a
// protocol fault refuses everything afterwards.
import { u8, u32, u64, usize, bool, array, panic } from "kts";
import { load32, store32 } from "kts/unsafe";
import { Channel, Entry, Side, Status, succeeded, ringBytes, PAGE_BYTES, ENTRY_BYTES } from "../../src/lib/channel/channel";
import { H_REQ_PRODUCER, H_REQ_CONSUMER, H_CMP_PRODUCER, H_CMP_CONSUMER, HEADER_USED } from "../../src/lib/channel/channel";
import { Input } from "./input";

declare function fuzz_alloc(bytes: u32, align: u32): usize;
declare function fuzz_free(addr: usize): void;

const MAX_OPS: u32 = 512;
const I = new Input();
const honest = new Channel();
const peer = new Channel();
const e = new Entry();
const scratch: u8[] = array(256, 0);
let base: usize = 0n;
let bytes: u32 = 0;
let side: Side = Side.Client;
let peerSide: Side = Side.Server;
let peerOk: bool = false;
let broken: bool = false;

function wr(off: u32, v: u32): void {
  store32(usize(base + usize(off)), v);
}

/** Any 4-aligned word of the region. */
function anyWord(b: u8[]): u32 {
  return u32(u32(u32(I.u16(b)) * 4) % bytes);
}

function setUp(b: u8[]): bool {
  if (base != 0n) fuzz_free(base);
  bytes = u32(u32(3 + u32(u32(I.u8(b)) % 6)) * PAGE_BYTES);
  base = fuzz_alloc(bytes, PAGE_BYTES);
  const mode: u8 = I.u8(b);
  side = (mode & 1) != 0 ? Side.Server : Side.Client;
  peerSide = side == Side.Client ? Side.Server : Side.Client;
  const req: u32 = u32(1 << u32(u32(I.u8(b)) % 17));
  const cmp: u32 = u32(1 << u32(u32(I.u8(b)) % 17));
  const first: u32 = I.u32(b);
  broken = false;
  if ((mode & 2) == 0) {
    // The honest side owns the region; the peer attaches (and may be refused: then it only scribbles).
    if (honest.initAt(base, bytes, req, cmp, side, first) != Status.Ok) return false;
    peerOk = peer.attach(base, bytes, peerSide) == Status.Ok;
    return true;
  }
  // The peer lays the region out, rewrites header words, and the honest side attaches.
  if (peer.initAt(base, bytes, req, cmp, peerSide, first) != Status.Ok) return false;
  peerOk = true;
  const n: u32 = u32(u32(I.u8(b)) & 7);
  for (let i: u32 = 0; i < n; i++) wr(u32(u32(u32(I.u8(b)) * 4) % HEADER_USED), I.u32(b));
  const s: Status = honest.attach(base, bytes, side);
  if (s != Status.Ok) {
    if (s != Status.BadHeader) panic(`attach: ${u32(s)}`);
    if (honest.pushRequest(0, 0, 0, 0, 0n, 0n) != Status.Broken || honest.popRequest(e) != Status.Broken) panic("a refused channel works");
    return false;
  }
  return true;
}

/** The honest side's own ring for producing (requests for a client) and for consuming. */
function honestPop(): void {
  const s: Status = side == Side.Server ? honest.popRequest(e) : honest.popCompletion(e);
  if (broken) {
    if (s != Status.Broken) panic(`pop on a broken channel: ${u32(s)}`);
    return;
  }
  if (s == Status.Protocol) {
    broken = true;
    return;
  }
  if (!succeeded(s)) {
    if (s != Status.Empty) panic(`pop: ${u32(s)}`);
    return;
  }
  if (!honest.inData(e.offset, e.length)) panic(`popped buffer ${e.offset}+${e.length} outside the data area`);
  // Read the buffer through the library: its ends, at most 128 bytes each.
  const n: u32 = e.length < 128 ? e.length : 128;
  if (!honest.readData(e.offset, scratch, 0, n) || !honest.readData(u32(e.offset + e.length - n), scratch, 128, n)) panic("a popped buffer cannot be read");
}

function honestPush(b: u8[]): void {
  const off: u32 = I.u32(b);
  const len: u32 = I.u32(b);
  const inside: bool = !broken && honest.inData(off, len);
  const s: Status = side == Side.Client ? honest.pushRequest(I.u32(b), 1, off, len, 0n, 0n) : honest.pushCompletion(I.u32(b), 0, off, len, 0n, 0n);
  if (broken) {
    if (s != Status.Broken) panic(`push on a broken channel: ${u32(s)}`);
    return;
  }
  if (s == Status.Protocol) {
    broken = true;
    return;
  }
  if (!inside && s != Status.BadArgument) panic(`push of ${off}+${len} outside the data area: ${u32(s)}`);
  if (inside && s == Status.BadArgument) panic(`push of ${off}+${len} inside the data area refused`);
}

function honestCopy(b: u8[]): void {
  const off: u32 = I.u32(b);
  const at: u32 = u32(u32(I.u8(b)) % 256);
  const len: u32 = u32(u32(I.u16(b)) % 300);
  const fits: bool = honest.inData(off, len) && u32(at + len) <= 256;
  const r: bool = (I.u8(b) & 1) != 0 ? honest.readData(off, scratch, at, len) : honest.writeData(off, scratch, at, len);
  if (r != fits) panic(`copy of ${len} bytes at ${off} (array ${at}): ${r}`);
}

/** The peer publishes an entry on its producing ring with any buffer, and bumps its index. */
function peerEntry(b: u8[]): void {
  const cmpRing: bool = peerSide == Side.Server;
  const entries: u32 = cmpRing ? honest.cmp.entries : honest.req.entries;
  const ring: u32 = cmpRing ? u32(PAGE_BYTES + ringBytes(honest.req.entries)) : PAGE_BYTES;
  const prodAt: u32 = cmpRing ? H_CMP_PRODUCER : H_REQ_PRODUCER;
  if (entries == 0) return;
  // Where the producer index is now (as an honest peer would publish next), or anywhere.
  const prod: u32 = I.u8(b) == 0 ? I.u32(b) : load32(usize(base + usize(prodAt)));
  const slot: u32 = u32(ring + u32(u32(prod & u32(entries - 1)) * ENTRY_BYTES));
  if (u32(slot + ENTRY_BYTES) > bytes) return;
  for (let i: u32 = 0; i < 8; i++) wr(u32(slot + u32(i * 4)), I.u32(b));
  wr(prodAt, u32(prod + 1));
}

function peerHonest(b: u8[]): void {
  if (!peerOk) return;
  if ((I.u8(b) & 1) != 0) {
    if (peerSide == Side.Server) peer.popRequest(e);
    else peer.popCompletion(e);
  } else {
    const off: u32 = u32(I.u16(b));
    const len: u32 = u32(I.u16(b));
    if (peerSide == Side.Client) peer.pushRequest(7, 1, off, len, 0n, 0n);
    else peer.pushCompletion(7, 0, off, len, 0n, 0n);
  }
}

export function fuzzOne(b: u8[]): u32 {
  I.start(b.length);
  if (!setUp(b)) return 0;
  for (let op: u32 = 0; op < MAX_OPS; op = u32(op + 1)) {
    if (I.done()) break;
    const kind: u32 = u32(u32(I.u8(b)) % 8);
    if (kind == 0) wr(anyWord(b), I.u32(b));
    else if (kind == 1) peerEntry(b);
    else if (kind == 2) {
      const which: u32 = u32(u32(I.u8(b)) & 3);
      const at: u32 = which == 0 ? H_REQ_PRODUCER : which == 1 ? H_REQ_CONSUMER : which == 2 ? H_CMP_PRODUCER : H_CMP_CONSUMER;
      const delta: u32 = I.u32(b);
      wr(at, u32(u32(at == H_REQ_PRODUCER || at == H_REQ_CONSUMER ? honest.req.index : honest.cmp.index) + delta));
    } else if (kind == 3) honestPop();
    else if (kind == 4) honestPush(b);
    else if (kind == 5) honestCopy(b);
    else if (kind == 6) peerHonest(b);
    else wr(u32(u32(u32(I.u8(b)) * 4) % HEADER_USED), I.u32(b));
  }
  return 0;
}
