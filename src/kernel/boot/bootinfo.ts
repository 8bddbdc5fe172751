/**
 * BootInfo: what the kernel learns from whatever protocol started it (PVH
 * start_info on x86_64, the device tree on AArch64), in one arch-neutral shape.
 * The arch layer fills it before any portable code runs; nothing here touches
 * hardware.
 */
import { u8, u32, u64, usize, bool, array, structs } from "kts";

export const MAX_REGIONS = 64;
export const MAX_CPUS = 16;
export const CMDLINE_MAX = 256;

export enum RegionKind {
  Usable = 1,
  Reserved = 2,
}

export class MemRegion {
  base: usize = 0n;
  size: u64 = 0n;
  kind: RegionKind = RegionKind.Reserved;
}

export class BootInfo {
  regions: MemRegion[] = structs(MAX_REGIONS, MemRegion);
  regionCount: u32 = 0;
  /** The boot bundle (initrd), physical; size 0 if none. */
  initrdBase: usize = 0n;
  initrdSize: u64 = 0n;
  cmdline: u8[] = array(CMDLINE_MAX, 0);
  cmdlineLen: u32 = 0;
  /** Physical address of the device tree (AArch64) or ACPI RSDP (x86_64); 0 if none. */
  dtb: usize = 0n;
  rsdp: usize = 0n;
  /** CPUs found by the firmware tables, and their hardware ids (APIC id / MPIDR). */
  cpuCount: u32 = 0;
  cpuHwIds: u64[] = array(MAX_CPUS, 0n);
  /** The kernel image's physical extent (from the linker). */
  kernelPhysStart: usize = 0n;
  kernelPhysEnd: usize = 0n;
  valid: bool = false;

  addRegion(base: usize, size: u64, kind: RegionKind): bool {
    if (this.regionCount == MAX_REGIONS) return false;
    const r = this.regions[this.regionCount];
    r.base = base;
    r.size = size;
    r.kind = kind;
    this.regionCount = u32(this.regionCount + 1);
    return true;
  }

  addCpu(hwId: u64): void {
    if (this.cpuCount == MAX_CPUS) return;
    this.cpuHwIds[this.cpuCount] = hwId;
    this.cpuCount = u32(this.cpuCount + 1);
  }

  /** Total bytes of usable RAM. */
  usableBytes(): u64 {
    let total: u64 = 0n;
    for (let i: u32 = 0; i < this.regionCount; i++) {
      const r = this.regions[i];
      if (r.kind == RegionKind.Usable) total = u64(total + r.size);
    }
    return total;
  }
}
