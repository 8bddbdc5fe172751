/**
 * Multiboot2 boot information (the Multiboot2 specification, "Boot information
 * format") to BootInfo: what GRUB hands the x86_64 kernel when it boots a disk
 * image (`cambi image`). Portable: the arch layer finds the structure (%ebx at
 * entry, %eax = MB2_BOOTLOADER_MAGIC) and gives its bytes and physical address.
 *
 * The structure is untrusted input. Every tag is checked against the structure's
 * total_size before a byte of it is read, every loop advances by at least 8 bytes,
 * and the whole structure is validated before the BootInfo is touched: any
 * truncated or corrupt structure gives an Mb2Error, never a panic, and leaves the
 * BootInfo unchanged.
 *
 * Layout: u32 total_size, u32 reserved, then tags (u32 type, u32 size, payload),
 * each starting 8-byte aligned, `size` counting its 8-byte head but not the
 * padding; the last is the end tag (type 0, size 8). What is collected:
 *  - type 6 (memory map): u32 entry_size (>= 24, a multiple of 8), u32
 *    entry_version, then entries u64 base, u64 length, u32 type, u32 reserved;
 *    type 1 is usable RAM, every other type is reserved; zero-length entries are
 *    skipped. The usable entries must all fit in BootInfo (TooManyRegions if not);
 *    reserved ones are recorded while room is left (one slot is kept for the
 *    structure itself). A map whose entries overlap is not detected here.
 *  - the structure itself, as a reserved region (the ACPI tags below point into it);
 *  - type 3 (module): u32 mod_start, u32 mod_end, NUL-terminated string; the first
 *    module is the initrd (the signed boot bundle);
 *  - type 1 (command line): NUL-terminated string; at most CMDLINE_MAX - 1 bytes are
 *    kept (more are cut), NUL-terminated in info.cmdline;
 *  - type 15 (ACPI new RSDP copy, >= 36 bytes) or else type 14 (ACPI old RSDP copy,
 *    >= 20 bytes): info.rsdp = the copy's physical address inside the structure.
 * Other tags (boot loader name, basic memory, boot device, framebuffer, EFI ...) are
 * skipped. A memory map is required (NoMemoryMap without one).
 */
import { u8, u32, u64, usize, bool } from "kts";
import { BootInfo, RegionKind, MAX_REGIONS, CMDLINE_MAX } from "./bootinfo";
import { le32, le64 } from "../loader/le";

/** %eax when a Multiboot2 loader enters the kernel. */
export const MB2_BOOTLOADER_MAGIC: u32 = 0x36d76289;
/** The largest structure mb2TotalSize accepts. */
export const MB2_MAX_SIZE: u32 = 1048576;

export enum Mb2Error {
  Ok = 0,
  /** 1: fewer than the 8 bytes of the fixed part. */
  TooSmall,
  /** 2: total_size is larger than the bytes given. */
  Truncated,
  /** 3: total_size smaller than 16 (fixed part and end tag) or above MB2_MAX_SIZE. */
  BadSize,
  /** 4: a tag's size below 8, or the tag running past total_size. */
  BadTag,
  /** 5: no end tag (type 0) before total_size. */
  NoEnd,
  /** 6: the command line is not NUL-terminated inside its tag. */
  BadCmdline,
  /** 7: a module tag shorter than 17 bytes, mod_end < mod_start, or its string not NUL-terminated. */
  BadModule,
  /** 8: a memory map tag shorter than 16 bytes, entry_size < 24 or not a multiple of 8, entries not filling the tag, or an entry wrapping 2^64. */
  BadMmap,
  /** 9: an ACPI RSDP tag too short for its RSDP (20 bytes old, 36 new). */
  BadAcpi,
  /** 10: no memory map tag. */
  NoMemoryMap,
  /** 11: more usable regions than BootInfo holds. */
  TooManyRegions,
}

const TAG_END: u32 = 0;
const TAG_CMDLINE: u32 = 1;
const TAG_MODULE: u32 = 3;
const TAG_MMAP: u32 = 6;
const TAG_ACPI_OLD: u32 = 14;
const TAG_ACPI_NEW: u32 = 15;
const MMAP_AVAILABLE: u32 = 1;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** total_size from the fixed part (0 if fewer than 8 bytes): how many bytes the arch layer should view. */
export function mb2TotalSize(b: u8[]): u32 {
  if (b.length < 8) return 0;
  return le32(b, 0);
}

/** True if a NUL lies in b[from, end). */
function terminated(b: u8[], from: u32, end: u32): bool {
  for (let i: u32 = from; i < end; i++) {
    if (b[i] == 0) return true;
  }
  return false;
}

/** Result of the validating pass: where each collected tag is (0: absent). */
class Mb2Scan {
  cmdline: u32 = 0;
  module: u32 = 0;
  mmap: u32 = 0;
  acpiOld: u32 = 0;
  acpiNew: u32 = 0;
  usable: u32 = 0;
}

/** Checks one tag at off of the given size (already inside total) and notes it in s. */
function checkTag(b: u8[], off: u32, size: u32, s: Mb2Scan): Mb2Error {
  const type: u32 = le32(b, off);
  const end: u32 = u32(off + size);
  if (type == TAG_CMDLINE) {
    if (!terminated(b, u32(off + 8), end)) return Mb2Error.BadCmdline;
    if (s.cmdline == 0) s.cmdline = off;
  } else if (type == TAG_MODULE) {
    if (size < 17) return Mb2Error.BadModule;
    if (le32(b, u32(off + 12)) < le32(b, u32(off + 8))) return Mb2Error.BadModule;
    if (!terminated(b, u32(off + 16), end)) return Mb2Error.BadModule;
    if (s.module == 0) s.module = off;
  } else if (type == TAG_MMAP) {
    if (size < 16) return Mb2Error.BadMmap;
    const esize: u32 = le32(b, u32(off + 8));
    if (esize < 24 || (esize & 7) != 0) return Mb2Error.BadMmap;
    const bytes: u32 = u32(size - 16);
    if (bytes % esize != 0) return Mb2Error.BadMmap;
    if (s.mmap != 0) return Mb2Error.Ok;
    s.mmap = off;
    for (let e: u32 = u32(off + 16); e < end; e = u32(e + esize)) {
      const base: u64 = le64(b, e);
      const len: u64 = le64(b, u32(e + 8));
      if (len != 0n && u64(len - 1n) > u64(MAX_U64 - base)) return Mb2Error.BadMmap;
      if (len != 0n && le32(b, u32(e + 16)) == MMAP_AVAILABLE) s.usable = u32(s.usable + 1);
    }
  } else if (type == TAG_ACPI_OLD) {
    if (size < 28) return Mb2Error.BadAcpi;
    if (s.acpiOld == 0) s.acpiOld = off;
  } else if (type == TAG_ACPI_NEW) {
    if (size < 44) return Mb2Error.BadAcpi;
    if (s.acpiNew == 0) s.acpiNew = off;
  }
  return Mb2Error.Ok;
}

/** Validates the whole structure, noting in s where the collected tags are. */
function scan(b: u8[], s: Mb2Scan): Mb2Error {
  if (b.length < 8) return Mb2Error.TooSmall;
  const total: u32 = le32(b, 0);
  if (total < 16 || total > MB2_MAX_SIZE) return Mb2Error.BadSize;
  if (total > b.length) return Mb2Error.Truncated;
  let off: u32 = 8;
  while (true) {
    if (u32(total - off) < 8) return Mb2Error.NoEnd;
    const type: u32 = le32(b, off);
    const size: u32 = le32(b, u32(off + 4));
    if (size < 8 || size > u32(total - off)) return Mb2Error.BadTag;
    if (type == TAG_END) break;
    const err: Mb2Error = checkTag(b, off, size, s);
    if (err != Mb2Error.Ok) return err;
    // Next tag: 8-byte aligned; off + size <= total <= 1 MiB, so no overflow.
    off = u32(u32(off + size + 7) & 0xfffffff8);
    if (off >= total) return Mb2Error.NoEnd;
  }
  if (s.mmap == 0) return Mb2Error.NoMemoryMap;
  return Mb2Error.Ok;
}

/**
 * Fills info from the Multiboot2 information b, found at physical address phys.
 * On any error the BootInfo is left unchanged. info must have no regions yet
 * (TooManyRegions otherwise, if they would not fit).
 */
export function parseMultiboot2(b: u8[], phys: u64, info: BootInfo): Mb2Error {
  const s = new Mb2Scan();
  const err: Mb2Error = scan(b, s);
  if (err != Mb2Error.Ok) return err;
  // The usable regions, and one for the structure itself, must fit.
  if (u32(s.usable + 1) > u32(MAX_REGIONS - info.regionCount)) return Mb2Error.TooManyRegions;
  const total: u32 = le32(b, 0);
  // Usable RAM first (every entry fits), then the structure, then reserved entries while room is left.
  const m: u32 = s.mmap;
  const esize: u32 = le32(b, u32(m + 8));
  const mend: u32 = u32(m + le32(b, u32(m + 4)));
  for (let e: u32 = u32(m + 16); e < mend; e = u32(e + esize)) {
    const len: u64 = le64(b, u32(e + 8));
    if (len != 0n && le32(b, u32(e + 16)) == MMAP_AVAILABLE) info.addRegion(usize(le64(b, e)), len, RegionKind.Usable);
  }
  info.addRegion(usize(phys), u64(total), RegionKind.Reserved);
  for (let e: u32 = u32(m + 16); e < mend; e = u32(e + esize)) {
    const len: u64 = le64(b, u32(e + 8));
    if (len != 0n && le32(b, u32(e + 16)) != MMAP_AVAILABLE) info.addRegion(usize(le64(b, e)), len, RegionKind.Reserved);
  }
  if (s.module != 0) {
    const start: u32 = le32(b, u32(s.module + 8));
    info.initrdBase = usize(u64(start));
    info.initrdSize = u64(u32(le32(b, u32(s.module + 12)) - start));
  }
  if (s.cmdline != 0) {
    let n: u32 = 0;
    const from: u32 = u32(s.cmdline + 8);
    while (n < u32(CMDLINE_MAX - 1) && b[u32(from + n)] != 0) {
      info.cmdline[n] = b[u32(from + n)];
      n = u32(n + 1);
    }
    info.cmdline[n] = 0;
    info.cmdlineLen = n;
  }
  if (s.acpiNew != 0) info.rsdp = usize(u64(phys + u64(u32(s.acpiNew + 8))));
  else if (s.acpiOld != 0) info.rsdp = usize(u64(phys + u64(u32(s.acpiOld + 8))));
  info.valid = true;
  return Mb2Error.Ok;
}
