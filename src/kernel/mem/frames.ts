/**
 * The physical frame allocator: one bit per 4 KiB frame (1 = in use) over the
 * span of usable RAM that BootInfo reports. Everything starts used; usable
 * regions are freed, then the kernel image, the boot bundle, the device tree
 * and the first MiB are reserved again. Allocation scans from a rotating hint.
 * Pure logic: no hardware, tested on the host and in the kernel. The kernel
 * serializes alloc, allocContiguous and free across CPUs by installing a lock
 * (setFrameLock; mem/frame-lock.ts), which host tests do without.
 */
import { u32, u64, usize, bool, array, panic, hex } from "kts";
import { BootInfo, RegionKind } from "../boot/bootinfo";

export const FRAME_SIZE: u64 = 4096n;
/** Up to 16 GiB of RAM: 4 Mi frames, 64 Ki bitmap words. */
export const MAX_FRAMES = 4194304;
const WORDS = 65536;

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

  /** One free frame's physical address, or 0 when memory is exhausted. */
  alloc(): usize {
    enter();
    const pa: usize = this.allocOne();
    leave();
    return pa;
  }

  private allocOne(): usize {
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
      this.setBit(idx, true);
      this.hint = w;
      return u64(this.base + u64(idx) * FRAME_SIZE);
    }
    return 0n;
  }

  /** `count` physically contiguous free frames (first fit); 0 if there is no such run. */
  allocContiguous(count: u32): usize {
    enter();
    const pa: usize = this.allocRun(count);
    leave();
    return pa;
  }

  private allocRun(count: u32): usize {
    let run: u32 = 0;
    for (let i: u32 = 0; i < this.frames; i++) {
      const free: bool = (this.bitmap[i >>> 6] & u64(1n << u64(i & 63))) == 0n;
      run = free ? u32(run + 1) : 0;
      if (run == count) {
        const first: u32 = u32(i + 1 - count);
        for (let k: u32 = first; k < u32(i + 1); k++) this.setBit(k, true);
        return u64(this.base + u64(first) * FRAME_SIZE);
      }
    }
    return 0n;
  }

  /** Returns a frame; freeing a frame twice or one outside RAM is a kernel bug. */
  free(pa: usize): void {
    enter();
    this.freeOne(pa);
    leave();
  }

  private freeOne(pa: usize): void {
    if (pa < this.base || (pa & 0xfffn) != 0n) panic(`free of bad frame ${hex(pa)}`);
    const idx: u64 = u64(u64(pa - this.base) / FRAME_SIZE);
    if (idx >= u64(this.frames)) panic(`free of frame ${hex(pa)} outside RAM`);
    if (this.isFree(pa)) panic(`double free of frame ${hex(pa)}`);
    this.setBit(u32(idx), false);
  }
}

function alignDown(a: usize): usize {
  return a & u64(~0xfffn);
}

function alignUp(a: usize): usize {
  return u64(a + 0xfffn) & u64(~0xfffn);
}
