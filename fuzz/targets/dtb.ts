// libFuzzer target: the device tree as the AArch64 kernel reads it at boot
// (arch/aarch64/boot.ts earlyInit): parseDtb (src/kernel/boot/dtb.ts) into a
// BootInfo, then the platform lookups (arch/aarch64/fdt.ts fdtFindCompatible for
// the GICv3, PSCI and the PCIe host bridge, and pci-host.ts's decoding of the
// bridge's bus-range, ranges and interrupt-map). The blob is the whole input
// (parseDtb reads totalsize from it; dtbTotalSize is asked too). Checked: a
// refused blob leaves the BootInfo as it was; an accepted one stays within
// BootInfo's limits with a NUL-terminated command line.
import { u8, u32, u64, bool, panic } from "kts";
import { BootInfo, RegionKind, MAX_REGIONS, MAX_CPUS, CMDLINE_MAX } from "../../src/kernel/boot/bootinfo";
import { parseDtb, dtbTotalSize, DtbError, DTB_MAX_SIZE } from "../../src/kernel/boot/dtb";
import { FdtNode, fdtFindCompatible, FDT_MAX_REG, COMPAT_GIC_V3, COMPAT_PCI_ECAM, COMPAT_PSCI_02, COMPAT_PSCI_10 } from "../../src/arch/aarch64/fdt";
import { pciHostFromDtb } from "../../src/arch/aarch64/pci-host";
import { pciHost, NO_LINE, PCI_SLOTS, PCI_PINS } from "../../src/kernel/boot/pci-host";

const info = new BootInfo();
const gic = new FdtNode();
const psci = new FdtNode();
const pci = new FdtNode();

function resetInfo(): void {
  info.regionCount = 0;
  info.cpuCount = 0;
  info.initrdBase = 0n;
  info.initrdSize = 0n;
  info.cmdlineLen = 0;
  for (let i: u32 = 0; i < CMDLINE_MAX; i++) info.cmdline[i] = 0;
}

function resetPciHost(): void {
  pciHost.present = false;
  pciHost.ecamBase = 0n;
  pciHost.ecamSize = 0n;
  pciHost.busFirst = 0;
  pciHost.busLast = 0;
  pciHost.memBase = 0n;
  pciHost.memSize = 0n;
  pciHost.irqFirst = 0;
  pciHost.irqCount = 0;
  for (let i: u32 = 0; i < u32(PCI_SLOTS * PCI_PINS); i++) pciHost.route[i] = NO_LINE;
}

function nodeOk(n: FdtNode, found: bool): void {
  if (found && n.regCount > FDT_MAX_REG) panic(`a node with ${n.regCount} reg entries`);
}

export function fuzzOne(blob: u8[]): u32 {
  const total: u32 = dtbTotalSize(blob);
  if (total != 0 && (total < 40 || total > DTB_MAX_SIZE)) panic(`totalsize ${total}`);
  resetInfo();
  // One region already there: parseDtb appends (and must not overflow the table).
  info.addRegion(0x1000n, 0x1000n, RegionKind.Reserved);
  const e: DtbError = parseDtb(blob, info);
  if (e != DtbError.Ok) {
    if (info.regionCount != 1 || info.cpuCount != 0 || info.initrdSize != 0n || info.cmdlineLen != 0) panic(`error ${u32(e)} changed the BootInfo`);
  } else {
    if (info.regionCount > MAX_REGIONS || info.cpuCount > MAX_CPUS) panic(`${info.regionCount} regions, ${info.cpuCount} CPUs`);
    if (info.cmdlineLen >= CMDLINE_MAX || info.cmdline[info.cmdlineLen] != 0) panic(`command line of ${info.cmdlineLen} bytes not terminated`);
    for (let i: u32 = 0; i < info.regionCount; i++) {
      const r = info.regions[i];
      if (u64(r.base + r.size) < r.base) panic(`region ${i} wraps`);
    }
  }
  nodeOk(gic, fdtFindCompatible(blob, COMPAT_GIC_V3, gic));
  nodeOk(psci, fdtFindCompatible(blob, COMPAT_PSCI_02, psci) || fdtFindCompatible(blob, COMPAT_PSCI_10, psci));
  const havePci = fdtFindCompatible(blob, COMPAT_PCI_ECAM, pci);
  nodeOk(pci, havePci);
  resetPciHost();
  if (havePci && pciHostFromDtb(blob, pci, gic)) {
    if (pciHost.busLast < pciHost.busFirst || pciHost.busLast > 255) panic(`buses ${pciHost.busFirst}..${pciHost.busLast}`);
  }
  return u32(e);
}
