/**
 * The PCIe host bridge from the device tree's pci-host-ecam-generic node: ECAM
 * from "reg", buses from "bus-range", the 32-bit memory window from "ranges",
 * and each slot's INTx lines from "interrupt-map" (masked by
 * "interrupt-map-mask") into GIC SPIs. The blob is untrusted: every read is
 * range-checked and an entry that does not decode is skipped.
 */
import { u8, u32, u64, bool } from "kts";
import { be32, cells, room } from "../../kernel/boot/fdt-bytes";
import { pciHost, PCI_SLOTS, PCI_PINS, MMIO_WINDOW_LIMIT } from "../../kernel/boot/pci-host";
import { FdtNode, PROP_RANGES, PROP_INTERRUPT_MAP, PROP_INTERRUPT_MAP_MASK, PROP_BUS_RANGE } from "./fdt";

/** ranges' space code (bits 24..25 of phys.hi): 32-bit memory. */
const SPACE_MEM32: u32 = 2;
/** A GIC interrupt specifier's type: SPI (INTID 32 + number). */
const GIC_SPI: u32 = 0;

/** Fills pciHost from the host node pci and its interrupt parent gic; false if the node is unusable. */
export function pciHostFromDtb(blob: u8[], pci: FdtNode, gic: FdtNode): bool {
  if (pci.regCount < 1 || pci.regSize[0] < 0x10_0000n || pci.addressCells != 3) return false;
  const h = pciHost;
  h.ecamBase = pci.regBase[0];
  let first: u32 = 0;
  let last: u32 = u32(u64(pci.regSize[0] >> 20n) > 256n ? 255n : u64((pci.regSize[0] >> 20n) - 1n));
  if (pci.propLen[PROP_BUS_RANGE] == 8) {
    first = be32(blob, pci.propOff[PROP_BUS_RANGE]);
    last = be32(blob, u32(pci.propOff[PROP_BUS_RANGE] + 4));
  }
  if (last < first || last > 255 || u64(u64(last - first + 1) << 20n) > pci.regSize[0]) return false;
  h.busFirst = first;
  h.busLast = last;
  h.ecamSize = u64(u64(last - first + 1) << 20n);
  memoryWindow(blob, pci);
  interruptMap(blob, pci, gic);
  h.present = true;
  return true;
}

/** The first 32-bit memory range whose bus and CPU addresses agree and that ends below the device area. */
function memoryWindow(blob: u8[], pci: FdtNode): void {
  const pac: u32 = pci.parentAddressCells;
  const sc: u32 = pci.sizeCells;
  if (pac < 1 || pac > 2 || sc < 1 || sc > 2) return;
  const stride: u32 = u32((3 + pac + sc) * 4);
  const off: u32 = pci.propOff[PROP_RANGES];
  const len: u32 = pci.propLen[PROP_RANGES];
  for (let q: u32 = 0; q < len && u32(len - q) >= stride; q = u32(q + stride)) {
    const e: u32 = u32(off + q);
    if (!room(e, blob.length, stride)) return;
    const space: u32 = (be32(blob, e) >>> 24) & 3;
    const bus: u64 = cells(blob, u32(e + 4), 2);
    const cpu: u64 = cells(blob, u32(e + 12), pac);
    const size: u64 = cells(blob, u32(e + 12 + pac * 4), sc);
    if (space != SPACE_MEM32 || bus != cpu || size == 0n || cpu > MMIO_WINDOW_LIMIT || size > u64(MMIO_WINDOW_LIMIT - cpu)) continue;
    pciHost.memBase = cpu;
    pciHost.memSize = size;
    return;
  }
}

/** Every (slot, pin) of the first bus whose masked address matches an interrupt-map entry naming a GIC SPI. */
function interruptMap(blob: u8[], pci: FdtNode, gic: FdtNode): void {
  const gac: u32 = gic.addressCells;
  const gicIc: u32 = gic.interruptCells;
  if (gac > 2 || gicIc < 2 || gicIc > 4) return;
  let maskHi: u32 = 0xffff_ffff;
  let maskPin: u32 = 0xffff_ffff;
  if (pci.propLen[PROP_INTERRUPT_MAP_MASK] == 16) {
    maskHi = be32(blob, pci.propOff[PROP_INTERRUPT_MAP_MASK]);
    maskPin = be32(blob, u32(pci.propOff[PROP_INTERRUPT_MAP_MASK] + 12));
  }
  // child unit address (3) + child pin (1) + parent phandle (1) + parent unit address + parent specifier
  const stride: u32 = u32((5 + gac + gicIc) * 4);
  const off: u32 = pci.propOff[PROP_INTERRUPT_MAP];
  const len: u32 = pci.propLen[PROP_INTERRUPT_MAP];
  for (let q: u32 = 0; q < len && u32(len - q) >= stride; q = u32(q + stride)) {
    const e: u32 = u32(off + q);
    if (!room(e, blob.length, stride)) return;
    const hi: u32 = be32(blob, e);
    const pin: u32 = be32(blob, u32(e + 12));
    const spec: u32 = u32(e + (5 + gac) * 4);
    const type: u32 = be32(blob, spec);
    const num: u32 = be32(blob, u32(spec + 4));
    if (type != GIC_SPI || num > 987) continue;
    for (let slot: u32 = 0; slot < PCI_SLOTS; slot++) {
      for (let p: u32 = 1; p < u32(PCI_PINS + 1); p++) {
        if (u32(u32(slot << 11) & maskHi) == hi && u32(p & maskPin) == pin) pciHost.setRoute(slot, p, u32(32 + num));
      }
    }
  }
}
