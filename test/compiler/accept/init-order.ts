// Issue 9, class 7: a module imported only for a type is not evaluated under Node
// (the import is erased), so its initializer must not run in C either; a module
// imported for a value initializes before main, in import order.
import { u32, print } from "kts";
import { Shape } from "./lib/noisy";
import { LOUD } from "./lib/loud";

function sides(s: Shape): u32 {
  return s.sides;
}

export function main(): u32 {
  print(`main: loud ${LOUD}`);
  return 0;
}
