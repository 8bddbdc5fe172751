// Issue 9, class 4: an element store whose index is a plain local still
// evaluates its value (which prints here) before the index is checked, as
// Node's bounds check runs only when it stores.
import { u32, print, array } from "kts";

function loud(v: u32): u32 {
  print(`value ${v} computed`);
  return v;
}

export function main(): u32 {
  const a: u32[] = array(4, 0);
  const nine: u32 = 9;
  a[nine] = loud(8);
  return 0;
}
