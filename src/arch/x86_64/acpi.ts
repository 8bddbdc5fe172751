"use unsafe";
/**
 * ACPI, as far as the kernel needs it: RSDP -> XSDT (or RSDT) -> MADT, for the
 * local APIC ids of the enabled CPUs and the first IOAPIC, and MCFG, for the
 * PCIe ECAM window. Tables are read through the direct map and checked by their
 * checksums.
 */
import { u8, u32, u64, usize, bool } from "kts";
import { load8, load32, load64 } from "kts/unsafe";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { physToVirt } from "./memory";

const RSDP_SIG: u64 = 0x2052_5450_2044_5352n; // "RSD PTR "
const SIG_XSDT: u32 = 0x5444_5358; // "XSDT"
const SIG_RSDT: u32 = 0x5444_5352; // "RSDT"
const SIG_APIC: u32 = 0x4349_5041; // "APIC" (the MADT)
const SIG_MCFG: u32 = 0x4746_434d; // "MCFG"
const HEADER = 36;
const MAX_TABLE: u32 = 0x10_0000;

const MADT_LAPIC: u8 = 0;
const MADT_IOAPIC: u8 = 1;
const MADT_LAPIC_OVERRIDE: u8 = 5;
const MADT_X2APIC: u8 = 9;

/** What the MADT says about the interrupt controllers. */
export class Madt {
  found: bool = false;
  /** Local APIC MMIO base (physical) from the MADT (0 if none). */
  lapicPhys: u64 = 0n;
  /** The first IOAPIC (physical base, 0 if none) and its first GSI. */
  ioapicPhys: u64 = 0n;
  ioapicGsiBase: u32 = 0;
  ioapicCount: u32 = 0;
}

function checksumOk(va: usize, len: u32): bool {
  let sum: u32 = 0;
  // SAFETY: the caller checked that [va, va + len) is a table inside the direct map.
  for (let i: u32 = 0; i < len; i++) sum = u32(sum + u32(load8(usize(va + u64(i)))));
  return (sum & 0xff) == 0;
}

/** Virtual address of the valid table with signature sig at physical pa, or 0. */
function table(pa: u64, sig: u32): usize {
  if (pa == 0n) return 0n;
  const va = physToVirt(pa);
  // SAFETY: firmware tables lie in RAM or ACPI-reclaimable memory, inside the direct map.
  if (load32(va) != sig) return 0n;
  const len: u32 = load32(usize(va + 4n));
  if (len < HEADER || len > MAX_TABLE || !checksumOk(va, len)) return 0n;
  return va;
}

/** The table with signature sig from the RSDP at physical rsdp, or 0. */
function findTable(rsdp: usize, sig: u32): usize {
  if (rsdp == 0n) return 0n;
  const r = physToVirt(rsdp);
  // SAFETY: PVH start_info's rsdp_paddr, in low memory inside the direct map.
  if (load64(r) != RSDP_SIG || !checksumOk(r, 20)) return 0n;
  const revision: u8 = load8(usize(r + 15n));
  let root: usize = 0n;
  let entrySize: u64 = 4n;
  if (revision >= 2 && checksumOk(r, 36)) {
    root = table(load64(usize(r + 24n)), SIG_XSDT);
    entrySize = 8n;
  }
  if (root == 0n) {
    root = table(u64(load32(usize(r + 16n))), SIG_RSDT);
    entrySize = 4n;
  }
  if (root == 0n) return 0n;
  const len: u64 = u64(load32(usize(root + 4n)));
  for (let off: u64 = u64(HEADER); u64(off + entrySize) <= len; off = u64(off + entrySize)) {
    const p: usize = usize(root + off);
    const pa: u64 = entrySize == 8n ? load64(p) : u64(load32(p));
    const t = table(pa, sig);
    if (t != 0n) return t;
  }
  return 0n;
}

/**
 * Fills out from the MADT and records the CPUs in info: the boot CPU (APIC id
 * bspApicId) first, then every other enabled local APIC in MADT order. Without
 * a usable MADT only the boot CPU is recorded. Returns whether a MADT was found.
 */
export function parseMadt(info: BootInfo, bspApicId: u32, out: Madt): bool {
  info.addCpu(u64(bspApicId));
  const m = findTable(info.rsdp, SIG_APIC);
  if (m == 0n) return false;
  out.found = true;
  out.lapicPhys = u64(load32(usize(m + 36n)));
  const len: u64 = u64(load32(usize(m + 4n)));
  let off: u64 = 44n;
  while (u64(off + 2n) <= len) {
    const e: usize = usize(m + off);
    const kind: u8 = load8(e);
    const elen: u64 = u64(load8(usize(e + 1n)));
    if (elen < 2n || u64(off + elen) > len) break;
    if (kind == MADT_LAPIC && elen >= 8n) {
      const id: u32 = u32(load8(usize(e + 3n)));
      const flags: u32 = load32(usize(e + 4n));
      if ((flags & 1) != 0 && id != bspApicId) info.addCpu(u64(id));
    } else if (kind == MADT_X2APIC && elen >= 16n) {
      const id: u32 = load32(usize(e + 4n));
      const flags: u32 = load32(usize(e + 8n));
      if ((flags & 1) != 0 && id != bspApicId) info.addCpu(u64(id));
    } else if (kind == MADT_IOAPIC && elen >= 12n) {
      if (out.ioapicCount == 0) {
        out.ioapicPhys = u64(load32(usize(e + 4n)));
        out.ioapicGsiBase = load32(usize(e + 8n));
      }
      out.ioapicCount = u32(out.ioapicCount + 1);
    } else if (kind == MADT_LAPIC_OVERRIDE && elen >= 12n) {
      out.lapicPhys = load64(usize(e + 4n));
    }
    off = u64(off + elen);
  }
  return true;
}

/** MCFG's allocation for PCI segment 0: ECAM base (of bus 0) and bus range; false without one. */
export class Mcfg {
  base: u64 = 0n;
  busFirst: u32 = 0;
  busLast: u32 = 0;
}

export function parseMcfg(info: BootInfo, out: Mcfg): bool {
  const m = findTable(info.rsdp, SIG_MCFG);
  if (m == 0n) return false;
  const len: u64 = u64(load32(usize(m + 4n)));
  // Header, 8 reserved bytes, then 16-byte allocations: base u64, segment u16, first bus u8, last bus u8.
  for (let off: u64 = 44n; u64(off + 16n) <= len; off = u64(off + 16n)) {
    const e: usize = usize(m + off);
    const segment: u32 = u32(load32(usize(e + 8n)) & 0xffff);
    const first: u32 = u32(load8(usize(e + 10n)));
    const last: u32 = u32(load8(usize(e + 11n)));
    if (segment != 0 || last < first) continue;
    out.base = load64(e);
    out.busFirst = first;
    out.busLast = last;
    return true;
  }
  return false;
}
