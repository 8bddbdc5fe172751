"use unsafe";
// Console pressure (attack image, started three times): 4 KiB writes, the
// largest there is, four times (about 0.6 s each under QEMU's emulation). With system calls holding interrupts masked
// for a whole write, three of these beside a task whose unmaps need every CPU
// (the attacker's map/unmap loop) made a cross-call time out: a kernel panic.
import { u8, u32, u64, array, print } from "kts";
import { addressOf } from "kts/unsafe";
import { sysWrite } from "../../src/lib/sys/syscalls.generated";

const text: u8[] = array(4096, 0x77);

export function main(): u32 {
  for (let i: u32 = 63; i < 4096; i = u32(i + 64)) text[i] = 0x0a;
  let failed: u32 = 0;
  for (let round: u32 = 0; round < 4; round++) {
    const r: u64 = sysWrite(addressOf(text), 4096n);
    if (r != 4096n) failed = u32(failed + 1);
  }
  print(`writer: 4 writes of 4096 bytes, ${failed} short or failed`);
  return failed == 0 ? 0 : 1;
}
