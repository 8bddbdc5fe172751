/**
 * The PCIe host bridge as the firmware tables describe it (x86_64: ACPI MCFG
 * plus the q35 chipset's interrupt routing; AArch64: the device tree's
 * pci-host-ecam-generic node). The arch layer fills it at boot; the kernel hands
 * its windows to the PCI bus service as MMIO capabilities and answers pciHost /
 * pciRoute from it. The kernel itself never touches a PCI device.
 */
import { u32, u64, bool, array } from "kts";

export const PCI_SLOTS = 32;
export const PCI_PINS = 4;
/** A route entry for an INTx pin that raises no known line. */
export const NO_LINE: u32 = 0xffff_ffff;
/** Windows must leave the first 4 GiB's device area alone above this (x86_64: IOAPIC, HPET, LAPIC). */
export const MMIO_WINDOW_LIMIT: u64 = 0xfec0_0000n;

export class PciHost {
  present: bool = false;
  /** ECAM of buses busFirst..busLast (1 MiB each). */
  ecamBase: u64 = 0n;
  ecamSize: u64 = 0n;
  busFirst: u32 = 0;
  busLast: u32 = 0;
  /** The window memory BARs are placed in (below 4 GiB). */
  memBase: u64 = 0n;
  memSize: u64 = 0n;
  /** The interrupt lines INTx can raise: [irqFirst, irqFirst + irqCount). */
  irqFirst: u32 = 0;
  irqCount: u32 = 0;
  /** route[slot * 4 + pin - 1]: the line INTx pin of that slot on the first bus raises, or NO_LINE. */
  route: u32[] = array(PCI_SLOTS * PCI_PINS, NO_LINE);

  /** The line for (slot, pin 1..4), or NO_LINE. */
  line(slot: u64, pin: u64): u32 {
    if (slot >= u64(PCI_SLOTS) || pin < 1n || pin > u64(PCI_PINS)) return NO_LINE;
    return this.route[u32(u32(slot) * PCI_PINS + u32(pin) - 1)];
  }

  /** Records a route and widens [irqFirst, irqFirst + irqCount) to cover its line. */
  setRoute(slot: u32, pin: u32, line: u32): void {
    if (slot >= PCI_SLOTS || pin < 1 || pin > PCI_PINS) return;
    this.route[u32(slot * PCI_PINS + pin - 1)] = line;
    if (this.irqCount == 0) {
      this.irqFirst = line;
      this.irqCount = 1;
      return;
    }
    const end: u32 = u32(this.irqFirst + this.irqCount);
    if (line < this.irqFirst) {
      this.irqCount = u32(end - line);
      this.irqFirst = line;
    } else if (line >= end) this.irqCount = u32(line - this.irqFirst + 1);
  }
}

/** The platform's host bridge (at most one is used: segment 0). */
export const pciHost = new PciHost();
