/**
 * Base address registers of type-0 headers: decoding, size probing, and placing
 * memory BARs in an MMIO window (keeping sound firmware assignments, assigning
 * the rest). Config space is reached through the two function pointers a caller
 * passes (config.ts's cfgRead32/cfgWrite32 on real hardware), so this module
 * needs no unsafe API and runs unchanged on the host.
 */
import { u32, u64, usize, bool, array, max } from "kts";

export const BARS_PER_FUNCTION: u32 = 6;
const CFG_COMMAND: u32 = 0x04;
const CFG_BAR0: u32 = 0x10;
const CMD_IO: u32 = 0x0001;
const CMD_MEM: u32 = 0x0002;
const CMD_BUS_MASTER: u32 = 0x0004;

/** Every BAR gets at least a page of its own, so each can be mapped alone. */
export const BAR_MIN_SLOT: u64 = 0x1000n;
/** alloc's answer when nothing fits. */
export const NO_ADDRESS: u64 = 0xffff_ffff_ffff_ffffn;

export type ConfigRead32 = (fa: usize, offset: u32) => u32;
export type ConfigWrite32 = (fa: usize, offset: u32, v: u32) => void;

export enum BarKind {
  /** Not implemented (reads back zero). */
  Unused = 0,
  Io = 1,
  Mem32 = 2,
  Mem64 = 3,
  /** The high half of the 64-bit BAR in the slot before. */
  Upper = 4,
  /** Reserved memory type, or a 64-bit BAR in the last slot: not usable. */
  Bad = 5,
}

export enum BarPlace {
  /** Nothing to place: unused, IO (never assigned), an upper half, bad. */
  None = 0,
  /** A memory BAR not yet kept or assigned. */
  Pending = 1,
  /** The firmware's address was sound and stays. */
  Kept = 2,
  /** Given an address from the window. */
  Assigned = 3,
  /** The window had no room: its function keeps memory decode off. */
  NoRoom = 4,
}

export class Bar {
  /** The function's config space and the BAR's slot (0..5). */
  fa: usize = 0n;
  slot: u32 = 0;
  kind: BarKind = BarKind.Unused;
  prefetchable: bool = false;
  /** A power of two, 0 if unused. */
  size: u64 = 0n;
  /** The address the BAR held when probed (an IO port for IO BARs). */
  firmware: u64 = 0n;
  /** Highest address the BAR's writable bits reach (below 4 GiB for Mem32; a 64-bit BAR may implement fewer than 64). */
  maxAddress: u64 = 0n;
  /** The physical address once Kept or Assigned; the firmware's for IO; else 0. */
  base: u64 = 0n;
  place: BarPlace = BarPlace.None;

  reset(fa: usize, slot: u32): void {
    this.fa = fa;
    this.slot = slot;
    this.kind = BarKind.Unused;
    this.prefetchable = false;
    this.size = 0n;
    this.firmware = 0n;
    this.maxAddress = 0n;
    this.base = 0n;
    this.place = BarPlace.None;
  }

  isMemory(): bool {
    return this.kind == BarKind.Mem32 || this.kind == BarKind.Mem64;
  }
}

/** The kind a BAR's read-only low bits declare. */
export function decodeBarKind(value: u32): BarKind {
  if ((value & 1) != 0) return BarKind.Io;
  const type: u32 = (value >>> 1) & 3;
  if (type == 0 || type == 1) return BarKind.Mem32; // 1: "below 1 MiB", obsolete; placed like any 32-bit BAR
  if (type == 2) return BarKind.Mem64;
  return BarKind.Bad;
}

export function isPrefetchable(value: u32): bool {
  return (value & 1) == 0 && (value & 8) != 0;
}

/** The address bits of a BAR's value (hi: the next slot's value for Mem64). */
export function barAddress(kind: BarKind, lo: u32, hi: u32): u64 {
  // u32() first: a 32-bit & is signed, as in JS, and u64() would sign-extend it.
  if (kind == BarKind.Io) return u64(u32(lo & 0xffff_fffc));
  if (kind == BarKind.Mem32) return u64(u32(lo & 0xffff_fff0));
  if (kind == BarKind.Mem64) return u64((u64(hi) << 32n) | u64(u32(lo & 0xffff_fff0)));
  return 0n;
}

/** The writable address bits after writing all ones (hi for Mem64). */
export function barMask(kind: BarKind, readLo: u32, readHi: u32): u64 {
  return barAddress(kind, readLo, kind == BarKind.Mem64 ? readHi : 0);
}

/** The size from the all-ones read-back: its lowest writable address bit (0: not implemented). IO BARs may hard-wire their upper 16 bits. */
export function barSize(kind: BarKind, readLo: u32, readHi: u32): u64 {
  const mask: u64 = barMask(kind, readLo, readHi);
  return mask & u64(0n - mask);
}

/** The window space a BAR takes: its size, at least a page. */
export function slotSize(size: u64): u64 {
  return max(size, BAR_MIN_SLOT);
}

function isPowerOfTwo(v: u64): bool {
  return v != 0n && (v & u64(v - 1n)) == 0n;
}

/**
 * Probes the 6 BARs of the type-0 function at fa into bars[at .. at + 6): kind,
 * prefetchable, size and the firmware's address. Decode is off while a BAR holds
 * all ones (it would claim addresses it does not own); every value is restored.
 */
export function probeBars(fa: usize, bars: Bar[], at: u32, read32: ConfigRead32, write32: ConfigWrite32): void {
  const cmd: u32 = read32(fa, CFG_COMMAND) & 0xffff;
  // Upper half 0: status bits are read-only or write-one-to-clear.
  write32(fa, CFG_COMMAND, u32(cmd & ~(CMD_IO | CMD_MEM)));
  let slot: u32 = 0;
  while (slot < BARS_PER_FUNCTION) {
    const b: Bar = bars[u32(at + slot)];
    b.reset(fa, slot);
    const off: u32 = u32(CFG_BAR0 + slot * 4);
    const lo: u32 = read32(fa, off);
    write32(fa, off, 0xffff_ffff);
    const readLo: u32 = read32(fa, off);
    write32(fa, off, lo);
    let kind: BarKind = decodeBarKind(lo);
    let hi: u32 = 0;
    let readHi: u32 = 0;
    if (kind == BarKind.Mem64 && u32(slot + 1) == BARS_PER_FUNCTION) kind = BarKind.Bad;
    if (kind == BarKind.Mem64) {
      hi = read32(fa, u32(off + 4));
      write32(fa, u32(off + 4), 0xffff_ffff);
      readHi = read32(fa, u32(off + 4));
      write32(fa, u32(off + 4), hi);
    }
    b.kind = kind;
    if (kind != BarKind.Bad) {
      b.size = barSize(kind, readLo, readHi);
      if (b.size == 0n) b.kind = BarKind.Unused;
    }
    if (b.kind == BarKind.Io || b.isMemory()) {
      b.prefetchable = isPrefetchable(lo);
      b.firmware = barAddress(kind, lo, hi);
      b.maxAddress = barMask(kind, readLo, readHi) | u64(b.size - 1n);
      if (b.kind == BarKind.Io) b.base = b.firmware;
      else b.place = BarPlace.Pending;
    }
    if (kind == BarKind.Mem64) {
      const upper: Bar = bars[u32(at + slot + 1)];
      upper.reset(fa, u32(slot + 1));
      upper.kind = b.kind == BarKind.Unused ? BarKind.Unused : BarKind.Upper;
      slot = u32(slot + 2);
    } else slot = u32(slot + 1);
  }
  write32(fa, CFG_COMMAND, cmd);
}

/** Capacity of a window's record of used ranges (32 functions of 6 BARs). */
export const MAX_WINDOW_RANGES: u32 = 192;

/**
 * An MMIO window [base, base + size) handing out naturally aligned ranges and
 * recording every range in use (reserved or allocated), so none overlap.
 */
export class BarWindow {
  base: u64 = 0n;
  /** The last byte (inclusive: a window may end at 2^64). */
  last: u64 = 0n;
  ready: bool = false;
  count: u32 = 0;
  starts: u64[] = array(MAX_WINDOW_RANGES, 0n);
  lasts: u64[] = array(MAX_WINDOW_RANGES, 0n);

  /** False (and an empty window) if size is 0 or the window would pass 2^64. */
  init(base: u64, size: u64): bool {
    this.count = 0;
    this.ready = size != 0n && u64(size - 1n) <= u64(NO_ADDRESS - base);
    this.base = this.ready ? base : 0n;
    this.last = this.ready ? u64(base + u64(size - 1n)) : 0n;
    return this.ready;
  }

  /** Whether [addr, addr + size) lies inside the window. */
  contains(addr: u64, size: u64): bool {
    return this.ready && size != 0n && addr >= this.base && addr <= this.last && u64(size - 1n) <= u64(this.last - addr);
  }

  /** Whether [addr, addr + size) meets a range in use (size > 0, no wrap). */
  overlaps(addr: u64, size: u64): bool {
    return this.overlapping(addr, u64(addr + u64(size - 1n))) < this.count;
  }

  private overlapping(first: u64, last: u64): u32 {
    for (let i: u32 = 0; i < this.count; i++) {
      if (this.starts[i] <= last && this.lasts[i] >= first) return i;
    }
    return this.count;
  }

  private record(addr: u64, size: u64): bool {
    if (this.count == MAX_WINDOW_RANGES) return false;
    this.starts[this.count] = addr;
    this.lasts[this.count] = u64(addr + u64(size - 1n));
    this.count = u32(this.count + 1);
    return true;
  }

  /** Marks [addr, addr + size) used if it is inside, free, and the record has room. */
  reserve(addr: u64, size: u64): bool {
    if (!this.contains(addr, size) || this.overlaps(addr, size)) return false;
    return this.record(addr, size);
  }

  /**
   * The lowest free range of size bytes (a power of two) aligned to size whose
   * last byte is at most maxAddress, marked used; NO_ADDRESS if none.
   */
  alloc(size: u64, maxAddress: u64): u64 {
    if (!isPowerOfTwo(size) || !this.ready) return NO_ADDRESS;
    const mask: u64 = u64(size - 1n);
    let cand: u64 = this.base;
    for (;;) {
      if (cand > u64(NO_ADDRESS - mask)) return NO_ADDRESS;
      cand = u64(u64(cand + mask) & u64(~mask));
      if (cand > this.last || mask > u64(this.last - cand) || u64(cand + mask) > maxAddress) return NO_ADDRESS;
      const hit: u32 = this.overlapping(cand, u64(cand + mask));
      if (hit == this.count) break;
      // Past the range in use; each step passes one range, so the loop ends.
      if (this.lasts[hit] == NO_ADDRESS) return NO_ADDRESS;
      cand = u64(this.lasts[hit] + 1n);
    }
    if (!this.record(cand, size)) return NO_ADDRESS;
    return cand;
  }
}

/** Keeps b's firmware address in w if it is aligned to b's slot, reachable by the BAR, inside w and free. */
function tryKeep(b: Bar, w: BarWindow): bool {
  const slot: u64 = slotSize(b.size);
  if ((b.firmware & u64(slot - 1n)) != 0n) return false;
  if (u64(b.firmware + u64(b.size - 1n)) > b.maxAddress) return false;
  return w.reserve(b.firmware, slot);
}

/**
 * Places the Pending memory BARs of bars[0 .. count): first keeps each
 * firmware address that is non-zero, page-aligned, inside a window and clear of
 * those kept before; then assigns the rest, largest first (so alignment wastes
 * least), 64-bit ones preferring `high`. Pass one window twice if there is only
 * one. Returns how many BARs found no room (marked NoRoom).
 */
export function placeBars(bars: Bar[], count: u32, low: BarWindow, high: BarWindow): u32 {
  for (let i: u32 = 0; i < count; i++) {
    const b: Bar = bars[i];
    if (b.place != BarPlace.Pending || b.firmware == 0n) continue;
    const kept: bool = (b.kind == BarKind.Mem64 && tryKeep(b, high)) || tryKeep(b, low);
    if (kept) {
      b.place = BarPlace.Kept;
      b.base = b.firmware;
    }
  }
  let failed: u32 = 0;
  for (;;) {
    let pick: u32 = count;
    for (let i: u32 = 0; i < count; i++) {
      const b: Bar = bars[i];
      if (b.place != BarPlace.Pending) continue;
      if (pick == count || b.size > bars[pick].size) pick = i;
    }
    if (pick == count) break;
    const b: Bar = bars[pick];
    const slot: u64 = slotSize(b.size);
    let addr: u64 = NO_ADDRESS;
    if (b.kind == BarKind.Mem64) addr = high.alloc(slot, b.maxAddress);
    if (addr == NO_ADDRESS) addr = low.alloc(slot, b.maxAddress);
    if (addr == NO_ADDRESS) {
      b.place = BarPlace.NoRoom;
      b.base = 0n;
      failed = u32(failed + 1);
    } else {
      b.place = BarPlace.Assigned;
      b.base = addr;
    }
  }
  return failed;
}

/**
 * Writes the Assigned BARs of bars[0 .. count) (grouped by function, as
 * probeBars leaves them) with memory decode off, then turns on memory decode
 * and bus mastering for each function whose memory BARs all have a place.
 * Functions without memory BARs are left as they are. Returns how many
 * functions were left with memory decode off.
 */
export function programBars(bars: Bar[], count: u32, read32: ConfigRead32, write32: ConfigWrite32): u32 {
  let off: u32 = 0;
  let i: u32 = 0;
  while (i < count) {
    const fa: usize = bars[i].fa;
    let end: u32 = i;
    let memory: bool = false;
    let placed: bool = true;
    while (end < count && bars[end].fa == fa) {
      const b: Bar = bars[end];
      if (b.isMemory()) {
        memory = true;
        if (b.place != BarPlace.Kept && b.place != BarPlace.Assigned) placed = false;
      }
      if (b.kind == BarKind.Bad) placed = false;
      end = u32(end + 1);
    }
    if (memory) {
      const cmd: u32 = read32(fa, CFG_COMMAND) & 0xffff;
      write32(fa, CFG_COMMAND, u32(cmd & ~CMD_MEM));
      for (let j: u32 = i; j < end; j++) {
        const b: Bar = bars[j];
        if (b.place != BarPlace.Assigned) continue;
        const reg: u32 = u32(CFG_BAR0 + b.slot * 4);
        write32(fa, reg, u32(b.base));
        if (b.kind == BarKind.Mem64) write32(fa, u32(reg + 4), u32(b.base >> 32n));
      }
      if (placed) write32(fa, CFG_COMMAND, u32(cmd | CMD_MEM | CMD_BUS_MASTER));
      else off = u32(off + 1);
    }
    i = end;
  }
  return off;
}
