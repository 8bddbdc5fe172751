// Fixed-width integers: wrapping, conversions, signed overflow, exact 64-bit values.
import { u8, u16, u32, i8, i16, i32, u64, i64, usize, isize, print, hex, mul32, imul32, mulHi64, rotl32, rotr32, rotr64, clz32, ctz64, popcount64, likely, unlikely } from "kts";

export function main(): u32 {
  const a: u8 = 250;
  const b: u8 = 10;
  print(`u8 wrap: ${u8(a + b)} ${u8(b - a)} ${u8(a * b)}`);
  const m: i8 = 127;
  print(`i8 wrap: ${i8(m + 1)} ${i8(-m - 2)} ${i8(m * m)}`);
  const h: u16 = 0xffff;
  print(`u16: ${u16(h + 1)} ${u16(h << 4)} ${i16(h)}`);
  const x: u32 = 0xffff_ffff;
  print(`u32: ${u32(x + 1)} ${u32(x * 2)} ${u32(~x)} ${u32(x ^ 0xf0f0f0f0)} ${x >>> 28} ${mul32(x, x)}`);
  const s: i32 = 0x7fff_ffff;
  print(`i32: ${i32(s + 1)} ${i32(-s - 2)} ${s >> 30} ${imul32(s, s)} ${i32(s << 1)} ${i32(-8 >> 1)}`);
  const neg: i32 = -5;
  print(`i32 shifts: ${neg >> 1} ${u32(neg >>> 28)} ${i32(neg << 31)}`);
  const k: u64 = 0xffff_8000_0000_0000n;
  print(`u64: ${k} ${hex(k)} ${u64(k + k)} ${u64(k * 0x10n)} ${k >> 47n} ${u64(~k)} ${u64(-k)}`);
  const big: u64 = 0xffff_ffff_ffff_ffffn;
  print(`mulHi64: ${hex(mulHi64(big, big))} lo ${hex(u64(big * big))}`);
  const sn: i64 = -9223372036854775808n;
  print(`i64: ${sn} ${i64(sn - 1n)} ${i64(sn * -1n)} ${sn >> 63n} ${i64(sn >> 1n)}`);
  print(`conversions: ${u32(k)} ${u32(k >> 32n)} ${u64(neg)} ${i64(neg)} ${u8(neg)} ${i32(x)} ${u16(sn)} ${usize(x)} ${isize(neg)}`);
  print(`widen raw: ${u64(x + x)} ${i64(s * 2)} ${u64(u8(a + b))}`);
  print(`bits: ${rotl32(0x80000001, 1)} ${rotr32(1, 1)} ${hex(rotr64(1n, 4))} ${clz32(1)} ${clz32(0)} ${ctz64(0x100n)} ${popcount64(big)}`);
  // Branch hints change nothing but layout: the value, and the branch taken, are the operand's.
  let hinted: u32 = 0;
  if (likely(x == 0)) hinted = 1;
  if (unlikely(x != 0)) hinted = u32(hinted + 2);
  print(`hints: ${u32(likely(a > b))} ${u32(unlikely(a > b))} ${u32(likely(a < b))} ${u32(unlikely(a < b))} ${hinted}`);
  const sh: u64 = 70n;
  const one: u64 = 1n;
  print(`big shifts: ${u64(one << sh)} ${k >> sh} ${i64(sn) >> sh}`);
  const cnt: u32 = 33;
  const bit: u32 = 1;
  print(`masked count: ${u32(bit << cnt)} ${x >>> cnt}`);
  print(`compare: ${a > b} ${neg < 0} ${k == 0xffff800000000000n} ${x != 0}`);
  return 0;
}
