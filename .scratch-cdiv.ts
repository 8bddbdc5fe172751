import { u32, i32, u64, print } from "kts";
const HALF = 7 / 2;
export function main(): u32 {
  const a: u32 = u32(7 / 2);
  const b: i32 = i32(-7 / 2);
  const c: u64 = u64(7n / 2n);
  const d: u32 = u32(HALF);
  const e: u32 = u32(7 % 3);
  print(`${a} ${b} ${c} ${d} ${e}`);
  return 0;
}
