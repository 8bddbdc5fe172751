// The done criteria: a capturing closure, try/catch and `any` each get a KT diagnostic.
import { u32 } from "kts";

export function main(): u32 {
  let total: u32 = 0;
  const add = (x: u32): void => {
    total = u32(total + x);
  };
  try {
    add(1);
  } catch (e) {
    return 1;
  }
  const v: any = total;
  return v;
}
