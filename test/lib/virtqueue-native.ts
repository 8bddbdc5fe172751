"use unsafe";
// The virtqueue tests in the C world: the queues and buffers are arrays of
// exactly the size the library needs, so ASan reports any access past them.
import { u32, u64, array } from "kts";
import { addressOf } from "kts/unsafe";
import { runVirtqueueTests } from "./virtqueue-driver";

const RING256: u64[] = array(834, 0n); // 6672 bytes: Virtqueue.bytesNeeded(256) rounded to 8
const RING8: u64[] = array(28, 0n); // 224 bytes: bytesNeeded(8) rounded to 8
const DATA: u64[] = array(6144, 0n); // 256 slots of 192 bytes

export function main(): u32 {
  return runVirtqueueTests(addressOf(RING256), addressOf(RING8), addressOf(DATA), 150_000);
}
