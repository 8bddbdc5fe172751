/**
 * In-kernel CPU suites: the timer ticks on every online CPU, and a deliberate
 * page fault is caught and reported.
 */
import { u32, u64, print, check } from "kts";
import { monotonicNanos } from "arch";
import { ticksOf } from "../main";

export function ticksSuite(online: u32): void {
  print(`test ticks: the timer ticks on each of ${online} CPUs`);
  const t0: u64 = monotonicNanos();
  for (let cpu: u32 = 0; cpu < online; cpu++) {
    const start: u64 = ticksOf(cpu);
    let spins: u64 = 0n;
    while (ticksOf(cpu) < u64(start + 3n) && spins < 2_000_000_000n) spins = u64(spins + 1n);
    check(ticksOf(cpu) >= u64(start + 3n), `cpu ${cpu} ticked ${u64(ticksOf(cpu) - start)} times`);
  }
  const t1: u64 = monotonicNanos();
  check(t1 > t0, "the monotonic clock advances");
}

export function faultSuite(online: u32): void {
  print("test fault: a deliberate page fault is caught and reported");
  check(online >= 1, "at least one CPU");
  check(false, "probeRead64 is not available yet");
}
