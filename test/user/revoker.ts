// keeper's partner (attack image). Capability 0: receive on R; 1: a 1-page
// region (map, write, grant); 2: send + grant on keeper's endpoint K.
// Answers keeper's requests for a region capability (derived into keeper
// from a copy of its own, so that revoking the copy takes keeper's away);
// when keeper says it is busy with it, waits a little and revokes it; after
// the second one, sends keeper a message carrying a capability.
import { u32, u64, print } from "kts";
import { sysCapDerive, sysCapRevoke, sysSleep, sysTaskId } from "../../src/lib/sys/syscalls.generated";
import { capAt, receive, reply, send, msgStart, msgLabel, msgSender, msgSetWord, msgSetCaps, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const r: u64 = capAt(0n);
  const region: u64 = capAt(1n);
  const k: u64 = capAt(2n);
  let mine: u64 = 0n;
  for (let step: u32 = 0; step < 4; step++) {
    if (errorOf(receive(r)) != 0n) return 1;
    const label: u32 = msgLabel();
    if (label == 1) {
      mine = sysCapDerive(region, sysTaskId(), 28n, 0n, 0n);
      msgSetWord(sysCapDerive(mine, u64(msgSender()), 24n, 0n, 0n));
      reply();
    } else {
      sysSleep(label == 2 ? 5_000_000n : 60_000_000n);
      print(`revoker: revoke error ${errorOf(sysCapRevoke(mine))}`);
      if (label == 3) {
        const gift: u64 = sysCapDerive(k, sysTaskId(), 5n, 0n, 0n);
        msgStart(0x4b45);
        msgSetWord(0x1234n);
        msgSetCaps(1, gift, 0n);
        print(`revoker: sent, error ${errorOf(send(k))}`);
      }
    }
  }
  return 0;
}
