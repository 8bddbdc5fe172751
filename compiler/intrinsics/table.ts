/**
 * The intrinsics table: every prelude function that lowers to a fixed piece of C.
 * One row per intrinsic gives its module, signature, the arches it exists on,
 * whether it needs a privileged CPU (so not the host target), and the C template
 * ($0, $1 … are the lowered arguments). The Node implementations live in
 * src/prelude/*.ts under the same names; test/compiler/intrinsics.test.ts checks
 * that both sides list the same names. Calls the lowering must shape itself
 * (conversions, print, panic, arrays) are marked `special`.
 */
import type { IntName } from "../types/ktype.js";

export type Arch = "x86_64" | "aarch64";
export type ParamSpec = IntName | "bool" | "any-int" | "string" | "array" | "bytes" | "u32s" | "u64s" | "special";

export interface Intrinsic {
  module: "kts" | "kts/unsafe" | "kts/host";
  params: ParamSpec[];
  ret: IntName | "bool" | "void" | "never" | "special";
  c?: string;
  /** Per-arch C, for intrinsics that exist on both arches with different code. */
  cByArch?: Record<Arch, string>;
  arches?: Arch[];
  privileged?: boolean;
  special?: boolean;
  /**
   * An atomic that takes an optional last argument, its memory order (a prelude
   * constant; SEQ_CST when left out): `$order` in the C becomes it, and `$fail`
   * a compare-and-swap's order on failure. The kind says which orders are allowed.
   */
  order?: OrderKind;
}

export type OrderKind = "load" | "store" | "rmw" | "fence";

/** The prelude's memory-order constants, as C11 numbers them (__ATOMIC_*). */
export const MEMORY_ORDERS: Record<string, { value: number; c: string }> = {
  RELAXED: { value: 0, c: "__ATOMIC_RELAXED" },
  ACQUIRE: { value: 2, c: "__ATOMIC_ACQUIRE" },
  RELEASE: { value: 3, c: "__ATOMIC_RELEASE" },
  ACQ_REL: { value: 4, c: "__ATOMIC_ACQ_REL" },
  SEQ_CST: { value: 5, c: "__ATOMIC_SEQ_CST" },
};

/** The orders each kind of atomic allows (C11: a load cannot release, a store cannot acquire, a fence is never relaxed). */
export const ORDERS_ALLOWED: Record<OrderKind, string[]> = {
  load: ["RELAXED", "ACQUIRE", "SEQ_CST"],
  store: ["RELAXED", "RELEASE", "SEQ_CST"],
  rmw: ["RELAXED", "ACQUIRE", "RELEASE", "ACQ_REL", "SEQ_CST"],
  fence: ["ACQUIRE", "RELEASE", "ACQ_REL", "SEQ_CST"],
};

/** A compare-and-swap's order when it fails (it only loads): never stronger than allowed for a load. */
export function failureOrder(order: string): string {
  return order === "ACQ_REL" ? "ACQUIRE" : order === "RELEASE" ? "RELAXED" : order;
}

const conv = (): Intrinsic => ({ module: "kts", params: ["any-int"], ret: "special", special: true });
const load = (t: IntName): Intrinsic => ({ module: "kts/unsafe", params: ["usize"], ret: t, c: `(*(${cOf(t)} *)(uintptr_t)($0))` });
const store = (t: IntName): Intrinsic => ({ module: "kts/unsafe", params: ["usize", t], ret: "void", c: `(*(${cOf(t)} *)(uintptr_t)($0) = ($1))` });
const mmioR = (t: IntName): Intrinsic => ({ module: "kts/unsafe", params: ["usize"], ret: t, c: `(*(volatile ${cOf(t)} *)(uintptr_t)($0))`, privileged: true });
const mmioW = (t: IntName): Intrinsic => ({ module: "kts/unsafe", params: ["usize", t], ret: "void", c: `(*(volatile ${cOf(t)} *)(uintptr_t)($0) = ($1))`, privileged: true });
const x86 = (params: ParamSpec[], ret: Intrinsic["ret"], c: string): Intrinsic => ({ module: "kts/unsafe", params, ret, c, arches: ["x86_64"], privileged: true });
const a64 = (params: ParamSpec[], ret: Intrinsic["ret"], c: string): Intrinsic => ({ module: "kts/unsafe", params, ret, c, arches: ["aarch64"], privileged: true });
const both = (params: ParamSpec[], ret: Intrinsic["ret"], x: string, a: string, privileged = true): Intrinsic => ({
  module: "kts/unsafe",
  params,
  ret,
  cByArch: { x86_64: x, aarch64: a },
  privileged,
});
function cOf(t: IntName): string {
  return { u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", i8: "int8_t", i16: "int16_t", i32: "int32_t", u64: "uint64_t", i64: "int64_t", usize: "uint64_t", isize: "int64_t" }[t];
}
/** readU16Be … writeU64Le: a field of type t at a byte offset of a u8[], big- or little-endian. */
const layoutFields = (t: "u16" | "u32" | "u64") => {
  const rows: Record<string, Intrinsic> = {};
  for (const order of ["Be", "Le"]) {
    const c = `${t}${order.toLowerCase()}`;
    rows[`read${t.toUpperCase()}${order}`] = { module: "kts", params: ["bytes", "u32"], ret: t, c: `kts_read_${c}($0, $1, $site)` };
    rows[`write${t.toUpperCase()}${order}`] = { module: "kts", params: ["bytes", "u32", t], ret: "void", c: `kts_write_${c}($0, $1, $2, $site)` };
  }
  return rows;
};

/** Atomic operations on an element of a u32[]/u64[] (index checked): shared counters, ring indexes, flags. */
const atomicAt = (t: "u32" | "u64") => {
  const n = t.slice(1);
  const arr = t === "u32" ? "u32s" : "u64s";
  return {
    [`atomicLoadAt${n}`]: { module: "kts", params: [arr, "u32"], ret: t, order: "load", c: `kts_atomic_load_at${n}($0, $1, $order, $site)` },
    [`atomicStoreAt${n}`]: { module: "kts", params: [arr, "u32", t], ret: "void", order: "store", c: `kts_atomic_store_at${n}($0, $1, $2, $order, $site)` },
    [`atomicFetchAddAt${n}`]: { module: "kts", params: [arr, "u32", t], ret: t, order: "rmw", c: `kts_atomic_fetch_add_at${n}($0, $1, $2, $order, $site)` },
    [`atomicSwapAt${n}`]: { module: "kts", params: [arr, "u32", t], ret: t, order: "rmw", c: `kts_atomic_swap_at${n}($0, $1, $2, $order, $site)` },
    [`atomicCasAt${n}`]: { module: "kts", params: [arr, "u32", t, t], ret: "bool", order: "rmw", c: `kts_atomic_cas_at${n}($0, $1, $2, $3, $order, $fail, $site)` },
  } satisfies Record<string, Intrinsic>;
};

const atomic = (t: "u32" | "u64") => {
  const c = cOf(t);
  const n = t.slice(1);
  return {
    [`atomicLoad${n}`]: { module: "kts/unsafe", params: ["usize"], ret: t, order: "load", c: `__atomic_load_n((${c} *)(uintptr_t)($0), $order)` },
    [`atomicStore${n}`]: { module: "kts/unsafe", params: ["usize", t], ret: "void", order: "store", c: `__atomic_store_n((${c} *)(uintptr_t)($0), ($1), $order)` },
    [`atomicFetchAdd${n}`]: { module: "kts/unsafe", params: ["usize", t], ret: t, order: "rmw", c: `__atomic_fetch_add((${c} *)(uintptr_t)($0), ($1), $order)` },
    [`atomicSwap${n}`]: { module: "kts/unsafe", params: ["usize", t], ret: t, order: "rmw", c: `__atomic_exchange_n((${c} *)(uintptr_t)($0), ($1), $order)` },
    [`atomicCas${n}`]: { module: "kts/unsafe", params: ["usize", t, t], ret: "bool", order: "rmw", c: `kts_cas${n}((${c} *)(uintptr_t)($0), ($1), ($2), $order, $fail)` },
  } satisfies Record<string, Intrinsic>;
};

export const INTRINSICS: Record<string, Intrinsic> = {
  // ---- kts: conversions, arithmetic helpers, checks, logging, arrays ----
  u8: conv(), u16: conv(), u32: conv(), i8: conv(), i16: conv(), i32: conv(),
  u64: conv(), i64: conv(), usize: conv(), isize: conv(),
  mul32: { module: "kts", params: ["u32", "u32"], ret: "u32", c: "((uint32_t)((uint32_t)($0) * (uint32_t)($1)))" },
  imul32: { module: "kts", params: ["i32", "i32"], ret: "i32", c: "((int32_t)((uint32_t)($0) * (uint32_t)($1)))" },
  mulHi64: { module: "kts", params: ["u64", "u64"], ret: "u64", c: "((uint64_t)(((unsigned __int128)($0) * ($1)) >> 64))" },
  // Branch hints: the value unchanged; C's optimizer lays the path out, and inlines on it, as hot or cold.
  likely: { module: "kts", params: ["bool"], ret: "bool", c: "__builtin_expect(!!($0), 1)" },
  unlikely: { module: "kts", params: ["bool"], ret: "bool", c: "__builtin_expect(!!($0), 0)" },
  rotl32: { module: "kts", params: ["u32", "u32"], ret: "u32", c: "kts_rotl32(($0), ($1))" },
  rotr32: { module: "kts", params: ["u32", "u32"], ret: "u32", c: "kts_rotr32(($0), ($1))" },
  rotl64: { module: "kts", params: ["u64", "u32"], ret: "u64", c: "kts_rotl64(($0), ($1))" },
  rotr64: { module: "kts", params: ["u64", "u32"], ret: "u64", c: "kts_rotr64(($0), ($1))" },
  clz32: { module: "kts", params: ["u32"], ret: "u32", c: "kts_clz32($0)" },
  ctz32: { module: "kts", params: ["u32"], ret: "u32", c: "kts_ctz32($0)" },
  clz64: { module: "kts", params: ["u64"], ret: "u32", c: "kts_clz64($0)" },
  ctz64: { module: "kts", params: ["u64"], ret: "u32", c: "kts_ctz64($0)" },
  popcount64: { module: "kts", params: ["u64"], ret: "u32", c: "((uint32_t)__builtin_popcountll($0))" },
  popcount32: { module: "kts", params: ["u32"], ret: "u32", c: "((uint32_t)__builtin_popcount($0))" },
  // Byte order: device registers, virtio and network headers state theirs.
  bswap16: { module: "kts", params: ["u16"], ret: "u16", c: "((uint16_t)__builtin_bswap16($0))" },
  bswap32: { module: "kts", params: ["u32"], ret: "u32", c: "__builtin_bswap32($0)" },
  bswap64: { module: "kts", params: ["u64"], ret: "u64", c: "__builtin_bswap64($0)" },
  // The smaller or larger of two values of one integer type.
  min: { module: "kts", params: ["special"], ret: "special", special: true },
  max: { module: "kts", params: ["special"], ret: "special", special: true },
  // Byte ranges, bounds-checked once for the whole range ($site: the call's file and line).
  copyBytes: { module: "kts", params: ["bytes", "u32", "bytes", "u32", "u32"], ret: "void", c: "kts_copy_bytes($0, $1, $2, $3, $4, $site)" },
  fillBytes: { module: "kts", params: ["bytes", "u32", "u32", "u8"], ret: "void", c: "kts_fill_bytes($0, $1, $2, $3, $site)" },
  // Fields of device and packet layouts at a byte offset, in a stated byte order; the field's whole range is checked once.
  ...layoutFields("u16"),
  ...layoutFields("u32"),
  ...layoutFields("u64"),
  // A spin-loop step: a CPU hint plus a compiler barrier, so memory written by
  // other CPUs is read again on the next iteration.
  spinWait: { module: "kts", params: [], ret: "void", cByArch: { x86_64: '__asm__ volatile("pause" ::: "memory")', aarch64: '__asm__ volatile("yield" ::: "memory")' } },
  panic: { module: "kts", params: ["special"], ret: "never", special: true },
  assert: { module: "kts", params: ["special"], ret: "void", special: true },
  check: { module: "kts", params: ["special"], ret: "bool", special: true },
  checkFailures: { module: "kts", params: [], ret: "u32", c: "kts_check_failures" },
  print: { module: "kts", params: ["special"], ret: "void", special: true },
  log: { module: "kts", params: ["special"], ret: "void", special: true },
  setLogLevel: { module: "kts", params: ["u32"], ret: "void", c: "(kts_log_level = ($0))" },
  hex: { module: "kts", params: ["special"], ret: "special", special: true },
  text: { module: "kts", params: ["special"], ret: "special", special: true },
  array: { module: "kts", params: ["special"], ret: "special", special: true },
  arrayOf: { module: "kts", params: ["special"], ret: "special", special: true },
  structs: { module: "kts", params: ["special"], ret: "special", special: true },
  arrays: { module: "kts", params: ["special"], ret: "special", special: true },
  slice: { module: "kts", params: ["special"], ret: "special", special: true },

  // ---- kts/host: test drivers and tools built for the host ----
  readStdin: { module: "kts/host", params: ["array"], ret: "u32", special: true },

  // ---- kts/unsafe: memory, MMIO, ports, atomics, barriers, CPU control ----
  load8: load("u8"), load16: load("u16"), load32: load("u32"), load64: load("u64"),
  store8: store("u8"), store16: store("u16"), store32: store("u32"), store64: store("u64"),
  mmioRead8: mmioR("u8"), mmioRead16: mmioR("u16"), mmioRead32: mmioR("u32"), mmioRead64: mmioR("u64"),
  mmioWrite8: mmioW("u8"), mmioWrite16: mmioW("u16"), mmioWrite32: mmioW("u32"), mmioWrite64: mmioW("u64"),
  addressOf: { module: "kts/unsafe", params: ["array"], ret: "usize", special: true },
  bytesAt: { module: "kts/unsafe", params: ["usize", "u32"], ret: "special", special: true },
  ...atomicAt("u32"),
  ...atomicAt("u64"),
  ...atomic("u32"),
  ...atomic("u64"),
  fence: { module: "kts/unsafe", params: [], ret: "void", order: "fence", c: "__atomic_thread_fence($order)" },
  compilerBarrier: { module: "kts/unsafe", params: [], ret: "void", c: "__asm__ volatile(\"\" ::: \"memory\")" },
  inb: x86(["u16"], "u8", "kts_inb($0)"),
  inw: x86(["u16"], "u16", "kts_inw($0)"),
  inl: x86(["u16"], "u32", "kts_inl($0)"),
  outb: x86(["u16", "u8"], "void", "kts_outb(($0), ($1))"),
  outw: x86(["u16", "u16"], "void", "kts_outw(($0), ($1))"),
  outl: x86(["u16", "u32"], "void", "kts_outl(($0), ($1))"),
  rdmsr: x86(["u32"], "u64", "kts_rdmsr($0)"),
  wrmsr: x86(["u32", "u64"], "void", "kts_wrmsr(($0), ($1))"),
  rdtsc: { module: "kts/unsafe", params: [], ret: "u64", c: "kts_rdtsc()", arches: ["x86_64"] },
  gsRead32: x86(["usize"], "u32", "kts_gs_read32($0)"),
  mfence: x86([], "void", "__asm__ volatile(\"mfence\" ::: \"memory\")"),
  lfence: x86([], "void", "__asm__ volatile(\"lfence\" ::: \"memory\")"),
  sfence: x86([], "void", "__asm__ volatile(\"sfence\" ::: \"memory\")"),
  invlpg: x86(["usize"], "void", "__asm__ volatile(\"invlpg (%0)\" :: \"r\"((uintptr_t)($0)) : \"memory\")"),
  dmbIsh: a64([], "void", "__asm__ volatile(\"dmb ish\" ::: \"memory\")"),
  dsbIsh: a64([], "void", "__asm__ volatile(\"dsb ish\" ::: \"memory\")"),
  dsbSy: a64([], "void", "__asm__ volatile(\"dsb sy\" ::: \"memory\")"),
  isb: a64([], "void", "__asm__ volatile(\"isb\" ::: \"memory\")"),
  tlbiVmalle1is: a64([], "void", "__asm__ volatile(\"dsb ishst; tlbi vmalle1is; dsb ish; isb\" ::: \"memory\")"),
  tlbiVaae1is: a64(["usize"], "void", "__asm__ volatile(\"dsb ishst; tlbi vaae1is, %0; dsb ish; isb\" :: \"r\"(((uint64_t)($0)) >> 12) : \"memory\")"),
  tlbiAside1is: a64(["u32"], "void", "__asm__ volatile(\"dsb ishst; tlbi aside1is, %0; dsb ish; isb\" :: \"r\"(((uint64_t)($0)) << 48) : \"memory\")"),
  readSysreg: { module: "kts/unsafe", params: ["string"], ret: "u64", special: true, privileged: true },
  writeSysreg: { module: "kts/unsafe", params: ["string", "u64"], ret: "void", special: true, privileged: true },
  irqDisable: both([], "void", "__asm__ volatile(\"cli\" ::: \"memory\")", "__asm__ volatile(\"msr daifset, #2\" ::: \"memory\")"),
  irqEnable: both([], "void", "__asm__ volatile(\"sti\" ::: \"memory\")", "__asm__ volatile(\"msr daifclr, #2\" ::: \"memory\")"),
  irqSave: both([], "usize", "kts_irq_save_x86()", "kts_irq_save_a64()"),
  irqRestore: both(["usize"], "void", "kts_irq_restore_x86($0)", "kts_irq_restore_a64($0)"),
  halt: both([], "void", "__asm__ volatile(\"hlt\" ::: \"memory\")", "__asm__ volatile(\"wfi\" ::: \"memory\")"),
  cpuRelax: both([], "void", "__asm__ volatile(\"pause\")", "__asm__ volatile(\"yield\")", false),
  tlbFlushAll: both([], "void", "kts_tlb_flush_all_x86()", "__asm__ volatile(\"dsb ishst; tlbi vmalle1is; dsb ish; isb\" ::: \"memory\")"),
};

/** System registers readSysreg/writeSysreg accept, per arch. */
export const SYSREGS: Record<Arch, string[]> = {
  x86_64: ["CR0", "CR2", "CR3", "CR4"],
  aarch64: [
    "CNTVCT_EL0", "CNTPCT_EL0", "CNTFRQ_EL0", "CNTV_CTL_EL0", "CNTV_TVAL_EL0", "CNTV_CVAL_EL0",
    "CNTP_CTL_EL0", "CNTP_TVAL_EL0", "CNTP_CVAL_EL0", "SCTLR_EL1", "TTBR0_EL1", "TTBR1_EL1",
    "TCR_EL1", "MAIR_EL1", "VBAR_EL1", "ESR_EL1", "FAR_EL1", "ELR_EL1", "SPSR_EL1", "SP_EL0",
    "MPIDR_EL1", "CurrentEL", "DAIF", "TPIDR_EL1", "TPIDR_EL0", "CPACR_EL1", "PMCCNTR_EL0",
    "ID_AA64MMFR0_EL1", "ICC_SRE_EL1", "ICC_PMR_EL1", "ICC_IAR1_EL1", "ICC_EOIR1_EL1",
    "ICC_IGRPEN1_EL1", "ICC_SGI1R_EL1", "ICC_CTLR_EL1", "ICC_BPR1_EL1",
  ],
};
