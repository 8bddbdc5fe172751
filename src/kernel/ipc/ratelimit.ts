/**
 * A token bucket per sending task: `perSecond` messages per second sustained, up
 * to `burst` at once. Time is the caller's monotonic clock in nanoseconds.
 *
 * Credit is kept in nano-messages (one message = NS_PER_SEC units) so refill is
 * exact integer arithmetic: `elapsed_ns * perSecond` units per refill. The refill
 * never overflows: when the elapsed time would more than fill the bucket it is
 * simply filled, so the product stays below the missing credit. A clock that
 * goes backwards refills nothing. RATE_UNLIMITED turns the bucket off.
 */
import { u32, u64, bool } from "kts";

export const NS_PER_SEC: u64 = 1_000_000_000n;
/** perSecond value meaning "no limit". */
export const RATE_UNLIMITED: u32 = 0xffff_ffff;
/** What a new task gets until the kernel configures it. */
export const DEFAULT_RATE: u32 = 100_000;
export const DEFAULT_BURST: u32 = 64;

/** @align 64 — indexed by task on every send and call: a shift, not a multiply (40 bytes of fields) */
export class TokenBucket {
  perSecond: u32 = DEFAULT_RATE;
  burst: u32 = DEFAULT_BURST;
  /** Available credit in nano-messages, at most burst * NS_PER_SEC. */
  credit: u64 = 0n;
  /** When credit was last brought up to date. */
  last: u64 = 0n;
  /** Messages refused since configure(). */
  throttled: u64 = 0n;
  /** Nanoseconds that fill an empty bucket (ceil(capacity / perSecond)); 0 until refill first needs it. */
  fillNanos: u64 = 0n;

  /** Sets the rate and burst and fills the bucket. */
  configure(perSecond: u32, burst: u32, now: u64): void {
    this.perSecond = perSecond;
    this.burst = burst;
    this.credit = this.capacity();
    this.last = now;
    this.throttled = 0n;
    this.fillNanos = 0n;
  }

  capacity(): u64 {
    return u64(u64(this.burst) * NS_PER_SEC);
  }

  /** Brings credit up to date at now. */
  refill(now: u64): void {
    if (now <= this.last) return;
    const elapsed: u64 = u64(now - this.last);
    this.last = now;
    const cap: u64 = this.capacity();
    if (this.credit >= cap) return;
    const rate: u64 = u64(this.perSecond);
    if (rate == 0n) return;
    // No division on the IPC path: past fillNanos any bucket is full; below it
    // elapsed * rate < capacity + rate, which cannot overflow.
    if (this.fillNanos == 0n) this.fillNanos = u64(u64(u64(cap + rate) - 1n) / rate);
    if (elapsed >= this.fillNanos) {
      this.credit = cap;
      return;
    }
    const more: u64 = u64(this.credit + u64(elapsed * rate));
    this.credit = more < cap ? more : cap;
  }

  /** Whether take(now) would succeed (refilling, which take would do anyway, but taking nothing). */
  wouldTake(now: u64): bool {
    if (this.perSecond == RATE_UNLIMITED) return true;
    this.refill(now);
    return this.credit >= NS_PER_SEC;
  }

  /** Takes the one message's credit wouldTake just found (refilled then, at the same now). */
  spend(): void {
    if (this.perSecond != RATE_UNLIMITED) this.credit = u64(this.credit - NS_PER_SEC);
  }

  /** Takes one message's credit at now; false (and counted) if there is none. */
  take(now: u64): bool {
    if (!this.wouldTake(now)) {
      this.throttled = u64(this.throttled + 1n);
      return false;
    }
    this.spend();
    return true;
  }

  /** Whole messages available at the last refill. */
  available(): u32 {
    return u32(this.credit / NS_PER_SEC);
  }
}
