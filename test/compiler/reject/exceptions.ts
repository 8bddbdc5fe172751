import { u32 } from "kts";

export function risky(x: u32): u32 {
  try { // expect: KT1002
    if (x > 10) throw 5; // expect: KT1002
  } catch (e) {
    return 0;
  }
  return x;
}
