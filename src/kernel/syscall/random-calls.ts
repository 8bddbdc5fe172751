/**
 * random(cap, buf, len): random bytes for a holder of a Random capability. The
 * bytes are made and copied 256 at a time under the lock (the generator is
 * shared by every CPU), with interrupts let in between chunks.
 */
import { u8, u32, u64, usize, array, slice } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, RIGHT_RECEIVE } from "../cap/index";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { userRangeOk, userWrite } from "../task/usermem";
import { randomFill } from "../random/pool";
import { capabilityOf, isError, sysError } from "./ipc-calls";
import { interruptWindow } from "./device-calls";
import { SysError } from "./numbers.generated";

const RANDOM_MAX: u64 = 4096n;
const CHUNK = 256;
const stage: u8[] = array(CHUNK, 0);

export function sysRandom(task: u32, handle: u64, buf: usize, len: u64): u64 {
  if (len > RANDOM_MAX) return sysError(SysError.Invalid);
  schedLock();
  let r: u64 = capabilityOf(task, handle, CapKind.Random, RIGHT_RECEIVE, monotonicNanos());
  if (!isError(r) && !userRangeOk(resources[task].space, buf, len, true)) r = sysError(SysError.BadAddress);
  schedUnlock();
  if (isError(r)) return r;
  let done: u64 = 0n;
  while (done < len) {
    const n: u32 = u64(len - done) < u64(CHUNK) ? u32(len - done) : CHUNK;
    const chunk: u8[] = slice(stage, 0, n);
    schedLock();
    randomFill(chunk);
    const copied: boolean = userWrite(resources[task].space, usize(buf + done), chunk);
    for (let i: u32 = 0; i < n; i++) stage[i] = 0;
    schedUnlock();
    // The mapping went away meanwhile: nothing more is written.
    if (!copied) return sysError(SysError.BadAddress);
    done = u64(done + u64(n));
    if (done < len) interruptWindow();
  }
  return len;
}
