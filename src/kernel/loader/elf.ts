/**
 * The ELF gate: checks a user program image completely before any of it is
 * mapped (elf-map.ts then maps its PT_LOAD segments). Refused:
 * anything but a little-endian ELF64 executable for this machine, program
 * headers or segments outside the file, segments overlapping each other or
 * reaching the kernel half, writable-and-executable segments, an entry point
 * outside an executable segment, and images over the memory budget.
 * The image is untrusted: every offset is range-checked before it is read.
 */
import { u8, u16, u32, u64, usize, bool, array } from "kts";
import { le16, le32, le64 } from "./le";

export enum ElfError {
  Ok = 0,
  TooSmall = 1,
  BadMagic = 2,
  NotElf64 = 3,
  WrongMachine = 4,
  NotExecutable = 5,
  BadProgramHeaders = 6,
  SegmentOutsideFile = 7,
  SegmentInKernelHalf = 8,
  WriteExec = 9,
  Overlap = 10,
  OverBudget = 11,
  EntryNotExecutable = 12,
  NoMemory = 13,
  NoSegments = 14,
  /** The entry point is not a user address at all. */
  EntryInKernelHalf = 15,
}

export const EM_X86_64: u16 = 62;
export const EM_AARCH64: u16 = 183;
const PT_LOAD: u32 = 1;
export const PF_X: u32 = 1;
export const PF_W: u32 = 2;
const MAX_SEGMENTS = 16;
/** Lowest user address a segment may use (page 0 stays unmapped) and the first address above user space. */
const USER_MIN: u64 = 0x1000n;
const USER_TOP: u64 = 0x8000_0000_0000n;

export class ElfImage {
  entry: usize = 0n;
  segments: u32 = 0;
  vaddr: u64[] = array(MAX_SEGMENTS, 0n);
  memsz: u64[] = array(MAX_SEGMENTS, 0n);
  filesz: u64[] = array(MAX_SEGMENTS, 0n);
  offset: u64[] = array(MAX_SEGMENTS, 0n);
  flags: u32[] = array(MAX_SEGMENTS, 0);
  bytes: u64 = 0n;
}

/** Checks the whole image and fills `out`; maps nothing. `budget` caps the bytes of memory it may use. */
export function checkElf(b: u8[], machine: u16, budget: u64, out: ElfImage): ElfError {
  if (b.length < 64) return ElfError.TooSmall;
  if (b[0] != 0x7f || b[1] != 0x45 || b[2] != 0x4c || b[3] != 0x46) return ElfError.BadMagic;
  if (b[4] != 2 || b[5] != 1 || b[6] != 1) return ElfError.NotElf64;
  if (le16(b, 16) != 2) return ElfError.NotExecutable;
  if (le16(b, 18) != machine) return ElfError.WrongMachine;
  const entry: u64 = le64(b, 24);
  const phoff: u64 = le64(b, 32);
  const phentsize: u16 = le16(b, 54);
  const phnum: u16 = le16(b, 56);
  if (phentsize != 56 || phnum == 0 || phnum > 64) return ElfError.BadProgramHeaders;
  if (entry >= USER_TOP) return ElfError.EntryInKernelHalf;
  const size: u64 = u64(b.length);
  if (phoff > size || u64(u64(phnum) * 56n) > u64(size - phoff)) return ElfError.BadProgramHeaders;
  out.segments = 0;
  out.bytes = 0n;
  let entryOk: bool = false;
  for (let i: u16 = 0; i < phnum; i++) {
    const ph: u32 = u32(u64(phoff + u64(i) * 56n));
    if (le32(b, ph) != PT_LOAD) continue;
    const flags: u32 = le32(b, u32(ph + 4));
    const off: u64 = le64(b, u32(ph + 8));
    const va: u64 = le64(b, u32(ph + 16));
    const filesz: u64 = le64(b, u32(ph + 32));
    const memsz: u64 = le64(b, u32(ph + 40));
    if (memsz == 0n) continue;
    if (out.segments == MAX_SEGMENTS) return ElfError.BadProgramHeaders;
    if (filesz > memsz || off > size || filesz > u64(size - off)) return ElfError.SegmentOutsideFile;
    if (va < USER_MIN || va >= USER_TOP || memsz > u64(USER_TOP - va)) return ElfError.SegmentInKernelHalf;
    if ((flags & PF_W) != 0 && (flags & PF_X) != 0) return ElfError.WriteExec;
    const start: u64 = va & u64(~0xfffn);
    const end: u64 = u64(u64(va + memsz) + 0xfffn) & u64(~0xfffn);
    for (let k: u32 = 0; k < out.segments; k++) {
      const s: u64 = out.vaddr[k] & u64(~0xfffn);
      const e: u64 = u64(u64(out.vaddr[k] + out.memsz[k]) + 0xfffn) & u64(~0xfffn);
      if (start < e && s < end) return ElfError.Overlap;
    }
    out.bytes = u64(out.bytes + u64(end - start));
    if (out.bytes > budget) return ElfError.OverBudget;
    if ((flags & PF_X) != 0 && entry >= va && entry < u64(va + memsz)) entryOk = true;
    out.vaddr[out.segments] = va;
    out.memsz[out.segments] = memsz;
    out.filesz[out.segments] = filesz;
    out.offset[out.segments] = off;
    out.flags[out.segments] = flags;
    out.segments = u32(out.segments + 1);
  }
  if (out.segments == 0) return ElfError.NoSegments;
  if (!entryOk) return ElfError.EntryNotExecutable;
  out.entry = entry;
  return ElfError.Ok;
}

