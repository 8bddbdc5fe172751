/**
 * Little-endian fields of untrusted images (ELF, the boot bundle). Callers
 * check the range first; an index outside the array is a bounds panic, never
 * a wild read.
 */
import { u8, u16, u32, u64 } from "kts";

export function le16(b: u8[], o: u32): u16 {
  return u16(u32(b[o]) | (u32(b[u32(o + 1)]) << 8));
}

export function le32(b: u8[], o: u32): u32 {
  return u32(u32(b[o]) | (u32(b[u32(o + 1)]) << 8) | (u32(b[u32(o + 2)]) << 16) | (u32(b[u32(o + 3)]) << 24));
}

export function le64(b: u8[], o: u32): u64 {
  return u64(u64(le32(b, o)) | u64(u64(le32(b, u32(o + 4))) << 32n));
}
