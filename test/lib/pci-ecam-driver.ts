// Node world driver for src/lib/pci against the ECAM device models that
// test/lib/pci-ecam-node.ts maps at the addresses below: enumeration, BAR
// probing and placement, capability walks. Prints an lspci-like listing per
// scenario and checks the library's own view; the test checks the model's.
import { u8, u32, u64, usize, bool, print, check, checkFailures, text, hex } from "kts";
import {
  Ecam, CapCursor, CapError, findCapability, command, commandSet, commandClear, cfgRead32, headerType, isMultifunction,
  CMD_INTX_DISABLE, CMD_MEM, CMD_BUS_MASTER, CAP_PM, CAP_MSI, CAP_MSIX, CAP_PCIE, CAP_VENDOR,
} from "../../src/lib/pci/config";
import { PciTable, PciFunction, enumerate, assignBars, functionPlaced, MAX_FUNCTIONS } from "../../src/lib/pci/enumerate";
import { Bar, BarKind, BarPlace, BarWindow, slotSize } from "../../src/lib/pci/bars";
import { className, barKindName, barPlaceName } from "../../src/lib/pci/names";
import { Line } from "../../src/lib/format";

/** Scenario A: direct boot (no firmware), QEMU virt's windows. */
export const ECAM_A: usize = 0x40_1000_0000n;
export const A_LOW: u64 = 0x1000_0000n;
export const A_LOW_SIZE: u64 = 0x2eff_0000n;
export const A_HIGH: u64 = 0x80_0000_0000n;
export const A_HIGH_SIZE: u64 = 0x80_0000_0000n;
/** Scenario B: SeaBIOS assigned BARs; one window below the IOAPIC. */
export const ECAM_B: usize = 0x40_2000_0000n;
export const B_WINDOW: u64 = 0xc000_0000n;
export const B_WINDOW_SIZE: u64 = 0x3ec0_0000n;
/** Scenario C: a 1 MiB window too small for everything. */
export const ECAM_C: usize = 0x40_3000_0000n;
export const C_WINDOW: u64 = 0x1000_0000n;
export const C_WINDOW_SIZE: u64 = 0x10_0000n;
/** Scenario D: 40 functions for a table of 32. */
export const ECAM_D: usize = 0x40_4000_0000n;

const ecam = new Ecam();
const table = new PciTable();
const other = new PciTable();
const low = new BarWindow();
const high = new BarWindow();
const row = new Line();
const cur = new CapCursor();

function printRow(): void {
  print(`${text(row.bytes, row.length)}`);
}

function hexDigit(v: u32): u8 {
  return v < 10 ? u8(0x30 + v) : u8(0x57 + v);
}

function hex2(v: u32): void {
  row.byte(hexDigit((v >>> 4) & 0xf));
  row.byte(hexDigit(v & 0xf));
}

function hex4(v: u32): void {
  hex2((v >>> 8) & 0xff);
  hex2(v & 0xff);
}

function word(c0: u8, c1: u8): void {
  row.byte(c0);
  row.byte(c1);
}

/** "bb:dd.f vvvv:dddd <class> rev r pin p [mf] [bridge s..u]" and one line per BAR in use. */
function list(t: PciTable): void {
  for (let i: u32 = 0; i < t.count; i++) {
    const f: PciFunction = t.functions[i];
    row.clear();
    hex2(f.bus);
    row.byte(0x3a);
    hex2(f.dev);
    row.byte(0x2e);
    row.decimal(u64(f.fn));
    row.byte(0x20);
    hex4(u32(f.vendor));
    row.byte(0x3a);
    hex4(u32(f.device));
    row.byte(0x20);
    row.length = className(f.classCode, f.subclass, row.bytes, row.length);
    printRow();
    print(`  prog-if ${f.progIf} rev ${f.revision} header ${f.headerType} mf ${f.multifunction} pin ${f.interruptPin} command ${hex(u32(command(f.fa)))}`);
    if (f.bridge) print(`  bridge buses ${f.primaryBus} ${f.secondaryBus} ${f.subordinateBus}`);
    for (let s: u32 = 0; s < f.barCount; s++) {
      const b: Bar = t.bar(i, s);
      if (b.kind == BarKind.Unused) continue;
      row.clear();
      row.padTo(2);
      word(0x62, 0x61);
      row.byte(0x72);
      row.decimal(u64(s));
      row.byte(0x20);
      row.length = barKindName(b.kind, row.bytes, row.length);
      if (b.prefetchable) {
        word(0x20, 0x70);
        word(0x72, 0x65);
        row.byte(0x66);
      }
      row.byte(0x20);
      row.hex(b.size);
      word(0x20, 0x66);
      word(0x77, 0x20);
      row.hex(b.firmware);
      word(0x20, 0x2d);
      word(0x3e, 0x20);
      row.hex(b.base);
      row.byte(0x20);
      row.length = barPlaceName(b.place, row.bytes, row.length);
      printRow();
    }
  }
}

/** The library's placements, rechecked here: inside a window, slot-aligned, no two sharing a page, below 4 GiB for Mem32. */
function checkPlacement(t: PciTable, w0: BarWindow, w1: BarWindow): void {
  for (let i: u32 = 0; i < t.barCount; i++) {
    const a: Bar = t.bars[i];
    if (a.place != BarPlace.Kept && a.place != BarPlace.Assigned) continue;
    const slot: u64 = slotSize(a.size);
    check((a.base & u64(slot - 1n)) == 0n, "placed BAR aligned to its slot");
    check(w0.contains(a.base, slot) || w1.contains(a.base, slot), "placed BAR inside a window");
    if (a.kind == BarKind.Mem32) check(u64(a.base + slot) <= 0x1_0000_0000n, "32-bit BAR below 4 GiB");
    for (let j: u32 = u32(i + 1); j < t.barCount; j++) {
      const b: Bar = t.bars[j];
      if (b.place != BarPlace.Kept && b.place != BarPlace.Assigned) continue;
      const bslot: u64 = slotSize(b.size);
      check(u64(a.base + slot) <= b.base || u64(b.base + bslot) <= a.base, "placed BARs overlap");
    }
  }
}

/** Index of bus:dev.fn in t, or t.count. */
function find(t: PciTable, bus: u32, dev: u32, fn: u32): u32 {
  for (let i: u32 = 0; i < t.count; i++) {
    const f: PciFunction = t.functions[i];
    if (f.bus == bus && f.dev == dev && f.fn == fn) return i;
  }
  return t.count;
}

function capWalk(bus: u32, dev: u32): void {
  const fa: usize = ecam.address(bus, dev, 0);
  row.clear();
  for (let ok: bool = cur.first(fa); ok; ok = cur.next()) {
    row.hex(u64(cur.offset));
    row.byte(0x3d);
    row.hex(u64(cur.id));
    row.byte(0x20);
  }
  print(`caps ${dev}: ${cur.count} error ${u32(cur.error)}: ${text(row.bytes, row.length)}`);
}

function scenarioA(): void {
  ecam.init(ECAM_A, 0, 1);
  table.clear();
  const n: u32 = enumerate(ecam, 0, 1, table);
  print(`A: ${n} functions, ${table.dropped} dropped, ${table.barCount} BAR slots`);
  check(n == 13 && table.dropped == 0, "A: 12 functions on bus 0, 1 on bus 1");
  check(find(table, 0, 2, 1) == table.count, "A: a device without the multifunction bit has no function 1");
  check(find(table, 0, 1, 7) < table.count && find(table, 0, 1, 1) == table.count, "A: functions of a multifunction device past a gap");
  check(low.init(A_LOW, A_LOW_SIZE) && high.init(A_HIGH, A_HIGH_SIZE), "A: windows");
  const failed: u32 = assignBars(table, low, high);
  print(`A: ${failed} BARs without room`);
  check(failed == 0, "A: every BAR placed");
  list(table);
  checkPlacement(table, low, high);
  for (let i: u32 = 0; i < table.count; i++) {
    const f: PciFunction = table.functions[i];
    let memory: bool = false;
    for (let s: u32 = 0; s < f.barCount; s++) {
      const b: Bar = table.bar(i, s);
      if (b.isMemory()) {
        memory = true;
        check(b.place == BarPlace.Assigned, "A: no firmware, every memory BAR assigned");
      }
    }
    const on: bool = (command(f.fa) & (CMD_MEM | CMD_BUS_MASTER)) == (CMD_MEM | CMD_BUS_MASTER);
    check(on == (memory && functionPlaced(table, i)), "A: decode on exactly where every memory BAR has a place");
  }
  const usb: u32 = find(table, 0, 8, 0);
  check(usb < table.count && !functionPlaced(table, usb), "A: a 64-bit BAR in the last slot leaves decode off");
  const eth: u32 = find(table, 0, 3, 0);
  const b0: Bar = table.bar(eth, 0);
  check(b0.kind == BarKind.Mem64 && b0.prefetchable && b0.size == 0x10_0000n && table.bar(eth, 1).kind == BarKind.Upper, "A: 64-bit prefetchable BAR");
  check(table.bar(eth, 2).kind == BarKind.Mem32 && table.bar(eth, 2).size == 0x2_0000n, "A: 32-bit BAR");
  check(table.bar(eth, 3).kind == BarKind.Io && table.bar(eth, 3).size == 0x20n && table.bar(eth, 3).place == BarPlace.None, "A: IO BAR sized, not placed");
  check(b0.base >= A_HIGH, "A: 64-bit BAR in the high window");
  const big: Bar = table.bar(find(table, 0, 5, 0), 0);
  check(big.size == 0x2_0000_0000n && (big.base & 0x1_ffff_ffffn) == 0n, "A: 8 GiB BAR sized and aligned");

  // Command bits leave the others alone.
  const fa: usize = table.functions[eth].fa;
  commandSet(fa, CMD_INTX_DISABLE);
  check((command(fa) & CMD_INTX_DISABLE) != 0 && (command(fa) & CMD_MEM) != 0, "INTX_DISABLE set, MEM kept");
  commandClear(fa, CMD_INTX_DISABLE);
  check((command(fa) & CMD_INTX_DISABLE) == 0 && (command(fa) & CMD_MEM) != 0, "INTX_DISABLE cleared, MEM kept");
  check(isMultifunction(ecam.address(0, 1, 0)) && !isMultifunction(ecam.address(0, 2, 0)), "multifunction bit");
  check(headerType(ecam.address(0, 1, 0)) == 0 && headerType(ecam.address(0, 4, 0)) == 1, "header type without the multifunction bit");

  // Capability lists: clean, looping, pointing into the header, unaligned, absent.
  capWalk(0, 3);
  check(cur.count == 3 && cur.error == CapError.None, "clean list of 3");
  capWalk(0, 5);
  check(cur.count == 2 && cur.error == CapError.Loop, "loop refused");
  capWalk(0, 6);
  check(cur.count == 1 && cur.error == CapError.BadPointer, "pointer below 0x40 refused");
  capWalk(0, 7);
  check(cur.count == 0 && cur.error == CapError.BadPointer, "unaligned pointer refused");
  capWalk(0, 8);
  check(cur.count == 0 && cur.error == CapError.None, "no list without the status bit");
  check(findCapability(ecam.address(0, 3, 0), CAP_MSIX, cur) && cur.offset == 0x70, "MSI-X found");
  check(findCapability(ecam.address(0, 3, 0), CAP_PM, cur) && cur.offset == 0x40, "PM found");
  check(!findCapability(ecam.address(0, 3, 0), CAP_PCIE, cur) && cur.error == CapError.None, "PCIe absent, list clean");
  check(findCapability(ecam.address(0, 5, 0), CAP_MSI, cur) && cur.offset == 0x48, "found before the loop");
  check(!findCapability(ecam.address(0, 5, 0), CAP_PCIE, cur) && cur.error == CapError.Loop, "absent, list loops");
  check(!findCapability(ecam.address(0, 6, 0), CAP_VENDOR, cur) && cur.error == CapError.BadPointer, "absent, bad pointer");

  // Only bus 1.
  other.clear();
  const n1: u32 = enumerate(ecam, 1, 1, other);
  print(`A bus 1: ${n1} functions`);
  check(n1 == 1 && other.functions[0].bus == 1 && other.functions[0].dev == 31, "bus 1 alone");
}

function scenarioB(): void {
  ecam.init(ECAM_B, 0, 0);
  table.clear();
  const n: u32 = enumerate(ecam, 0, 0, table);
  check(low.init(B_WINDOW, B_WINDOW_SIZE), "B: window");
  const failed: u32 = assignBars(table, low, low);
  print(`B: ${n} functions, ${failed} BARs without room`);
  check(n == 8 && failed == 0, "B: 8 functions, all placed");
  list(table);
  checkPlacement(table, low, low);
  check(table.bar(find(table, 0, 1, 0), 0).place == BarPlace.Kept && table.bar(find(table, 0, 1, 0), 3).place == BarPlace.Kept, "B: sound firmware BARs kept");
  check(table.bar(find(table, 0, 1, 0), 1).kind == BarKind.Io && table.bar(find(table, 0, 1, 0), 1).base == 0xc000n, "B: IO BAR reported at its port");
  check(table.bar(find(table, 0, 2, 0), 0).place == BarPlace.Assigned, "B: overlapping firmware BAR moved");
  check(table.bar(find(table, 0, 3, 0), 0).place == BarPlace.Assigned, "B: firmware BAR outside the window moved");
  check(table.bar(find(table, 0, 3, 0), 2).place == BarPlace.Assigned, "B: firmware BAR sharing a page moved");
  check(table.bar(find(table, 0, 6, 0), 0).place == BarPlace.Assigned, "B: firmware BAR past the window's end moved");
  check(table.bar(find(table, 0, 7, 0), 0).place == BarPlace.Kept, "B: firmware BAR on the window's last page kept");
}

function scenarioC(): void {
  ecam.init(ECAM_C, 0, 0);
  table.clear();
  const n: u32 = enumerate(ecam, 0, 0, table);
  check(low.init(C_WINDOW, C_WINDOW_SIZE), "C: window");
  const failed: u32 = assignBars(table, low, low);
  print(`C: ${n} functions, ${failed} BARs without room`);
  check(failed == 2, "C: two BARs find no room");
  list(table);
  checkPlacement(table, low, low);
  check((command(ecam.address(0, 0, 0)) & CMD_MEM) != 0, "C: a function whose BARs fit decodes");
  check((command(ecam.address(0, 1, 0)) & CMD_MEM) == 0, "C: a function with a BAR without room does not decode");
  check((command(ecam.address(0, 2, 0)) & CMD_MEM) == 0, "C: firmware's decode turned off when its BAR has no room");
  check(command(ecam.address(0, 3, 0)) == 1, "C: IO-only function untouched");
}

function scenarioD(): void {
  ecam.init(ECAM_D, 0, 0);
  other.clear();
  const n: u32 = enumerate(ecam, 0, 0, other);
  print(`D: ${n} functions, ${other.dropped} dropped, ${other.barCount} BAR slots`);
  check(n == MAX_FUNCTIONS && other.dropped == 8, "D: table full, the rest counted");
  const last: PciFunction = other.functions[31];
  check(last.dev == 3 && last.fn == 7, "D: filled in scan order");
}

export function main(): u32 {
  scenarioA();
  scenarioB();
  scenarioC();
  scenarioD();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}

/** A function outside the window: a panic, not an access. */
export function outside(): u32 {
  ecam.init(ECAM_A, 0, 1);
  return u32(ecam.address(2, 0, 0) & 0xffn);
}

/** A config access past 4 KiB: a panic. */
export function pastSpace(): u32 {
  ecam.init(ECAM_A, 0, 1);
  return cfgRead32(ecam.address(0, 3, 0), 0x1000);
}
