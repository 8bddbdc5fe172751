"use unsafe";
/**
 * In-kernel memory suites: the frame allocator on the real memory map, W^X
 * refusal, the kernel's section permissions in the live page tables, the heap,
 * and user address spaces whose TLB tag (ASID) is recycled.
 */
import { u32, u64, usize, bool, array, print, check } from "kts";
import { load64, store64, irqSave, irqRestore } from "kts/unsafe";
import { currentKernelSpace, physToVirt, userSpaceInit, activateUserSpace } from "arch";
import { kernelTextStart, kernelTextEnd, kernelRodataEnd, kernelEnd } from "../mem/layout";
import { FrameUse, frameOwner, frames, heap, kernelSpace, enterKernelSpace } from "../mem/index";
import { AddressSpace, MapError } from "../mem/paging";
import { MAP_EXEC, MAP_WRITE, MAP_USER } from "../mem/flags";
import { MAX_TASKS } from "../sched/index";

/** The owner of the frames these suites take (the frame checker names it). */
const TEST_OWNER: u32 = frameOwner(FrameUse.Test, 0);

/** The task id a test address space's table frames are owned by (no task has it). */
const TEST_SPACE: u32 = 0xff_fffe;
const SAMPLE = 64;
let dataProbe: u64 = 0x5a5an;

export function framesSuite(online: u32): void {
  print("test frames: allocate, free and reuse physical frames");
  const before: u32 = frames.freeCount;
  check(before > 1000, `only ${before} free frames`);
  let first: usize = 0n;
  let prev: usize = 0n;
  for (let i: u32 = 0; i < SAMPLE; i++) {
    const pa: usize = frames.alloc(TEST_OWNER);
    check(pa != 0n && (pa & 0xfffn) == 0n, "frame is page-aligned");
    check(pa != prev, "frames are distinct");
    check(!frames.isFree(pa), "allocated frame is marked used");
    if (i == 0) first = pa;
    prev = pa;
  }
  check(frames.freeCount == u32(before - SAMPLE), "free count dropped by the sample");
  frames.free(first, TEST_OWNER);
  check(frames.isFree(first), "freed frame is free again");
  frames.free(prev, TEST_OWNER);
  check(frames.freeCount == u32(before - SAMPLE + 2), "free count restored by two");
  // Everything can be allocated and returned: exhaustion reports 0, never a used frame.
  let taken: u32 = 0;
  for (;;) {
    const pa: usize = frames.alloc(TEST_OWNER);
    if (pa == 0n) break;
    taken = u32(taken + 1);
  }
  check(frames.freeCount == 0 && frames.alloc(TEST_OWNER) == 0n, "exhausted allocator returns 0");
  check(taken == u32(before - SAMPLE + 2), `took ${taken} frames`);
  frames.setRange(frames.base, u64(u64(frames.frames) * 4096n), false);
  check(frames.freeCount == frames.frames, "setRange frees the span");
  check(online >= 1, "at least one CPU");
}

export function writeExecSuite(online: u32): void {
  print("test wx: writable+executable mappings are refused");
  const space = new AddressSpace();
  check(space.create(frames, TEST_SPACE), "a fresh address space");
  const pa: usize = frames.alloc(TEST_OWNER);
  const va: usize = 0x4000_0000n;
  check(space.map(frames, va, pa, 4096n, u32(MAP_WRITE | MAP_EXEC), false) == MapError.WriteExec, "W+X refused");
  check(space.flagsOf(va) == 0xffff_ffff, "nothing was mapped");
  check(space.map(frames, va, pa, 4096n, MAP_WRITE, false) == MapError.Ok, "W mapping accepted");
  check(space.flagsOf(va) == MAP_WRITE, "reads back writable, not executable");
  check(space.map(frames, va, pa, 4096n, MAP_EXEC, false) == MapError.AlreadyMapped, "no silent remap");
  check(space.map(frames, usize(va + 0x1000n), usize(pa + 1n), 4096n, 0, false) == MapError.Misaligned, "misaligned refused");
  check(kernelSpace.map(frames, 0x5000_0000n, pa, 4096n, u32(MAP_WRITE | MAP_EXEC), false) == MapError.WriteExec, "kernel space refuses W+X too");
  check(online >= 1, "at least one CPU");
}

export function sectionsSuite(online: u32): void {
  print("test sections: kernel text RX, rodata R, data RW-NX, direct map RW-NX");
  check(currentKernelSpace() == kernelSpace.root, "this CPU runs on the kernel space");
  check(kernelSpace.flagsOf(kernelTextStart()) == MAP_EXEC, "text is executable and read-only");
  check(kernelSpace.flagsOf(usize(kernelTextEnd() - 4096n)) == MAP_EXEC, "end of text likewise");
  check(kernelSpace.flagsOf(kernelTextEnd()) == 0, "rodata is read-only and not executable");
  check(kernelSpace.flagsOf(kernelRodataEnd()) == MAP_WRITE, "data is writable and not executable");
  check(kernelSpace.flagsOf(usize(kernelEnd() - 4096n)) == MAP_WRITE, "bss likewise");
  let wx: u32 = 0;
  for (let va: usize = kernelTextStart(); va < kernelEnd(); va = usize(va + 4096n)) {
    const f: u32 = kernelSpace.flagsOf(va);
    if ((f & MAP_WRITE) != 0 && (f & MAP_EXEC) != 0) wx = u32(wx + 1);
  }
  check(wx == 0, `${wx} kernel pages are writable and executable`);
  const pa: usize = frames.alloc(TEST_OWNER);
  check(kernelSpace.flagsOf(physToVirt(pa)) == MAP_WRITE, "direct map of RAM is RW-NX");
  frames.free(pa, TEST_OWNER);
  dataProbe = u64(dataProbe + 1n);
  check(dataProbe == 0x5a5bn, "data is writable through the new tables");
  check(online >= 1, "at least one CPU");
}

export function heapSuite(online: u32): void {
  print("test heap: allocate, write, free in any order, merge, exhaust");
  const free0: u64 = heap.freeBytes();
  const a: usize = heap.alloc(24n);
  const b: usize = heap.alloc(1000n);
  const c: usize = heap.alloc(4096n);
  check(a != 0n && b != 0n && c != 0n, "three blocks");
  check((a & 15n) == 0n && (b & 15n) == 0n && (c & 15n) == 0n, "16-byte aligned");
  check(b >= usize(a + 24n) && c >= usize(b + 1000n), "blocks do not overlap");
  for (let i: u32 = 0; i < 125; i++) store64(usize(b + u64(i) * 8n), u64(i));
  let sum: u64 = 0n;
  for (let i: u32 = 0; i < 125; i++) sum = u64(sum + load64(usize(b + u64(i) * 8n)));
  check(sum == 7750n, "memory holds what was written");
  heap.free(b);
  check(heap.consistent(), "free list consistent after a middle free");
  heap.free(a);
  heap.free(c);
  check(heap.consistent(), "free list consistent after all frees");
  check(heap.freeBytes() == free0, "all memory merged back");
  const big: usize = heap.alloc(u64(free0 * 2n));
  check(big == 0n, "an impossible request returns 0");
  let n: u32 = 0;
  for (;;) {
    if (heap.alloc(4000n) == 0n) break;
    n = u32(n + 1);
  }
  check(n > 200, `exhausted after ${n} blocks`);
  check(online >= 1, "at least one CPU");
  heap.init(heap.start, u64(heap.end - heap.start));
  check(heap.freeBytes() == free0, "heap reset");
}

export function unusedBool(): bool {
  return false;
}

export function frameOwnerSuite(online: u32): void {
  print("test owners: frames carry their owners; a table frame is linked until pruned");
  const space = new AddressSpace();
  check(space.create(frames, TEST_SPACE), "a fresh address space");
  const table: u32 = frameOwner(FrameUse.PageTable, TEST_SPACE);
  check(frames.ownerOf(space.root) == table, "its root is a page table of its owner");
  const pa: usize = frames.alloc(TEST_OWNER);
  check(frames.ownerOf(pa) == TEST_OWNER, "an allocated frame names its owner");
  const va: usize = 0x4020_0000n;
  check(space.map(frames, va, pa, 4096n, MAP_WRITE, false) == MapError.Ok, "mapped");
  const leaf: usize = space.tableOn(va, 3);
  check(leaf != 0n && frames.ownerOf(leaf) == table, "the leaf table is the space's");
  // While linked, freeing it is what the checker refuses (user-memory's release asks tableLinking first).
  check(space.tableLinking(leaf) == space.tableOn(va, 2), "the leaf table is linked from its parent");
  check(space.unmap(va, 4096n) == MapError.Ok, "unmapped");
  check(space.tableLinking(leaf) != 0n, "still linked after the unmap (empty, not yet pruned)");
  const out: u64[] = array(8, 0n);
  const n: u32 = space.pruneEmpty(va, 4096n, out, 0);
  check(n == 3 && out[0] == leaf, `three emptied tables pruned, the leaf first (got ${n})`);
  for (let i: u32 = 0; i < n; i++) {
    check(frames.ownerOf(out[i]) == table, `pruned table ${i} is the space's`);
    check(space.tableLinking(out[i]) == 0n, `pruned table ${i} is no longer linked`);
    frames.free(out[i], table);
  }
  frames.free(pa, TEST_OWNER);
  check(frames.ownerOf(pa) != TEST_OWNER && frames.isFree(pa), "a freed frame is no longer held");
  check(online >= 1, "at least one CPU");
}

/** A task slot the test kernel never uses: its spaces get a real ASID (the slot's + 1). */
const RECYCLED_SLOT: u32 = u32(MAX_TASKS - 1);
const RECYCLED_VA: usize = 0x4060_0000n;

/** A space of RECYCLED_SLOT with one user page at RECYCLED_VA holding `word`, prepared as a task's is (userSpaceInit). */
function recycledSpace(space: AddressSpace, word: u64): bool {
  if (!space.create(frames, RECYCLED_SLOT)) return false;
  userSpaceInit(space.root, space.asid());
  const pa: usize = frames.alloc(frameOwner(FrameUse.UserPage, RECYCLED_SLOT));
  if (pa == 0n) return false;
  store64(physToVirt(pa), word);
  return space.map(frames, RECYCLED_VA, pa, 4096n, MAP_USER, false) == MapError.Ok;
}

export function recycledAsidSuite(online: u32): void {
  print("test asid: a new space with an ended space's tag (ASID) sees its own pages, never the old one's");
  // One CPU throughout: no interrupt may switch spaces under the reads.
  const flags = irqSave();
  const first = new AddressSpace();
  check(recycledSpace(first, 0x1111_1111_1111_1111n), "the first space");
  activateUserSpace(first.root, first.asid());
  // The kernel reads the user page through the user mapping: this CPU's TLB now holds it, tagged.
  check(load64(RECYCLED_VA) == 0x1111_1111_1111_1111n, "the first space reads its page");
  const second = new AddressSpace();
  check(recycledSpace(second, 0x2222_2222_2222_2222n), "the second space (the same slot, so the same tag)");
  check(second.asid() == first.asid(), "both spaces have one tag");
  // The same tag, another root: only userSpaceInit's invalidation keeps the first space's entry out.
  activateUserSpace(second.root, second.asid());
  check(load64(RECYCLED_VA) == 0x2222_2222_2222_2222n, "the second space reads its own page, not the first's");
  enterKernelSpace();
  irqRestore(flags);
  first.destroyUserHalf(frames);
  second.destroyUserHalf(frames);
  check(online >= 1, "at least one CPU");
}
