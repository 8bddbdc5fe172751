/**
 * Reading the boot bundle (layout in compiler/build/bundle.ts): a header, a
 * table of named entries, their data. Untrusted input: every field is
 * range-checked; a bad bundle yields an error, a bad entry is skipped by the caller.
 */
import { u8, u32, u64, bool, arrayOf } from "kts";
import { le32, le64 } from "./le";

export enum BundleError {
  Ok = 0,
  TooSmall = 1,
  BadMagic = 2,
  BadVersion = 3,
  BadTable = 4,
  BadEntry = 5,
}

const MAGIC: u8[] = arrayOf([0x43, 0x41, 0x4d, 0x42, 0x49, 0x42, 0x4e, 0x44]); // "CAMBIBND"
export const NAME_MAX = 48;

/** Number of entries, or 0 when the header or table is bad. */
export function bundleCount(b: u8[]): u32 {
  if (bundleCheck(b) != BundleError.Ok) return 0;
  return le32(b, 12);
}

export function bundleCheck(b: u8[]): BundleError {
  if (b.length < 16) return BundleError.TooSmall;
  for (let i: u32 = 0; i < 8; i++) if (b[i] != MAGIC[i]) return BundleError.BadMagic;
  if (le32(b, 8) != 1) return BundleError.BadVersion;
  const n: u32 = le32(b, 12);
  if (n > 64 || u64(u64(n) * 64n + 16n) > u64(b.length)) return BundleError.BadTable;
  return BundleError.Ok;
}

/** True if entry i's data lies inside the bundle. */
export function bundleEntryOk(b: u8[], i: u32): bool {
  const at: u32 = u32(16 + i * 64);
  const off: u64 = le64(b, u32(at + 48));
  const size: u64 = le64(b, u32(at + 56));
  return off <= u64(b.length) && size <= u64(u64(b.length) - off);
}

/** Entry i's data offset and size in the bundle (check bundleEntryOk first; view it with slice()). */
export function bundleEntryOffset(b: u8[], i: u32): u32 {
  return u32(le64(b, u32(16 + i * 64 + 48)));
}

export function bundleEntrySize(b: u8[], i: u32): u32 {
  return u32(le64(b, u32(16 + i * 64 + 56)));
}

/** Entry i's name: bytes [nameOffset, nameOffset + nameLength) of the bundle. */
export function bundleNameOffset(i: u32): u32 {
  return u32(16 + i * 64);
}

export function bundleNameLength(b: u8[], i: u32): u32 {
  const at: u32 = bundleNameOffset(i);
  let n: u32 = 0;
  while (n < 47 && b[u32(at + n)] != 0) n = u32(n + 1);
  return n;
}
