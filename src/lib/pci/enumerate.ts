/**
 * Bus scan of an ECAM window into a fixed table (KTS arrays have constant
 * lengths), BAR probing of every type-0 function, and placing and programming
 * their memory BARs. Bridges are recorded, not configured: buses behind one
 * are seen only if the firmware numbered them and they are in the scanned range.
 */
import { u8, u16, u32, usize, bool, structs } from "kts";
import {
  Ecam, cfgRead8, cfgRead32, cfgWrite32, vendorId, deviceId, classCode, subclass, progIf, revision, headerType,
  isMultifunction, interruptPin, interruptLine, VENDOR_NONE, HEADER_NORMAL, HEADER_BRIDGE,
  CFG_PRIMARY_BUS, CFG_SECONDARY_BUS, CFG_SUBORDINATE_BUS,
} from "./config";
import { Bar, BarKind, BarPlace, BarWindow, BARS_PER_FUNCTION, probeBars, placeBars, programBars } from "./bars";

export const MAX_FUNCTIONS: u32 = 32;
const MAX_BARS = 192; // MAX_FUNCTIONS * BARS_PER_FUNCTION

export class PciFunction {
  bus: u32 = 0;
  dev: u32 = 0;
  fn: u32 = 0;
  /** Its config space (virtual). */
  fa: usize = 0n;
  vendor: u16 = 0;
  device: u16 = 0;
  classCode: u8 = 0;
  subclass: u8 = 0;
  progIf: u8 = 0;
  revision: u8 = 0;
  /** Without the multifunction bit (see multifunction). */
  headerType: u8 = 0;
  multifunction: bool = false;
  /** 0 none, 1..4 INTA..INTD. */
  interruptPin: u8 = 0;
  interruptLine: u8 = 0;
  /** Header type 1: its bus numbers as the firmware left them (0 when none did). */
  bridge: bool = false;
  primaryBus: u8 = 0;
  secondaryBus: u8 = 0;
  subordinateBus: u8 = 0;
  /** Its BARs are table.bars[barAt .. barAt + barCount) (6 for a type-0 header, else none). */
  barAt: u32 = 0;
  barCount: u32 = 0;
}

export class PciTable {
  functions: PciFunction[] = structs(MAX_FUNCTIONS, PciFunction);
  count: u32 = 0;
  bars: Bar[] = structs(MAX_BARS, Bar);
  barCount: u32 = 0;
  /** Functions found after the table was full (not recorded). */
  dropped: u32 = 0;

  clear(): void {
    this.count = 0;
    this.barCount = 0;
    this.dropped = 0;
  }

  /** BAR slot (0..5) of function i. */
  bar(i: u32, slot: u32): Bar {
    const f: PciFunction = this.functions[i];
    return this.bars[u32(f.barAt + slot)];
  }
}

/** Records the function at fa (present) unless the table is full. */
function record(table: PciTable, fa: usize, bus: u32, dev: u32, fn: u32): void {
  if (table.count == MAX_FUNCTIONS) {
    table.dropped = u32(table.dropped + 1);
    return;
  }
  const f: PciFunction = table.functions[table.count];
  table.count = u32(table.count + 1);
  f.bus = bus;
  f.dev = dev;
  f.fn = fn;
  f.fa = fa;
  f.vendor = vendorId(fa);
  f.device = deviceId(fa);
  f.classCode = classCode(fa);
  f.subclass = subclass(fa);
  f.progIf = progIf(fa);
  f.revision = revision(fa);
  f.headerType = headerType(fa);
  f.multifunction = isMultifunction(fa);
  f.interruptPin = interruptPin(fa);
  f.interruptLine = interruptLine(fa);
  f.bridge = f.headerType == HEADER_BRIDGE;
  f.primaryBus = f.bridge ? cfgRead8(fa, CFG_PRIMARY_BUS) : 0;
  f.secondaryBus = f.bridge ? cfgRead8(fa, CFG_SECONDARY_BUS) : 0;
  f.subordinateBus = f.bridge ? cfgRead8(fa, CFG_SUBORDINATE_BUS) : 0;
  f.barAt = table.barCount;
  f.barCount = 0;
  if (f.headerType == HEADER_NORMAL) {
    probeBars(fa, table.bars, table.barCount, cfgRead32, cfgWrite32);
    f.barCount = BARS_PER_FUNCTION;
    table.barCount = u32(table.barCount + BARS_PER_FUNCTION);
  }
}

/**
 * Scans buses first..last of the window (inside ecam's range): every device,
 * function 0, and functions 1..7 only when function 0 is multifunction.
 * Appends to table (clear() it first for a fresh scan); returns table.count.
 */
export function enumerate(ecam: Ecam, first: u32, last: u32, table: PciTable): u32 {
  for (let bus: u32 = first; bus <= last; bus = u32(bus + 1)) {
    for (let dev: u32 = 0; dev < 32; dev++) {
      const fa0: usize = ecam.address(bus, dev, 0);
      if (vendorId(fa0) == VENDOR_NONE) continue;
      record(table, fa0, bus, dev, 0);
      if (!isMultifunction(fa0)) continue;
      for (let fn: u32 = 1; fn < 8; fn++) {
        const fa: usize = ecam.address(bus, dev, fn);
        if (vendorId(fa) != VENDOR_NONE) record(table, fa, bus, dev, fn);
      }
    }
    if (bus == 255) break;
  }
  return table.count;
}

/**
 * Places the table's memory BARs (placeBars: firmware addresses kept when
 * sound, the rest assigned from the windows; pass one window twice if there is
 * only one), writes them, and enables memory decode and bus mastering where
 * every memory BAR has a place. Once per enumeration, with freshly initialized
 * windows (they record what is in use). Returns how many BARs found no room.
 */
export function assignBars(table: PciTable, low: BarWindow, high: BarWindow): u32 {
  const failed: u32 = placeBars(table.bars, table.barCount, low, high);
  programBars(table.bars, table.barCount, cfgRead32, cfgWrite32);
  return failed;
}

/** Whether every memory BAR of function i has a place (and none is unusable): then its decode is on. */
export function functionPlaced(table: PciTable, i: u32): bool {
  const f: PciFunction = table.functions[i];
  for (let s: u32 = 0; s < f.barCount; s++) {
    const b: Bar = table.bars[u32(f.barAt + s)];
    if (b.kind == BarKind.Bad) return false;
    if (b.isMemory() && b.place != BarPlace.Kept && b.place != BarPlace.Assigned) return false;
  }
  return true;
}
