// Issue 9, class 12: nesting deeper than C compilers accept is a diagnostic, not a
// crash of the compiler (a long '+' chain is a deeply nested tree).
import { u32 } from "kts";

export function deep(a: u32): u32 {
  return u32(a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a); // expect: KT1025
}
