// sleep must block (on AArch64 it returned at once: the result register, x0,
// was set before the argument was read from it). Then, if it holds a
// capability (send on the attacker's endpoint), it tells the attacker its task
// id (the kernel stamps it) and, once answered, exits: its slot is a dead task's.
import { u32, u64, print } from "kts";
import { sysSleep, sysTime } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgStart, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const start: u64 = sysTime();
  sysSleep(50_000_000n);
  const slept: u64 = u64(sysTime() - start);
  print(`sleeper: asked 50 ms, slept at least that: ${slept >= 50_000_000n}`);
  const attacker: u64 = capAt(0n);
  if (errorOf(attacker) == 0n) {
    msgStart(0x51);
    // A call, not a send: a dead sender's queued messages are dropped, and it must be heard before it dies.
    call(attacker);
  }
  return 0;
}
