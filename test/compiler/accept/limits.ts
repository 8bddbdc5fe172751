// Issue 9, class 8 and 11: the edges where the worlds used to part. The
// largest product the 2^53 analysis accepts; constant division, truncated
// when converted; a bool turned into an integer with ?:; unused and set-only
// locals and a function that always recurses (valid KTS, valid C); 64-bit
// shifts past 64 (zero) and past 2^30 (Node's bigints end there: a panic in
// both worlds).
import { u32, i32, i64, u64, bool, print } from "kts";

function forever(n: u32): u32 {
  return forever(u32(n + 1));
}

export function main(): u32 {
  const m: i32 = -2147483648;
  print(`product ${i64(m * 2097152)}`);
  const half: u32 = u32(7 / 2);
  const neg: i32 = i32(-7 / 2);
  print(`division ${half} ${neg} ${u32(7 % 3)}`);
  const yes: bool = half == 3;
  print(`bool as integer ${u32(yes ? 1 : 0)} ${u32(!yes ? 1 : 0)}`);
  const unused: u32 = 5;
  let setOnly: u32 = 1;
  setOnly = 2;
  const one: u64 = 1n;
  let count: u64 = 63n;
  print(`shift 63: ${u64(one << count)}`);
  count = 64n;
  print(`shift 64: ${u64(one << count)}`);
  count = 1073741823n;
  print(`shift 2^30-1 of zero: ${u64(u64(0n) << count)}`);
  count = 1073741824n;
  print(`shift 2^30 of zero: ${u64(u64(0n) << count)}`);
  print(`shift 2^30 of one: ${u64(one << count)}`);
  return 0;
}
