"use unsafe";
/**
 * Address spaces: a 4-level radix tree of 4 KiB tables (512 entries, 9 bits per
 * level, the same on both arches), walked here and encoded by the arch layer.
 * map() refuses any mapping that is both writable and executable (W^X), and any
 * that would replace an existing one. Tables are frames, reached through the
 * kernel's direct map of physical memory.
 */
import { u32, u64, usize, bool } from "kts";
import { load64, store64 } from "kts/unsafe";
import { physToVirt, pteTable, pteLeaf, ptePresent, pteIsLeaf, pteAddress, pteFlags } from "arch";
import { FrameAllocator, FrameUse, frameOwner } from "./frames";
import { MAP_EXEC, MAP_WRITE } from "./flags";

export const PAGE_SIZE: u64 = 4096n;
/** The owner id of the kernel space's table frames. */
export const KERNEL_SPACE: u32 = 0xff_ffff;
export const LARGE_PAGE_SIZE: u64 = 0x20_0000n;

export enum MapError {
  Ok = 0,
  WriteExec = 1,
  Misaligned = 2,
  AlreadyMapped = 3,
  NoMemory = 4,
  /** unmap: a page in the range is not mapped, or is part of a 2 MiB page. */
  NotMapped = 5,
}

/** Index into the table at `level` (0 = root) for virtual address va. */
export function levelIndex(va: usize, level: u32): u32 {
  return u32((va >> u64(39 - 9 * level)) & 511n);
}

function entryAddr(table: usize, index: u32): usize {
  return usize(physToVirt(table) + u64(index) * 8n);
}

function newTable(frames: FrameAllocator, owner: u32): usize {
  const pa = frames.alloc(frameOwner(FrameUse.PageTable, owner));
  if (pa == 0n) return 0n;
  const va = physToVirt(pa);
  for (let i: u32 = 0; i < 512; i++) store64(usize(va + u64(i) * 8n), 0n);
  return pa;
}

/**
 * Frees entries [0, count) of a table at `level` and everything below them: tables and 4 KiB pages of task owner.
 * @recursion 4 — one call per level: destroyUserHalf starts at level 0, each call goes one level down, and only
 * for an entry that is not a leaf, which pteIsLeaf says every entry of level 3 is (levels 0, 1, 2, 3)
 */
function freeLevel(frames: FrameAllocator, table: usize, level: u32, count: u32, owner: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const e: u64 = load64(entryAddr(table, i));
    if (!ptePresent(e)) continue;
    const pa: usize = pteAddress(e);
    if (!pteIsLeaf(e, level)) {
      freeLevel(frames, pa, u32(level + 1), 512, owner);
      frames.free(pa, frameOwner(FrameUse.PageTable, owner));
    } else if (level == 3) {
      frames.free(pa, frameOwner(FrameUse.UserPage, owner));
    }
  }
}

/**
 * The table at or below `table` (entries [0, count)) with a table entry pointing at pa, or 0.
 * @recursion 4 — one call per level: tableLinking starts at level 0, each call goes one level down, and a call at
 * level 3 returns at once (levels 0, 1, 2, 3)
 */
function linking(table: usize, level: u32, count: u32, pa: usize): usize {
  if (level >= 3) return 0n;
  for (let i: u32 = 0; i < count; i++) {
    const e: u64 = load64(entryAddr(table, i));
    if (!ptePresent(e) || pteIsLeaf(e, level)) continue;
    if (pteAddress(e) == pa) return table;
    const below: usize = linking(pteAddress(e), u32(level + 1), 512, pa);
    if (below != 0n) return below;
  }
  return 0n;
}

function tableEmpty(table: usize): bool {
  for (let i: u32 = 0; i < 512; i++) if (load64(entryAddr(table, i)) != 0n) return false;
  return true;
}

/**
 * Bumped whenever a leaf mapping is removed anywhere (unmap, destroyUserHalf).
 * map() never replaces a leaf, so a leaf entry read while the count was E is
 * still the entry while it is E: what lets leafEntryRemembered skip the walk.
 */
let removals: u64 = 1n;

export class AddressSpace {
  root: usize = 0n;
  /** leafEntryRemembered's memo: the 4 KiB page it last walked to, its entry, and `removals` then (0: none). */
  private seenPage: u64 = 0n;
  private seenEntry: u64 = 0n;
  private seenEpoch: u64 = 0n;
  /** The IPC fast path's memo: the kernel address of its last writable message buffer (messageInPage), and `removals` then (0: none). */
  private messageVa: usize = 0n;
  private messageKva: usize = 0n;
  private messageEpoch: u64 = 0n;
  /** Table frames below the root (what a task's mappings cost beyond their pages: quotas count it). */
  tables: u32 = 0;
  /** The task whose space this is (the owner of its table frames), or KERNEL_SPACE. */
  owner: u32 = 0;

  /** The tag an arch with ASIDs gives this space's TLB entries: its task's id + 1 (0 is never a user space's). */
  asid(): u32 {
    return u32(this.owner + 1);
  }

  /** Gives the space of task owner an empty root table; false when out of memory. */
  create(frames: FrameAllocator, owner: u32): bool {
    this.owner = owner;
    this.seenEpoch = 0n;
    this.messageEpoch = 0n;
    this.root = newTable(frames, owner);
    this.tables = 0;
    return this.root != 0n;
  }

  /**
   * Maps [va, va + size) to [pa, pa + size) with MAP_* flags, using 2 MiB pages
   * where both addresses are aligned and `large` is set.
   */
  map(frames: FrameAllocator, va: usize, pa: usize, size: u64, flags: u32, large: bool): MapError {
    if ((flags & MAP_WRITE) != 0 && (flags & MAP_EXEC) != 0) return MapError.WriteExec;
    if (((va | pa | size) & 0xfffn) != 0n) return MapError.Misaligned;
    let off: u64 = 0n;
    while (off < size) {
      const v: usize = u64(va + off);
      const p: usize = u64(pa + off);
      const big: bool = large && ((v | p) & u64(LARGE_PAGE_SIZE - 1n)) == 0n && u64(size - off) >= LARGE_PAGE_SIZE;
      const err = this.mapOne(frames, v, p, flags, big ? 2 : 3);
      if (err != MapError.Ok) return err;
      off = u64(off + (big ? LARGE_PAGE_SIZE : PAGE_SIZE));
    }
    return MapError.Ok;
  }

  private mapOne(frames: FrameAllocator, va: usize, pa: usize, flags: u32, leafLevel: u32): MapError {
    let table: usize = this.root;
    for (let level: u32 = 0; level < leafLevel; level++) {
      const slot = entryAddr(table, levelIndex(va, level));
      const e: u64 = load64(slot);
      if (ptePresent(e)) {
        if (pteIsLeaf(e, level)) return MapError.AlreadyMapped;
        table = pteAddress(e);
        continue;
      }
      const next = newTable(frames, this.owner);
      if (next == 0n) return MapError.NoMemory;
      this.tables = u32(this.tables + 1);
      store64(slot, pteTable(next));
      table = next;
    }
    const slot = entryAddr(table, levelIndex(va, leafLevel));
    if (ptePresent(load64(slot))) return MapError.AlreadyMapped;
    store64(slot, pteLeaf(pa, flags, leafLevel));
    return MapError.Ok;
  }

  /**
   * Removes the 4 KiB mappings of [va, va + size); the frames stay the caller's.
   * Stops at the first page that is not a mapped 4 KiB page (NotMapped). The
   * TLBs are not touched: a space live on other CPUs needs mem/shootdown.ts.
   */
  unmap(va: usize, size: u64): MapError {
    if (((va | size) & 0xfffn) != 0n) return MapError.Misaligned;
    for (let off: u64 = 0n; off < size; off = u64(off + PAGE_SIZE)) {
      const v: usize = u64(va + off);
      let table: usize = this.root;
      for (let level: u32 = 0; level < 3; level++) {
        const e: u64 = load64(entryAddr(table, levelIndex(v, level)));
        if (!ptePresent(e) || pteIsLeaf(e, level)) return MapError.NotMapped;
        table = pteAddress(e);
      }
      const slot = entryAddr(table, levelIndex(v, 3));
      if (!ptePresent(load64(slot))) return MapError.NotMapped;
      removals = u64(removals + 1n);
      store64(slot, 0n);
    }
    return MapError.Ok;
  }

  /**
   * After an unmap of [va, va + size) in the lower half: takes every table below
   * the root that the range touches and that is now empty out of the tree,
   * deepest first, and appends its frame to `out` (from index `n`; returns the
   * new count, at most out.length). The frames are not freed here: other CPUs
   * may still cache the walk through them until a TLB flush, after which the
   * caller frees them.
   */
  pruneEmpty(va: usize, size: u64, out: u64[], n: u32): u32 {
    let count: u32 = n;
    // Leaf tables map 2 MiB each, their parents 1 GiB, theirs 512 GiB.
    for (let level: u32 = 3; level >= 1; level = u32(level - 1)) {
      const span: u64 = u64(1n << u64(39 - 9 * (level - 1)));
      let at: usize = va & u64(~u64(span - 1n));
      while (at < u64(va + size) && count < out.length) {
        const parent: usize = this.tableAt(at, u32(level - 1));
        if (parent != 0n) {
          const slot: usize = entryAddr(parent, levelIndex(at, u32(level - 1)));
          const e: u64 = load64(slot);
          if (ptePresent(e) && !pteIsLeaf(e, u32(level - 1)) && tableEmpty(pteAddress(e))) {
            store64(slot, 0n);
            out[count] = pteAddress(e);
            count = u32(count + 1);
            this.tables = u32(this.tables - 1);
          }
        }
        at = u64(at + span);
      }
    }
    return count;
  }

  /** The table at `level` (0 = root) on the walk to va, or 0 if the walk stops above it. */
  tableOn(va: usize, level: u32): usize {
    return this.tableAt(va, level);
  }

  private tableAt(va: usize, level: u32): usize {
    let table: usize = this.root;
    for (let l: u32 = 0; l < level; l++) {
      const e: u64 = load64(entryAddr(table, levelIndex(va, l)));
      if (!ptePresent(e) || pteIsLeaf(e, l)) return 0n;
      table = pteAddress(e);
    }
    return table;
  }

  /** The leaf entry mapping va, or 0 if none (the walk itself; no TLB involved). */
  leafEntry(va: usize): u64 {
    let table: usize = this.root;
    for (let level: u32 = 0; level < 4; level++) {
      const e: u64 = load64(entryAddr(table, levelIndex(va, level)));
      if (!ptePresent(e)) return 0n;
      if (pteIsLeaf(e, level)) return e;
      table = pteAddress(e);
    }
    return 0n;
  }

  /**
   * leafEntry, without the walk when va lies in the page of the last walk and no
   * mapping has been removed anywhere since (the IPC path reads one message
   * buffer again and again). Under the scheduler lock: the memo is shared.
   */
  leafEntryRemembered(va: usize): u64 {
    const page: u64 = va >> 12n;
    if (this.seenEpoch == removals && this.seenPage == page) return this.seenEntry;
    const e: u64 = this.leafEntry(va);
    if (e != 0n) {
      this.seenPage = page;
      this.seenEntry = e;
      this.seenEpoch = removals;
    }
    return e;
  }

  /** The kernel address remembered for the writable user range at va (rememberWritable), or 0 if a mapping was removed since. Under the lock. */
  rememberedWritable(va: usize): usize {
    return this.messageEpoch == removals && this.messageVa == va ? this.messageKva : 0n;
  }

  /** Remembers that user va, writable, is at kernel address kva (one range per space), until any mapping is removed. Under the lock. */
  rememberWritable(va: usize, kva: usize): void {
    this.messageVa = va;
    this.messageKva = kva;
    this.messageEpoch = removals;
  }

  /**
   * Frees every table and page of the lower (user) half and the root itself.
   * The upper half's entries are shared kernel tables and are left alone.
   */
  destroyUserHalf(frames: FrameAllocator): void {
    removals = u64(removals + 1n);
    this.seenEpoch = 0n;
    this.messageEpoch = 0n;
    freeLevel(frames, this.root, 0, 256, this.owner);
    frames.free(this.root, frameOwner(FrameUse.PageTable, this.owner));
    this.root = 0n;
    this.tables = 0;
  }

  /**
   * The table of this space's user half that still links table frame pa (a
   * table entry pointing at it), or 0: a table frame must be out of the tree
   * before it is freed. Walks the tables only (the frame checker's use).
   */
  tableLinking(pa: usize): usize {
    return this.root == 0n ? 0n : linking(this.root, 0, 256, pa);
  }

  /** MAP_* flags of va's mapping, or 0xffffffff when unmapped. */
  flagsOf(va: usize): u32 {
    const e: u64 = this.leafEntry(va);
    if (e == 0n) return 0xffff_ffff;
    return pteFlags(e);
  }
}
