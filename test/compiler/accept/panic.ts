// panic() with a template message stops the program.
import { u32, u64, print, panic, hex } from "kts";

function check(addr: u64): u32 {
  if (addr >= 0xffff_8000_0000_0000n) panic(`address ${hex(addr)} is in the kernel half`);
  return 1;
}

export function main(): u32 {
  print(`user: ${check(0x1000n)}`);
  print(`kernel: ${check(0xffff_8000_0000_1000n)}`);
  return 0;
}
