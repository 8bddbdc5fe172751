"use unsafe";
/**
 * The engine's Disk (src/lib/store/disk.ts) on the block driver: one request
 * at a time through the block channel, waited for; the engine's I/O buffer is
 * the channel's data area, so the device reads and writes it in place.
 */
import { u8, u32, u64, usize, print, text } from "kts";
import { sysExit } from "../../lib/sys/syscalls.generated";
import { BlockClient } from "../../lib/blk/client";
import { Entry, Status } from "../../lib/channel/channel";
import { OP_READ, OP_WRITE, OP_FLUSH, ST_OK } from "../../lib/blk/protocol";
import { errorText, errorName } from "../../lib/errors";
import { Disk, BLOCK_BYTES } from "../../lib/store/disk";
import { copyFromRaw, copyToRaw } from "../../lib/store/raw";

/** Where the block channel is mapped. */
const CHANNEL_VA: usize = 0x4_0000_0000n;

export const blk = new BlockClient();
export const disk = new Disk();
const done = new Entry();
let nextId: u32 = 1;

/** Opens the driver's channel and fills in disk: 0 or an error code. */
export function openDisk(endpoint: u64): u64 {
  const e: u64 = blk.open(endpoint, CHANNEL_VA);
  if (e != 0n) return e;
  const bytes: u32 = blk.channel.dataSize();
  disk.base = blk.data(0, bytes);
  disk.bytes = bytes;
  disk.blocks = u64(u64(blk.blocks * u64(blk.blockSize)) / u64(BLOCK_BYTES));
  disk.read = readBlocks;
  disk.write = writeBlocks;
  disk.flush = flushAll;
  disk.load = load;
  disk.store = storeBytes;
  return 0n;
}

function readBlocks(block: u64, count: u32, bufOffset: u32): u32 {
  return one(OP_READ, block, count, bufOffset);
}

function writeBlocks(block: u64, count: u32, bufOffset: u32): u32 {
  return one(OP_WRITE, block, count, bufOffset);
}

function flushAll(): u32 {
  return one(OP_FLUSH, 0n, 0, 0);
}

/** One request, waited for: 0, or nonzero for an I/O error or a driver gone. */
function one(op: u32, block: u64, count: u32, bufOffset: u32): u32 {
  if (blk.blockSize != BLOCK_BYTES) return 1;
  const id: u32 = nextId;
  nextId = u32(nextId + 1);
  const s: Status = blk.submit(id, op, block, bufOffset, u32(count * BLOCK_BYTES));
  if (s != Status.Ok && s != Status.Notify) return 1;
  for (;;) {
    while (blk.next(done)) if (done.id == id) return done.code == ST_OK ? 0 : 1;
    const e: u64 = blk.wait();
    if (e != 0n) {
      // Crash-only: the store starts over (init restarts it) and mounts from what is durable.
      print(`store: the block driver failed (${text(errorText, errorName(e))}); starting over`);
      sysExit(1n);
    }
  }
}

function load(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  copyFromRaw(usize(disk.base + u64(bufOffset)), bytes, at, n);
}

function storeBytes(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  copyToRaw(usize(disk.base + u64(bufOffset)), bytes, at, n);
}

