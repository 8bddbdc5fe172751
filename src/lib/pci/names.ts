/**
 * Short names of PCI classes for lspci-style output. KTS has no string values:
 * the name's bytes are written into the caller's buffer, which prints with
 * print(`${text(buf, n)}`) (a Line of src/lib/format.ts: `row.length =
 * className(c, s, row.bytes, row.length)`).
 */
import { u8, u16, u32, u64, arrayOf } from "kts";
import { BarKind, BarPlace } from "./bars";
import { Line } from "../format";

/** class << 8 | subclass of each name in CLASS_NAMES, in order. */
const CLASS_CODES: readonly u16[] = arrayOf([
  0x0000, 0x0100, 0x0101, 0x0106, 0x0108, 0x0200, 0x0300, 0x0403, 0x0600, 0x0601, 0x0604, 0x0780, 0x0c03, 0x0c05,
]);

/** NUL-terminated names. */
const CLASS_NAMES: readonly u8[] = arrayOf([
  0x75, 0x6e, 0x63, 0x6c, 0x61, 0x73, 0x73, 0x69, 0x66, 0x69, 0x65, 0x64, 0, // unclassified
  0x53, 0x43, 0x53, 0x49, 0x20, 0x73, 0x74, 0x6f, 0x72, 0x61, 0x67, 0x65, 0, // SCSI storage
  0x49, 0x44, 0x45, 0, // IDE
  0x53, 0x41, 0x54, 0x41, 0, // SATA
  0x4e, 0x56, 0x4d, 0x65, 0, // NVMe
  0x45, 0x74, 0x68, 0x65, 0x72, 0x6e, 0x65, 0x74, 0, // Ethernet
  0x56, 0x47, 0x41, 0, // VGA
  0x61, 0x75, 0x64, 0x69, 0x6f, 0, // audio
  0x68, 0x6f, 0x73, 0x74, 0x20, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0, // host bridge
  0x49, 0x53, 0x41, 0x20, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0, // ISA bridge
  0x50, 0x43, 0x49, 0x20, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0, // PCI bridge
  0x63, 0x6f, 0x6d, 0x6d, 0x75, 0x6e, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0, // communication
  0x55, 0x53, 0x42, 0, // USB
  0x53, 0x4d, 0x42, 0x75, 0x73, 0, // SMBus
]);

/** "class " for classes without a name. */
const CLASS_PREFIX: readonly u8[] = arrayOf([0x63, 0x6c, 0x61, 0x73, 0x73, 0x20]);

/** Writes c to out[pos] if there is room; returns the position after what was written. */
function put(out: u8[], pos: u32, c: u8): u32 {
  if (pos >= out.length) return pos;
  out[pos] = c;
  return u32(pos + 1);
}

function hexDigit(v: u32): u8 {
  return v < 10 ? u8(0x30 + v) : u8(0x57 + v);
}

function putHex2(out: u8[], pos: u32, v: u8): u32 {
  return put(out, put(out, pos, hexDigit(u32(v) >>> 4)), hexDigit(u32(v) & 0xf));
}

/** Copies the index-th NUL-terminated name of table ("?" past its end). */
function putName(table: readonly u8[], index: u32, out: u8[], at: u32): u32 {
  let start: u32 = 0;
  for (let n: u32 = 0; n < index; n++) {
    while (start < table.length && table[start] != 0) start = u32(start + 1);
    start = u32(start + 1);
  }
  if (start >= table.length) return put(out, at, 0x3f);
  let pos: u32 = at;
  for (let j: u32 = start; j < table.length; j++) {
    if (table[j] == 0) break;
    pos = put(out, pos, table[j]);
  }
  return pos;
}

/** BarKind names, by value. */
const KIND_NAMES: readonly u8[] = arrayOf([
  0x2d, 0, // -
  0x69, 0x6f, 0, // io
  0x6d, 0x65, 0x6d, 0x33, 0x32, 0, // mem32
  0x6d, 0x65, 0x6d, 0x36, 0x34, 0, // mem64
  0x75, 0x70, 0x70, 0x65, 0x72, 0, // upper
  0x62, 0x61, 0x64, 0, // bad
]);

/** BarPlace names, by value. */
const PLACE_NAMES: readonly u8[] = arrayOf([
  0x2d, 0, // -
  0x70, 0x65, 0x6e, 0x64, 0x69, 0x6e, 0x67, 0, // pending
  0x6b, 0x65, 0x70, 0x74, 0, // kept
  0x61, 0x73, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0, // assigned
  0x6e, 0x6f, 0x20, 0x72, 0x6f, 0x6f, 0x6d, 0, // no room
]);

/** "-", "io", "mem32", "mem64", "upper", "bad" into out at position at; returns the position after it. */
export function barKindName(kind: BarKind, out: u8[], at: u32): u32 {
  return putName(KIND_NAMES, u32(kind), out, at);
}

/** "-", "pending", "kept", "assigned", "no room" into out at position at; returns the position after it. */
export function barPlaceName(place: BarPlace, out: u8[], at: u32): u32 {
  return putName(PLACE_NAMES, u32(place), out, at);
}

/**
 * Writes the name of class/subclass into out from position at (as far as out
 * has room): "SATA", "host bridge", ... or "class xx.yy" in hex. Returns the
 * position after it.
 */
export function className(cls: u8, sub: u8, out: u8[], at: u32): u32 {
  const code: u16 = u16((u32(cls) << 8) | u32(sub));
  for (let i: u32 = 0; i < CLASS_CODES.length; i++) {
    if (CLASS_CODES[i] == code) return putName(CLASS_NAMES, i, out, at);
  }
  let pos: u32 = at;
  for (let j: u32 = 0; j < CLASS_PREFIX.length; j++) pos = put(out, pos, CLASS_PREFIX[j]);
  pos = putHex2(out, pos, cls);
  pos = put(out, pos, 0x2e);
  return putHex2(out, pos, sub);
}

/** Appends a PCI id, vendor << 16 | device, as lspci spells it: "1af4:1042". */
export function appendPciId(line: Line, id: u64): void {
  line.hexDigits(u64(id >> 16n), 4);
  line.byte(0x3a);
  line.hexDigits(id, 4);
}
