/**
 * The PCIe host bridge on x86_64: ECAM from ACPI's MCFG; the memory window for
 * BARs between the top of RAM (or ECAM) and the APIC area below 4 GiB; INTx
 * routing of the q35 chipset (ICH9). Its routing lives in the DSDT's _PRT,
 * which is AML; we use the chipset's fixed default instead, the one QEMU's
 * DSDT and SeaBIOS also follow: pin p (1..4) of slot s <= 24 on bus 0 raises
 * PIRQ E + (s + p - 1) mod 4, and in APIC mode PIRQ A..H are IOAPIC pins 16..23.
 */
import { u32, u64, print } from "kts";
import { BootInfo, RegionKind } from "../../kernel/boot/bootinfo";
import { pciHost, PCI_PINS, MMIO_WINDOW_LIMIT } from "../../kernel/boot/pci-host";
import { Mcfg, parseMcfg } from "./acpi";

const FOUR_GIB: u64 = 0x1_0000_0000n;
const WINDOW_ALIGN: u64 = 0x100_0000n;
const ROUTED_SLOTS: u32 = 25;
const PIRQ_E_GSI: u32 = 20;

export function pciHostFromAcpi(info: BootInfo): void {
  const m = new Mcfg();
  if (!parseMcfg(info, m)) {
    print("acpi: no MCFG: no PCIe");
    return;
  }
  const h = pciHost;
  h.ecamBase = u64(m.base + u64(u64(m.busFirst) << 20n));
  h.ecamSize = u64(u64(m.busLast - m.busFirst + 1) << 20n);
  h.busFirst = m.busFirst;
  h.busLast = m.busLast;
  // Above all RAM below 4 GiB and above ECAM (if ECAM is there too).
  let start: u64 = 0n;
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    const end: u64 = u64(r.base + r.size);
    if (r.kind == RegionKind.Usable && r.base < FOUR_GIB && end > start) start = end;
  }
  const ecamEnd: u64 = u64(h.ecamBase + h.ecamSize);
  if (ecamEnd <= FOUR_GIB && ecamEnd > start) start = ecamEnd;
  start = u64(u64(start + WINDOW_ALIGN - 1n) & u64(~u64(WINDOW_ALIGN - 1n)));
  if (start < MMIO_WINDOW_LIMIT) {
    h.memBase = start;
    h.memSize = u64(MMIO_WINDOW_LIMIT - start);
  }
  for (let s: u32 = 0; s < ROUTED_SLOTS; s++) {
    for (let p: u32 = 1; p < u32(PCI_PINS + 1); p++) h.setRoute(s, p, u32(PIRQ_E_GSI + u32(u32(s + p - 1) & 3)));
  }
  h.present = true;
}
