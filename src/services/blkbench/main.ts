"use unsafe";
/**
 * blkbench (bench tier): the block workloads `cambi bench` reports, the same
 * ones bench/block/workload.c runs under Linux: sequential and random 4 KiB
 * reads and writes, one request at a time, each through the channel and the
 * driver's interrupt. Under QEMU -icount shift=0 the clock counts guest
 * instructions, so nanoseconds per request are instructions per request.
 * But while the CPU is halted waiting for the device, virtual time follows the
 * host's clock, so each workload prints two figures: all time per request
 * ("blk_<workload>"), and the CPU's busy time per request ("blk_<workload>_busy":
 * the same minus what memInfo says the CPU spent halted), the one that counts
 * guest instructions. Then "bench: block done".
 *
 * Capabilities: [0] endpoint "blk" (send), [1] system (receive: memInfo).
 */
import { u32, u64, bool, print, text } from "kts";
import { errorText, errorName } from "../../lib/errors";
import { capAt, errorOf } from "../../lib/ipc/message";
import { readMemInfo, memRecord } from "../../lib/inspect";
import { field64 } from "../../lib/records";
import { MEM_INFO_IDLE_NANOS } from "../../lib/sys/syscalls.generated";
import { now } from "../../lib/time";
import { Entry, succeeded } from "../../lib/channel/channel";
import { BlockClient } from "../../lib/blk/client";
import { OP_READ, OP_WRITE, ST_OK } from "../../lib/blk/protocol";

const CHANNEL_VA: u64 = 0x3_0000_0000n;
const REQUESTS: u32 = 2000;
const BYTES: u32 = 4096;

const disk = new BlockClient();
const done = new Entry();
let seed: u64 = 0x2545_f491_4f6c_dd1dn;

export function main(): u32 {
  const e: u64 = disk.open(capAt(0n), CHANNEL_VA);
  if (e != 0n) {
    print(`blkbench: cannot open the disk (${text(errorText, errorName(e))})`);
    return 1;
  }
  const ok: bool = run(OP_WRITE, false, 1) && run(OP_READ, false, 2) && run(OP_READ, true, 3) && run(OP_WRITE, true, 4);
  if (ok) print("bench: block done");
  else print("blkbench: a request failed");
  return ok ? 0 : 1;
}

/** REQUESTS requests of 4 KiB, one at a time; prints time and busy time per request. */
function run(op: u32, random: bool, which: u32): bool {
  const blocksPer: u64 = u64(u64(BYTES) / u64(disk.blockSize));
  const places: u64 = u64(disk.blocks / blocksPer);
  const idle0: u64 = idleNanos();
  const start: u64 = now();
  for (let i: u32 = 0; i < REQUESTS; i++) {
    const at: u64 = random ? u64(next() % places) : u64(u64(i) % places);
    const s = disk.submit(i, op, u64(at * blocksPer), 0, BYTES);
    if (!succeeded(s)) {
      print(`blkbench: workload ${which}, request ${i}: submit refused (channel status ${u32(s)})`);
      return false;
    }
    while (!disk.next(done)) {
      const e: u64 = disk.wait();
      if (e != 0n) {
        print(`blkbench: workload ${which}, request ${i}: wait failed (${text(errorText, errorName(e))})`);
        return false;
      }
    }
    if (done.code != ST_OK) {
      print(`blkbench: workload ${which}, request ${i}: completed with status ${done.code}`);
      return false;
    }
  }
  const elapsed: u64 = u64(now() - start);
  const halted: u64 = u64(idleNanos() - idle0);
  const perRequest: u64 = u64(elapsed / u64(REQUESTS));
  const busy: u64 = u64(u64(halted < elapsed ? u64(elapsed - halted) : 0n) / u64(REQUESTS));
  if (which == 1) print(`bench: blk_seq_write ${perRequest}\nbench: blk_seq_write_busy ${busy}`);
  else if (which == 2) print(`bench: blk_seq_read ${perRequest}\nbench: blk_seq_read_busy ${busy}`);
  else if (which == 3) print(`bench: blk_rand_read ${perRequest}\nbench: blk_rand_read_busy ${busy}`);
  else print(`bench: blk_rand_write ${perRequest}\nbench: blk_rand_write_busy ${busy}`);
  return true;
}

/** The CPUs' halted time so far (memInfo); 0 if it cannot be read. */
function idleNanos(): u64 {
  if (errorOf(readMemInfo(capAt(1n))) != 0n) return 0n;
  return field64(memRecord, MEM_INFO_IDLE_NANOS);
}

/** xorshift64: the same offsets every run. */
function next(): u64 {
  seed = u64(seed ^ u64(seed << 13n));
  seed = u64(seed ^ u64(seed >> 7n));
  seed = u64(seed ^ u64(seed << 17n));
  return seed;
}
