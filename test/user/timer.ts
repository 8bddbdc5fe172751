// Timers as IPC: the kernel posts TIMER_LABEL to an endpoint the task may send
// and receive on, no earlier than asked; arming again replaces the timer, 0
// disarms it; an endpoint it may only receive on, or only send to, is refused.
// Capability 0: receive on its endpoint; 1: send on it; 2: both.
import { u32, u64, print } from "kts";
import { sysTimerSet, sysTime, sysSleep } from "../../src/lib/sys/syscalls.generated";
import { capAt, receive, msgLabel, msgSender, msgWordAt, errorOf } from "../../src/lib/ipc/message";
import { KERNEL_SENDER, LABEL_TIMER } from "../../src/lib/ipc/protocol";


export function main(): u32 {
  const inbox: u64 = capAt(0n);
  const to: u64 = capAt(2n);
  print(`timer: through a receive-only capability: error ${errorOf(sysTimerSet(inbox, 1_000_000n))}`);
  print(`timer: through a send-only capability: error ${errorOf(sysTimerSet(capAt(1n), 1_000_000n))}`);
  // Armed for 1 s, then re-armed for 30 ms: only the second fires.
  sysTimerSet(to, 1_000_000_000n);
  const start: u64 = sysTime();
  print(`timer: armed: error ${errorOf(sysTimerSet(to, 30_000_000n))}`);
  const e: u64 = errorOf(receive(inbox));
  const waited: u64 = u64(sysTime() - start);
  print(`timer: fired: error ${e}, from the kernel ${msgSender() == KERNEL_SENDER}, label ok ${msgLabel() == LABEL_TIMER}, not early ${waited >= 30_000_000n && msgWordAt(0) >= u64(start + 30_000_000n)}, not the replaced one ${waited < 900_000_000n}`);
  // Disarmed: nothing comes (the next message is the one sent after the wait).
  sysTimerSet(to, 20_000_000n);
  sysTimerSet(to, 0n);
  sysSleep(60_000_000n);
  sysTimerSet(to, 1_000_000n);
  const start2: u64 = sysTime();
  receive(inbox);
  print(`timer: a disarmed timer stayed quiet: ${msgWordAt(0) >= start2}`);
  return 0;
}
