import { u32 } from "kts";

let loose: any = 5; // expect: KT2000
export function f(a: any): u32 { // expect: KT2000
  const u: unknown = a; // expect: KT2000
  return a as u32; // expect: KT1001
}
export function g(): u32 {
  return loose;
}
