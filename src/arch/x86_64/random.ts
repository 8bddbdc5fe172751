"use unsafe";
/**
 * The CPU's random number generator: RDSEED (a conditioned entropy source) when
 * CPUID says the CPU has it, else RDRAND (a DRBG seeded by that source).
 */
import { u32, u64, usize, array } from "kts";
import { addressOf } from "kts/unsafe";
import { cpuid } from "./cpu";

declare function x86_rdseed64(out: usize): u32;
declare function x86_rdrand64(out: usize): u32;

/** What hardwareRandom64 draws from: 0 none, 1 RDSEED, 2 RDRAND, 3 RNDR (arch/api.ts). */
let source: u32 = 0xffff_ffff;
const regs: u32[] = array(4, 0);
const value: u64[] = array(1, 0n);

export function hardwareRandomSource(): u32 {
  if (source != 0xffff_ffff) return source;
  cpuid(0, 0, regs);
  const maxLeaf: u32 = regs[0];
  let seed = false;
  if (maxLeaf >= 7) {
    cpuid(7, 0, regs);
    seed = u32(regs[1] & u32(1 << 18)) != 0;
  }
  cpuid(1, 0, regs);
  const rand: boolean = u32(regs[2] & u32(1 << 30)) != 0;
  source = seed ? 1 : rand ? 2 : 0;
  return source;
}

/** One 64-bit value from the CPU's generator into out[i]; false if there is none or it gave nothing (retried 16 times). */
export function hardwareRandom64(out: u64[], i: u32): boolean {
  const s: u32 = hardwareRandomSource();
  if (s == 0) return false;
  // SAFETY: value is a one-element static u64 array.
  const ok: u32 = s == 1 ? x86_rdseed64(addressOf(value)) : x86_rdrand64(addressOf(value));
  if (ok == 0) return false;
  out[i] = value[0];
  value[0] = 0n;
  return true;
}
