// A computed array (a slice made by slice(), a row of an array of arrays) is
// evaluated once however it is used: its index check and length read the same
// evaluation, as in JS.
import { u8, u32, array, arrays, slice, print } from "kts";

let calls: u32 = 0;
function from(): u32 {
  calls = u32(calls + 1);
  return 1;
}

export function main(): void {
  const xs: u8[] = array(8, 3);
  const a: u8 = slice(xs, from(), 4)[0];
  const n: u32 = slice(xs, from(), 4).length;
  slice(xs, from(), 5)[1] = 9;
  print(`${a} ${n} ${xs[2]} calls ${calls}`);
  const g: u8[][] = arrays(3, 2, 4);
  const b: u8 = g[from()][1];
  const m: u32 = g[from()].length;
  print(`${b} ${m} calls ${calls}`);
  for (const v of slice(xs, from(), 3)) print(`v ${v}`);
  print(`calls ${calls}`);
}
