"use unsafe";
/**
 * Memory regions and their user mappings. A region is physically contiguous,
 * zeroed frames handed to a task as a MemoryRegion capability (a manifest's
 * "memory" capability); memMap maps what a capability to it names into the
 * holder's address space, never executable.
 *
 * A mapping lasts as long as the capability that authorized it stays with the
 * task that mapped it. userMemorySweep, run after anything that can end or
 * move capabilities, removes the mappings whose capability is gone, flushes
 * them from every CPU's TLB, and only then frees the frames of regions no
 * capability names any more — so no CPU can reach a frame after its reuse.
 * Tables change under the scheduler lock; sweeps run one at a time, unlocked
 * (the flush is a cross-call).
 */
import { u8, u32, u64, usize, bool, array, structs, panic, hex, text } from "kts";
import { addressOf, atomicFetchAdd32, atomicLoad32, atomicStore32, store64 } from "kts/unsafe";
import { physToVirt } from "arch";
import { frames, FrameUse, frameOwner, ownerName } from "../mem/index";
import { MapError, PAGE_SIZE } from "../mem/paging";
import { MAP_DEVICE, MAP_USER, MAP_WRITE } from "../mem/flags";
import { shootdownAll } from "../mem/shootdown";
import { capInsertRoot, capNodeOwner, capCountInRange, CapKind, CapError, CapView } from "../cap/index";
import { resources } from "./table";
import { schedLock, schedUnlock } from "./lock";
import { lockAnswering } from "./crosscall";
import { USER_TOP } from "./usermem";
import { BUNDLE_MEMORY_MAX_PAGES } from "../loader/bundle";

const MAX_REGIONS = 64;
/** The largest device-register mapping: as large as a region, so the page-table bound below holds. */
export const MMIO_MAP_MAX: u64 = 0x10_0000n;
const MAX_MAPPINGS = 128;
/**
 * One task's share of the kernel's mapping records (mapped or awaiting their
 * flush), and of page-table frames: a task cannot take the mapping records or
 * physical memory from the others by mapping at ever new addresses.
 */
export const MAPPINGS_PER_TASK: u32 = 16;
export const TABLES_PER_TASK: u32 = 64;
/** The most table frames one mapping can add: a region (at most 1 MiB) spans two tables at each level below the root. */
const TABLES_PER_MAPPING = 6;

export enum MapState {
  Free = 0,
  /** In the task's page tables. */
  Mapped = 1,
  /** Out of the page tables; other CPUs may still cache it until a sweep flushes. */
  Unmapped = 2,
  /** Unmapped, and the running sweep's flush covers it. */
  Flushing = 3,
}

class Region {
  live: bool = false;
  /** DMA memory: never freed (a device may still write to it after its driver died). */
  pinned: bool = false;
  pa: usize = 0n;
  size: u64 = 0n;
}

class Mapping {
  state: MapState = MapState.Free;
  task: u32 = 0;
  /** The authorizing capability's node and generation. */
  node: u32 = 0;
  nodeGen: u32 = 0;
  va: usize = 0n;
  pa: usize = 0n;
  size: u64 = 0n;
  /** Page-table frames its removal emptied: freed with the record, after the flush. */
  tables: u64[] = array(TABLES_PER_MAPPING, 0n);
  tableCount: u32 = 0;
}

const regions: Region[] = structs(MAX_REGIONS, Region);
const mappings: Mapping[] = structs(MAX_MAPPINGS, Mapping);
/** 1 while a sweep runs. */
const sweeping: u32[] = array(1, 0);
/**
 * [0] memory capabilities moved between tasks so far; [1] how many of those
 * moves the last finished sweep covered (it started after them). A count, not a
 * flag: a CPU must not skip its sweep because another one's is still running.
 */
const moves: u32[] = array(2, 0);

/**
 * Under the lock: a new region of `pages` zeroed frames for task t, as a root
 * MemoryRegion capability with `rights` (filled into out). NoMemory-like
 * failures come back as CapError.PoolFull.
 */
export function regionCreate(t: u32, pages: u32, rights: u32, out: CapView): CapError {
  const r: u32 = regionAlloc(pages, false);
  if (r == MAX_REGIONS) return CapError.PoolFull;
  const e: CapError = capInsertRoot(t, CapKind.MemoryRegion, rights, regions[r].pa, regions[r].size, 0, 0n, out);
  if (e != CapError.Ok) regionFree(r);
  return e;
}

/**
 * Under the lock: a pinned region of `pages` zeroed frames (DMA memory), never
 * freed; its physical base, or 0 if there is no room.
 */
export function regionCreatePinned(pages: u32): usize {
  const r: u32 = regionAlloc(pages, true);
  return r == MAX_REGIONS ? 0n : regions[r].pa;
}

/** A new live region's index, or MAX_REGIONS. */
function regionAlloc(pages: u32, pinned: bool): u32 {
  if (pages == 0 || pages > BUNDLE_MEMORY_MAX_PAGES) return MAX_REGIONS;
  let r: u32 = 0;
  while (r < MAX_REGIONS && regions[r].live) r = u32(r + 1);
  if (r == MAX_REGIONS) return MAX_REGIONS;
  const size: u64 = u64(u64(pages) * PAGE_SIZE);
  const pa: usize = frames.allocContiguous(pages, frameOwner(FrameUse.Region, r));
  if (pa == 0n) return MAX_REGIONS;
  for (let off: u64 = 0n; off < size; off = u64(off + 8n)) store64(physToVirt(usize(pa + off)), 0n);
  regions[r].live = true;
  regions[r].pinned = pinned;
  regions[r].pa = pa;
  regions[r].size = size;
  return r;
}

function regionFree(r: u32): void {
  const reg = regions[r];
  for (let off: u64 = 0n; off < reg.size; off = u64(off + PAGE_SIZE)) frames.free(usize(reg.pa + off), frameOwner(FrameUse.Region, r));
  reg.live = false;
}

export enum MapResult {
  Ok = 0,
  BadAddress = 1,
  Misaligned = 2,
  InUse = 3,
  NoMemory = 4,
}

/**
 * Under the lock: maps [pa, pa + size) — what capability `cap` names — into
 * task t at va, user-accessible, writable if asked, device memory if asked,
 * never executable.
 */
export function mappingAdd(t: u32, cap: CapView, va: usize, writable: bool, device: bool): MapResult {
  const pa: usize = cap.objA;
  const size: u64 = cap.objB;
  if ((va & 0xfffn) != 0n || (pa & 0xfffn) != 0n || (size & 0xfffn) != 0n) return MapResult.Misaligned;
  const end: u64 = u64(va + size);
  if (va == 0n || end < va || end > USER_TOP) return MapResult.BadAddress;
  const space = resources[t].space;
  for (let off: u64 = 0n; off < size; off = u64(off + PAGE_SIZE)) {
    if (space.flagsOf(usize(va + off)) != 0xffff_ffff) return MapResult.InUse;
  }
  if (u32(space.tables + TABLES_PER_MAPPING) > TABLES_PER_TASK || mappingsOf(t) >= MAPPINGS_PER_TASK) return MapResult.NoMemory;
  let m: u32 = 0;
  while (m < MAX_MAPPINGS && mappings[m].state != MapState.Free) m = u32(m + 1);
  if (m == MAX_MAPPINGS) return MapResult.NoMemory;
  const flags: u32 = u32((writable ? u32(MAP_USER | MAP_WRITE) : MAP_USER) | (device ? MAP_DEVICE : 0));
  if (space.map(frames, va, pa, size, flags, false) != MapError.Ok) {
    space.unmap(va, size); // what got mapped before a table allocation failed (stops at the first hole)
    return MapResult.NoMemory;
  }
  const rec = mappings[m];
  rec.state = MapState.Mapped;
  rec.task = t;
  rec.node = cap.node;
  rec.nodeGen = cap.nodeGen;
  rec.va = va;
  rec.pa = pa;
  rec.size = size;
  rec.tableCount = 0;
  return MapResult.Ok;
}

/** Under the lock: task t's mapping records in use (mapped, or awaiting their flush). */
function mappingsOf(t: u32): u32 {
  let n: u32 = 0;
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) if (mappings[m].state != MapState.Free && mappings[m].task == t) n = u32(n + 1);
  return n;
}

/** Under the lock: takes task t's mapping at va out of its tables (the next sweep flushes it); false if none. */
export function mappingRemove(t: u32, va: usize): bool {
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) {
    const rec = mappings[m];
    if (rec.state == MapState.Mapped && rec.task == t && rec.va == va) {
      unmapRecord(rec, MapState.Unmapped);
      return true;
    }
  }
  return false;
}

/**
 * Under the lock, for a dead task no CPU runs: its mappings leave its tables
 * before they are destroyed (the region frames are not the task's to free).
 * Switching away from its space already dropped its translations.
 */
export function mappingsDropTask(t: u32): void {
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) {
    const rec = mappings[m];
    if (rec.state == MapState.Mapped && rec.task == t) {
      unmapRecord(rec, MapState.Unmapped);
      release(rec);
    }
  }
}

/** Takes the mapping out of its task's tables, and the tables it leaves empty out of the tree. */
function unmapRecord(rec: Mapping, next: MapState): void {
  const space = resources[rec.task].space;
  space.unmap(rec.va, rec.size);
  rec.tableCount = space.pruneEmpty(rec.va, rec.size, rec.tables, 0);
  rec.state = next;
}

const frameName: u8[] = array(32, 0);
const linkName: u8[] = array(32, 0);

/** The record is done with (no CPU can reach through it any more): its emptied tables go back. */
function release(rec: Mapping): void {
  const space = resources[rec.task].space;
  for (let i: u32 = 0; i < rec.tableCount; i++) {
    // The frame checker's third rule: a table frame leaves the tree before it is freed.
    const link: usize = space.tableLinking(rec.tables[i]);
    if (link != 0n) {
      const a: u32 = ownerName(frames.ownerOf(rec.tables[i]), frameName);
      const b: u32 = ownerName(frames.ownerOf(link), linkName);
      panic(`${text(frameName, a)}: frame ${hex(rec.tables[i])} freed while ${text(linkName, b)} (frame ${hex(link)}) links it`);
    }
    frames.free(rec.tables[i], frameOwner(FrameUse.PageTable, rec.task));
  }
  rec.tableCount = 0;
  rec.state = MapState.Free;
}

/** Under the lock or not: a memory capability changed hands; the next sweepIfWanted sweeps. */
export function memoryCapabilityMoved(): void {
  atomicFetchAdd32(addressOf(moves), 1);
}

/** Sweeps unless every move so far is covered by a finished sweep (the system-call exit path). Not under the lock. */
export function sweepIfWanted(): void {
  if (sweepWanted()) userMemorySweep();
}

/** Whether a memory capability moved since the last finished sweep began (the next system-call exit sweeps). */
export function sweepWanted(): bool {
  return atomicLoad32(addressOf(moves)) != atomicLoad32(cell(1));
}

function cell(i: u32): usize {
  return usize(addressOf(moves) + u64(i) * 4n);
}

/**
 * Removes every mapping whose capability was revoked, moved to another task or
 * ended; flushes them from every CPU; then frees regions no capability names.
 * Not under the lock.
 */
export function userMemorySweep(): void {
  // One sweep at a time (the one in progress may be waiting on a cross-call to this CPU).
  lockAnswering(addressOf(sweeping), 1);
  const covered: u32 = atomicLoad32(addressOf(moves));
  schedLock();
  let flush: bool = false;
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) {
    const rec = mappings[m];
    if (rec.state == MapState.Mapped && capNodeOwner(rec.node, rec.nodeGen) != rec.task) unmapRecord(rec, MapState.Unmapped);
    if (rec.state == MapState.Unmapped) {
      rec.state = MapState.Flushing;
      flush = true;
    }
  }
  schedUnlock();
  if (flush) shootdownAll();
  schedLock();
  // What was out of the tables before the flush is now gone from every TLB.
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) if (mappings[m].state == MapState.Flushing) release(mappings[m]);
  for (let r: u32 = 0; r < MAX_REGIONS; r++) {
    const reg = regions[r];
    if (!reg.live || reg.pinned || capCountInRange(CapKind.MemoryRegion, reg.pa, reg.size) != 0 || mappedIn(reg)) continue;
    regionFree(r);
  }
  schedUnlock();
  atomicStore32(cell(1), covered);
  atomicStore32(addressOf(sweeping), 0);
}

/** Whether a mapping (in the tables, or awaiting a flush) still reaches a frame of reg. */
function mappedIn(reg: Region): bool {
  for (let m: u32 = 0; m < MAX_MAPPINGS; m++) {
    const rec = mappings[m];
    if (rec.state != MapState.Free && rec.pa >= reg.pa && u64(rec.pa - reg.pa) < reg.size) return true;
  }
  return false;
}
