"use unsafe";
/**
 * `cambi bench`'s breakdown of the IPC round trip: in an image built with the
 * probes (the build switch kts_build_probes(), compiler/build/build-config-c.ts;
 * in any other image a probe is no code at all) and `probe=ipc` on the
 * kernel command line, the IPC system calls add the guest time (monotonic ns:
 * one guest instruction each under QEMU -icount shift=0) spent in each part to
 * a counter: the user<->kernel message copies, the capability lookup, the
 * interceptor and IPC core, and the switch (waking, blocking, the scheduler and
 * the context switch). What is left of a round trip (syscall entry and exit,
 * dispatch, the user code of the loop) is the bench's total minus these.
 * The first send ends it (the ping client's one-way sends come after its round
 * trips). Built in but off, a probe is one load and one branch.
 */
import { u32, u64, bool, array } from "kts";
import { monotonicNanos } from "arch";

export const PART_COPY: u32 = 0;
export const PART_CAP: u32 = 1;
export const PART_INTERCEPT: u32 = 2;
export const PART_SWITCH: u32 = 3;
export const PARTS: u32 = 4;

/** Whether this image was built with the probes (a constant under LTO). */
declare function kts_build_probes(): bool;

let on: bool = false;
let enabled: bool = false;
/** Time of the last mark (probes run under the scheduler lock, one CPU: the bench boots one). */
let last: u64 = 0n;
/** The guest time of one probe itself, subtracted from every part it closes. */
let selfCost: u64 = 0n;
const spent: u64[] = array(4, 0n);
const marks: u64[] = array(4, 0n);

/** Turns the probes on (the bench's second boot of the ping pair) and measures a probe's own cost. */
export function probeEnable(): void {
  on = true;
  enabled = true;
  const a: u64 = monotonicNanos();
  const b: u64 = monotonicNanos();
  selfCost = u64(b - a);
}

/** Whether this boot probed (the totals are worth printing): asked for, and built in. */
export function probing(): bool {
  return enabled && kts_build_probes();
}

/** The bench's one-way sends come after its round trips: the first send ends the probing. */
export function probeStop(): void {
  on = false;
}

/** Starts timing a part. Off: one load and one branch, inlined into the IPC paths (the work is out of line). */
export function probeStart(): void {
  if (kts_build_probes() && on) start();
}

/** @cold */
function start(): void {
  last = monotonicNanos();
}

/** Ends the part started last: its time is added to `part`, and the next part starts now. */
export function probeMark(part: u32): void {
  if (kts_build_probes() && on) mark(part);
}

/** @cold */
function mark(part: u32): void {
  const now: u64 = monotonicNanos();
  const d: u64 = u64(now - last);
  spent[part] = u64(spent[part] + (d > selfCost ? u64(d - selfCost) : 0n));
  marks[part] = u64(marks[part] + 1n);
  last = monotonicNanos();
}

/** Guest time spent in a part so far. */
export function probeSpent(part: u32): u64 {
  return spent[part];
}
