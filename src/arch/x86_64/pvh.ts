"use unsafe";
/**
 * PVH boot protocol: hvm_start_info (Xen's arch-x86/hvm/start_info.h, version 1)
 * to BootInfo: the memory map, the first module (the boot bundle) and the
 * command line. Reads physical memory through the boot direct map.
 */
import { u8, u32, u64, usize } from "kts";
import { load8, load32, load64 } from "kts/unsafe";
import { BootInfo, CMDLINE_MAX, RegionKind } from "../../kernel/boot/bootinfo";
import { physToVirt } from "./memory";

const START_INFO_MAGIC: u32 = 0x336ec578;
const E820_RAM: u32 = 1;

/** Fills info from the start_info at physical address si; false if it is not one. */
export function parseStartInfo(si: usize, info: BootInfo): boolean {
  const base = physToVirt(si);
  // SAFETY: QEMU places start_info in low RAM, inside the boot direct map.
  if (load32(base) != START_INFO_MAGIC) return false;
  const version: u32 = load32(usize(base + 4n));
  const modules: u32 = load32(usize(base + 12n));
  const modlist: u64 = load64(usize(base + 16n));
  const cmdline: u64 = load64(usize(base + 24n));
  info.rsdp = load64(usize(base + 32n));
  if (version >= 1) {
    const map = physToVirt(load64(usize(base + 40n)));
    const entries: u32 = load32(usize(base + 48n));
    for (let i: u32 = 0; i < entries; i++) {
      const e = usize(map + u64(i) * 24n);
      const kind: RegionKind = load32(usize(e + 16n)) == E820_RAM ? RegionKind.Usable : RegionKind.Reserved;
      info.addRegion(load64(e), load64(usize(e + 8n)), kind);
    }
  }
  if (modules > 0 && modlist != 0n) {
    const m = physToVirt(modlist);
    info.initrdBase = load64(m);
    info.initrdSize = load64(usize(m + 8n));
  }
  if (cmdline != 0n) {
    const p = physToVirt(cmdline);
    let n: u32 = 0;
    while (n < CMDLINE_MAX) {
      const c: u8 = load8(usize(p + u64(n)));
      if (c == 0) break;
      info.cmdline[n] = c;
      n = u32(n + 1);
    }
    info.cmdlineLen = n;
  }
  info.valid = true;
  return true;
}
