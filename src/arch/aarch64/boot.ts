"use unsafe";
/**
 * AArch64 early boot: console first, then the device tree (physical address in
 * x0 from the loader) into BootInfo (parseDtb: RAM, reserved ranges, initrd,
 * command line, CPUs) and the platform (GICv3 frames, PSCI conduit), the trap
 * handler state and the clock's starting point.
 */
import { u8, u32, u64, usize, print, panic, hex } from "kts";
import { bytesAt, load32, load64 } from "kts/unsafe";
import { BootInfo, RegionKind } from "../../kernel/boot/bootinfo";
import { parseDtb, DtbError } from "../../kernel/boot/dtb";
import { parseUefiMemoryMap, UefiMapError } from "../../kernel/boot/uefi-memmap";
import { init as consoleInit } from "./console";
import { trapsInit } from "./traps";
import { clockInit } from "./timer";
import { gicSetBases } from "./gic";
import { psciUseSmc } from "./cpu";
import { FdtNode, fdtFindCompatible, COMPAT_GIC_V3, COMPAT_PCI_ECAM, COMPAT_PSCI_02, COMPAT_PSCI_10, METHOD_SMC } from "./fdt";
import { pciHostFromDtb } from "./pci-host";
import { physToVirt } from "./memory";

export const ARCH_ID: u32 = 2;

/** What efi.S found when UEFI started the Image (magic 0 otherwise): see efi_handoff there. */
declare function arch_efi_handoff(): usize;
const EFI_HANDOFF_MAGIC: u64 = 0x43464549424d4143n;
const MAX_EFI_MAP: u64 = 0x10000n;

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
  fromUefi(info);
  platformFromDtb(blob);
}

/**
 * Started by UEFI (`cambi image`): the firmware's memory map replaces the tree's
 * memory nodes (it also marks what the firmware keeps), and the bundle is the
 * one efi.S read from the boot volume.
 */
function fromUefi(info: BootInfo): void {
  const h: usize = arch_efi_handoff();
  // SAFETY: efi_handoff is 64 bytes in the kernel's .data.
  if (load64(h) != EFI_HANDOFF_MAGIC) return;
  const map: u64 = load64(usize(h + 32n));
  const size: u64 = load64(usize(h + 40n));
  const descSize: u64 = load64(usize(h + 48n));
  if (size > MAX_EFI_MAP || descSize > 4096n) panic(`UEFI memory map at ${hex(map)}: ${size} bytes of ${descSize}-byte descriptors is out of range`);
  info.regionCount = 0;
  // SAFETY: efi.S read the map into pages below 4 GiB (the boot map) that the kernel has not touched yet.
  const err: UefiMapError = parseUefiMemoryMap(bytesAt(physToVirt(map), u32(size)), u32(descSize), info);
  if (err == UefiMapError.BadDescriptorSize) panic(`UEFI memory map at ${hex(map)}: descriptor size ${descSize}`);
  if (err == UefiMapError.Truncated) panic(`UEFI memory map at ${hex(map)}: ${size} bytes is not a whole number of descriptors`);
  if (err == UefiMapError.Empty) panic(`UEFI memory map at ${hex(map)}: empty`);
  if (err == UefiMapError.BadDescriptor) panic(`UEFI memory map at ${hex(map)}: a descriptor unaligned or past 2^64`);
  if (err == UefiMapError.NoUsable) panic(`UEFI memory map at ${hex(map)}: no usable memory`);
  if (err == UefiMapError.TooManyRegions) panic(`UEFI memory map at ${hex(map)}: more usable regions than the kernel holds`);
  // Kept as it is (scripts/capture-memmap.mjs reads it back from a running guest for the parser's test).
  info.addRegion(usize(map), size, RegionKind.Reserved);
  info.initrdBase = usize(load64(usize(h + 16n)));
  info.initrdSize = load64(usize(h + 24n));
  print(`boot: UEFI memory map at ${hex(map)}, ${size} bytes (${u64(size / descSize)} descriptors); bundle at ${hex(info.initrdBase)}`);
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
