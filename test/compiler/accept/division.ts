// Division truncates toward zero; remainder takes the dividend's sign; MIN / -1 wraps.
import { u8, u32, i8, i32, u64, i64, print } from "kts";

export function main(): u32 {
  const p: i32 = 7;
  const n: i32 = -7;
  const two: i32 = 2;
  print(`i32: ${i32(p / two)} ${i32(n / two)} ${i32(p % two)} ${i32(n % two)} ${i32(p / i32(-two))}`);
  const min: i32 = -2147483648;
  const m1: i32 = -1;
  print(`min/-1: ${i32(min / m1)} ${i32(min % m1)} ${u32(min / m1)}`);
  const b: i8 = -128;
  const bm1: i8 = -1;
  print(`i8: ${i8(b / bm1)} ${u8(b / bm1)}`);
  const x: u32 = 0xffff_ffff;
  const d: u32 = 16;
  print(`u32: ${u32(x / d)} ${u32(x % d)}`);
  const big: u64 = 0xffff_ffff_ffff_fff0n;
  const bd: u64 = 7n;
  print(`u64: ${u64(big / bd)} ${u64(big % bd)}`);
  const smin: i64 = -9223372036854775808n;
  const sm1: i64 = -1n;
  print(`i64: ${i64(smin / sm1)} ${i64(smin % sm1)} ${i64(-7n / 2n)} ${i64(-7n % 2n)}`);
  return 0;
}
