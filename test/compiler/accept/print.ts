// print(): literals, templates with integers of every width, bools and hex().
import { u8, i8, i16, u32, i32, u64, i64, print, hex } from "kts";

export function main(): u32 {
  print("plain \"quoted\" text with \\ and ??= and unicode: λ→✓");
  print(``);
  const a: i8 = -128;
  const b: i16 = -300;
  const c: i32 = -1;
  const d: i64 = -9223372036854775807n;
  const e: u8 = 255;
  print(`${a} ${b} ${c} ${d} ${e} ${true} ${false}`);
  print(`hex: ${hex(e)} ${hex(c)} ${hex(a)} ${hex(d)} ${hex(0)} ${hex(0xdeadbeefn)}`);
  const big: u64 = 18446744073709551615n;
  print(`${big}${big}`);
  print(`${1 + 2} const folding`);
  return 0;
}
