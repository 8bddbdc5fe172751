/**
 * The free-space map of the store's data area: one bit per 4 KiB page (1 =
 * used), for up to MAX_DISK_PAGES pages (4 GiB). It lives only in memory:
 * mount rebuilds it from the live records, so space that no durable record
 * references (an unfinished put, a deleted object) is free again.
 */
import { u32, bool, array } from "kts";

export const MAP_WORDS = 32768;
export const NO_PAGE: u32 = 0xffff_ffff;

export class SpaceMap {
  bits: u32[] = array(MAP_WORDS, 0);
  /** Pages in the data area (bits at and above are kept set). */
  pages: u32 = 0;
  freePages: u32 = 0;

  /** All pages [0, pages) free. */
  reset(pages: u32): void {
    this.pages = pages;
    this.freePages = pages;
    const full = u32(pages >>> 5);
    for (let w: u32 = 0; w < MAP_WORDS; w++) {
      if (w < full) this.bits[w] = 0;
      else if (w == full && (pages & 31) != 0) this.bits[w] = u32(u32(0xffff_ffff) << (pages & 31));
      else this.bits[w] = 0xffff_ffff;
    }
  }

  /** True if [first, first + count) lies inside the data area. */
  inRange(first: u32, count: u32): bool {
    return first <= this.pages && count <= u32(this.pages - first);
  }

  used(page: u32): bool {
    return ((this.bits[page >>> 5] >>> (page & 31)) & 1) != 0;
  }

  /** True if any page of the (in-range) extent is used. */
  anyUsed(first: u32, count: u32): bool {
    for (let i: u32 = 0; i < count; i++) {
      if (this.used(u32(first + i))) return true;
    }
    return false;
  }

  /** Marks the (in-range) extent used. */
  mark(first: u32, count: u32): void {
    for (let i: u32 = 0; i < count; i++) {
      const p = u32(first + i);
      if (!this.used(p)) {
        const w = u32(p >>> 5);
        this.bits[w] = u32(this.bits[w] | u32(u32(1) << (p & 31)));
        this.freePages = u32(this.freePages - 1);
      }
    }
  }

  /** Frees the (in-range) extent. */
  release(first: u32, count: u32): void {
    for (let i: u32 = 0; i < count; i++) {
      const p = u32(first + i);
      if (this.used(p)) {
        const w = u32(p >>> 5);
        this.bits[w] = u32(this.bits[w] & ~u32(u32(1) << (p & 31)));
        this.freePages = u32(this.freePages + 1);
      }
    }
  }

  /** The first run of count (>= 1) free pages, marked used; NO_PAGE if there is none. */
  alloc(count: u32): u32 {
    if (count == 0 || count > this.freePages) return NO_PAGE;
    let run: u32 = 0;
    let start: u32 = 0;
    const words = u32(u32(this.pages + 31) >>> 5);
    for (let w: u32 = 0; w < words; w++) {
      const v = this.bits[w];
      if (v == 0xffff_ffff) {
        run = 0;
        continue;
      }
      if (v == 0) {
        if (run == 0) start = u32(w << 5);
        run = u32(run + 32);
        if (run >= count) {
          this.mark(start, count);
          return start;
        }
        continue;
      }
      for (let b: u32 = 0; b < 32; b++) {
        if (((v >>> b) & 1) != 0) {
          run = 0;
          continue;
        }
        if (run == 0) start = u32((w << 5) | b);
        run = u32(run + 1);
        if (run >= count) {
          this.mark(start, count);
          return start;
        }
      }
    }
    return NO_PAGE;
  }
}
