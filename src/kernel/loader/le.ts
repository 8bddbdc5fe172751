/**
 * Little-endian fields in byte arrays: untrusted images (ELF, the boot bundle)
 * and the records the kernel copies out to user space (messages, TaskInfo …).
 * Callers check the range first; an index outside the array is a bounds
 * panic, never a wild access.
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

export function setLe32(b: u8[], o: u32, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) b[u32(o + i)] = u8(v >>> (8 * i));
}

export function setLe64(b: u8[], o: u32, v: u64): void {
  setLe32(b, o, u32(v & 0xffff_ffffn));
  setLe32(b, u32(o + 4), u32(v >> 32n));
}
