// The victim's client (attack image): 300 call/reply round trips to pingserver
// through capability 0 while the attacker exhausts resources beside it, each
// answer checked; every 50 rounds it derives a capability for itself from
// capability 1 (send + grant on the same endpoint) and revokes it: its own
// table must always have room, however others fill it. Last, a capability
// derived with a 50 ms lifetime must be gone from its table 2 s later (expired
// capabilities are reaped; they once stayed in their slots for good).
import { u32, u64, print } from "kts";
import { sysCapDerive, sysCapRevoke, sysTaskId, sysYield, sysSleep, sysTime } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgStart, msgSetWord, msgWord, errorOf } from "../../src/lib/ipc/message";

const ROUNDS = 300;

export function main(): u32 {
  const ep: u64 = capAt(0n);
  const grantable: u64 = capAt(1n);
  let derives: u32 = 0;
  for (let i: u32 = 0; i < ROUNDS; i++) {
    msgStart(1);
    msgSetWord(u64(i));
    const r: u64 = call(ep);
    if (errorOf(r) != 0n || msgWord() != u64(u64(i) + 1n)) {
      print(`vclient: round ${i} failed: error ${errorOf(r)}, answer ${msgWord()}`);
      return 1;
    }
    if (u32(i % 50) == 0) {
      const h: u64 = sysCapDerive(grantable, sysTaskId(), 1n, 0n, 0n);
      if (errorOf(h) != 0n || errorOf(sysCapRevoke(h)) != 0n) {
        print(`vclient: own derive failed in round ${i}: error ${errorOf(h)}`);
        return 1;
      }
      derives = u32(derives + 1);
    }
    sysYield();
  }
  print(`vclient: ${ROUNDS} round trips ok, ${derives} own derives ok`);
  const brief: u64 = sysCapDerive(grantable, sysTaskId(), 1n, 0n, u64(sysTime() + 50_000_000n));
  sysSleep(2_000_000_000n);
  // BadCapability (3): the handle names nothing any more.
  print(`vclient: derive with a 50 ms lifetime error ${errorOf(brief)}; 2 s later its handle: error ${errorOf(sysCapRevoke(brief))}`);
  msgStart(0xdead);
  call(ep);
  return 0;
}
