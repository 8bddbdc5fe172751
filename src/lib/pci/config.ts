"use unsafe";
/**
 * PCI configuration space through a PCIe ECAM window (4 KiB per function at
 * bus << 20 | dev << 15 | fn << 12): typed accessors, identity fields, the
 * command register and the capability list. A function is named by the virtual
 * address of its config space (`fa`, from Ecam.address).
 */
import { u8, u16, u32, u64, usize, bool, assert } from "kts";
import { mmioRead8, mmioRead16, mmioRead32, mmioWrite8, mmioWrite16, mmioWrite32 } from "kts/unsafe";

// Type-0/1 header offsets.
export const CFG_VENDOR: u32 = 0x00;
export const CFG_DEVICE: u32 = 0x02;
export const CFG_COMMAND: u32 = 0x04;
export const CFG_STATUS: u32 = 0x06;
export const CFG_REVISION: u32 = 0x08;
export const CFG_PROG_IF: u32 = 0x09;
export const CFG_SUBCLASS: u32 = 0x0a;
export const CFG_CLASS: u32 = 0x0b;
export const CFG_HEADER_TYPE: u32 = 0x0e;
export const CFG_BAR0: u32 = 0x10;
export const CFG_PRIMARY_BUS: u32 = 0x18;
export const CFG_SECONDARY_BUS: u32 = 0x19;
export const CFG_SUBORDINATE_BUS: u32 = 0x1a;
export const CFG_CAP_PTR: u32 = 0x34;
export const CFG_CARDBUS_CAP_PTR: u32 = 0x14;
export const CFG_INTERRUPT_LINE: u32 = 0x3c;
export const CFG_INTERRUPT_PIN: u32 = 0x3d;
export const CFG_SPACE_SIZE: u32 = 0x1000;

export const HEADER_NORMAL: u8 = 0;
export const HEADER_BRIDGE: u8 = 1;
export const HEADER_CARDBUS: u8 = 2;
const HEADER_MULTIFUNCTION: u8 = 0x80;

/** Read back by a function that does not exist. */
export const VENDOR_NONE: u16 = 0xffff;

// Command register bits.
export const CMD_IO: u16 = 0x0001;
export const CMD_MEM: u16 = 0x0002;
export const CMD_BUS_MASTER: u16 = 0x0004;
export const CMD_INTX_DISABLE: u16 = 0x0400;

const STATUS_CAP_LIST: u16 = 0x0010;

// Capability ids.
export const CAP_PM: u8 = 0x01;
export const CAP_MSI: u8 = 0x05;
export const CAP_VENDOR: u8 = 0x09;
export const CAP_PCIE: u8 = 0x10;
export const CAP_MSIX: u8 = 0x11;

/** A window of buses firstBus..lastBus; va maps firstBus's 1 MiB (ACPI MCFG's base plus firstBus << 20). */
export class Ecam {
  va: usize = 0n;
  firstBus: u32 = 0;
  lastBus: u32 = 0;

  init(va: usize, firstBus: u32, lastBus: u32): void {
    assert(firstBus <= lastBus && lastBus <= 255, "ECAM bus range");
    this.va = va;
    this.firstBus = firstBus;
    this.lastBus = lastBus;
  }

  /** Bytes of the window: 1 MiB a bus. */
  size(): u64 {
    return u64(u64(this.lastBus - this.firstBus + 1) << 20n);
  }

  /** The config space of bus:dev.fn; outside the window is a caller's bug, never a wild access. */
  address(bus: u32, dev: u32, fn: u32): usize {
    assert(bus >= this.firstBus && bus <= this.lastBus && dev < 32 && fn < 8, "PCI function outside the ECAM window");
    return usize(this.va + usize(ecamOffset(u32(bus - this.firstBus), dev, fn)));
  }
}

/** Offset of bus:dev.fn from bus 0 of an ECAM window. */
export function ecamOffset(bus: u32, dev: u32, fn: u32): u32 {
  return u32(((bus & 0xff) << 20) | ((dev & 0x1f) << 15) | ((fn & 7) << 12));
}

function at(fa: usize, offset: u32, width: u32): usize {
  assert(offset < CFG_SPACE_SIZE && (offset & u32(width - 1)) == 0, "config access unaligned or past 4 KiB");
  return usize(fa + usize(offset));
}

export function cfgRead8(fa: usize, offset: u32): u8 {
  return mmioRead8(at(fa, offset, 1));
}
export function cfgRead16(fa: usize, offset: u32): u16 {
  return mmioRead16(at(fa, offset, 2));
}
export function cfgRead32(fa: usize, offset: u32): u32 {
  return mmioRead32(at(fa, offset, 4));
}
export function cfgWrite8(fa: usize, offset: u32, v: u8): void {
  mmioWrite8(at(fa, offset, 1), v);
}
export function cfgWrite16(fa: usize, offset: u32, v: u16): void {
  mmioWrite16(at(fa, offset, 2), v);
}
export function cfgWrite32(fa: usize, offset: u32, v: u32): void {
  mmioWrite32(at(fa, offset, 4), v);
}

export function vendorId(fa: usize): u16 {
  return cfgRead16(fa, CFG_VENDOR);
}
export function deviceId(fa: usize): u16 {
  return cfgRead16(fa, CFG_DEVICE);
}
/** Whether a function answers at fa (absent ones read all ones). */
export function present(fa: usize): bool {
  return vendorId(fa) != VENDOR_NONE;
}
export function classCode(fa: usize): u8 {
  return cfgRead8(fa, CFG_CLASS);
}
export function subclass(fa: usize): u8 {
  return cfgRead8(fa, CFG_SUBCLASS);
}
export function progIf(fa: usize): u8 {
  return cfgRead8(fa, CFG_PROG_IF);
}
export function revision(fa: usize): u8 {
  return cfgRead8(fa, CFG_REVISION);
}
/** The header layout (HEADER_NORMAL, HEADER_BRIDGE, HEADER_CARDBUS), without the multifunction bit. */
export function headerType(fa: usize): u8 {
  return u8(cfgRead8(fa, CFG_HEADER_TYPE) & 0x7f);
}
/** Function 0's multifunction bit: only then do functions 1..7 exist. */
export function isMultifunction(fa: usize): bool {
  return (cfgRead8(fa, CFG_HEADER_TYPE) & HEADER_MULTIFUNCTION) != 0;
}
/** 0 none, 1..4 INTA..INTD. */
export function interruptPin(fa: usize): u8 {
  return cfgRead8(fa, CFG_INTERRUPT_PIN);
}
export function interruptLine(fa: usize): u8 {
  return cfgRead8(fa, CFG_INTERRUPT_LINE);
}

export function command(fa: usize): u16 {
  return cfgRead16(fa, CFG_COMMAND);
}
export function setCommand(fa: usize, v: u16): void {
  cfgWrite16(fa, CFG_COMMAND, v);
}
/** Sets the given command bits (CMD_*), leaving the others. */
export function commandSet(fa: usize, bits: u16): void {
  setCommand(fa, command(fa) | bits);
}
/** Clears the given command bits, leaving the others. */
export function commandClear(fa: usize, bits: u16): void {
  setCommand(fa, command(fa) & u16(~bits));
}
export function status(fa: usize): u16 {
  return cfgRead16(fa, CFG_STATUS);
}

/** At most this many capabilities: one per dword slot of 0x40..0xfc. */
export const MAX_CAPS: u32 = 48;
const CAP_FIRST: u32 = 0x40;

export enum CapError {
  None = 0,
  /** A pointer below 0x40 or not dword-aligned. */
  BadPointer = 1,
  /** A pointer to a capability already visited. */
  Loop = 2,
}

/**
 * Walks the capability list one entry at a time, refusing (never following)
 * a bad or repeated pointer: `for (let ok = c.first(fa); ok; ok = c.next())`,
 * then c.error says whether the list ended cleanly.
 */
export class CapCursor {
  fa: usize = 0n;
  /** The current capability's offset and id. */
  offset: u32 = 0;
  id: u8 = 0;
  /** Capabilities visited so far. */
  count: u32 = 0;
  error: CapError = CapError.None;
  /** One bit per dword slot from 0x40: every slot is visited at most once, so the walk ends within MAX_CAPS steps. */
  seen: u64 = 0n;

  /** Moves to the first capability; false if there is none or the pointer is refused. */
  first(fa: usize): bool {
    this.fa = fa;
    this.offset = 0;
    this.id = 0;
    this.count = 0;
    this.error = CapError.None;
    this.seen = 0n;
    if ((status(fa) & STATUS_CAP_LIST) == 0) return false;
    const ptrAt: u32 = headerType(fa) == HEADER_CARDBUS ? CFG_CARDBUS_CAP_PTR : CFG_CAP_PTR;
    return this.moveTo(u32(cfgRead8(fa, ptrAt)));
  }

  /** Moves to the next capability; false at the end of the list or on a refused pointer. */
  next(): bool {
    if (this.offset == 0) return false;
    return this.moveTo(u32(cfgRead8(this.fa, u32(this.offset + 1))));
  }

  private moveTo(ptr: u32): bool {
    this.offset = 0;
    this.id = 0;
    if (ptr == 0) return false;
    if (ptr < CAP_FIRST || (ptr & 3) != 0) {
      this.error = CapError.BadPointer;
      return false;
    }
    const bit: u64 = u64(1n << u64((ptr - CAP_FIRST) >>> 2));
    if ((this.seen & bit) != 0n) {
      this.error = CapError.Loop;
      return false;
    }
    this.seen |= bit;
    this.offset = ptr;
    this.id = cfgRead8(this.fa, ptr);
    this.count = u32(this.count + 1);
    return true;
  }
}

/** Finds the first capability with id: true with cur.offset on it; false with cur.error telling a clean end from a refused list. */
export function findCapability(fa: usize, id: u8, cur: CapCursor): bool {
  for (let ok: bool = cur.first(fa); ok; ok = cur.next()) {
    if (cur.id == id) return true;
  }
  return false;
}
