"use unsafe";
// Channel protocol between two endpoints on one region (both worlds, same
// output): setup and refusals, a block-driver round trip with data, notification
// rules, full rings, wrap-around of the u32 indices, a driver restart, and the
// private copies that make header and index scribbles harmless.
import { u8, u32, u64, usize, bool, print, check, checkFailures, array, hex } from "kts";
import { load32, store32 } from "kts/unsafe";
import { Channel, Entry, Fault, Side, Status, succeeded, HEADER_USED, H_CMP_CONSUMER, H_CMP_CONSUMER_WAITING, H_CMP_ENTRIES, H_CMP_OFFSET, H_CMP_PRODUCER, H_DATA_BYTES, H_DATA_OFFSET, H_ENTRY_BYTES, H_MAGIC, H_REGION_BYTES, H_REQ_CONSUMER, H_REQ_CONSUMER_WAITING, H_REQ_ENTRIES, H_REQ_OFFSET, H_REQ_PRODUCER, H_REQ_PRODUCER_WAITING, H_VERSION } from "../../src/lib/channel/channel";
import { regionBase, fillGuards, guardDamage } from "./channel-world";

const REGION: u32 = 8 * 4096;
const BLOCK: u32 = 512;
const OP_READ: u32 = 1;
const OP_WRITE: u32 = 2;

const server = new Channel();
const client = new Channel();
const restarted = new Channel();
const e = new Entry();
const disk: u8[] = array(16 * 512, 0);
const buf: u8[] = array(512, 0);
let base: usize = 0n;

function hdr(off: u32): u32 {
  return load32(usize(base + usize(off)));
}

function put32(off: u32, v: u32): void {
  store32(usize(base + usize(off)), v);
}

/** Owner init plus peer attach; the owner is the client when clientOwns. */
function pair(reqEntries: u32, cmpEntries: u32, first: u32, clientOwns: bool): void {
  if (clientOwns) {
    check(client.initAt(base, REGION, reqEntries, cmpEntries, Side.Client, first) == Status.Ok, "init");
    check(server.attach(base, REGION, Side.Server) == Status.Ok, "attach");
  } else {
    check(server.initAt(base, REGION, reqEntries, cmpEntries, Side.Server, first) == Status.Ok, "init");
    check(client.attach(base, REGION, Side.Client) == Status.Ok, "attach");
  }
}

function pattern(block: u32, gen: u32, i: u32): u8 {
  return u8(block * 7 + gen * 13 + i);
}

function setup(): void {
  print("-- setup");
  // Refusals of a bad region or ring size leave nothing set up.
  check(server.init(usize(base + 8n), REGION, 8, 8, Side.Server) == Status.BadArgument, "unaligned va");
  check(server.init(base, u32(REGION + 100), 8, 8, Side.Server) == Status.BadArgument, "partial page");
  check(server.init(base, 8192, 8, 8, Side.Server) == Status.BadArgument, "too small");
  check(server.init(base, REGION, 0, 8, Side.Server) == Status.BadArgument, "zero entries");
  check(server.init(base, REGION, 8, 3, Side.Server) == Status.BadArgument, "not a power of two");
  check(server.init(base, REGION, 131072, 8, Side.Server) == Status.BadArgument, "too many entries");
  check(server.init(base, REGION, 8, 8, Side.None) == Status.BadArgument, "no side");
  check(server.init(base, 3 * 4096, 256, 8, Side.Server) == Status.BadArgument, "rings do not fit");
  check(server.popRequest(e) == Status.Broken && server.dataAddress(0, 1) == 0n, "unusable after a refused init");
  for (let o: u32 = 0; o < HEADER_USED; o = u32(o + 4)) put32(o, 0);
  check(client.attach(base, REGION, Side.Client) == Status.BadHeader && client.fault == Fault.Magic, "attach to a blank page");
  check(server.init(base, REGION, 64, 128, Side.Server) == Status.Ok, "init");
  print(`magic ${hex(hdr(H_MAGIC))} version ${hdr(H_VERSION)} bytes ${hdr(H_REGION_BYTES)} entry ${hdr(H_ENTRY_BYTES)}`);
  print(`rings ${hdr(H_REQ_ENTRIES)} at ${hdr(H_REQ_OFFSET)}, ${hdr(H_CMP_ENTRIES)} at ${hdr(H_CMP_OFFSET)}; data ${hdr(H_DATA_BYTES)} at ${hdr(H_DATA_OFFSET)}`);
  check(hdr(H_REQ_OFFSET) == 4096 && hdr(H_CMP_OFFSET) == 8192 && hdr(H_DATA_OFFSET) == 12288 && hdr(H_DATA_BYTES) == 20480, "layout");
  check(client.attach(base, u32(REGION - 4096), Side.Client) == Status.BadHeader && client.fault == Fault.Layout, "attach with another size");
  check(client.attach(usize(base + 1n), REGION, Side.Client) == Status.BadArgument, "attach unaligned");
  put32(H_VERSION, 2);
  check(client.attach(base, REGION, Side.Client) == Status.BadHeader && client.fault == Fault.Version, "attach to version 2");
  put32(H_VERSION, 1);
  check(client.attach(base, REGION, Side.Client) == Status.Ok && client.dataSize() == 20480, "attach");
}

/** A block device: writes of 16 blocks, then reads of them back, through data-area buffers. */
function roundTrip(clientOwns: bool): void {
  print(`-- block round trip, client owns ${clientOwns}`);
  pair(16, 16, 0, clientOwns);
  let done: u32 = 0;
  for (let pass: u32 = 0; pass < 2; pass++) {
    const op = pass == 0 ? OP_WRITE : OP_READ;
    for (let b: u32 = 0; b < 16; b++) {
      const off = u32(b * BLOCK);
      if (op == OP_WRITE) {
        for (let i: u32 = 0; i < BLOCK; i++) buf[i] = pattern(b, 1, i);
        check(client.writeData(off, buf, 0, BLOCK), "client writes the buffer");
      }
      const s = client.pushRequest(u32(100 + b), op, off, BLOCK, u64(b), 0n);
      check(s == (b == 0 ? Status.Notify : Status.Ok), "notify on the first request only");
    }
    // The driver: serve everything, complete each.
    let served: u32 = 0;
    for (;;) {
      const s = server.popRequest(e);
      if (s == Status.Empty) break;
      check(s == Status.Ok && e.id == u32(100 + served) && e.code == op && e.length == BLOCK && e.arg == u64(served), "request in order");
      const blk = u32(e.arg);
      if (e.code == OP_WRITE) check(server.readData(e.offset, disk, u32(blk * BLOCK), e.length), "driver reads the buffer");
      else check(server.writeData(e.offset, disk, u32(blk * BLOCK), e.length), "driver fills the buffer");
      const c = server.pushCompletion(e.id, 0, e.offset, e.length, u64(e.length), 0n);
      check(c == (served == 0 ? Status.Notify : Status.Ok), "notify on the first completion only");
      served = u32(served + 1);
    }
    check(served == 16, "all served");
    for (let b: u32 = 0; b < 16; b++) {
      check(client.popCompletion(e) == Status.Ok && e.id == u32(100 + b) && e.code == 0 && e.arg == u64(BLOCK), "completion in order");
      if (op == OP_READ) {
        check(client.readData(e.offset, buf, 0, e.length), "client reads the buffer");
        let same = true;
        for (let i: u32 = 0; i < BLOCK; i++) if (buf[i] != pattern(b, 1, i)) same = false;
        check(same, "block read back");
      }
      done = u32(done + 1);
    }
    check(client.popCompletion(e) == Status.Empty, "no more completions");
  }
  print(`completed ${done}`);
}

function notifications(): void {
  print("-- notifications");
  pair(8, 8, 0, false);
  const waitAt = usize(base + usize(H_REQ_CONSUMER_WAITING));
  const s1 = client.pushRequest(1, 0, 0, 0, 0n, 0n);
  const s2 = client.pushRequest(2, 0, 0, 0, 0n, 0n);
  print(`push to empty ${s1}, to non-empty ${s2}`);
  check(s1 == Status.Notify && s2 == Status.Ok, "only empty to non-empty notifies");
  check(server.popRequest(e) == Status.Ok && server.popRequest(e) == Status.Ok, "pops");
  check(load32(waitAt) == 0, "a consumer that found entries is not waiting");
  check(server.popRequest(e) == Status.Empty && load32(waitAt) != 0, "empty raises the waiting flag");
  check(server.popRequest(e) == Status.Empty, "still empty");
  check(client.pushRequest(3, 0, 0, 0, 0n, 0n) == Status.Notify, "the waiting consumer is notified");
  check(client.pushRequest(4, 0, 0, 0, 0n, 0n) == Status.Ok, "once per wait");
  check(server.popRequest(e) == Status.Ok && e.id == 3 && load32(waitAt) == 0, "a pop lowers the flag");
  check(client.pushRequest(5, 0, 0, 0, 0n, 0n) == Status.Ok, "busy consumer, ring not empty: no notification");
  check(server.popRequest(e) == Status.Ok && server.popRequest(e) == Status.Ok && e.id == 5, "drained");
  check(client.pushRequest(6, 0, 0, 0, 0n, 0n) == Status.Notify, "drained ring (flag down): empty to non-empty notifies");
  check(server.popRequest(e) == Status.Ok && server.popRequest(e) == Status.Empty, "drained and waiting");
  check(client.pushRequest(7, 0, 0, 0, 0n, 0n) == Status.Notify, "a new wait is notified again");
  // The completion ring follows the same rules the other way round.
  check(server.pushCompletion(1, 0, 0, 0, 0n, 0n) == Status.Notify && server.pushCompletion(2, 0, 0, 0, 0n, 0n) == Status.Ok, "completions");
  check(client.popCompletion(e) == Status.Ok && client.popCompletion(e) == Status.Ok && client.popCompletion(e) == Status.Empty, "client drains");
  check(load32(usize(base + usize(H_CMP_CONSUMER_WAITING))) != 0, "client waits");
  check(server.pushCompletion(3, 0, 0, 0, 0n, 0n) == Status.Notify && server.pushCompletion(4, 0, 0, 0, 0n, 0n) == Status.Ok, "client notified once");
}

function fullRings(): void {
  print("-- full rings");
  pair(4, 4, 0xffff_fffe, true);
  const waitAt = usize(base + usize(H_REQ_PRODUCER_WAITING));
  let pushed: u32 = 0;
  for (;;) {
    const s = client.pushRequest(pushed, 0, 0, 0, 0n, 0n);
    if (s == Status.Full) break;
    check(s == (pushed == 0 ? Status.Notify : Status.Ok), "push until full");
    pushed = u32(pushed + 1);
  }
  print(`pushed ${pushed} producer index ${hdr(H_REQ_PRODUCER)} consumer index ${hdr(H_REQ_CONSUMER)}`);
  check(pushed == 4 && load32(waitAt) != 0, "full after 4 (across the wrap), producer waiting");
  check(client.pushRequest(9, 0, 0, 0, 0n, 0n) == Status.Full, "still full");
  check(server.popRequest(e) == Status.Notify && e.id == 0, "a pop from a full ring notifies the waiting producer");
  check(server.popRequest(e) == Status.Ok && e.id == 1, "once per wait");
  check(client.pushRequest(4, 0, 0, 0, 0n, 0n) == Status.Ok && load32(waitAt) == 0, "push succeeds, producer flag lowered");
  check(client.pushRequest(5, 0, 0, 0, 0n, 0n) == Status.Ok && client.pushRequest(6, 0, 0, 0, 0n, 0n) == Status.Full, "full again");
  check(server.popRequest(e) == Status.Notify && e.id == 2, "a new wait is notified");
  for (let id: u32 = 3; id < 6; id++) check(server.popRequest(e) == Status.Ok && e.id == id, "the rest in order");
  check(server.popRequest(e) == Status.Empty, "empty");
  // Completions fill up the same way.
  let c: u32 = 0;
  while (server.pushCompletion(c, 0, 0, 0, 0n, 0n) != Status.Full) c = u32(c + 1);
  check(c == 4 && client.popCompletion(e) == Status.Notify && e.id == 0, "completion ring full, then space notified");
}

/** Random batches through both rings from indices just below 2^32, checked against a running count. */
function wrapAround(): void {
  print("-- wrap-around");
  pair(8, 4, 0xffff_ff00, false);
  let seed: u32 = 0x2545f491;
  let sent: u32 = 0;
  let served: u32 = 0;
  let completed: u32 = 0;
  let fulls: u32 = 0;
  for (let round: u32 = 0; round < 400; round++) {
    seed = u32(u32(seed ^ u32(seed << 13)) ^ (seed >>> 17));
    seed = u32(seed ^ u32(seed << 5));
    const batch = u32(seed % 11);
    for (let i: u32 = 0; i < batch; i++) {
      const off = u32(u32(sent % 40) * BLOCK);
      const s = client.pushRequest(sent, OP_READ, off, BLOCK, u64(sent), u64(u32(~sent)));
      if (s == Status.Full) {
        fulls = u32(fulls + 1);
        break;
      }
      check(succeeded(s), "push");
      sent = u32(sent + 1);
    }
    // The driver serves at most as many as the completion ring takes.
    const budget = u32((seed >>> 8) % 5);
    for (let i: u32 = 0; i < budget; i++) {
      const s = server.popRequest(e);
      if (s == Status.Empty) break;
      check(succeeded(s) && e.id == served && e.offset == u32(u32(served % 40) * BLOCK) && e.arg2 == u64(u32(~served)), "request in order");
      const c = server.pushCompletion(e.id, 0, e.offset, e.length, e.arg, 0n);
      check(succeeded(c), "completion fits: the driver serves at most 4 a round and the client drains");
      served = u32(served + 1);
    }
    for (;;) {
      const s = client.popCompletion(e);
      if (s == Status.Empty) break;
      check(succeeded(s) && e.id == completed && e.arg == u64(completed), "completion in order");
      completed = u32(completed + 1);
    }
  }
  print(`sent ${sent} served ${served} completed ${completed} full ${fulls}`);
  print(`request indices ${hdr(H_REQ_PRODUCER)}/${hdr(H_REQ_CONSUMER)} completion ${hdr(H_CMP_PRODUCER)}/${hdr(H_CMP_CONSUMER)}`);
  check(served > 256 && completed == served && hdr(H_REQ_PRODUCER) < 0x1000 && fulls > 0, "crossed 2^32 with full rings on the way");
}

/** A driver that restarts attaches again and continues where the ring stands. */
function restart(): void {
  print("-- restart");
  pair(8, 8, 7, true);
  check(client.pushRequest(1, 0, 0, 0, 0n, 0n) == Status.Notify && server.popRequest(e) == Status.Ok, "first request served");
  check(client.pushRequest(2, 0, 0, 0, 0n, 0n) == Status.Notify && client.pushRequest(3, 0, 0, 0, 0n, 0n) == Status.Ok, "two pending");
  check(restarted.attach(base, REGION, Side.Server) == Status.Ok, "restarted driver attaches");
  check(restarted.popRequest(e) == Status.Ok && e.id == 2, "pending request served");
  check(restarted.popRequest(e) == Status.Ok && e.id == 3, "pending request served");
  check(restarted.pushCompletion(2, 0, 0, 0, 0n, 0n) == Status.Notify && client.popCompletion(e) == Status.Ok && e.id == 2, "completion");
}

/** Local mistakes are refused without harm; scribbles over the header or over our own index change nothing. */
function privateCopies(): void {
  print("-- arguments and scribbles");
  pair(8, 8, 0, false);
  const data = client.dataSize();
  check(client.pushRequest(1, 0, data, 1, 0n, 0n) == Status.BadArgument, "buffer past the data area");
  check(client.pushRequest(1, 0, 0xffff_ff00, 0x200, 0n, 0n) == Status.BadArgument, "offset + length overflows");
  check(client.pushRequest(1, 0, u32(data - 16), 16, 0n, 0n) == Status.Notify, "the last 16 bytes are fine, channel not broken");
  check(!client.readData(data, buf, 0, 1) && !client.readData(0, buf, 500, 13) && !client.writeData(u32(data - 1), buf, 0, 2), "copies out of range refused");
  check(client.readData(u32(data - 512), buf, 0, 512), "copy of the data area's end");
  // The peer scribbles over the header and over the client's own producer index.
  for (let o: u32 = 0; o < 0x28; o = u32(o + 4)) put32(o, 0xdead_beef);
  put32(H_REQ_PRODUCER, 12345);
  check(client.pushRequest(2, 0, 0, 8, 0n, 0n) == Status.Ok && hdr(H_REQ_PRODUCER) == 2, "the client keeps its own index");
  check(server.popRequest(e) == Status.Ok && e.id == 1, "the server reads the rings it validated at attach");
  check(server.popRequest(e) == Status.Ok && e.id == 2, "and the client's entry");
  check(server.dataSize() == data, "sizes are private copies");
  // A producer index more than a ring ahead breaks the server's side only.
  put32(H_REQ_PRODUCER, 2 + 9);
  check(server.popRequest(e) == Status.Protocol && server.fault == Fault.ProducerIndex, "producer index too far ahead");
  check(server.popRequest(e) == Status.Broken && server.pushCompletion(1, 0, 0, 0, 0n, 0n) == Status.Broken, "broken stays broken");
  check(client.popCompletion(e) == Status.Empty, "the client is unaffected");
}

export function main(): u32 {
  base = regionBase();
  fillGuards(base, REGION);
  setup();
  roundTrip(false);
  roundTrip(true);
  notifications();
  fullRings();
  wrapAround();
  restart();
  privateCopies();
  const damage = guardDamage(base, REGION);
  check(damage == 0, "guard bytes untouched");
  print(`guard damage ${damage} failures ${checkFailures()}`);
  return checkFailures();
}
