// Issue 9: constructs where the C and Node worlds would disagree, each a diagnostic.
import { u8, u32, u64, bool } from "kts";

enum Wide {
  Small = 1,
  Big = 300,
}

// Class 2: a constant on one side of a comparison or ?: keeps the other side checked.
export function constants(big: u64, a: u32, x: u8, d: u32): u32 {
  const wrapped: bool = big + 1n == 0n; // expect: KT2001
  const flipped: bool = 0n == big + 1n; // expect: KT2001
  const stored: u8 = a == 0 ? 0 : x + 1; // expect: KT2001
  const other: u8 = a == 0 ? x + 1 : 0; // expect: KT2001
  const frac: bool = big / 2n == 0n; // expect: KT2014
  const exact: bool = a % 2 == 0 && u32(d) + 1 != 0; // an 8/16/32-bit result is exact in both worlds
  return u32(u32(wrapped ? 1 : 0) + u32(flipped ? 1 : 0) + u32(stored) + u32(other) + u32(frac ? 1 : 0) + u32(exact ? 1 : 0));
}

// Class 3: '++' on a loop counter that something else in the loop also changes.
export function counters(n: u8): u32 {
  let total: u32 = 0;
  for (let i: u8 = 0; i < 255; i++) { // expect: KT2003
    for (; i < 255; i++) total = u32(total + 1); // nested loop steps the outer counter
  }
  for (let j: u8 = 0; j < 255; j++, j++) total = u32(total + 1); // expect: KT2003 KT2003
  for (let k: u8 = 0; k < n; k++) { // expect: KT2003
    k = u8(k + 1);
  }
  return total;
}

// Class 6: a case naming an enum member whose value the switched type cannot hold.
export function cases(v: u8): u32 {
  switch (v) {
    case Wide.Small:
      return 1;
    case Wide.Big: // expect: KT2007
      return 2;
  }
  return 0;
}

// Class 7: definite assignment leaves a value undefined in Node and garbage in C.
let later!: u32; // expect: KT1022 KT3024
class Holder {
  value!: u32; // expect: KT1022
}
export function definite(): u32 {
  let x!: u32; // expect: KT1022
  const h = new Holder();
  return u32(x + later + h.value);
}

// Compound assignment only where `x = x op y` needs no conversion, and parts in JS's order.
let shared: u8 = 0;
function bump(): u8 {
  shared = u8(shared + 1);
  return 1;
}
export function compound(a: u32, bytes: u8[]): u32 {
  let x: u32 = a;
  x += 1; // expect: KT2023
  x |= 0x8000_0000; // expect: KT2023
  let y: u8 = 1;
  y |= bump(); // a local: no call can change it
  shared |= bump(); // expect: KT2023
  bytes[0] |= bytes[9]; // expect: KT2023
  return u32(x + u32(y));
}
