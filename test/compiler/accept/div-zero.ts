// Division by zero panics with the .ts location in both worlds.
import { u32, print } from "kts";

function divide(a: u32, b: u32): u32 {
  return u32(a / b);
}

export function main(): u32 {
  print(`ok: ${divide(10, 3)}`);
  print(`never: ${divide(1, 0)}`);
  return 0;
}
