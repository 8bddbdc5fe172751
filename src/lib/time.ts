/**
 * Time for services: the monotonic clock and sleeping. sleep() is a system
 * call; where the kernel does not offer it yet (NoSys) the wait is done by
 * yielding until the clock has moved on.
 */
import { u64 } from "kts";
import { sysClock, sysSleep, sysTime, sysYield } from "./sys/syscalls.generated";
import { errorOf } from "./ipc/message";
import { ERR_NO_SYS } from "./errors";

export const NANOS_PER_MILLI: u64 = 1_000_000n;
export const NANOS_PER_SECOND: u64 = 1_000_000_000n;

/** Monotonic nanoseconds since boot. */
export function now(): u64 {
  return sysTime();
}

/** The wall clock: UTC nanoseconds since 1970, or 0 while no one has set it. */
export function wallClock(): u64 {
  return sysClock();
}

/** Waits at least nanos nanoseconds. */
export function sleepNanos(nanos: u64): void {
  const start: u64 = sysTime();
  if (errorOf(sysSleep(nanos)) != ERR_NO_SYS) return;
  while (u64(sysTime() - start) < nanos) sysYield();
}

export function sleepMillis(millis: u64): void {
  sleepNanos(u64(millis * NANOS_PER_MILLI));
}
