// Holds SEND+GRANT on the ping server's endpoint (capability 0) and SEND on the
// capreceiver's endpoint (capability 1). First tries to pass a capability it
// may not grant (its SEND-only capability 1): refused, nothing is sent. Then
// passes capability 0 inside a message: it moves when the message is delivered
// (at once if the receiver waits, else when it receives), so from then on this
// task's handle names nothing. (The refusal comes first because the mailbox
// closes when capreceiver, done with the capability, exits.)
import { u32, u64, print } from "kts";
import { sysYield } from "../../src/lib/sys/syscalls.generated";
import { capAt, send, call, msgStart, msgSetCaps, msgSetWord, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const ping: u64 = capAt(0n);
  const mailbox: u64 = capAt(1n);
  msgStart(8);
  msgSetCaps(1, mailbox, 0n);
  print(`capsender: passing a capability without GRANT, error ${errorOf(send(mailbox))}`);
  msgStart(7);
  msgSetCaps(1, ping, 0n);
  print(`capsender: sent the ping capability, error ${errorOf(send(mailbox))}`);
  let e: u64 = 0n;
  for (let i: u32 = 0; i < 10000; i++) {
    msgStart(1);
    msgSetWord(1n);
    e = errorOf(call(ping));
    if (e != 0n) break;
    sysYield();
  }
  print(`capsender: a call with the moved handle, error ${e}`);
  return 0;
}
