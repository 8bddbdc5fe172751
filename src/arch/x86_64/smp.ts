"use unsafe";
/**
 * Secondary CPUs and per-CPU identity.
 *
 * startSecondaryCpus copies trampoline.S to TRAMPOLINE_PA and starts each CPU
 * that interruptsInit found in the MADT, one at a time: it writes the CPU's
 * parameters (the kernel's CR3, a stack from apStacks, the CPU index) into the
 * trampoline, sends INIT-SIPI-SIPI and waits (1 s at most) until the CPU has
 * arrived in apStart. apStart runs the CPU's own tables (GDT, TSS, IDT, GS,
 * SYSCALL MSRs), its local APIC, and then the kernel's entry(index).
 * cpuIndex() reads the index from the per-CPU block at GS base.
 */
import { u32, u64, usize, array, print, panic } from "kts";
import { addressOf, load8, store8, store64, readSysreg, writeSysreg, rdmsr, wrmsr, atomicLoad32, atomicStore32, atomicFetchAdd32 } from "kts/unsafe";
import { BootInfo, MAX_CPUS } from "../../kernel/boot/bootinfo";
import { physToVirt } from "./memory";
import { loadCpuTables } from "./tables";
import { syscallCpuInit } from "./syscall";
import { cpuIndex as percpuIndex, pcpuGet, pcpuSet, PCPU_APIC_ID } from "./percpu";
import { lapicInitThisCpu, delayNanos, monotonicNanos } from "./timer";
import { sendInit, sendStartup, sendNmi } from "./lapic";
import { haltHere, setStopOthers } from "./cpu";

declare function x86_ap_trampoline_start(): usize;
declare function x86_ap_trampoline_end(): usize;

/** Where the trampoline runs: below 1 MiB (reserved from the frame allocator), page-aligned. */
const TRAMPOLINE_PA: u64 = 0x8000n;
const TRAMP_CR3: u64 = 8n;
const TRAMP_STACK: u64 = 16n;
const TRAMP_INDEX: u64 = 24n;

const IA32_EFER: u32 = 0xc000_0080;

const STACK_BYTES = 16384;
const STACK_WORDS = 2048;
/** Kernel stacks of CPUs 1..MAX_CPUS-1 (CPU 0 runs on the boot stack). */
const apStacks: u64[] = array((MAX_CPUS - 1) * STACK_WORDS, 0n);

/** [0] = CPUs online, [1] = set by the CPU being started once it has arrived. */
const counters: u32[] = array(2, 0);
/** 1 once CPU i runs with its own tables (it can take an NMI). */
const onlineFlags: u32[] = array(MAX_CPUS, 0);

let apEntry: (cpu: u32) => void = noEntry;
/** The boot CPU's control registers, copied by every AP (the trampoline sets only the bits it needs). */
let bspCr0: u64 = 0n;
let bspCr4: u64 = 0n;
let bspEfer: u64 = 0n;

function noEntry(cpu: u32): void {
  print(`cpu ${cpu}: no entry`);
}

/** This CPU's index (0 = boot CPU). */
export function cpuIndex(): u32 {
  return percpuIndex();
}

/** Top of the kernel stack of CPU `index` (1 .. MAX_CPUS-1): the end of slot index-1. */
function apStackTop(index: u32): usize {
  return usize(addressOf(apStacks) + u64(index) * u64(STACK_BYTES)) & 0xffff_ffff_ffff_fff0n;
}

function copyTrampoline(): void {
  const src: usize = x86_ap_trampoline_start();
  const len: u64 = u64(x86_ap_trampoline_end() - src);
  if (len > 4096n) panic(`smp: trampoline too large (${len} bytes)`);
  const dst: usize = physToVirt(TRAMPOLINE_PA);
  // SAFETY: the first MiB is reserved from the frame allocator; the page is identity- and direct-mapped.
  for (let i: u64 = 0n; i < len; i = u64(i + 1n)) store8(usize(dst + i), load8(usize(src + i)));
}

function arrived(): boolean {
  return atomicLoad32(usize(addressOf(counters) + 4n)) != 0;
}

/** Sends INIT-SIPI-SIPI to apicId and waits for the CPU to arrive in apStart. */
function startOne(index: u32, apicId: u32): boolean {
  const t: usize = physToVirt(TRAMPOLINE_PA);
  store64(usize(t + TRAMP_CR3), readSysreg("CR3"));
  store64(usize(t + TRAMP_STACK), apStackTop(index));
  store64(usize(t + TRAMP_INDEX), u64(index));
  atomicStore32(usize(addressOf(counters) + 4n), 0);
  const page: u32 = u32(TRAMPOLINE_PA >> 12n);
  sendInit(apicId);
  delayNanos(10_000_000n);
  sendStartup(apicId, page);
  delayNanos(200_000n);
  if (!arrived()) {
    sendStartup(apicId, page);
    delayNanos(200_000n);
  }
  const deadline: u64 = u64(monotonicNanos() + 1_000_000_000n);
  while (!arrived()) {
    if (monotonicNanos() > deadline) return false;
  }
  return true;
}

/**
 * Starts every CPU in info after the boot CPU; each runs entry(index) on its own
 * stack. Returns the number of CPUs online, the boot CPU included.
 */
export function startSecondaryCpus(info: BootInfo, entry: (cpu: u32) => void): u32 {
  apEntry = entry;
  const online: usize = addressOf(counters);
  atomicStore32(online, 1);
  atomicStore32(addressOf(onlineFlags), 1);
  setStopOthers(stopOtherCpus);
  if (info.cpuCount <= 1) return 1;
  // "| 0n": works around the compiler stripping the parentheses of readSysreg's statement expression.
  bspCr0 = readSysreg("CR0") | 0n;
  bspCr4 = readSysreg("CR4") | 0n;
  bspEfer = rdmsr(IA32_EFER);
  copyTrampoline();
  for (let i: u32 = 1; i < info.cpuCount; i++) {
    const apicId: u32 = u32(info.cpuHwIds[i]);
    if (info.cpuHwIds[i] > 254n) {
      print(`smp: cpu ${i} has APIC id ${info.cpuHwIds[i]}, beyond xAPIC reach: not started`);
      continue;
    }
    if (!startOne(i, apicId)) print(`smp: cpu ${i} (APIC id ${apicId}) did not start`);
  }
  return atomicLoad32(online);
}

/**
 * Stops every other online CPU with an NMI (a panic's haltForever): their NMI
 * handler halts them. CPUs still on their way in are left alone: an NMI in the
 * trampoline, before the IDT, would reset the machine.
 */
function stopOtherCpus(): void {
  const me: u32 = cpuIndex();
  for (let i: u32 = 0; i < MAX_CPUS; i++) {
    if (i == me || atomicLoad32(usize(addressOf(onlineFlags) + u64(i) * 4n)) == 0) continue;
    sendNmi(u32(pcpuGet(i, PCPU_APIC_ID)));
  }
}

/** A secondary CPU's first KTS code (trampoline.S), on its own stack, interrupts off. */
export function apStart(index: u32): void {
  // SAFETY: the boot CPU's settings; the trampoline already set the subset it needed.
  writeSysreg("CR4", bspCr4);
  wrmsr(IA32_EFER, bspEfer);
  writeSysreg("CR0", bspCr0);
  loadCpuTables(index, apStackTop(index));
  syscallCpuInit();
  const apicId: u32 = lapicInitThisCpu(false);
  pcpuSet(index, PCPU_APIC_ID, u64(apicId));
  atomicFetchAdd32(addressOf(counters), 1);
  atomicStore32(usize(addressOf(onlineFlags) + u64(index) * 4n), 1);
  atomicStore32(usize(addressOf(counters) + 4n), 1);
  apEntry(index);
  haltHere();
}
