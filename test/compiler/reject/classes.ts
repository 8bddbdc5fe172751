import { u32, array } from "kts";

class Base {
  v: u32 = 0;
}
class Derived extends Base { // expect: KT1010
  get twice(): u32 { // expect: KT1011
    return u32(this.v * 2);
  }
  static count: u32 = 0; // expect: KT1001
}
class Holder {
  inner: Base; // expect: KT3023
  items: u32[]; // expect: KT3023
  constructor(b: Base) {
    this.inner = b; // expect: KT3021
    this.items = array(4, 0); // expect: KT3021
  }
}
export function escape(): Base {
  const local = new Base();
  return local; // expect: KT3020
}
export function arr(): u32[] { // expect: KT3022
  const a: u32[] = array(4, 0);
  return a;
}
export function copy(a: Base, b: Base): void {
  a = b; // expect: KT3021
}
export function opt(a?: u32): u32 { // expect: KT1012
  return 0;
}
/** @align 48 — not a power of two */ // expect: KT1034
export class Misaligned {
  a: u32 = 0;
}
