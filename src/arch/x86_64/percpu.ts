"use unsafe";
/**
 * Per-CPU data: one 64-byte block per CPU, whose address is this CPU's GS base
 * (IA32_GS_BASE) while kernel code runs. cpuIndex() is a single GS-relative
 * load. Slots (u64 each): 0 = CPU index, 1 = the block's own address, 2 = APIC
 * id, 3 = top of the CPU's kernel stack, 4 = nesting depth of fault reports,
 * 5 = the kernel stack the SYSCALL entry switches to (setKernelStack), 6 = the
 * user RSP, saved there by the SYSCALL entry for a moment. usermode.S reads 5
 * and 6 GS-relative (byte offsets 40 and 48): keep them in step.
 */
import { u32, u64, usize, array } from "kts";
import { addressOf, load64, store64, wrmsr, gsRead32 } from "kts/unsafe";
import { MAX_CPUS } from "../../kernel/boot/bootinfo";

const IA32_GS_BASE: u32 = 0xc000_0101;
const IA32_KERNEL_GS_BASE: u32 = 0xc000_0102;
const SLOTS = 8;

export const PCPU_INDEX: u32 = 0;
export const PCPU_SELF: u32 = 1;
export const PCPU_APIC_ID: u32 = 2;
export const PCPU_STACK_TOP: u32 = 3;
export const PCPU_FAULT_DEPTH: u32 = 4;
export const PCPU_SYSCALL_STACK: u32 = 5;
export const PCPU_USER_RSP: u32 = 6;

const blocks: u64[] = array(MAX_CPUS * SLOTS, 0n);
/** Set once the boot CPU's GS base is valid: until then cpuIndex() is 0 without reading GS. */
let gsReady: boolean = false;

/** This CPU's index (0 = boot CPU), from the per-CPU block at GS base. */
export function cpuIndex(): u32 {
  if (!gsReady) return 0;
  // SAFETY: GS base points at this CPU's block from setupPerCpu on (before that, gsReady is false).
  return gsRead32(0n);
}

/** The per-CPU block of CPU `index` (its GS base). */
export function blockOf(index: u32): usize {
  return usize(addressOf(blocks) + u64(index) * u64(SLOTS * 8));
}

export function pcpuGet(index: u32, slot: u32): u64 {
  return load64(usize(blockOf(index) + u64(slot) * 8n));
}

export function pcpuSet(index: u32, slot: u32, v: u64): void {
  store64(usize(blockOf(index) + u64(slot) * 8n), v);
}

/** Fills CPU `index`'s block and points this CPU's GS base at it (after the GDT load, which clears GS). */
export function setupPerCpu(index: u32, stackTop: usize): void {
  const b = blockOf(index);
  pcpuSet(index, PCPU_INDEX, u64(index));
  pcpuSet(index, PCPU_SELF, b);
  pcpuSet(index, PCPU_STACK_TOP, stackTop);
  pcpuSet(index, PCPU_FAULT_DEPTH, 0n);
  pcpuSet(index, PCPU_SYSCALL_STACK, stackTop);
  pcpuSet(index, PCPU_USER_RSP, 0n);
  // SAFETY: GS base and the inactive (user) GS base; nothing else uses GS.
  wrmsr(IA32_GS_BASE, b);
  wrmsr(IA32_KERNEL_GS_BASE, 0n);
  gsReady = true;
}
