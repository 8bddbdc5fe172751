// Fixed-size arrays: array(), arrayOf(), structs(), slice views, length, passing by reference.
import { u8, u32, bool, print, array, arrayOf, structs, slice } from "kts";

class Cell {
  value: u32 = 7;
  marks: u8[] = array(2, 1);
}

const TABLE: u32[] = arrayOf([10, 20, 30, 40, 50]);
const cells: Cell[] = structs(3, Cell);
const N = 8;
const flags: bool[] = array(N, false);

function sum(xs: u32[]): u32 {
  let s: u32 = 0;
  for (let i: u32 = 0; i < xs.length; i++) s = u32(s + xs[i]);
  return s;
}

function zero(xs: u32[]): void {
  for (let i: u32 = 0; i < xs.length; i++) xs[i] = 0;
}

export function main(): u32 {
  print(`table: len ${TABLE.length} sum ${sum(TABLE)}`);
  const mid: u32[] = slice(TABLE, 1, 4);
  print(`slice: len ${mid.length} first ${mid[0]} sum ${sum(mid)}`);
  zero(slice(TABLE, 3, 5));
  print(`after zeroing a view: ${sum(TABLE)} ${TABLE[3]}`);
  const local: u32[] = array(6, 3);
  local[5] = 100;
  print(`local: ${sum(local)}`);
  cells[1].value = 99;
  cells[2].marks[1] = 5;
  let cs: u32 = 0;
  for (const c of cells) cs = u32(cs + c.value + u32(c.marks[1]));
  print(`structs: ${cs}`);
  flags[N - 1] = true;
  print(`flags: ${flags[0]} ${flags[7]} ${flags.length}`);
  const inner: u32[] = slice(mid, 1, 3);
  print(`nested view: ${inner[0]} ${inner[1]}`);
  return 0;
}
