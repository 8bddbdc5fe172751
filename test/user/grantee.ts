// Waits for a capability from the granter, calls the ping server with it until
// the call fails because the granter revoked the capability it came from.
import { u32, u64, print } from "kts";
import { sysYield } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgSetLabel, msgSetWord, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  let cap: u64 = capAt(0n);
  while (errorOf(cap) != 0n) {
    sysYield();
    cap = capAt(0n);
  }
  let ok: u32 = 0;
  for (;;) {
    msgSetLabel(1);
    msgSetWord(u64(ok));
    const e: u64 = errorOf(call(cap));
    if (e != 0n) {
      print(`grantee: ${ok} calls succeeded, then error ${e} after the revocation; capAt(0) error ${errorOf(capAt(0n))}`);
      return 0;
    }
    ok = u32(ok + 1);
    sysYield();
  }
}
