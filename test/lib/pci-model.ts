/**
 * Node world only: a PCIe ECAM window as a device model for kts/unsafe's
 * mapDevice. Each function is 4 KiB of config bytes with a per-byte write mask,
 * so BARs behave as hardware does: address bits below the size and the type bits
 * are read-only, all ones reads back the size mask, IO BARs hard-wire their upper
 * 16 bits. Absent functions read all ones. The model counts protocol violations
 * (a BAR written while it decodes, a BAR of a
 * bridge written, unaligned accesses) and reads of a ghost's functions 1..7.
 */
import type { Device } from "kts/unsafe";

export interface BarSpec {
  slot: number;
  kind: "io" | "mem32" | "mem64";
  size: bigint;
  prefetch?: boolean;
  /** The firmware's address (0: unassigned). */
  fw?: bigint;
}

export interface FnSpec {
  bus: number;
  dev: number;
  fn: number;
  vendor: number;
  device: number;
  cls: number;
  sub: number;
  progIf?: number;
  rev?: number;
  /** With bit 7 for multifunction. */
  header?: number;
  pin?: number;
  line?: number;
  command?: number;
  bars?: BarSpec[];
  /** Sets the status capability bit and 0x34. */
  capPtr?: number;
  /** [offset, id, next] */
  caps?: [number, number, number][];
  /** Header type 1: primary, secondary, subordinate. */
  busNumbers?: [number, number, number];
  /** Answers as this function at every function number (a device without the multifunction bit may). */
  ghost?: boolean;
  /** Status capability bit clear although 0x34 holds garbage. */
  capPtrWithoutStatus?: number;
}

const CMD_IO = 1;
const CMD_MEM = 2;

export class ModelFunction {
  cfg = new Uint8Array(4096);
  wmask = new Uint8Array(4096);
  constructor(readonly spec: FnSpec) {
    const put = (off: number, size: number, v: number | bigint, mask: number | bigint = 0): void => {
      for (let i = 0; i < size; i++) {
        this.cfg[off + i] = Number((BigInt(v) >> BigInt(8 * i)) & 0xffn);
        this.wmask[off + i] = Number((BigInt(mask) >> BigInt(8 * i)) & 0xffn);
      }
    };
    put(0x00, 2, spec.vendor);
    put(0x02, 2, spec.device);
    put(0x04, 2, spec.command ?? 0, 0x0407);
    put(0x08, 1, spec.rev ?? 0);
    put(0x09, 1, spec.progIf ?? 0);
    put(0x0a, 1, spec.sub);
    put(0x0b, 1, spec.cls);
    put(0x0e, 1, spec.header ?? 0);
    put(0x3c, 1, spec.line ?? 0, 0xff);
    put(0x3d, 1, spec.pin ?? 0);
    if (spec.busNumbers) {
      put(0x18, 1, spec.busNumbers[0], 0xff);
      put(0x19, 1, spec.busNumbers[1], 0xff);
      put(0x1a, 1, spec.busNumbers[2], 0xff);
    }
    for (const b of spec.bars ?? []) {
      const off = 0x10 + 4 * b.slot;
      const fw = b.fw ?? 0n;
      const addrMask = ~(b.size - 1n) & 0xffff_ffff_ffff_ffffn;
      if (b.kind === "io") put(off, 4, (fw & 0xfffcn) | 1n, addrMask & 0xfffcn);
      else {
        const ro = (b.kind === "mem64" ? 4n : 0n) | (b.prefetch ? 8n : 0n);
        put(off, 4, (fw & 0xffff_fff0n) | ro, addrMask & 0xffff_fff0n);
        if (b.kind === "mem64") put(off + 4, 4, fw >> 32n, addrMask >> 32n);
      }
    }
    if (spec.capPtr !== undefined) {
      put(0x06, 2, 0x10);
      put(0x34, 1, spec.capPtr);
    }
    if (spec.capPtrWithoutStatus !== undefined) put(0x34, 1, spec.capPtrWithoutStatus);
    for (const [off, id, next] of spec.caps ?? []) {
      put(off, 1, id);
      put(off + 1, 1, next);
    }
  }

  read(off: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.cfg[off + i]!);
    return v;
  }

  /** Whether a write at off changes a BAR whose decode is on (IO BARs: IO decode; others: memory decode). */
  decodingBarAt(off: number): boolean {
    const slot = (off - 0x10) >> 2;
    const spec = this.spec.bars?.find((b) => b.slot === slot || (b.kind === "mem64" && b.slot + 1 === slot));
    const bits = spec?.kind === "io" ? CMD_IO : spec ? CMD_MEM : CMD_IO | CMD_MEM;
    return (this.cfg[4]! & bits) !== 0;
  }

  write(off: number, size: number, v: bigint): void {
    for (let i = 0; i < size; i++) {
      const m = this.wmask[off + i]!;
      const b = Number((v >> BigInt(8 * i)) & 0xffn);
      this.cfg[off + i] = (this.cfg[off + i]! & ~m) | (b & m);
    }
  }

  /** The address a memory/IO BAR decodes (64-bit pairs joined). */
  barValue(slot: number): bigint {
    const spec = this.spec.bars?.find((b) => b.slot === slot);
    if (!spec) return 0n;
    const lo = this.read(0x10 + 4 * slot, 4);
    if (spec.kind === "io") return lo & 0xfffcn;
    const hi = spec.kind === "mem64" ? this.read(0x14 + 4 * slot, 4) : 0n;
    return (hi << 32n) | (lo & 0xffff_fff0n);
  }

  command(): number {
    return Number(this.read(4, 2));
  }
}

export class EcamModel implements Device {
  readonly functions: ModelFunction[] = [];
  private readonly at = new Map<number, ModelFunction>();
  readonly violations: string[] = [];
  /** Config accesses to functions 1..7 of a ghost device (one without the multifunction bit). */
  ghostReads = 0;

  constructor(specs: FnSpec[]) {
    for (const s of specs) {
      const f = new ModelFunction(s);
      this.functions.push(f);
      const fns = s.ghost ? [0, 1, 2, 3, 4, 5, 6, 7] : [s.fn];
      for (const fn of fns) this.at.set((s.bus << 8) | (s.dev << 3) | fn, f);
    }
  }

  private locate(offset: bigint, size: number, what: string): { f: ModelFunction | undefined; off: number } {
    const o = Number(offset);
    const key = o >>> 12;
    const off = o & 0xfff;
    if (off % size !== 0) this.violations.push(`${what} of ${size} at unaligned ${off.toString(16)}`);
    const f = this.at.get(key);
    if (f && f.spec.ghost && (key & 7) !== 0) this.ghostReads++;
    return { f, off };
  }

  read(offset: bigint, size: 1 | 2 | 4 | 8): bigint {
    const { f, off } = this.locate(offset, size, "read");
    if (!f) return (1n << BigInt(8 * size)) - 1n;
    return f.read(off, size);
  }

  write(offset: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    const { f, off } = this.locate(offset, size, "write");
    if (!f) return;
    if (off >= 0x10 && off < 0x28 && f.spec.header !== undefined && (f.spec.header & 0x7f) !== 0) {
      this.violations.push(`BAR write to a header type ${f.spec.header & 0x7f} function ${name(f.spec)}`);
    }
    if (off >= 0x10 && off < 0x28 && f.decodingBarAt(off)) this.violations.push(`BAR write at ${off.toString(16)} of ${name(f.spec)} while decoding`);
    f.write(off, size, value);
  }
}

export function name(s: FnSpec): string {
  const h = (n: number): string => n.toString(16).padStart(2, "0");
  return `${h(s.bus)}:${h(s.dev)}.${s.fn}`;
}
