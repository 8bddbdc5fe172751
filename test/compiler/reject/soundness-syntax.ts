// Issue 9, classes 8, 11 and 12: constructs that would compile differently in
// the two worlds, or not at all in C, are diagnostics.
import { u32, print } from "kts";

export function messages(): void {
  print("a\0b"); // expect: KT1023
  print(`x ${1} \0`); // expect: KT1023
}

class Loop { // a class that contains itself by value has no size
  inner: Loop = new Loop(); // expect: KT3027
}

class WithExtras {
  accessor count: u32 = 0; // expect: KT1001
  [key: string]: u32; // expect: KT1001
  maybe?: u32; // expect: KT1001 TS2411
}

declare enum Outside { // expect: KT1001
  A = 1,
}

export function overloaded(a: u32): u32; // expect: KT1001
export function overloaded(a: u32): u32 {
  return a;
}

export function voids(): void {
  const v: void = messages(); // expect: KT2000
}
