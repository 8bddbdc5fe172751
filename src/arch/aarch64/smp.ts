"use unsafe";
/**
 * Secondary CPUs and per-CPU identity. TPIDR_EL1 holds each CPU's index (set
 * by entry.S before any KTS code runs: 0 on the boot CPU). startSecondaryCpus
 * powers the other CPUs of BootInfo on one at a time through PSCI CPU_ON; each
 * enters entry.S's secondary_entry (MMU on with the boot tables, its own stack,
 * vectors, TPIDR_EL1), then secondaryMain here: its GIC redistributor and CPU
 * interface, check-in, and the kernel's entry(index).
 */
import { u32, u64, usize, bool, print, hex, array, i64 } from "kts";
import { readSysreg, addressOf, atomicLoad32, atomicStore32, atomicCas32, cpuRelax } from "kts/unsafe";
import { BootInfo, MAX_CPUS } from "../../kernel/boot/bootinfo";
import { psci, haltForever } from "./cpu";
import { virtToPhys } from "./memory";
import { gicCpuInit } from "./gic";

declare function arch_secondary_entry_va(): usize;

const PSCI_CPU_ON: u64 = 0xc400_0003n;
const PSCI_SUCCESS: u64 = 0n;
/** PSCI INVALID_PARAMETERS (-2): no such CPU. */
const PSCI_INVALID_PARAMETERS: u64 = 0xffff_ffff_ffff_fffen;
/** The affinity fields of MPIDR_EL1 (Aff3, Aff2, Aff1, Aff0). */
const MPIDR_AFFINITY: u64 = 0xff_00ff_ffffn;
/** How long the boot CPU waits for a started CPU to check in. */
const ARRIVAL_TIMEOUT_MS: u64 = 2000n;

// A started CPU's state: STARTING until it checks in (ARRIVED) or the boot CPU
// gives up on it (ABANDONED); one compare-and-swap decides, so a late CPU parks
// instead of running the kernel uncounted.
const STARTING: u32 = 1;
const ARRIVED: u32 = 2;
const ABANDONED: u32 = 3;

let apEntry: (cpu: u32) => void = noEntry;
const state: u32[] = array(MAX_CPUS, 0);
/** Each CPU's MPIDR affinity, by index. */
const mpidrOf: u64[] = array(MAX_CPUS, 0n);

function noEntry(cpu: u32): void {
  print(`cpu ${cpu}: no entry`);
}

/**
 * This CPU's index (0 = boot CPU), from TPIDR_EL1. Every index written there is
 * below MAX_CPUS (startSecondaryCpus counts up to it), so the `%` changes
 * nothing (a mask: MAX_CPUS is a power of two); it tells the compiler the
 * range, and the per-CPU tables indexed with it need no bounds check (two
 * instructions per use).
 */
export function cpuIndex(): u32 {
  return u32(u32(readSysreg("TPIDR_EL1")) % MAX_CPUS);
}

/** The MPIDR affinity of CPU index cpu (after startSecondaryCpus). */
export function cpuMpidr(cpu: u32): u64 {
  return mpidrOf[cpu];
}

function stateAddr(cpu: u32): usize {
  return usize(addressOf(state) + u64(cpu) * 4n);
}

/**
 * Starts every CPU of info other than this one (by MPIDR; with no CPU list,
 * MPIDR = index until PSCI says there is no such CPU) and waits for each to
 * check in. Returns how many CPUs are online, the boot CPU included.
 */
export function startSecondaryCpus(info: BootInfo, entry: (cpu: u32) => void): u32 {
  apEntry = entry;
  const self: u64 = readSysreg("MPIDR_EL1") & MPIDR_AFFINITY;
  mpidrOf[0] = self;
  atomicStore32(stateAddr(0), ARRIVED);
  let online: u32 = 1;
  let next: u32 = 1;
  if (info.cpuCount == 0) {
    for (let i: u32 = 1; i < MAX_CPUS; i++) {
      const r: u64 = cpuOn(i, u64(i));
      if (r == PSCI_INVALID_PARAMETERS) break;
      if (r == PSCI_SUCCESS && waitForArrival(i)) online = u32(online + 1);
    }
    return online;
  }
  for (let i: u32 = 0; i < info.cpuCount; i++) {
    const mpidr: u64 = info.cpuHwIds[i] & MPIDR_AFFINITY;
    if (mpidr == self) continue;
    if (next == MAX_CPUS) {
      print(`cpu MPIDR ${hex(mpidr)} and later not started: at most ${MAX_CPUS} CPUs`);
      break;
    }
    const r: u64 = cpuOn(next, mpidr);
    if (r == PSCI_SUCCESS) {
      if (waitForArrival(next)) online = u32(online + 1);
    } else {
      print(`cpu ${next}: PSCI CPU_ON for MPIDR ${hex(mpidr)} failed (${i64(r)})`);
    }
    next = u32(next + 1);
  }
  return online;
}

/** PSCI CPU_ON: the CPU mpidr starts at secondary_entry with x0 = index. */
function cpuOn(index: u32, mpidr: u64): u64 {
  mpidrOf[index] = mpidr;
  atomicStore32(stateAddr(index), STARTING);
  const entryPa: usize = virtToPhys(arch_secondary_entry_va());
  return psci(PSCI_CPU_ON, mpidr, entryPa, u64(index));
}

/** Waits until CPU index checks in; on timeout marks it abandoned and returns false. */
function waitForArrival(index: u32): bool {
  const hz: u64 = readSysreg("CNTFRQ_EL0") & 0xffff_ffffn;
  const start: u64 = readSysreg("CNTVCT_EL0") | 0n; // "| 0n": a bare readSysreg() initializer loses its ({ }) in the C (cambi bug)
  const limit: u64 = u64(u64(hz * ARRIVAL_TIMEOUT_MS) / 1000n);
  const addr: usize = stateAddr(index);
  while (u64(readSysreg("CNTVCT_EL0") - start) < limit) {
    if (atomicLoad32(addr) == ARRIVED) return true;
    cpuRelax();
  }
  if (atomicCas32(addr, STARTING, ABANDONED)) {
    print(`cpu ${index} (MPIDR ${hex(mpidrOf[index])}) did not come online within ${ARRIVAL_TIMEOUT_MS} ms`);
    return false;
  }
  return true;
}

/** A secondary CPU, from entry.S: its interrupt controller, check-in, then the kernel. */
export function secondaryMain(cpu: u32): void {
  gicCpuInit(cpu);
  if (!atomicCas32(stateAddr(cpu), STARTING, ARRIVED)) haltForever();
  apEntry(cpu);
  haltForever();
}
