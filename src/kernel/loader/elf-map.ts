"use unsafe";
/**
 * Mapping a program the ELF gate (elf.ts) has accepted: fresh zeroed frames,
 * the file's bytes copied in, each segment's permissions (never W+X: the gate
 * refused that already, and the page tables refuse it again).
 */
import { u8, u32, u64, usize } from "kts";
import { store8 } from "kts/unsafe";
import { physToVirt, syncInstructionCache } from "arch";
import { FrameAllocator, FrameUse, frameOwner } from "../mem/frames";
import { AddressSpace, MapError, PAGE_SIZE } from "../mem/paging";
import { MAP_EXEC, MAP_USER, MAP_WRITE } from "../mem/flags";
import { ElfError, ElfImage, PF_W, PF_X } from "./elf";

/** Maps a checked image into `space`: fresh zeroed frames, file bytes copied, permissions per segment. */
export function mapElf(b: u8[], img: ElfImage, space: AddressSpace, frames: FrameAllocator): ElfError {
  for (let k: u32 = 0; k < img.segments; k++) {
    const va: u64 = img.vaddr[k];
    const start: u64 = va & u64(~0xfffn);
    const end: u64 = u64(u64(va + img.memsz[k]) + 0xfffn) & u64(~0xfffn);
    let perm: u32 = MAP_USER;
    if ((img.flags[k] & PF_W) != 0) perm = u32(perm | MAP_WRITE);
    if ((img.flags[k] & PF_X) != 0) perm = u32(perm | MAP_EXEC);
    for (let page: u64 = start; page < end; page = u64(page + PAGE_SIZE)) {
      const pa: usize = frames.alloc(frameOwner(FrameUse.UserPage, space.owner));
      if (pa == 0n) return ElfError.NoMemory;
      const kva: usize = physToVirt(pa);
      for (let i: u64 = 0n; i < PAGE_SIZE; i = u64(i + 1n)) {
        const a: u64 = u64(page + i);
        let v: u8 = 0;
        if (a >= va && u64(a - va) < img.filesz[k]) v = b[u32(u64(img.offset[k] + u64(a - va)))];
        store8(usize(kva + i), v);
      }
      // Code written through the data side must reach the instruction side before it runs.
      if ((perm & MAP_EXEC) != 0) syncInstructionCache(kva, PAGE_SIZE);
      if (space.map(frames, page, pa, PAGE_SIZE, perm, false) != MapError.Ok) return ElfError.NoMemory;
    }
  }
  return ElfError.Ok;
}
