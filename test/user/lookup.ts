// Concurrent capability lookups (attack image, started three times): each
// copy makes its table differ from the others' (a few derived copies of its
// capability 0, their slots' generations advanced a task-dependent number of
// times), notes every handle capAt gives, then asks again 30,000 times. capAt
// once read a kernel-wide record after releasing its lock, so another CPU's
// lookup could hand it another task's handle.
import { u32, u64, array, print } from "kts";
import { sysCapAt, sysCapDerive, sysCapRevoke, sysTaskId } from "../../src/lib/sys/syscalls.generated";
import { errorOf } from "../../src/lib/ipc/message";

const handles: u64[] = array(8, 0n);

export function main(): u32 {
  const me: u64 = sysTaskId();
  const src: u64 = sysCapAt(0n);
  const churn: u32 = u32(u32(me % 7n) + 1);
  for (let i: u32 = 0; i < churn; i++) sysCapRevoke(sysCapDerive(src, me, 1n, 0n, 0n));
  const copies: u32 = u32(u32(me % 3n) + 2);
  for (let i: u32 = 0; i < copies; i++) sysCapDerive(src, me, 1n, 0n, 0n);
  const n: u32 = u32(copies + 1);
  for (let i: u32 = 0; i < n; i++) handles[i] = sysCapAt(u64(i));
  let wrong: u32 = 0;
  for (let k: u32 = 0; k < 30000; k++) {
    const i: u32 = u32(k % n);
    const h: u64 = sysCapAt(u64(i));
    if (h != handles[i] || errorOf(h) != 0n) wrong = u32(wrong + 1);
  }
  print(`lookup: 30000 lookups over ${n} capabilities, ${wrong} wrong`);
  return 0;
}
