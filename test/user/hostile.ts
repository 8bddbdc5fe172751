"use unsafe";
// A user task that touches kernel memory: the kernel must end it and go on.
import { u32, u64, print } from "kts";
import { load64 } from "kts/unsafe";
import { sysWrite } from "../../src/lib/sys/syscalls.generated";

export function main(): u32 {
  // A write syscall whose buffer is in the kernel half is refused with BadAddress (-2).
  const r: u64 = sysWrite(0xffff_8000_0000_0000n, 16n);
  print(`write of a kernel pointer returned ${r}`);
  print("reading kernel memory");
  const v: u64 = load64(0xffff_8000_0000_0000n);
  print(`read ${v}: the kernel did not stop me`);
  return 0;
}
