"use unsafe";
/**
 * IPC messages (docs/ipc.md: 336 bytes, label at 0, len 4, capCount 8,
 * flags 12, sender 16, caps 64, payload 80) in raw memory, at any address the
 * fuzzer may write: built byte by byte (the address may be unaligned), read
 * back only from its private scratch.
 */
import { u8, u32, u64, usize } from "kts";
import { load8, store8 } from "kts/unsafe";

export const OFF_LABEL = 0;
export const OFF_LEN = 4;
export const OFF_CAP_COUNT = 8;
export const OFF_FLAGS = 12;
export const OFF_SENDER = 16;
export const OFF_CAPS = 64;
export const OFF_PAYLOAD = 80;
export const FLAG_CALL: u32 = 0x10000;

export function put32(at: usize, off: u32, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) store8(usize(at + u64(u32(off + i))), u8(v >>> (8 * i)));
}

export function put64(at: usize, off: u32, v: u64): void {
  put32(at, off, u32(v & 0xffff_ffffn));
  put32(at, u32(off + 4), u32(v >> 32n));
}

export function get32(at: usize, off: u32): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) v = u32(v | (u32(load8(usize(at + u64(u32(off + i))))) << (8 * i)));
  return v;
}

export function get64(at: usize, off: u32): u64 {
  return u64(u64(get32(at, off)) | u64(u64(get32(at, u32(off + 4))) << 32n));
}

/** A message with label, len, capCount and flags; the kernel's fields and the handles zero, no payload written. */
export function putHeader(at: usize, label: u32, len: u32, capCount: u32, flags: u32): void {
  put32(at, OFF_LABEL, label);
  put32(at, OFF_LEN, len);
  put32(at, OFF_CAP_COUNT, capCount);
  put32(at, OFF_FLAGS, flags);
  for (let o: u32 = 16; o < 80; o = u32(o + 4)) put32(at, o, 0);
}

export function putCap(at: usize, i: u32, h: u64): void {
  put32(at, u32(OFF_CAPS + 4 * (i & 3)), u32(h & 0xffff_ffffn));
}

export function putWord(at: usize, i: u32, v: u64): void {
  put64(at, u32(OFF_PAYLOAD + 8 * (i & 31)), v);
}

export function getWord(at: usize, i: u32): u64 {
  return get64(at, u32(OFF_PAYLOAD + 8 * (i & 31)));
}

export function getCap(at: usize, i: u32): u64 {
  return u64(get32(at, u32(OFF_CAPS + 4 * (i & 3))));
}
