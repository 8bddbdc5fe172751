// 64-bit division by zero panics too.
import { u32, u64, print } from "kts";

export function main(): u32 {
  const z: u64 = 0n;
  const a: u64 = 5n;
  print(`ok`);
  print(`never: ${u64(a % z)}`);
  return 0;
}
