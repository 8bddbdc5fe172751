/**
 * Memory management's front door: the frame allocator, the kernel address
 * space and the kernel heap, set up once by memInit on the boot CPU.
 *
 * The kernel space maps, with the strictest permissions that work: RAM in the
 * direct map read-write and never executable, device memory read-write
 * uncached, and the kernel image section by section (text RX, rodata R,
 * data and bss RW). No mapping is ever writable and executable.
 */
import { u32, u64, usize, bool, panic, hex } from "kts";
import { BootInfo, RegionKind } from "../boot/bootinfo";
import { physToVirt, virtToPhys, imagePhysStart, activateKernelSpace } from "arch";
import { kernelTextStart, kernelTextEnd, kernelRodataEnd, kernelEnd } from "./layout";
import { FrameAllocator, FrameUse, frameOwner, setFrameLock } from "./frames";
export { FrameUse, frameOwner, ownerName } from "./frames";
import { frameLock, frameUnlock } from "./frame-lock";
import { AddressSpace, MapError, LARGE_PAGE_SIZE, PAGE_SIZE, KERNEL_SPACE } from "./paging";
import { Heap } from "./heap";
import { MAP_DEVICE, MAP_EXEC, MAP_WRITE } from "./flags";

export const frames = new FrameAllocator();
export const kernelSpace = new AddressSpace();
export const heap = new Heap();
export const HEAP_FRAMES: u32 = 256;
const FOUR_GIB: u64 = 0x1_0000_0000n;

export function memInit(info: BootInfo): void {
  info.kernelPhysStart = imagePhysStart();
  info.kernelPhysEnd = virtToPhys(kernelEnd());
  frames.initFromBootInfo(info);
  setFrameLock(frameLock, frameUnlock);
  buildKernelSpace(info);
  const arena: usize = frames.allocContiguous(HEAP_FRAMES, frameOwner(FrameUse.Heap, 0));
  if (arena == 0n) panic("no memory for the kernel heap");
  heap.init(physToVirt(arena), u64(u64(HEAP_FRAMES) * PAGE_SIZE));
}

/** Switches this CPU to the kernel space (each CPU calls it once). */
export function enterKernelSpace(): void {
  activateKernelSpace(kernelSpace.root);
}

function usableAt(info: BootInfo, pa: usize, size: u64): bool {
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    if (r.kind == RegionKind.Usable && pa >= r.base && u64(pa + size) <= u64(r.base + r.size)) return true;
  }
  return false;
}

function mapOrPanic(va: usize, pa: usize, size: u64, flags: u32, large: bool): void {
  const err = kernelSpace.map(frames, va, pa, size, flags, large);
  if (err != MapError.Ok) panic(`kernel map of ${hex(va)} failed: error ${u32(err)}`);
}

/** Section permissions of a kernel-image virtual address. */
function imageFlags(va: usize): u32 {
  if (va < kernelTextEnd()) return MAP_EXEC;
  if (va < kernelRodataEnd()) return 0;
  return MAP_WRITE;
}

function buildKernelSpace(info: BootInfo): void {
  if (!kernelSpace.create(frames, KERNEL_SPACE)) panic("no memory for the kernel page tables");
  const imgStart = kernelTextStart();
  const imgEnd = kernelEnd();
  // The direct map of the first 4 GiB (RAM, devices, firmware tables), plus RAM above.
  let top: u64 = FOUR_GIB;
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    const end: u64 = u64(r.base + r.size);
    if (r.kind == RegionKind.Usable && end > top) top = end;
  }
  top = u64(top + LARGE_PAGE_SIZE - 1n) & u64(~u64(LARGE_PAGE_SIZE - 1n));
  for (let pa: usize = 0n; pa < top; pa = u64(pa + LARGE_PAGE_SIZE)) {
    const va = physToVirt(pa);
    const overlapsImage: bool = va < imgEnd && usize(va + LARGE_PAGE_SIZE) > imgStart;
    if (!overlapsImage && usableAt(info, pa, LARGE_PAGE_SIZE)) {
      mapOrPanic(va, pa, LARGE_PAGE_SIZE, MAP_WRITE, true);
      continue;
    }
    if (!overlapsImage && pa < FOUR_GIB && !anyUsable(info, pa, LARGE_PAGE_SIZE)) {
      mapOrPanic(va, pa, LARGE_PAGE_SIZE, u32(MAP_WRITE | MAP_DEVICE), true);
      continue;
    }
    // Mixed 2 MiB: decide page by page.
    for (let p: usize = pa; p < u64(pa + LARGE_PAGE_SIZE); p = u64(p + PAGE_SIZE)) {
      const v = physToVirt(p);
      if (v >= imgStart && v < imgEnd) mapOrPanic(v, p, PAGE_SIZE, imageFlags(v), false);
      else if (usableAt(info, p, PAGE_SIZE)) mapOrPanic(v, p, PAGE_SIZE, MAP_WRITE, false);
      else if (p < FOUR_GIB) mapOrPanic(v, p, PAGE_SIZE, u32(MAP_WRITE | MAP_DEVICE), false);
    }
  }
  // An image linked outside the direct map (x86_64's top 2 GiB) gets its own mapping.
  if (physToVirt(virtToPhys(imgStart)) != imgStart) {
    for (let v: usize = imgStart; v < imgEnd; v = u64(v + PAGE_SIZE)) mapOrPanic(v, virtToPhys(v), PAGE_SIZE, imageFlags(v), false);
  }
}

function anyUsable(info: BootInfo, pa: usize, size: u64): bool {
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    if (r.kind == RegionKind.Usable && pa < u64(r.base + r.size) && u64(pa + size) > r.base) return true;
  }
  return false;
}
