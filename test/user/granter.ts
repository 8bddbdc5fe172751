// Holds SEND+GRANT on the ping server's endpoint (capability 0) and a plain
// SEND (capability 1). Delegates SEND to the next task (the user-main image
// starts bundle programs in order: the grantee comes right after), waits until
// the server has answered the grantee a few times, revokes its capability 0 —
// which takes the grantee's derived one with it — and stops the server.
import { u32, u64, print } from "kts";
import { sysCapDerive, sysCapRevoke, sysTaskId, sysYield } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgSetLabel, msgSetWord, msgWord, errorOf } from "../../src/lib/ipc/message";

const INVALID: u64 = 9n;

export function main(): u32 {
  const grantee: u64 = u64(sysTaskId() + 1n);
  // The grantee may not have started yet (a busy machine): a task not yet
  // running accepts no capabilities (Invalid), so try again until it does.
  let given: u64 = sysCapDerive(capAt(0n), grantee, 1n, 0n, 0n);
  for (let tries: u32 = 0; tries < 100000; tries++) {
    if (errorOf(given) != INVALID) break;
    sysYield();
    given = sysCapDerive(capAt(0n), grantee, 1n, 0n, 0n);
  }
  print(`granter: derived handle ${given} for task ${grantee}, error ${errorOf(given)}`);
  const stats: u64 = capAt(1n);
  for (;;) {
    msgSetLabel(2);
    call(stats);
    if (msgWord() >= 3n) break;
    sysYield();
  }
  print(`granter: revoke error ${errorOf(sysCapRevoke(capAt(0n)))}`);
  for (let i: u32 = 0; i < 50; i++) sysYield();
  msgSetLabel(0xdead);
  msgSetWord(0n);
  call(stats);
  return 0;
}
