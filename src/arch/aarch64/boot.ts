"use unsafe";
/**
 * AArch64 early boot: console first, then the device tree (physical address in
 * x0 from the loader) into BootInfo (parseDtb: RAM, reserved ranges, initrd,
 * command line, CPUs) and the platform (GICv3 frames, PSCI conduit), the trap
 * handler state and the clock's starting point.
 */
import { u8, u32, usize, print, panic } from "kts";
import { bytesAt, load32 } from "kts/unsafe";
import { BootInfo, RegionKind } from "../../kernel/boot/bootinfo";
import { parseDtb, DtbError } from "../../kernel/boot/dtb";
import { init as consoleInit } from "./console";
import { trapsInit } from "./traps";
import { clockInit } from "./timer";
import { gicSetBases } from "./gic";
import { psciUseSmc } from "./cpu";
import { FdtNode, fdtFindCompatible, COMPAT_GIC_V3, COMPAT_PCI_ECAM, COMPAT_PSCI_02, COMPAT_PSCI_10, METHOD_SMC } from "./fdt";
import { pciHostFromDtb } from "./pci-host";
import { physToVirt } from "./memory";

export const ARCH_ID: u32 = 2;

function be32(p: usize): u32 {
  const v: u32 = load32(p);
  return u32(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24));
}

export function earlyInit(bootArg: usize, info: BootInfo): void {
  consoleInit();
  trapsInit();
  clockInit();
  info.dtb = bootArg;
  const dtb = physToVirt(bootArg);
  // SAFETY: x0 from the loader points at the DTB header, inside the boot map.
  if (bootArg == 0n || be32(dtb) != 0xd00dfeed) panic(`no device tree at ${bootArg}: boot with QEMU -kernel`);
  const size: u32 = be32(usize(dtb + 4n));
  const blob = bytesAt(dtb, size);
  if (blob.length == 0) panic("empty device tree");
  const err: DtbError = parseDtb(blob, info);
  if (err != DtbError.Ok) {
    print(`device tree at ${bootArg}: parse error ${err}; assuming QEMU virt's 128 MiB at 0x40000000, one CPU`);
    info.addRegion(0x4000_0000n, 0x800_0000n, RegionKind.Usable);
  }
  platformFromDtb(blob);
}

/** The GICv3 frames, the PSCI conduit (QEMU virt's when the tree does not say) and the PCIe host bridge. */
function platformFromDtb(blob: u8[]): void {
  const gic = new FdtNode();
  if (fdtFindCompatible(blob, COMPAT_GIC_V3, gic) && gic.regCount >= 2) {
    gicSetBases(gic.regBase[0], gic.regBase[1]);
  } else {
    print("device tree: no arm,gic-v3 node with distributor and redistributor frames; assuming QEMU virt's");
  }
  const psci = new FdtNode();
  if (fdtFindCompatible(blob, COMPAT_PSCI_02, psci) || fdtFindCompatible(blob, COMPAT_PSCI_10, psci)) {
    psciUseSmc(psci.method == METHOD_SMC);
  }
  const pci = new FdtNode();
  if (fdtFindCompatible(blob, COMPAT_PCI_ECAM, pci) && !pciHostFromDtb(blob, pci, gic)) {
    print("device tree: the pci-host-ecam-generic node does not decode; no PCIe");
  }
}
