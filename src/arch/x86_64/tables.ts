"use unsafe";
/**
 * The CPU tables: a GDT and a TSS per CPU, one IDT shared by all CPUs.
 *
 * GDT (selectors): 0x08 kernel code (64-bit), 0x10 kernel data, 0x18 unused
 * (32-bit user code slot), 0x20 user data, 0x28 user code (64-bit), 0x30 the
 * TSS (16 bytes). The user entries are laid out for SYSCALL/SYSRET (STAR:
 * kernel base 0x08, user base 0x18 -> SS 0x23, CS 0x2b).
 *
 * TSS: RSP0 = the kernel stack for entries from ring 3 (the CPU's own until
 * setKernelStack gives it the running task's), IST1 = a double-fault stack,
 * IST2 = an NMI stack, each CPU its own.
 *
 * IDT: vector v -> trap.S stub v, interrupt gates (IF cleared on entry), DPL 0,
 * except the breakpoint (DPL 3, so int3 works from user code later).
 */
import { u32, u64, usize, array } from "kts";
import { addressOf, store32 } from "kts/unsafe";
import { MAX_CPUS } from "../../kernel/boot/bootinfo";
import { setupPerCpu } from "./percpu";

declare function x86_load_gdt(base: usize, limit: u32): void;
declare function x86_load_idt(base: usize, limit: u32): void;
declare function x86_load_tr(selector: u32): void;
declare function x86_trap_stub(vector: u32): usize;

export const KERNEL_CS: u32 = 0x08;
export const KERNEL_DS: u32 = 0x10;
export const USER_DS: u32 = 0x23;
export const USER_CS: u32 = 0x2b;
const TSS_SEL: u32 = 0x30;

const GDT_ENTRIES = 8;
const TSS_WORDS = 26; // 104 bytes
const TSS_LIMIT: u64 = 103n;
const IST_BYTES = 8192;
const IST_WORDS = 1024;

/** IST slots used by the IDT. */
export const IST_DOUBLE_FAULT: u32 = 1;
export const IST_NMI: u32 = 2;

const gdts: u64[] = array(MAX_CPUS * GDT_ENTRIES, 0n);
const tss: u32[] = array(MAX_CPUS * TSS_WORDS, 0);
const idt: u64[] = array(512, 0n);
/** Per CPU: the double-fault stack, then the NMI stack. */
const istStacks: u64[] = array(MAX_CPUS * 2 * IST_WORDS, 0n);

let idtBuilt: boolean = false;

function istTop(cpu: u32, which: u32): usize {
  const base: usize = addressOf(istStacks);
  const slot: u64 = u64(u64(cpu) * 2n + u64(which - 1) + 1n);
  return usize(base + slot * u64(IST_BYTES)) & 0xffff_ffff_ffff_fff0n;
}

function buildIdt(): void {
  for (let v: u32 = 0; v < 256; v++) {
    const h: usize = x86_trap_stub(v);
    let ist: u64 = 0n;
    if (v == 8) ist = u64(IST_DOUBLE_FAULT);
    if (v == 2) ist = u64(IST_NMI);
    const attr: u64 = v == 3 ? 0xeen : 0x8en; // present, DPL, 64-bit interrupt gate
    idt[u32(v * 2)] = u64((h & 0xffffn) | (u64(KERNEL_CS) << 16n) | (ist << 32n) | (attr << 40n) | (((h >> 16n) & 0xffffn) << 48n));
    idt[u32(v * 2 + 1)] = h >> 32n;
  }
  idtBuilt = true;
}

function setTss64(cpu: u32, byteOffset: u32, v: u64): void {
  const p: usize = usize(addressOf(tss) + u64(cpu) * u64(TSS_WORDS * 4) + u64(byteOffset));
  // SAFETY: inside this CPU's TSS (offsets 4..100 of 104 bytes); the TSS has unaligned u64 fields.
  store32(p, u32(v & 0xffff_ffffn));
  store32(usize(p + 4n), u32(v >> 32n));
}

/** CPU `cpu`'s TSS RSP0: the stack interrupts and exceptions from ring 3 enter on. */
export function setTssRsp0(cpu: u32, top: usize): void {
  setTss64(cpu, 4, top);
}

/**
 * Builds and loads CPU `cpu`'s GDT and TSS, loads the IDT (built on first use),
 * and points GS at the CPU's per-CPU block. `stackTop` is the CPU's kernel
 * stack (TSS RSP0). Interrupts must be disabled.
 */
export function loadCpuTables(cpu: u32, stackTop: usize): void {
  if (!idtBuilt) buildIdt();
  const g: u32 = u32(cpu * GDT_ENTRIES);
  gdts[g] = 0n;
  gdts[u32(g + 1)] = 0x00af_9a00_0000_ffffn; // kernel code: 64-bit, DPL 0
  gdts[u32(g + 2)] = 0x00cf_9200_0000_ffffn; // kernel data
  gdts[u32(g + 3)] = 0n;
  gdts[u32(g + 4)] = 0x00cf_f200_0000_ffffn; // user data, DPL 3
  gdts[u32(g + 5)] = 0x00af_fa00_0000_ffffn; // user code: 64-bit, DPL 3

  const t: usize = usize(addressOf(tss) + u64(cpu) * u64(TSS_WORDS * 4));
  for (let i: u32 = 0; i < TSS_WORDS; i++) tss[u32(cpu * TSS_WORDS + i)] = 0;
  setTss64(cpu, 4, stackTop); // RSP0
  setTss64(cpu, 36, istTop(cpu, IST_DOUBLE_FAULT)); // IST1
  setTss64(cpu, 44, istTop(cpu, IST_NMI)); // IST2
  tss[u32(cpu * TSS_WORDS + 25)] = u32(104 << 16); // I/O map base past the limit: no bitmap

  // Available 64-bit TSS descriptor (type 9), present.
  gdts[u32(g + 6)] = u64((TSS_LIMIT & 0xffffn) | ((t & 0xff_ffffn) << 16n) | (0x89n << 40n) | (((TSS_LIMIT >> 16n) & 0xfn) << 48n) | (((t >> 24n) & 0xffn) << 56n));
  gdts[u32(g + 7)] = t >> 32n;

  // SAFETY: the tables just built stay in static storage for the kernel's lifetime.
  x86_load_gdt(usize(addressOf(gdts) + u64(g) * 8n), u32(GDT_ENTRIES * 8 - 1));
  x86_load_tr(TSS_SEL);
  x86_load_idt(addressOf(idt), 4095);
  setupPerCpu(cpu, stackTop);
}
