/**
 * Calls that wait out the interceptor's rate limit instead of failing with it.
 * A Throttled answer means the caller's bucket was empty and nothing was
 * delivered (the message buffer is as it was), so calling again later is
 * exactly the same call. A client whose calls are paced by a device (a block
 * or NIC client's WAIT per request) can outrun the default rate (100,000
 * messages a second) when the device answers at once; it then slows to it.
 *
 * At the default rate one message's credit comes back in 10 µs, less than a
 * few calls and yields take, so the caller first calls again after yielding
 * the CPU (anything else ready runs meanwhile). A sleep lasts until the next
 * tick (10 ms: task/sleep.ts), far longer than that, so only a caller still
 * throttled after THROTTLED_YIELDS tries (a task given a low rate) sleeps
 * between tries.
 */
import { u32, u64 } from "kts";
import { call, errorOf } from "./message";
import { sleepNanos, NANOS_PER_MILLI } from "../time";
import { sysYield } from "../sys/syscalls.generated";
import { ERR_THROTTLED } from "../errors";

/** Tries after a yield before the caller sleeps between tries. */
const THROTTLED_YIELDS: u32 = 64;

/** call(cap), calling again while the answer is Throttled. */
export function callPaced(cap: u64): u64 {
  for (let tries: u32 = 1; ; tries = u32(tries + 1)) {
    const r: u64 = call(cap);
    if (errorOf(r) != ERR_THROTTLED) return r;
    if (tries < THROTTLED_YIELDS) sysYield();
    else sleepNanos(NANOS_PER_MILLI);
  }
}
