// Arrays of arrays: one level of rows of integers, bools, enums or functions; rows fixed.
import { u8, u32, array, arrays } from "kts";

class Cell {
  v: u32 = 0;
}

export function deep(g: u8[][][]): u32 { // expect: KT3025
  return g.length;
}

export function cells(g: Cell[][]): u32 { // expect: KT3025
  return g.length;
}

function rows(g: u8[][]): u32 {
  return g.length;
}

export function main(): u32 {
  const g: u8[][] = arrays(2, 4, 0);
  const other: u8[] = array(4, 1);
  g[0] = other; // expect: KT3021
  const empty: u8[][] = arrays(0, 4, 1); // expect: KT2012
  const huge: u8[][] = arrays(4096, 8192, 1); // expect: KT2012
  return u32(rows(arrays(2, 2, 0)) + empty.length + huge.length); // expect: KT3011
}
