"use unsafe";
import { u8, u64 } from "kts";
import { inb, dmbIsh, readSysreg } from "kts/unsafe";

// arch: aarch64
export function io(): u8 {
  dmbIsh();
  const t: u64 = readSysreg("CNTVCT_EL0");
  const c: u64 = readSysreg("CR3"); // expect: KT4004
  return inb(0x3f8); // expect: KT4002
}
