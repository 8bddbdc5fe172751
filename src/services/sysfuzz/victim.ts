"use unsafe";
/**
 * sysfuzz-v, the fuzzers' victim: the fuzzers start it (serviceStart), place
 * capabilities with it, and kill it whenever they like (and all of theirs
 * before they finish). Meanwhile it does a short random life of its own:
 * sleeps, yields, sends to the fuzzers' endpoints, calls log (so that it may
 * die waiting for an answer), maps and touches its memory, spins, and uses
 * what the fuzzers placed in its table (past its manifest's five): calls it
 * (a fuzzer's endpoint answers; the victims' own endpoint never does, so it
 * waits there until it is killed), sends to it, revokes it, maps it and
 * touches it (and faults if it is revoked meanwhile). Then it exits with a
 * random code, or faults (reads the kernel half). Started by init at boot
 * nothing is placed with it, so it ends within a few hundred milliseconds.
 * It prints nothing. (Its choices come from the clock and its task id:
 * victims are not part of a run's reproducible sequence.)
 *
 * Capabilities: [0..2] the fuzzers' endpoints (send), [3] log (send), [4] memory 1 page (map, write).
 */
import { u8, u32, u64, usize, array } from "kts";
import { addressOf, load64, store64 } from "kts/unsafe";
import { sysSleep, sysYield, sysSend, sysCall, sysMemMap, sysMemUnmap, sysTaskId, sysTime, sysCapAt, sysCapRevoke, sysExit } from "../../lib/sys/syscalls.generated";
import { Rng } from "./rng";
import { putHeader, putWord } from "./msg";

const LABEL_PING = 0x50494e47;
const VA: usize = 0x3000_0000n;
/** Where it maps what was placed with it (up to 1 MiB). */
const PLACED_VA: usize = 0x3100_0000n;
const KERNEL_HALF: usize = 0xffff_8000_0000_0000n;
const buffer: u8[] = array(512, 0);

export function victimMain(): u32 {
  const rng = new Rng();
  rng.seed(u64(sysTime() ^ u64(sysTaskId() << 32n)));
  const log: u64 = sysCapAt(3n);
  const memory: u64 = sysCapAt(4n);
  const msg: usize = addressOf(buffer);
  const rounds: u32 = u32(5 + rng.below(40));
  for (let i: u32 = 0; i < rounds; i++) {
    switch (rng.below(10)) {
      case 0:
        sysSleep(u64(rng.below(1_000_000)));
        break;
      case 1:
        sysYield();
        break;
      case 2:
        putHeader(msg, u32(rng.next() & 0xffff_ffffn), 8, 0, 0);
        putWord(msg, 0, rng.next());
        sysSend(sysCapAt(u64(rng.below(3))), msg);
        break;
      case 3:
        putHeader(msg, LABEL_PING, 8, 0, 0);
        putWord(msg, 0, u64(i));
        sysCall(log, msg);
        break;
      case 4:
        if (sysMemMap(memory, VA, 1n) < 0xffff_ffff_ffff_0000n) {
          store64(VA, u64(i));
          if (load64(VA) != u64(i)) return 99;
          sysMemUnmap(VA);
        }
        break;
      case 5: {
        const until: u64 = u64(sysTime() + u64(rng.below(500_000)));
        while (sysTime() < until) {}
        break;
      }
      case 6:
      case 7: {
        const h: u64 = sysCapAt(u64(5 + rng.below(8)));
        if (h >= 0xffff_ffff_ffff_0000n) break;
        putHeader(msg, u32(rng.next() & 0xffff_ffffn), 8, 0, 0);
        switch (rng.below(4)) {
          case 0:
            sysCall(h, msg);
            break;
          case 1:
            sysSend(h, msg);
            break;
          case 2:
            sysCapRevoke(h);
            break;
          default:
            if (sysMemMap(h, PLACED_VA, 1n) < 0xffff_ffff_ffff_0000n) {
              store64(PLACED_VA, u64(i));
              sysMemUnmap(PLACED_VA);
            }
            break;
        }
        break;
      }
      default:
        sysTaskId();
        break;
    }
  }
  if (rng.oneIn(16)) sysExit(load64(KERNEL_HALF)); // ended as a fault
  sysExit(rng.next());
  return 0;
}
