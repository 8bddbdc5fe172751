"use unsafe";
/**
 * The kernel heap: a first-fit allocator over one contiguous arena, with a
 * 16-byte header before each block (size with the low bit as "in use", and the
 * next free block's address) and an address-ordered free list, so freeing
 * merges with both neighbours. Allocations are 16-byte aligned; 0 means no memory.
 */
import { u64, usize, bool, panic, hex } from "kts";
import { load64, store64 } from "kts/unsafe";

const HEADER: u64 = 16n;
const MIN_BLOCK: u64 = 32n;
const USED: u64 = 1n;

export class Heap {
  start: usize = 0n;
  end: usize = 0n;
  /** First free block (header address), 0 if none. */
  freeList: usize = 0n;
  used: u64 = 0n;

  /** Takes [start, start + size) as the arena (16-byte aligned). */
  init(start: usize, size: u64): void {
    this.start = u64(start + 15n) & u64(~15n);
    this.end = u64(start + size) & u64(~15n);
    this.used = 0n;
    if (u64(this.end - this.start) < MIN_BLOCK) panic("heap arena too small");
    this.freeList = this.start;
    store64(this.start, u64(this.end - this.start));
    store64(usize(this.start + 8n), 0n);
  }

  alloc(bytes: u64): usize {
    if (bytes == 0n || bytes > u64(this.end - this.start)) return 0n;
    let need: u64 = u64(u64(bytes + HEADER + 15n) & u64(~15n));
    if (need < MIN_BLOCK) need = MIN_BLOCK;
    let prev: usize = 0n;
    let b: usize = this.freeList;
    while (b != 0n) {
      const size: u64 = load64(b);
      const next: usize = load64(usize(b + 8n));
      if (size >= need) {
        let rest: usize = next;
        if (u64(size - need) >= MIN_BLOCK) {
          // Split: the tail stays free in b's place in the list.
          rest = usize(b + need);
          store64(rest, u64(size - need));
          store64(usize(rest + 8n), next);
          store64(b, need);
        } else {
          need = size;
        }
        if (prev == 0n) this.freeList = rest;
        else store64(usize(prev + 8n), rest);
        store64(b, need | USED);
        this.used = u64(this.used + need);
        return usize(b + HEADER);
      }
      prev = b;
      b = next;
    }
    return 0n;
  }

  free(p: usize): void {
    const b: usize = usize(p - HEADER);
    if (p == 0n || b < this.start || b >= this.end || (p & 15n) != 0n) panic(`heap free of bad pointer ${hex(p)}`);
    const word: u64 = load64(b);
    if ((word & USED) == 0n) panic(`heap double free at ${hex(p)}`);
    let size: u64 = word & u64(~USED);
    this.used = u64(this.used - size);
    // Find the free neighbours around b in the address-ordered list.
    let prev: usize = 0n;
    let next: usize = this.freeList;
    while (next != 0n && next < b) {
      prev = next;
      next = load64(usize(next + 8n));
    }
    if (next != 0n && usize(b + size) == next) {
      size = u64(size + load64(next));
      next = load64(usize(next + 8n));
    }
    store64(b, size);
    store64(usize(b + 8n), next);
    if (prev == 0n) {
      this.freeList = b;
    } else if (usize(prev + load64(prev)) == b) {
      store64(prev, u64(load64(prev) + size));
      store64(usize(prev + 8n), next);
    } else {
      store64(usize(prev + 8n), b);
    }
  }

  /** Bytes in free blocks (walks the list). */
  freeBytes(): u64 {
    let total: u64 = 0n;
    for (let b: usize = this.freeList; b != 0n; b = load64(usize(b + 8n))) total = u64(total + load64(b));
    return total;
  }

  /** True if the free list is sorted, inside the arena and has no adjacent blocks left unmerged. */
  consistent(): bool {
    let b: usize = this.freeList;
    let last: usize = 0n;
    while (b != 0n) {
      if (b < this.start || b >= this.end) return false;
      const size: u64 = load64(b);
      if ((size & USED) != 0n || size < MIN_BLOCK) return false;
      if (last != 0n && usize(last + load64(last)) >= b) return false;
      last = b;
      b = load64(usize(b + 8n));
    }
    return true;
  }
}
