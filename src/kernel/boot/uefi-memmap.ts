/**
 * The UEFI memory map (UEFI 2.10 section 7.2, GetMemoryMap) to BootInfo regions:
 * what the AArch64 kernel gets when the firmware starts it as a UEFI application
 * (src/arch/aarch64/efi.S hands over the map it read before ExitBootServices).
 * Portable: the arch layer gives the map's bytes and its descriptor size.
 *
 * The map is untrusted input. Each descriptor is u32 Type, u32 padding, u64
 * PhysicalStart, u64 VirtualStart, u64 NumberOfPages (4 KiB), u64 Attribute,
 * then whatever the firmware's larger descriptor size adds (descSize >= 40, a
 * multiple of 8). The whole map is validated before the BootInfo is touched: a
 * bad map gives a UefiMapError, never a panic, and leaves BootInfo unchanged.
 *
 * After ExitBootServices, loader code and data, boot services code and data and
 * conventional memory (types 1, 2, 3, 4, 7) are usable RAM; everything else
 * (runtime services, ACPI, MMIO, persistent, unaccepted, reserved and unknown
 * types) is reserved. Zero-page descriptors are skipped. A descriptor that
 * starts where the previous one of its kind (usable or reserved) ended extends
 * that region, so firmware maps of a hundred descriptors fit in BootInfo. The
 * usable regions must all fit (TooManyRegions); reserved ones are recorded
 * after them while room is left.
 */
import { u8, u32, u64, usize, bool } from "kts";
import { BootInfo, RegionKind, MAX_REGIONS } from "./bootinfo";
import { le32, le64 } from "../loader/le";

export enum UefiMapError {
  Ok = 0,
  /** 1: descriptor size below 40, not a multiple of 8, or above 4096. */
  BadDescriptorSize,
  /** 2: the map is not a whole number of descriptors. */
  Truncated,
  /** 3: no descriptors. */
  Empty,
  /** 4: a descriptor's start not 4 KiB-aligned, or its end past 2^64. */
  BadDescriptor,
  /** 5: no usable memory. */
  NoUsable,
  /** 6: more usable regions (after merging) than BootInfo holds. */
  TooManyRegions,
}

const PAGE_SHIFT = 12n;
/** Pages beyond this would end past 2^64 from any start. */
const MAX_PAGES = 0x10_0000_0000_0000n;

/** Usable after ExitBootServices: loader code/data, boot services code/data, conventional memory. */
export function uefiTypeUsable(type: u32): bool {
  return type == 1 || type == 2 || type == 3 || type == 4 || type == 7;
}

/** Validates the map. */
function check(b: u8[], descSize: u32): UefiMapError {
  if (descSize < 40 || (descSize & 7) != 0 || descSize > 4096) return UefiMapError.BadDescriptorSize;
  if (b.length % descSize != 0) return UefiMapError.Truncated;
  if (b.length == 0) return UefiMapError.Empty;
  for (let d: u32 = 0; d < b.length; d = u32(d + descSize)) {
    const start: u64 = le64(b, u32(d + 8));
    const pages: u64 = le64(b, u32(d + 24));
    if (pages == 0n) continue;
    if ((start & 0xfffn) != 0n || pages >= MAX_PAGES) return UefiMapError.BadDescriptor;
    if (u64(u64(pages << PAGE_SHIFT) - 1n) > u64(0xffff_ffff_ffff_ffffn - start)) return UefiMapError.BadDescriptor;
  }
  return UefiMapError.Ok;
}

/** The number of usable regions after merging (the map already checked). */
function usableRuns(b: u8[], descSize: u32): u32 {
  let runs: u32 = 0;
  let haveEnd: bool = false;
  let end: u64 = 0n;
  for (let d: u32 = 0; d < b.length; d = u32(d + descSize)) {
    const start: u64 = le64(b, u32(d + 8));
    const pages: u64 = le64(b, u32(d + 24));
    if (pages == 0n || !uefiTypeUsable(le32(b, d))) continue;
    if (!haveEnd || start != end) runs = u32(runs + 1);
    haveEnd = true;
    end = u64(start + u64(pages << PAGE_SHIFT));
  }
  return runs;
}

/** Adds [start, start + size) to info, extending its last region if that one is of this kind and ends at start. */
function addMerged(info: BootInfo, start: u64, size: u64, kind: RegionKind, first: u32): void {
  if (info.regionCount > first) {
    const last = info.regions[u32(info.regionCount - 1)];
    if (last.kind == kind && u64(last.base + last.size) == start) {
      last.size = u64(last.size + size);
      return;
    }
  }
  info.addRegion(usize(start), size, kind);
}

/** Fills info's regions from the UEFI memory map b with descriptors of descSize bytes. */
export function parseUefiMemoryMap(b: u8[], descSize: u32, info: BootInfo): UefiMapError {
  const err: UefiMapError = check(b, descSize);
  if (err != UefiMapError.Ok) return err;
  const runs: u32 = usableRuns(b, descSize);
  if (runs == 0) return UefiMapError.NoUsable;
  if (runs > u32(MAX_REGIONS - info.regionCount)) return UefiMapError.TooManyRegions;
  const firstUsable: u32 = info.regionCount;
  for (let d: u32 = 0; d < b.length; d = u32(d + descSize)) {
    const pages: u64 = le64(b, u32(d + 24));
    if (pages != 0n && uefiTypeUsable(le32(b, d))) addMerged(info, le64(b, u32(d + 8)), u64(pages << PAGE_SHIFT), RegionKind.Usable, firstUsable);
  }
  const firstReserved: u32 = info.regionCount;
  for (let d: u32 = 0; d < b.length; d = u32(d + descSize)) {
    const pages: u64 = le64(b, u32(d + 24));
    if (pages == 0n || uefiTypeUsable(le32(b, d))) continue;
    const start: u64 = le64(b, u32(d + 8));
    const size: u64 = u64(pages << PAGE_SHIFT);
    addMerged(info, start, size, RegionKind.Reserved, firstReserved); // dropped when BootInfo is full
  }
  return UefiMapError.Ok;
}
