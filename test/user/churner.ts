// A busy task beside the move-and-back scenario (three copies): derives,
// looks up, maps, unmaps and revokes its own capabilities in a loop, so that
// capability lookups, sweeps and TLB shootdowns run on other CPUs meanwhile.
// Capability 0: a 1-page region (map, write, grant).
import { u32, u64, usize, print } from "kts";
import { sysCapAt, sysCapDerive, sysCapRevoke, sysMemMap, sysMemUnmap, sysTaskId } from "../../src/lib/sys/syscalls.generated";
import { errorOf } from "../../src/lib/ipc/message";

const AT: usize = 0x7000_0000n;
/** Enough to keep busy beside all of bouncer's rounds. */
const ROUNDS: u32 = 6000;

export function main(): u32 {
  const me: u64 = sysTaskId();
  const region: u64 = sysCapAt(0n);
  let errors: u32 = 0;
  for (let i: u32 = 0; i < ROUNDS; i++) {
    const child: u64 = sysCapDerive(region, me, 24n, 0n, 0n);
    if (sysCapAt(1n) != child) errors = u32(errors + 1);
    if (i % 8 == 0) {
      if (errorOf(sysMemMap(child, AT, 1n)) != 0n) errors = u32(errors + 1);
      sysMemUnmap(AT);
    }
    sysCapRevoke(child);
  }
  print(`churner: ${ROUNDS} rounds, ${errors} errors`);
  return 0;
}
