/**
 * In-kernel CPU suites: the timer ticks on every online CPU, and a deliberate
 * page fault is caught and reported (not fatal) through probeRead64.
 */
import { u32, u64, print, check, spinWait } from "kts";
import { monotonicNanos, probeRead64, physToVirt } from "arch";
import { ticksOf } from "../main";
import { frames } from "../mem/index";

export function ticksSuite(online: u32): void {
  print(`test ticks: the timer ticks on each of ${online} CPUs`);
  const t0: u64 = monotonicNanos();
  for (let cpu: u32 = 0; cpu < online; cpu++) {
    const start: u64 = ticksOf(cpu);
    let spins: u64 = 0n;
    while (ticksOf(cpu) < u64(start + 3n) && spins < 200_000_000n) {
      spinWait();
      spins = u64(spins + 1n);
    }
    check(ticksOf(cpu) >= u64(start + 3n), `cpu ${cpu} ticked ${u64(ticksOf(cpu) - start)} times`);
  }
  const t1: u64 = monotonicNanos();
  check(t1 > t0, "the monotonic clock advances");
}

export function faultSuite(online: u32): void {
  print("test fault: deliberate page faults are caught and reported");
  check(!probeRead64(0n), "a null read faults");
  check(!probeRead64(0x7000_0000_0000n), "an unmapped user-half read faults");
  check(!probeRead64(0xffff_7fff_ffff_f000n), "an unmapped kernel-half read faults");
  const pa = frames.alloc();
  check(probeRead64(physToVirt(pa)), "a mapped read succeeds");
  frames.free(pa);
  check(online >= 1, "at least one CPU");
}
