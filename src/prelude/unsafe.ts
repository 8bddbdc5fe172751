/**
 * kts/unsafe: raw memory, MMIO, port I/O, atomics, barriers and CPU control.
 * Only modules whose first statement is "use unsafe"; may import it (KT4001).
 *
 * The Node world simulates what it can: a sparse little-endian byte memory for
 * load/store/atomics and MMIO (tests attach device callbacks with mapDevice),
 * port I/O through handlers, and a register file for system registers. CPU
 * control (interrupt masking, halts, barriers, TLB flushes) is recorded, not
 * performed. addressOf() has no meaning here and panics.
 */
import { KtsPanic, type bool, type MemoryOrder, type u8, type u16, type u32, type u64, type usize } from "./kts";

const memory = new Map<bigint, number>();

export interface Device {
  read(offset: bigint, size: 1 | 2 | 4 | 8): bigint;
  write(offset: bigint, size: 1 | 2 | 4 | 8, value: bigint): void;
}
const devices: { base: bigint; size: bigint; dev: Device }[] = [];

/** Node world only: route MMIO accesses in [base, base+size) to dev. */
export function mapDevice(base: bigint, size: bigint, dev: Device): void {
  devices.push({ base, size, dev });
}

function readMem(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(memory.get(addr + BigInt(i)) ?? 0);
  return v;
}
function writeMem(addr: bigint, size: 1 | 2 | 4 | 8, v: bigint): void {
  for (let i = 0; i < size; i++) memory.set(addr + BigInt(i), Number((v >> BigInt(8 * i)) & 0xffn));
}
function mmio(addr: bigint, size: 1 | 2 | 4 | 8, value?: bigint): bigint {
  const d = devices.find((x) => addr >= x.base && addr < x.base + x.size);
  if (!d) return value === undefined ? readMem(addr, size) : (writeMem(addr, size, value), 0n);
  if (value === undefined) return d.dev.read(addr - d.base, size);
  d.dev.write(addr - d.base, size, value);
  return 0n;
}

export const load8 = (a: usize): u8 => Number(readMem(a, 1));
export const load16 = (a: usize): u16 => Number(readMem(a, 2));
export const load32 = (a: usize): u32 => Number(readMem(a, 4));
export const load64 = (a: usize): u64 => readMem(a, 8);
export const store8 = (a: usize, v: u8): void => writeMem(a, 1, BigInt(v));
export const store16 = (a: usize, v: u16): void => writeMem(a, 2, BigInt(v));
export const store32 = (a: usize, v: u32): void => writeMem(a, 4, BigInt(v));
export const store64 = (a: usize, v: u64): void => writeMem(a, 8, v);
export const mmioRead8 = (a: usize): u8 => Number(mmio(a, 1));
export const mmioRead16 = (a: usize): u16 => Number(mmio(a, 2));
export const mmioRead32 = (a: usize): u32 => Number(mmio(a, 4));
export const mmioRead64 = (a: usize): u64 => mmio(a, 8);
export const mmioWrite8 = (a: usize, v: u8): void => void mmio(a, 1, BigInt(v));
export const mmioWrite16 = (a: usize, v: u16): void => void mmio(a, 2, BigInt(v));
export const mmioWrite32 = (a: usize, v: u32): void => void mmio(a, 4, BigInt(v));
export const mmioWrite64 = (a: usize, v: u64): void => void mmio(a, 8, v);

export function addressOf<T>(a: T[]): usize {
  void a;
  throw new KtsPanic("addressOf() has no meaning in the Node world");
}

/** A u8[] view of `len` bytes of raw memory at `addr` (C world only). */
export function bytesAt(addr: usize, len: u32): u8[] {
  void addr;
  void len;
  throw new KtsPanic("bytesAt() has no meaning in the Node world");
}

// Atomics on raw addresses; the optional last argument is a memory order (see kts.ts: RELAXED … SEQ_CST).
export const atomicLoad32 = (a: usize, _order?: MemoryOrder): u32 => load32(a);
export const atomicLoad64 = (a: usize, _order?: MemoryOrder): u64 => load64(a);
export const atomicStore32 = (a: usize, v: u32, _order?: MemoryOrder): void => store32(a, v);
export const atomicStore64 = (a: usize, v: u64, _order?: MemoryOrder): void => store64(a, v);
export function atomicFetchAdd32(a: usize, v: u32, _order?: MemoryOrder): u32 {
  const old = load32(a);
  store32(a, (old + v) >>> 0);
  return old;
}
export function atomicFetchAdd64(a: usize, v: u64, _order?: MemoryOrder): u64 {
  const old = load64(a);
  store64(a, BigInt.asUintN(64, old + v));
  return old;
}
export function atomicSwap32(a: usize, v: u32, _order?: MemoryOrder): u32 {
  const old = load32(a);
  store32(a, v);
  return old;
}
export function atomicSwap64(a: usize, v: u64, _order?: MemoryOrder): u64 {
  const old = load64(a);
  store64(a, v);
  return old;
}
export function atomicCas32(a: usize, expected: u32, desired: u32, _order?: MemoryOrder): bool {
  if (load32(a) !== expected) return false;
  store32(a, desired);
  return true;
}
export function atomicCas64(a: usize, expected: u64, desired: u64, _order?: MemoryOrder): bool {
  if (load64(a) !== expected) return false;
  store64(a, desired);
  return true;
}

// Port I/O (x86_64): handlers by port, else reads return all ones.
const ports = new Map<number, { read(size: number): number; write(size: number, v: number): void }>();
/** Node world only: attach a port handler. */
export function mapPort(port: u16, h: { read(size: number): number; write(size: number, v: number): void }): void {
  ports.set(port, h);
}
export const inb = (p: u16): u8 => (ports.get(p)?.read(1) ?? 0xff) & 0xff;
export const inw = (p: u16): u16 => (ports.get(p)?.read(2) ?? 0xffff) & 0xffff;
export const inl = (p: u16): u32 => (ports.get(p)?.read(4) ?? 0xffffffff) >>> 0;
export const outb = (p: u16, v: u8): void => ports.get(p)?.write(1, v);
export const outw = (p: u16, v: u16): void => ports.get(p)?.write(2, v);
export const outl = (p: u16, v: u32): void => ports.get(p)?.write(4, v);

// System registers and MSRs: a register file.
const sysregs = new Map<string, bigint>();
export const readSysreg = (name: string): u64 => sysregs.get(name) ?? 0n;
export const writeSysreg = (name: string, v: u64): void => void sysregs.set(name, v);
export const rdmsr = (msr: u32): u64 => sysregs.get(`msr:${msr}`) ?? 0n;
export const wrmsr = (msr: u32, v: u64): void => void sysregs.set(`msr:${msr}`, v);
let tsc = 0n;
export const rdtsc = (): u64 => (tsc += 1000n);
/** The per-CPU block at GS base, as this world models it: CPU 0's, all zero. */
export const gsRead32 = (off: usize): u32 => 0;

// CPU control: recorded as events so tests can assert on the sequence.
export const cpuEvents: string[] = [];
const ev = (name: string) => (): void => void cpuEvents.push(name);
let irqOn = true;
export const irqDisable = (): void => {
  irqOn = false;
  cpuEvents.push("irqDisable");
};
export const irqEnable = (): void => {
  irqOn = true;
  cpuEvents.push("irqEnable");
};
export function irqSave(): usize {
  const s = irqOn ? 1n : 0n;
  irqOn = false;
  return s;
}
export function irqRestore(s: usize): void {
  irqOn = s !== 0n;
}
export const fence = (_order?: MemoryOrder): void => void cpuEvents.push("fence");
export const compilerBarrier = ev("compilerBarrier");
export const mfence = ev("mfence");
export const lfence = ev("lfence");
export const sfence = ev("sfence");
export const dmbIsh = ev("dmbIsh");
export const dsbIsh = ev("dsbIsh");
export const dsbSy = ev("dsbSy");
export const isb = ev("isb");
export const halt = ev("halt");
export const cpuRelax = ev("cpuRelax");
export const tlbFlushAll = ev("tlbFlushAll");
export const tlbiVmalle1is = ev("tlbiVmalle1is");
export const tlbiVaae1is = (a: usize): void => void cpuEvents.push(`tlbiVaae1is ${a}`);
export const tlbiAside1is = (asid: u32): void => void cpuEvents.push(`tlbiAside1is ${asid}`);
export const invlpg = (a: usize): void => void cpuEvents.push(`invlpg ${a}`);
