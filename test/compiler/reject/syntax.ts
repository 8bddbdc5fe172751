import { u32 } from "kts";
import { readFileSync } from "node:fs"; // expect: KT1017
import * as k from "kts"; // expect: KT1016

var old: u32 = 1; // expect: KT1003
console.log("hello"); // expect: KT1004

export async function later(): Promise<u32> { // expect: KT1014 KT2000
  return 1;
}
export function strings(): u32 {
  const s = "text"; // expect: KT1019
  const n: u32 = Math.max(1, 2); // expect: KT1005
  let [a, b] = [1, 2]; // expect: KT1008
  return 0;
}
