// print(): literals, templates with integers of every width, bools, hex() and text().
import { u8, i8, i16, u32, i32, u64, i64, print, hex, text, arrayOf, slice } from "kts";

const NAME: u8[] = arrayOf([0x73, 0x68, 0x65, 0x6c, 0x6c, 0, 0x78]);
const RAW: u8[] = arrayOf([0x61, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0xff, 0x7e]);

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
  print(`text: [${text(NAME, 99)}] [${text(NAME, 3)}] [${text(RAW, 8)}] [${text(slice(NAME, 6, 7), 1)}] [${text(NAME, 0)}]`);
  return 0;
}
