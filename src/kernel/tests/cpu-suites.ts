/**
 * In-kernel CPU suites: the timer ticks on every online CPU; a deliberate page
 * fault is caught and reported (not fatal) through probeRead64; a TLB
 * shootdown reaches every CPU (cross-calls make each CPU read a page); and a
 * CPU that takes longer than 2 s to answer a cross-call is waited for, not a
 * panic (a task that keeps a CPU busy must not be able to stop the machine).
 */
import { u32, u64, usize, array, print, check, spinWait } from "kts";
import { monotonicNanos, probeRead64, physToVirt, cpuIndex } from "arch";
import { ticksOf } from "../main";
import { FrameUse, frameOwner, frames } from "../mem/index";
import { MAX_CPUS } from "../boot/bootinfo";
import { MapError } from "../mem/paging";
import { MAP_WRITE } from "../mem/flags";
import { kernelMap, kernelUnmap } from "../mem/shootdown";
import { crossCallOthers } from "../task/crosscall";

/** The owner of the frames these suites take (the frame checker names it). */
const TEST_OWNER: u32 = frameOwner(FrameUse.Test, 0);

/** Spins until cpu's timer has ticked n more times (or a generous bound passes). */
function waitTicks(cpu: u32, n: u64): void {
  const start: u64 = ticksOf(cpu);
  let spins: u64 = 0n;
  while (ticksOf(cpu) < u64(start + n) && spins < 200_000_000n) {
    spinWait();
    spins = u64(spins + 1n);
  }
}

export function ticksSuite(online: u32): void {
  print(`test ticks: the timer ticks on each of ${online} CPUs`);
  const t0: u64 = monotonicNanos();
  for (let cpu: u32 = 0; cpu < online; cpu++) {
    const start: u64 = ticksOf(cpu);
    waitTicks(cpu, 3n);
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
  const pa = frames.alloc(TEST_OWNER);
  check(probeRead64(physToVirt(pa)), "a mapped read succeeds");
  frames.free(pa, TEST_OWNER);
  check(online >= 1, "at least one CPU");
}

/** A kernel-half address nothing else maps (above both arches' direct maps). */
const SCRATCH_VA: usize = 0xffff_c000_0000_0000n;
/** Per CPU: 1 if its read of the scratch page succeeded, 2 if it faulted. */
const sawPage: u32[] = array(MAX_CPUS, 0);

function readScratch(cpu: u32): void {
  sawPage[cpu] = probeRead64(SCRATCH_VA) ? 1 : 2;
}

export function crossCallSuite(online: u32): void {
  print(`test shootdown: a kernel page unmapped on one CPU is gone on all ${online}`);
  const pa: usize = frames.alloc(TEST_OWNER);
  check(kernelMap(SCRATCH_VA, pa, 4096n, MAP_WRITE) == MapError.Ok, "scratch page mapped");
  // Every CPU reads it, so every TLB holds the translation.
  for (let c: u32 = 0; c < MAX_CPUS; c++) sawPage[c] = 0;
  readScratch(cpuIndex());
  crossCallOthers(readScratch);
  for (let c: u32 = 0; c < online; c++) check(sawPage[c] == 1, `cpu ${c} reads the mapped page (saw ${sawPage[c]})`);
  check(kernelUnmap(SCRATCH_VA, 4096n) == MapError.Ok, "unmapped");
  // Without the shootdown the other CPUs would still read it through their stale TLB entries.
  readScratch(cpuIndex());
  crossCallOthers(readScratch);
  for (let c: u32 = 0; c < online; c++) check(sawPage[c] == 2, `cpu ${c} faults on the unmapped page (saw ${sawPage[c]})`);
  // The call ran once per CPU: the caller's own next interrupt exit does not run it again.
  const me: u32 = cpuIndex();
  sawPage[me] = 0;
  waitTicks(me, 2n);
  check(sawPage[me] == 0, `the calling cpu ${me} did not run its own cross-call`);
  check(kernelUnmap(SCRATCH_VA, 4096n) == MapError.NotMapped, "a second unmap reports NotMapped");
  frames.free(pa, TEST_OWNER);
}

/** How long the slow CPU keeps its interrupts masked: longer than the cross-call's report threshold (2 s). */
const SLOW_NS: u64 = 2_500_000_000n;
let slowCpu: u32 = 0;
const answeredSlow: u32[] = array(MAX_CPUS, 0);

function answerSlowly(cpu: u32): void {
  if (cpu == slowCpu) {
    const until: u64 = u64(monotonicNanos() + SLOW_NS);
    while (monotonicNanos() < until) spinWait();
  }
  answeredSlow[cpu] = 1;
}

export function slowCpuSuite(online: u32): void {
  print(`test slow-cpu: a cross-call waits for a CPU that answers after 2.5 s`);
  if (online < 2) return;
  slowCpu = u32(u32(cpuIndex() + 1) % online);
  for (let c: u32 = 0; c < MAX_CPUS; c++) answeredSlow[c] = 0;
  const start: u64 = monotonicNanos();
  crossCallOthers(answerSlowly);
  check(u64(monotonicNanos() - start) >= SLOW_NS, "the call waited for the slow CPU");
  for (let c: u32 = 0; c < online; c++) check(c == cpuIndex() || answeredSlow[c] == 1, `cpu ${c} answered`);
}
