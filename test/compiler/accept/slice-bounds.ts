// A view outside its array panics.
import { u32, u8, print, array, slice } from "kts";

export function main(): u32 {
  const xs: u8[] = array(4, 1);
  const ok: u8[] = slice(xs, 1, 4);
  print(`ok ${ok.length}`);
  const bad: u8[] = slice(ok, 2, 5);
  print(`never ${bad.length}`);
  return 0;
}
