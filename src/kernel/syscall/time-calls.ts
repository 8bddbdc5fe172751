/**
 * clockSet(cap, utcNanos): the wall clock for a holder of a Clock capability
 * (right SEND; the lookup audits the exercise). Reading it needs nothing
 * (dispatch.ts: clock).
 */
import { u32, u64 } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, RIGHT_SEND } from "../cap/index";
import { schedLock, schedUnlock } from "../task/lock";
import { wallClockSet } from "../time/wall-clock";
import { capabilityOf, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

export function sysClockSet(task: u32, handle: u64, utc: u64): u64 {
  schedLock();
  const r: u64 = capabilityOf(task, handle, CapKind.Clock, RIGHT_SEND, monotonicNanos());
  schedUnlock();
  if (isError(r)) return r;
  return wallClockSet(utc) ? 0n : sysError(SysError.Invalid);
}
