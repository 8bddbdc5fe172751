"use unsafe";
/** The CPU's random number generator: FEAT_RNG's RNDR, when ID_AA64ISAR0_EL1 says the CPU has it. */
import { u32, u64, usize, array } from "kts";
import { addressOf } from "kts/unsafe";

declare function arch_rndr64(out: usize): u32;
declare function arch_isar0(): u64;

/** What hardwareRandom64 draws from: 0 none, 1 RDSEED, 2 RDRAND, 3 RNDR (arch/api.ts). */
let source: u32 = 0xffff_ffff;
const value: u64[] = array(1, 0n);

export function hardwareRandomSource(): u32 {
  if (source == 0xffff_ffff) source = u64(arch_isar0() >> 60n) != 0n ? 3 : 0;
  return source;
}

/** One 64-bit value from RNDR into out[i]; false if there is none or it gave nothing (retried 16 times). */
export function hardwareRandom64(out: u64[], i: u32): boolean {
  if (hardwareRandomSource() == 0) return false;
  // SAFETY: value is a one-element static u64 array.
  if (arch_rndr64(addressOf(value)) == 0) return false;
  out[i] = value[0];
  value[0] = 0n;
  return true;
}
