// Marks of bounded recursion (@recursion N — why): malformed, on a function in no cycle, two in one cycle.
import { u32, bool } from "kts";

/**
 * @recursion // expect: KT1030
 */
export function noBound(n: u32): u32 {
  return n == 0 ? 0 : noBound(u32(n - 1));
}

/**
 * @recursion 0 — never // expect: KT1030
 */
export function zero(n: u32): u32 {
  return n == 0 ? 0 : zero(u32(n - 1));
}

/** @recursion 2 — it calls nothing */
export function flat(n: u32): u32 { // expect: KT1031
  return u32(n + 1);
}

/** @recursion 3 — one mark */
export function even(n: u32): bool {
  return n == 0 ? true : odd(u32(n - 1));
}

/** @recursion 3 — and another in the same cycle */
function odd(n: u32): bool { // expect: KT1032
  return n == 0 ? false : even(u32(n - 1));
}
