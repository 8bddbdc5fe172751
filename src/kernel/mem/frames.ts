/**
 * The physical frame allocator: one bit per 4 KiB frame (1 = in use) over the
 * span of usable RAM that BootInfo reports. Everything starts used; usable
 * regions are freed, then the kernel image, the boot bundle, the device tree
 * and the first MiB are reserved again. Allocation scans from a rotating hint.
 * Pure logic: no hardware, tested on the host and in the kernel. The kernel
 * serializes alloc, allocContiguous and free across CPUs by installing a lock
 * (setFrameLock; mem/frame-lock.ts), which host tests do without.
 *
 * Ownership checker: every allocation names its owner (frameOwner(use, id):
 * a task's page table, a region, a kernel stack...) and every free names the
 * owner giving the frame back. A frame allocated while an owner holds it, a
 * frame freed twice, or a frame freed by anyone but its owner panics with both
 * owners named, so that a lost or doubly used frame names its cause where it
 * happens instead of corrupting memory later. After a free the last owner is
 * kept (flagged FREED) to name it in a double free. The first 1 GiB of frames
 * is checked (the owner table costs 1 MiB).
 */
import { u8, u32, u64, usize, bool, array, arrayOf, panic, hex, text } from "kts";
import { BootInfo, RegionKind } from "../boot/bootinfo";

export const FRAME_SIZE: u64 = 4096n;
/** Up to 16 GiB of RAM: 4 Mi frames, 64 Ki bitmap words. */
export const MAX_FRAMES = 4194304;
const WORDS = 65536;

/** What a frame is for; the owner word is use << 24 | id (a task, region or space). */
export enum FrameUse {
  None = 0,
  Kernel = 1,
  Heap = 2,
  KernelStack = 3,
  PageTable = 4,
  UserPage = 5,
  Region = 6,
  Test = 7,
}

/** The owner word for a frame's use by `id` (a task id, a region index; 0 for the kernel). */
export function frameOwner(use: FrameUse, id: u32): u32 {
  return u32((u32(use) << 24) | (id & 0xff_ffff));
}

/** Frames whose owners are tracked: the first 1 GiB of the allocator's span. */
const OWNED_FRAMES = 262144;
/** Set in an owner word when its frame was freed: the word keeps naming the last owner. */
const FREED: u32 = 0x8000_0000;

const USE_NAMES: u8[] = arrayOf([
  0x6e, 0x6f, 0x62, 0x6f, 0x64, 0x79, 0, // nobody
  0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, 0, // kernel
  0x68, 0x65, 0x61, 0x70, 0, // heap
  0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, 0x20, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x20, 0x6f, 0x66, 0x20, 0x74, 0x61, 0x73, 0x6b, 0, // kernel stack of task
  0x70, 0x61, 0x67, 0x65, 0x20, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x20, 0x6f, 0x66, 0x20, 0x74, 0x61, 0x73, 0x6b, 0, // page table of task
  0x75, 0x73, 0x65, 0x72, 0x20, 0x70, 0x61, 0x67, 0x65, 0x20, 0x6f, 0x66, 0x20, 0x74, 0x61, 0x73, 0x6b, 0, // user page of task
  0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x20, 0x72, 0x65, 0x67, 0x69, 0x6f, 0x6e, 0, // memory region
  0x74, 0x65, 0x73, 0x74, 0, // test
]);
const nameA: u8[] = array(32, 0);
const nameB: u8[] = array(32, 0);

/** "page table of task 5" for an owner word, into out; returns its length. */
export function ownerName(owner: u32, out: u8[]): u32 {
  let use: u32 = u32((owner >>> 24) & 0x7f);
  if (use > 7) use = 0;
  // The use-th name of the table.
  let at: u32 = 0;
  for (let n: u32 = 0; n < use; n++) {
    while (USE_NAMES[at] != 0) at = u32(at + 1);
    at = u32(at + 1);
  }
  let len: u32 = 0;
  while (USE_NAMES[at] != 0 && len < 24) {
    out[len] = USE_NAMES[at];
    len = u32(len + 1);
    at = u32(at + 1);
  }
  out[len] = 0x20;
  len = u32(len + 1);
  return digits(owner & 0xff_ffff, out, len);
}

/** Writes v in decimal at out[at..] (as much of it as fits) and returns the index after its last digit. */
function digits(v: u32, out: u8[], at: u32): u32 {
  let width: u32 = 1;
  for (let left: u32 = v; left >= 10; left = u32(left / 10)) width = u32(width + 1);
  let rest: u32 = v;
  for (let k: u32 = width; k > 0; k--) {
    const n: u32 = u32(at + k - 1);
    if (n < out.length) out[n] = u8(u32(0x30 + u32(rest % 10)));
    rest = u32(rest / 10);
  }
  return u32(at + width);
}

function noLock(): void {}
let enter: () => void = noLock;
let leave: () => void = noLock;

/** The lock taken around every alloc, allocContiguous and free. */
export function setFrameLock(lock: () => void, unlock: () => void): void {
  enter = lock;
  leave = unlock;
}

export class FrameAllocator {
  bitmap: u64[] = array(WORDS, 0n);
  /** Physical address of frame 0 of the bitmap. */
  base: usize = 0n;
  frames: u32 = 0;
  freeCount: u32 = 0;
  hint: u32 = 0;
  /** Per tracked frame: its owner word (0: never allocated; FREED | last owner after a free). */
  owners: u32[] = array(OWNED_FRAMES, 0);

  /** Builds the allocator from info's memory map; returns the number of free frames. */
  initFromBootInfo(info: BootInfo): u32 {
    let lo: usize = 0xffff_ffff_ffff_ffffn;
    let hi: usize = 0n;
    for (let i: u32 = 0; i < info.regionCount; i++) {
      const r = info.regions[i];
      if (r.kind != RegionKind.Usable || r.size == 0n) continue;
      if (r.base < lo) lo = r.base;
      const end: usize = u64(r.base + r.size);
      if (end > hi) hi = end;
    }
    if (hi <= lo) panic("no usable memory in the memory map");
    this.reset(alignDown(lo), u32(u64(alignUp(hi) - alignDown(lo)) / FRAME_SIZE));
    for (let i: u32 = 0; i < info.regionCount; i++) {
      const r = info.regions[i];
      if (r.kind == RegionKind.Usable) this.setRange(r.base, r.size, false);
    }
    for (let i: u32 = 0; i < info.regionCount; i++) {
      const r = info.regions[i];
      if (r.kind == RegionKind.Reserved) this.setRange(r.base, r.size, true);
    }
    this.setRange(0n, 0x10_0000n, true);
    this.setRange(info.kernelPhysStart, u64(info.kernelPhysEnd - info.kernelPhysStart), true);
    this.setRange(info.initrdBase, info.initrdSize, true);
    if (info.dtb != 0n) this.setRange(info.dtb, 0x20_0000n, true);
    return this.freeCount;
  }

  /** Covers `frames` frames from physical `base`, all in use. */
  reset(base: usize, frames: u32): void {
    if (frames > MAX_FRAMES) frames = MAX_FRAMES;
    this.base = base;
    this.frames = frames;
    this.freeCount = 0;
    this.hint = 0;
    for (let i: u32 = 0; i < WORDS; i++) this.bitmap[i] = 0xffff_ffff_ffff_ffffn;
    for (let i: u32 = 0; i < OWNED_FRAMES; i++) this.owners[i] = 0;
  }

  /** The owner word of the frame at pa (0 if untracked or never allocated). */
  ownerOf(pa: usize): u32 {
    if (pa < this.base) return 0;
    const idx: u64 = u64(u64(pa - this.base) / FRAME_SIZE);
    return idx < u64(OWNED_FRAMES) ? this.owners[u32(idx)] : 0;
  }

  /** Frame idx goes to owner: it must not be held (a free bit with a live owner is corruption). */
  private claim(idx: u32, owner: u32): void {
    if (idx >= OWNED_FRAMES) return;
    const held: u32 = this.owners[idx];
    if (held != 0 && (held & FREED) == 0) {
      const a: u32 = ownerName(owner, nameA);
      const b: u32 = ownerName(held, nameB);
      panic(`frame ${hex(u64(this.base + u64(idx) * FRAME_SIZE))} allocated to ${text(nameA, a)} while ${text(nameB, b)} holds it`);
    }
    this.owners[idx] = owner;
  }

  /** Frame idx comes back from owner: it must be owner's, and not free already. */
  private release(idx: u32, owner: u32, pa: usize): void {
    if (idx >= OWNED_FRAMES) return;
    const held: u32 = this.owners[idx];
    const a: u32 = ownerName(owner, nameA);
    const b: u32 = ownerName(u32(held & ~FREED), nameB);
    if (held == 0) panic(`frame ${hex(pa)} freed by ${text(nameA, a)} but never allocated (reserved at boot)`);
    if ((held & FREED) != 0) panic(`double free of frame ${hex(pa)} by ${text(nameA, a)}: ${text(nameB, b)} freed it already`);
    if (held != owner) panic(`frame ${hex(pa)} of ${text(nameB, b)} freed by ${text(nameA, a)}`);
    this.owners[idx] = u32(owner | FREED);
  }

  /** Marks [pa, pa + size) used or free (partial frames count as used when reserving). */
  setRange(pa: usize, size: u64, used: bool): void {
    if (size == 0n) return;
    const start: usize = used ? alignDown(pa) : alignUp(pa);
    const end: usize = used ? alignUp(u64(pa + size)) : alignDown(u64(pa + size));
    for (let a: usize = start; a < end; a = u64(a + FRAME_SIZE)) {
      if (a < this.base) continue;
      const idx: u64 = u64(u64(a - this.base) / FRAME_SIZE);
      if (idx >= u64(this.frames)) break;
      // Made free wholesale (boot, a test's reset): nobody owns these frames any more.
      if (!used && idx < u64(OWNED_FRAMES)) this.owners[u32(idx)] = 0;
      this.setBit(u32(idx), used);
    }
  }

  private setBit(idx: u32, used: bool): void {
    const w: u32 = idx >>> 6;
    const bit: u64 = u64(1n << u64(idx & 63));
    const was: bool = (this.bitmap[w] & bit) != 0n;
    if (was == used) return;
    if (used) {
      this.bitmap[w] = this.bitmap[w] | bit;
      this.freeCount = u32(this.freeCount - 1);
    } else {
      this.bitmap[w] = this.bitmap[w] & u64(~bit);
      this.freeCount = u32(this.freeCount + 1);
    }
  }

  isFree(pa: usize): bool {
    if (pa < this.base || (pa & 0xfffn) != 0n) return false;
    const idx: u64 = u64(u64(pa - this.base) / FRAME_SIZE);
    if (idx >= u64(this.frames)) return false;
    const i: u32 = u32(idx);
    return (this.bitmap[i >>> 6] & u64(1n << u64(i & 63))) == 0n;
  }

  /** One free frame's physical address for owner (frameOwner), or 0 when memory is exhausted. */
  alloc(owner: u32): usize {
    enter();
    const pa: usize = this.allocOne(owner);
    leave();
    return pa;
  }

  private allocOne(owner: u32): usize {
    if (this.freeCount == 0) return 0n;
    const words: u32 = u32((this.frames + 63) >>> 6);
    for (let n: u32 = 0; n < words; n++) {
      const w: u32 = u32(u32(this.hint + n) % words);
      const v: u64 = this.bitmap[w];
      if (v == 0xffff_ffff_ffff_ffffn) continue;
      let bit: u32 = 0;
      while (((v >> u64(bit)) & 1n) != 0n) bit = u32(bit + 1);
      const idx: u32 = u32(w * 64 + bit);
      if (idx >= this.frames) continue;
      this.claim(idx, owner);
      this.setBit(idx, true);
      this.hint = w;
      return u64(this.base + u64(idx) * FRAME_SIZE);
    }
    return 0n;
  }

  /** `count` physically contiguous free frames (first fit) for owner; 0 if there is no such run. */
  allocContiguous(count: u32, owner: u32): usize {
    enter();
    const pa: usize = this.allocRun(count, owner);
    leave();
    return pa;
  }

  private allocRun(count: u32, owner: u32): usize {
    let run: u32 = 0;
    for (let i: u32 = 0; i < this.frames; i++) {
      const free: bool = (this.bitmap[i >>> 6] & u64(1n << u64(i & 63))) == 0n;
      run = free ? u32(run + 1) : 0;
      if (run == count) {
        const first: u32 = u32(i + 1 - count);
        for (let k: u32 = first; k < u32(i + 1); k++) {
          this.claim(k, owner);
          this.setBit(k, true);
        }
        return u64(this.base + u64(first) * FRAME_SIZE);
      }
    }
    return 0n;
  }

  /** Owner gives a frame back; freeing a frame twice, another owner's, or one outside RAM is a kernel bug. */
  free(pa: usize, owner: u32): void {
    enter();
    this.freeOne(pa, owner);
    leave();
  }

  private freeOne(pa: usize, owner: u32): void {
    if (pa < this.base || (pa & 0xfffn) != 0n) panic(`free of bad frame ${hex(pa)}`);
    const idx: u64 = u64(u64(pa - this.base) / FRAME_SIZE);
    if (idx >= u64(this.frames)) panic(`free of frame ${hex(pa)} outside RAM`);
    if (this.isFree(pa) && u64(idx) >= u64(OWNED_FRAMES)) panic(`double free of frame ${hex(pa)}`);
    this.release(u32(idx), owner, pa);
    this.setBit(u32(idx), false);
  }
}

function alignDown(a: usize): usize {
  return a & u64(~0xfffn);
}

function alignUp(a: usize): usize {
  return u64(a + 0xfffn) & u64(~0xfffn);
}
