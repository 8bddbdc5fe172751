/**
 * Time for tasks beyond the monotonic clock: clockSet(cap, utcNanos) sets the
 * wall clock for a holder of a Clock capability (right SEND; the lookup audits
 * the exercise), reading it needs nothing (dispatch.ts: clock); timerSet(cap,
 * nanos) arms the caller's one timer to post to an endpoint it serves.
 */
import { u32, u64 } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, CapView, RIGHT_SEND, RIGHT_RECEIVE } from "../cap/index";
import { schedLock, schedUnlock } from "../task/lock";
import { wallClockSet } from "../time/wall-clock";
import { timerArm, timerDisarm } from "../time/timers";
import { capabilityInto, capabilityOf, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

const view = new CapView();

export function sysClockSet(task: u32, handle: u64, utc: u64): u64 {
  schedLock();
  const r: u64 = capabilityOf(task, handle, CapKind.Clock, RIGHT_SEND, monotonicNanos());
  schedUnlock();
  if (isError(r)) return r;
  return wallClockSet(utc) ? 0n : sysError(SysError.Invalid);
}

export function sysTimerSet(task: u32, handle: u64, nanos: u64): u64 {
  const now: u64 = monotonicNanos();
  schedLock();
  let r: u64 = 0n;
  if (nanos == 0n) timerDisarm(task);
  else {
    // Send and receive: a task's own endpoint, so a timer cannot slip kernel messages into another service's.
    r = capabilityInto(task, handle, CapKind.Endpoint, u32(RIGHT_SEND | RIGHT_RECEIVE), now, view);
    const at: u64 = nanos > u64(0xffff_ffff_ffff_ffffn - now) ? 0xffff_ffff_ffff_ffffn : u64(now + nanos);
    if (!isError(r)) timerArm(task, u32(r), view.node, view.nodeGen, at);
  }
  schedUnlock();
  return isError(r) ? r : 0n;
}
