"use unsafe";
// The move-and-back scenario (issue #16): a user mapping was once lost on
// AArch64 when a *different* capability was revoked, after a capability had
// moved to another task and back in a reply. Each round: a capability derived
// from region 1 is mapped at C and passed to returner in a call (its mapping
// here goes with it), comes back in the reply and is mapped at D; then another
// capability, derived from region 0 and mapped at B, is revoked. The mappings
// of region 0 at A (made once) and of the returned capability at D must both
// survive: a lost one ends this task with a fault. Churner tasks run beside it.
// Capabilities: [0], [1] 1-page regions (map, write, grant); [2] send+grant on returner.
import { u32, u64, usize, print } from "kts";
import { load64, store64 } from "kts/unsafe";
import { sysMemMap, sysMemUnmap, sysCapDerive, sysCapRevoke, sysTaskId } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgStart, msgSetCaps, msgCap, msgCapCount, errorOf } from "../../src/lib/ipc/message";
import { ROUNDS } from "./bouncer-rounds";

const A: usize = 0x1000_0000n;
const B: usize = 0x2000_0000n;
const C: usize = 0x3000_0000n;
const D: usize = 0x4000_0000n;
const WRITABLE: u64 = 1n;
const MAP_WRITE: u64 = 24n;
const MAP_WRITE_GRANT: u64 = 28n;

export function main(): u32 {
  const me: u64 = sysTaskId();
  const first: u64 = capAt(0n);
  const second: u64 = capAt(1n);
  const returner: u64 = capAt(2n);
  let failed: u32 = 0;
  if (errorOf(sysMemMap(first, A, WRITABLE)) != 0n) failed = u32(failed + 1);
  for (let off: u64 = 0n; off < 4096n; off = u64(off + 8n)) store64(usize(A + off), u64(off ^ 0xa5a5n));
  for (let r: u32 = 0; r < ROUNDS && failed == 0; r = u32(r + 1)) {
    const gift: u64 = sysCapDerive(second, me, MAP_WRITE_GRANT, 0n, 0n);
    if (errorOf(sysMemMap(gift, C, WRITABLE)) != 0n) failed = u32(failed + 1);
    store64(C, u64(r));
    msgStart(1);
    msgSetCaps(1, gift, 0n);
    if (errorOf(call(returner)) != 0n || msgCapCount() != 1) {
      failed = u32(failed + 1);
      break;
    }
    const back: u64 = msgCap(0);
    if (errorOf(sysMemMap(back, D, WRITABLE)) != 0n) failed = u32(failed + 1);
    // A different capability, mapped and revoked: nothing else may go with it.
    const other: u64 = sysCapDerive(first, me, MAP_WRITE, 0n, 0n);
    if (errorOf(sysMemMap(other, B, WRITABLE)) != 0n) failed = u32(failed + 1);
    sysCapRevoke(other);
    // The reads that fault if a mapping was lost.
    for (let off: u64 = 0n; off < 4096n; off = u64(off + 512n)) if (load64(usize(A + off)) != u64(off ^ 0xa5a5n)) failed = u32(failed + 1);
    if (load64(D) != u64(r)) failed = u32(failed + 1);
    if (errorOf(sysMemUnmap(D)) != 0n) failed = u32(failed + 1);
    sysCapRevoke(back);
  }
  if (failed == 0) print(`bouncer: ${ROUNDS} rounds, every mapping intact`);
  else print(`bouncer: ${failed} failures`);
  return failed == 0 ? 0 : 1;
}
