"use unsafe";
/**
 * User memory as the kernel sees it: the user half's layout, and checked access
 * to a task's memory through its page tables (never by dereferencing a user
 * pointer). Every syscall that takes a pointer validates the whole range first:
 * inside user space, no overflow, every page mapped user-accessible and, for
 * writes, writable, and none of it device registers (a task must not make the
 * kernel read or write a device on its behalf).
 */
import { u8, u32, u64, usize, bool } from "kts";
import { load8, store8 } from "kts/unsafe";
import { physToVirt, pteAddress, pteFlags } from "arch";
import { AddressSpace, PAGE_SIZE } from "../mem/paging";
import { MAP_DEVICE, MAP_USER, MAP_WRITE } from "../mem/flags";

export const USER_CODE: usize = 0x40_0000n;
export const USER_STACK_TOP: usize = 0x7fff_fff0_0000n;
export const USER_STACK_PAGES: u32 = 4;
/** First address above user space (both arches use the lower 47 bits). */
export const USER_TOP: usize = 0x8000_0000_0000n;

/** True if [va, va + len) is user memory mapped for this access in `space`. */
export function userRangeOk(space: AddressSpace, va: usize, len: u64, write: bool): bool {
  if (len == 0n) return va <= USER_TOP;
  const end: u64 = u64(va + len);
  if (end < va || end > USER_TOP) return false;
  let page: usize = va & u64(~0xfffn);
  while (page < end) {
    if (userPage(space, page, write) == 0n) return false;
    page = u64(page + PAGE_SIZE);
  }
  return true;
}

/**
 * The kernel (direct-map) address of the start of the page holding user address
 * va, if that page is mapped user-accessible (and writable, if `write`); else 0.
 * One page-table walk: what a caller needs to both check and reach a page.
 */
export function userPage(space: AddressSpace, va: usize, write: bool): usize {
  if (va >= USER_TOP) return 0n;
  return pageOfEntry(space.leafEntry(va), write);
}

/** userPage through the space's memo of its last walk (AddressSpace.leafEntryRemembered): under the scheduler lock. */
export function userPageRemembered(space: AddressSpace, va: usize, write: bool): usize {
  if (va >= USER_TOP) return 0n;
  return pageOfEntry(space.leafEntryRemembered(va), write);
}

function pageOfEntry(e: u64, write: bool): usize {
  if (e == 0n) return 0n;
  const f: u32 = pteFlags(e);
  if ((f & MAP_USER) == 0 || (f & MAP_DEVICE) != 0 || (write && (f & MAP_WRITE) == 0)) return 0n;
  return physToVirt(pteAddress(e));
}

/** Under the lock: copies user [va, va + dst.length) into dst, a page at a time; false (nothing copied) if the range is not readable user memory. */
export function userRead(space: AddressSpace, va: usize, dst: u8[]): bool {
  if (!userRangeOk(space, va, u64(dst.length), false)) return false;
  let done: u32 = 0;
  while (done < dst.length) {
    const at: usize = usize(va + u64(done));
    let chunk: u32 = u32(0x1000n - (at & 0xfffn));
    if (chunk > u32(dst.length - done)) chunk = u32(dst.length - done);
    const page: usize = userPage(space, at, false);
    if (page == 0n) return false;
    const k: usize = usize(page + (at & 0xfffn));
    for (let i: u32 = 0; i < chunk; i++) dst[u32(done + i)] = load8(usize(k + u64(i)));
    done = u32(done + chunk);
  }
  return true;
}

/** Under the lock: copies src to user [va, va + src.length), a page at a time; false (nothing written) if not writable user memory. */
export function userWrite(space: AddressSpace, va: usize, src: u8[]): bool {
  if (!userRangeOk(space, va, u64(src.length), true)) return false;
  let done: u32 = 0;
  while (done < src.length) {
    const at: usize = usize(va + u64(done));
    let chunk: u32 = u32(0x1000n - (at & 0xfffn));
    if (chunk > u32(src.length - done)) chunk = u32(src.length - done);
    const page: usize = userPage(space, at, true);
    if (page == 0n) return false;
    const k: usize = usize(page + (at & 0xfffn));
    for (let i: u32 = 0; i < chunk; i++) store8(usize(k + u64(i)), src[u32(done + i)]);
    done = u32(done + chunk);
  }
  return true;
}
