// An out-of-range index panics with the index, the length and the .ts line.
import { u32, print, array } from "kts";

export function main(): u32 {
  const xs: u32[] = array(4, 1);
  let i: u32 = 0;
  while (true) {
    print(`xs[${i}] = ${xs[i]}`);
    i = u32(i + 1);
  }
}
