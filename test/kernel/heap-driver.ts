"use unsafe";
// Host driver for the kernel heap over a static arena: random alloc/free
// sequences checked against a shadow record of live blocks (C world only:
// the heap hands out real addresses).
import { u8, u32, u64, usize, print, check, checkFailures, array } from "kts";
import { addressOf, load64, store64 } from "kts/unsafe";
import { Heap } from "../../src/kernel/mem/heap";

const ARENA: u8[] = array(262144, 0);
const heap = new Heap();
const SLOTS = 64;
const ptrs: u64[] = array(SLOTS, 0n);
const sizes: u64[] = array(SLOTS, 0n);
let seed: u32 = 12345;

function rand(): u32 {
  seed = u32(u32(seed ^ u32(seed << 13)) ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

export function main(): u32 {
  const base: usize = addressOf(ARENA);
  heap.init(base, 262144n);
  const free0: u64 = heap.freeBytes();
  let allocs: u32 = 0;
  for (let step: u32 = 0; step < 20000; step++) {
    const s: u32 = u32(rand() % SLOTS);
    if (ptrs[s] == 0n) {
      const size: u64 = u64(u64(rand() % 3000) + 1n);
      const p: usize = heap.alloc(size);
      if (p == 0n) continue;
      check((p & 15n) == 0n && p >= base && u64(p + size) <= u64(base + 262144n), "block inside the arena, aligned");
      ptrs[s] = p;
      sizes[s] = size;
      store64(p, u64(p ^ 0xa5a5n));
      allocs = u32(allocs + 1);
    } else {
      check(load64(ptrs[s]) == u64(ptrs[s] ^ 0xa5a5n), "block contents survived other operations");
      heap.free(ptrs[s]);
      ptrs[s] = 0n;
    }
    if (step % 1000 == 0) check(heap.consistent(), "free list consistent");
  }
  for (let s: u32 = 0; s < SLOTS; s++) if (ptrs[s] != 0n) heap.free(ptrs[s]);
  check(heap.consistent() && heap.freeBytes() == free0 && heap.used == 0n, "everything merged back");
  print(`allocs ${allocs} failures ${checkFailures()}`);
  return checkFailures();
}
