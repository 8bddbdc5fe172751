// A kernel-like program whose recursion is bounded and marked (stack.test.ts).
import { u32 } from "kts";

/**
 * Walks down `depth` levels through step().
 * @recursion 3 — kernelMain passes depth 2 and each call passes one less, ending at 0 (depths 2, 1, 0)
 */
export function walk(depth: u32): u32 {
  if (depth == 0) return 0;
  return u32(step(u32(depth - 1)) + 1);
}

function step(depth: u32): u32 {
  return walk(depth);
}

export function kernelMain(): u32 {
  return walk(2);
}
