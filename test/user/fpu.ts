"use unsafe";
// Executes one floating-point instruction. Tasks have no FP/SIMD state, so the
// CPU traps and the kernel ends this task; the line after the probe never prints.
import { u32, print } from "kts";

declare function user_fpu_probe(): void;

export function main(): u32 {
  print("fpu: using the FPU");
  user_fpu_probe();
  print("fpu: the FPU worked (it must not)");
  return 0;
}
