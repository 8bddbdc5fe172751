"use unsafe";
/**
 * The IOAPIC: an index register (IOREGSEL, +0x00) and a data window (IOWIN,
 * +0x10). Initialized with every redirection entry masked; drivers unmask the
 * pins they own later (route()).
 */
import { u32, u64, usize, bool, array } from "kts";
import { mmioRead32, mmioWrite32 } from "kts/unsafe";
import { physToVirt } from "./memory";

const IOREGSEL: u64 = 0x00n;
const IOWIN: u64 = 0x10n;
const REG_VERSION: u32 = 0x01;
const REG_REDTBL: u32 = 0x10;
const MASKED: u32 = 0x1_0000;
const LEVEL: u32 = 0x8000;

let base: usize = 0n;
let pins: u32 = 0;
let gsiBase: u32 = 0;
/** Each pin's low redirection word as last written: masking sets a bit of it without reading the IOAPIC back. */
const low: u32[] = array(256, MASKED);

function read(reg: u32): u32 {
  // SAFETY: base maps the IOAPIC's register window (MMIO), found in the MADT.
  mmioWrite32(usize(base + IOREGSEL), reg);
  return mmioRead32(usize(base + IOWIN));
}

function write(reg: u32, v: u32): void {
  // SAFETY: as in read.
  mmioWrite32(usize(base + IOREGSEL), reg);
  mmioWrite32(usize(base + IOWIN), v);
}

/** Sets up the IOAPIC at physical `pa` serving GSIs from `firstGsi`: every pin masked. Returns the pin count. */
export function ioapicInit(pa: u64, firstGsi: u32): u32 {
  base = physToVirt(pa);
  gsiBase = firstGsi;
  pins = u32(((read(REG_VERSION) >>> 16) & 0xff) + 1);
  for (let i: u32 = 0; i < pins; i++) {
    low[i] = MASKED;
    write(u32(REG_REDTBL + i * 2), MASKED);
    write(u32(REG_REDTBL + i * 2 + 1), 0);
  }
  return pins;
}

/** Routes GSI `gsi` to `vector` on the CPU with APIC id `dest` (active high; edge or level), unmasked. */
export function ioapicRoute(gsi: u32, vector: u32, dest: u32, level: bool): void {
  if (gsi < gsiBase || gsi >= u32(gsiBase + pins)) return;
  const pin: u32 = u32(gsi - gsiBase);
  write(u32(REG_REDTBL + pin * 2 + 1), u32(dest << 24));
  low[pin] = u32((vector & 0xff) | (level ? LEVEL : 0));
  write(u32(REG_REDTBL + pin * 2), low[pin]);
}

/**
 * Masks GSI `gsi` again, keeping its vector and trigger mode: a level-triggered
 * pin must stay level-triggered while masked, or the IOAPIC stops following the
 * line's level and delivers a stale assertion again at the unmask (a storm).
 */
export function ioapicMask(gsi: u32): void {
  if (gsi < gsiBase || gsi >= u32(gsiBase + pins)) return;
  const pin: u32 = u32(gsi - gsiBase);
  low[pin] = u32(low[pin] | MASKED);
  write(u32(REG_REDTBL + pin * 2), low[pin]);
}
