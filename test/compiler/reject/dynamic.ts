import { u32 } from "kts";

class Point {
  x: u32 = 0;
}

export function dyn(p: Point): u32 {
  const o = { a: 1 }; // expect: KT1007
  const k: u32 = p["x"]; // expect: KT1001
  delete o.a; // expect: KT1001 TS2790
  for (const key in o) { // expect: KT1001
  }
  const m = new Map<u32, u32>(); // expect: KT1005
  return k;
}
