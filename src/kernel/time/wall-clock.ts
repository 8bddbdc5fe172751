/**
 * The wall clock: UTC nanoseconds since 1970, kept as an offset from the
 * monotonic clock so that it advances with it. A holder of a Clock capability
 * sets it (the NTP client); it reads 0 until then. The offset is one atomic
 * word, so a reader on any CPU sees the old offset or the new one, never half.
 */
import { u64, bool, array, atomicLoadAt64, atomicStoreAt64 } from "kts";
import { monotonicNanos } from "arch";

/** 2000-01-01T00:00:00Z and 2200-01-01T00:00:00Z: a time outside is a mistake, not a clock. */
export const WALL_MIN: u64 = 946_684_800_000_000_000n;
export const WALL_MAX: u64 = 7_258_118_400_000_000_000n;

/** UTC minus monotonic nanoseconds; 0 while unset (a set offset is never 0: it is at least WALL_MIN minus centuries of uptime). */
const offset: u64[] = array(1, 0n);

export function wallClockNow(): u64 {
  const o: u64 = atomicLoadAt64(offset, 0);
  return o == 0n ? 0n : u64(o + monotonicNanos());
}

/** Sets the clock to `utc` now; false (unchanged) outside WALL_MIN..WALL_MAX. */
export function wallClockSet(utc: u64): bool {
  if (utc < WALL_MIN || utc > WALL_MAX) return false;
  atomicStoreAt64(offset, 0, u64(utc - monotonicNanos()));
  return true;
}
