// Atomics with a memory order (the optional last argument; SEQ_CST when left out):
// a release store publishing data and an acquire load reading it, relaxed counters,
// an acquire-release compare-and-swap. One thread here, so the values are the
// same in both worlds; the C is checked to carry each order (soundness.test.ts).
import { u32, u64, bool, print, array, atomicLoadAt32, atomicStoreAt32, atomicFetchAddAt32, atomicSwapAt32, atomicCasAt32, atomicFetchAddAt64, atomicLoadAt64, RELAXED, ACQUIRE, RELEASE, ACQ_REL, SEQ_CST } from "kts";

class Mailbox {
  data: u32[] = array(4, 0);
  ready: u32[] = array(1, 0);
  count: u64[] = array(1, 0n);
}

const box = new Mailbox();

export function publish(v: u32): void {
  for (let i: u32 = 0; i < 4; i++) atomicStoreAt32(box.data, i, u32(v + i), RELAXED);
  atomicStoreAt32(box.ready, 0, 1, RELEASE);
  atomicFetchAddAt64(box.count, 0, 1n, RELAXED);
}

export function consume(): u32 {
  if (atomicLoadAt32(box.ready, 0, ACQUIRE) == 0) return 0;
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) sum = u32(sum + atomicLoadAt32(box.data, i, RELAXED));
  return sum;
}

export function main(): u32 {
  print(`before ${consume()}`);
  publish(10);
  print(`after ${consume()} count ${atomicLoadAt64(box.count, 0, SEQ_CST)}`);
  const won: bool = atomicCasAt32(box.ready, 0, 1, 2, ACQ_REL);
  const lost: bool = atomicCasAt32(box.ready, 0, 1, 3, ACQUIRE);
  const old: u32 = atomicSwapAt32(box.ready, 0, 0, RELEASE);
  const prev: u32 = atomicFetchAddAt32(box.data, 3, 1, ACQ_REL);
  print(`cas ${won} ${lost} swap ${old} add ${prev} ${atomicLoadAt32(box.data, 3)}`);
  return atomicLoadAt32(box.ready, 4, ACQUIRE); // out of bounds: a panic in both worlds
}
