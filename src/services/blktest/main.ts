"use unsafe";
/**
 * blktest (test tier): exercises the block driver as a client would, and says
 * what it saw, one line per finding, for test/boot/drivers.test.ts.
 *
 * First boot on a disk (block 0 holds no marker): writes a pattern into blocks
 * spread over the whole disk, the last block included, many requests in
 * flight; flushes; reads them back and compares; then writes the marker.
 * A later boot (the marker is there): reads the patterns back and compares, so
 * what one boot wrote is shown to survive the reboot.
 * Every boot: requests past the end and malformed ones are refused; then it
 * reads in a loop until the driver dies under it (the test kills it), checks
 * that the requests in flight failed rather than hung, reopens the restarted
 * driver, and reads again.
 *
 * Capabilities: [0] endpoint "blk" (send).
 */
import { u32, u64, usize, bool, array, mul32, print, text } from "kts";
import { load64, store64 } from "kts/unsafe";
import { errorText, errorName } from "../../lib/errors";
import { capAt } from "../../lib/ipc/message";
import { now, NANOS_PER_SECOND } from "../../lib/time";
import { Entry, Status, succeeded } from "../../lib/channel/channel";
import { BlockClient } from "../../lib/blk/client";
import { OP_READ, OP_WRITE, OP_FLUSH, ST_OK, ST_RANGE, ST_INVALID } from "../../lib/blk/protocol";

const CHANNEL_VA: usize = 0x3_0000_0000n;
/** Places spread over the disk (the last block is added to them). */
const SPOTS = 24;
/** Blocks per request. */
const RUN: u32 = 8;
const MARKER: u64 = 0x4341_4d42_4954_4553n; // "CAMBITES"
const LOOP_LIMIT: u64 = 120n;

const disk = new BlockClient();
const done = new Entry();

export function main(): u32 {
  const e: u64 = disk.open(capAt(0n), CHANNEL_VA);
  if (e != 0n) {
    print(`blktest: cannot open the disk (${text(errorText, errorName(e))})`);
    return 1;
  }
  print(`blktest: disk of ${disk.blocks} blocks of ${disk.blockSize} bytes`);
  if (disk.blocks < u64(SPOTS * RUN * 2)) {
    print("blktest: the disk is too small for the test");
    return 1;
  }
  if (readMarker()) verifyOldPatterns();
  else writePatterns();
  refusals();
  return survivesDriverDeath();
}

/** Block of spot i: spread over the disk; the last spot ends at the last block. */
function spot(i: u32): u64 {
  if (i == u32(SPOTS - 1)) return u64(disk.blocks - u64(RUN));
  return u64(u64(disk.blocks / u64(SPOTS)) * u64(i) + 1n);
}

/** The pattern word at byte k of block b (so every block's content is its own). */
function word(b: u64, k: u32): u64 {
  return u64(u64(b * 0x9e37_79b9_7f4a_7c15n) ^ u64(u64(k) * 0x1000_0001n) ^ MARKER);
}

function fill(offset: u32, block: u64): void {
  const p: usize = disk.data(offset, u32(RUN * disk.blockSize));
  for (let b: u32 = 0; b < RUN; b++) {
    for (let k: u32 = 0; k < disk.blockSize; k = u32(k + 8)) store64(usize(p + u64(mul32(b, disk.blockSize) + k)), word(u64(block + u64(b)), k));
  }
}

function matches(offset: u32, block: u64): bool {
  const p: usize = disk.data(offset, u32(RUN * disk.blockSize));
  for (let b: u32 = 0; b < RUN; b++) {
    for (let k: u32 = 0; k < disk.blockSize; k = u32(k + 8)) {
      if (load64(usize(p + u64(mul32(b, disk.blockSize) + k))) != word(u64(block + u64(b)), k)) return false;
    }
  }
  return true;
}

/** Where batch slot i's data lies in the channel's data area. */
function slotOffset(i: u32): u32 {
  return mul32(u32(i * RUN), disk.blockSize);
}

/** Submits request i of a batch (data at slot i of the data area); false if the ring is full. */
function queue(i: u32, op: u32, block: u64, blocks: u32): bool {
  const s: Status = disk.submit(i, op, block, slotOffset(i), mul32(blocks, disk.blockSize));
  return s == Status.Ok || s == Status.Notify;
}

/** Waits for n completions, storing each status by id in statuses; an error code if the driver failed. */
const statuses: u32[] = array(SPOTS, 0);
function collect(n: u32): u64 {
  let got: u32 = 0;
  while (got < n) {
    while (got < n && disk.next(done)) {
      if (done.id < SPOTS) statuses[done.id] = done.code;
      got = u32(got + 1);
    }
    if (got == n) break;
    const e: u64 = disk.wait();
    if (e != 0n) return e;
  }
  return 0n;
}

/** All SPOTS runs of one operation in flight at once; false (said why) on any failure. */
function batch(op: u32, what: u32): bool {
  for (let i: u32 = 0; i < SPOTS; i++) {
    if (op == OP_WRITE) fill(slotOffset(i), spot(i));
    if (!queue(i, op, spot(i), RUN)) {
      print("blktest: the request ring was full");
      return false;
    }
  }
  const e: u64 = collect(SPOTS);
  if (e != 0n) {
    print(`blktest: waiting failed (${text(errorText, errorName(e))})`);
    return false;
  }
  for (let i: u32 = 0; i < SPOTS; i++) {
    if (statuses[i] != ST_OK) {
      print(`blktest: request ${i} (${what}) ended with status ${statuses[i]}`);
      return false;
    }
    if (op == OP_READ && !matches(slotOffset(i), spot(i))) {
      print(`blktest: blocks ${spot(i)}..${u64(spot(i) + u64(RUN - 1))} do not hold their pattern`);
      return false;
    }
  }
  return true;
}

/** One request, waited for; its status (or 0xffff + error if the driver failed). */
function single(op: u32, block: u64, blocks: u32): u32 {
  if (!queue(0, op, block, blocks)) return 0xffff;
  return waitOne();
}

/** The status of the one request queued (0xffff + error if the driver failed). */
function waitOne(): u32 {
  const e: u64 = collect(1);
  return e != 0n ? u32(0xffff + u32(e)) : statuses[0];
}

function readMarker(): bool {
  if (single(OP_READ, 0n, 1) != ST_OK) return false;
  return load64(disk.data(0, 8)) == MARKER;
}

function writePatterns(): void {
  if (!batch(OP_WRITE, 1)) return;
  if (single(OP_FLUSH, 0n, 0) != ST_OK) {
    print("blktest: flush failed");
    return;
  }
  // Read back through the device, not the buffers just written: clear them first.
  for (let i: u32 = 0; i < u32(SPOTS * RUN * disk.blockSize); i = u32(i + 8)) store64(usize(disk.data(0, 8) + u64(i)), 0n);
  if (!batch(OP_READ, 2)) return;
  store64(disk.data(0, 8), MARKER);
  if (single(OP_WRITE, 0n, 1) != ST_OK || single(OP_FLUSH, 0n, 0) != ST_OK) {
    print("blktest: writing the marker failed");
    return;
  }
  print(`blktest: wrote and read back ${u32(SPOTS * RUN)} blocks across the disk, the last block ${u64(disk.blocks - 1n)} included, ${SPOTS} requests queued at once`);
}

function verifyOldPatterns(): void {
  if (batch(OP_READ, 3)) print(`blktest: the patterns of the last boot are there: ${u32(SPOTS * RUN)} blocks verified`);
}

function refusals(): void {
  const past: u32 = single(OP_READ, disk.blocks, 1);
  const straddle: u32 = single(OP_WRITE, u64(disk.blocks - 1n), 2);
  const empty: u32 = single(OP_READ, 0n, 0);
  const partial: u32 = succeeded(disk.submit(0, OP_READ, 0n, 0, 100)) ? waitOne() : 0xffff;
  const opcode: u32 = single(77, 0n, 1);
  // Data outside the channel never leaves this side (the driver checks it too).
  const outside: bool = disk.submit(0, OP_READ, 0n, 0xffff_f000, disk.blockSize) == Status.BadArgument;
  if (past == ST_RANGE && straddle == ST_RANGE && empty == ST_INVALID && partial == ST_INVALID && opcode == ST_INVALID && outside) {
    print("blktest: requests past the end and malformed ones are refused");
  } else {
    print(`blktest: refusals wrong: past ${past}, straddling ${straddle}, empty ${empty}, partial ${partial}, opcode ${opcode}, outside ${outside}`);
  }
}

/**
 * Reads 8 runs at a time until a wait fails (the driver died with them in flight),
 * reopens and reads again. Returns 0 once reads work after the driver's restart.
 */
function survivesDriverDeath(): u32 {
  print("blktest: reading in a loop");
  const deadline: u64 = u64(now() + LOOP_LIMIT * NANOS_PER_SECOND);
  let rounds: u64 = 0n;
  for (;;) {
    if (now() > deadline) {
      print(`blktest: the driver did not die within ${LOOP_LIMIT} s (${rounds} rounds)`);
      return 1;
    }
    for (let i: u32 = 0; i < 8; i++) queue(i, OP_READ, spot(i), RUN);
    const e: u64 = collect(8);
    rounds = u64(rounds + 1n);
    if (e == 0n) continue;
    print(`blktest: the driver died with requests in flight: they failed (${text(errorText, errorName(e))}) after ${rounds} rounds`);
    break;
  }
  const o: u64 = disk.open(capAt(0n), CHANNEL_VA);
  if (o != 0n) {
    print(`blktest: reopening failed (${text(errorText, errorName(o))})`);
    return 1;
  }
  if (!batch(OP_READ, 4)) return 1;
  print("blktest: reads work again after the driver's restart");
  return 0;
}
