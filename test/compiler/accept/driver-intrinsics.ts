// Issue 9: what drivers and protocol code need, in both worlds: byte order,
// bit counts, min/max, bool to integer, copy and fill of byte ranges (checked
// once for the whole range; overlapping copies behave as memmove).
import { u8, u16, u32, u64, bool, print, array, bswap16, bswap32, bswap64, popcount32, popcount64, min, max, copyBytes, fillBytes } from "kts";

export function main(): u32 {
  print(`bswap ${bswap16(0x1234)} ${bswap32(0x12345678)} ${bswap64(0x0102030405060708n)}`);
  print(`popcount ${popcount32(0xf0f0_0001)} ${popcount64(0xffff_ffff_ffff_ffffn)}`);
  const a: u32 = 7;
  const b: u32 = 42;
  const big: u64 = 5n;
  print(`min ${min(a, b)} max ${max(a, b)} ${min(big, 3n)} ${max(u16(9), 700)}`);
  const on: bool = a < b;
  print(`bits ${u32(on)} ${u8(!on)} ${u64(on)} ${u32(u32(on) << 3)}`);
  const buf: u8[] = array(8, 0);
  fillBytes(buf, 2, 4, 0xaa);
  const src: u8[] = array(4, 7);
  copyBytes(buf, 0, src, 1, 2);
  copyBytes(buf, 1, buf, 0, 6); // overlapping: as memmove
  print(`bytes ${buf[0]} ${buf[1]} ${buf[2]} ${buf[3]} ${buf[4]} ${buf[5]} ${buf[6]} ${buf[7]}`);
  // Compound assignment where no conversion is needed.
  let flags: u8 = 0x0f;
  flags |= 0x80;
  flags &= 0xf3;
  flags ^= u8(on);
  let mask: u64 = 0xffff_0000_ffff_0000n;
  mask &= 0x0ff0_0ff0_0ff0_0ff0n;
  mask |= 1n;
  let word: u32 = 0x8000_0000;
  word >>>= 4;
  print(`compound ${flags} ${mask} ${word}`);
  fillBytes(buf, 6, 3, 1); // 6..9 of 8: a panic, before anything is written
  return 0;
}
