/**
 * Flattened device tree (DTB, devicetree specification v0.4 chapter 5) parser: fills
 * the kernel's BootInfo on AArch64 from the blob the firmware or loader hands over.
 *
 * The blob is untrusted input. Every offset is checked against the block it must lie
 * in before a byte is read (an out-of-range index would be a panic), every loop
 * advances by at least 4 bytes or is bounded by a block, and nesting is bounded by
 * DTB_MAX_DEPTH; so any truncated or corrupt blob gives a DtbError, never a panic.
 *
 * What is collected:
 *  - usable RAM: the `reg` of every child of the root whose name is `memory` or
 *    `memory@...` or whose device_type is "memory", decoded with the root's
 *    #address-cells / #size-cells (1 or 2 each); zero-sized entries are skipped;
 *  - reserved RAM: the memory reservation block's entries (after the usable ones);
 *  - the initrd: /chosen `linux,initrd-start` / `linux,initrd-end` (one or two cells
 *    each), used when both are present;
 *  - the command line: /chosen `bootargs`, up to the first NUL, at most CMDLINE_MAX - 1
 *    bytes, NUL-terminated in info.cmdline;
 *  - CPUs: the first `reg` entry (the MPIDR affinity) of every child of /cpus whose name
 *    is `cpu`/`cpu@...` or whose device_type is "cpu", in tree order, with /cpus'
 *    #address-cells (1 or 2).
 * A node name matches `x` if it is `x` or `x@<unit address>`. Properties are applied
 * when their node ends, so their order within the node does not matter.
 *
 * Everything is gathered in a DtbScan first and copied into the BootInfo only if the
 * whole blob parsed: on error the BootInfo is left unchanged. parseDtb does not set
 * info.dtb (the caller knows the blob's address) and does not reserve the blob itself.
 * dtbTotalSize reads the size for the view from the header alone.
 */
import { u8, u32, u64, bool, array, arrayOf } from "kts";
import { align4, be32, be64, bytesEqual, cells, room, strLen, NOT_FOUND } from "./fdt-bytes";
import { BootInfo, RegionKind, MAX_REGIONS, MAX_CPUS, CMDLINE_MAX } from "./bootinfo";

export enum DtbError {
  Ok = 0,
  /** 1: the blob is shorter than the 40-byte header. */
  TooSmall,
  /** 2: the magic is not 0xd00dfeed. */
  BadMagic,
  /** 3: version < 16 or last_comp_version > 17. */
  BadVersion,
  /** 4: totalsize is larger than the blob. */
  Truncated,
  /** 5: totalsize, or a block's offset/size, misaligned or outside totalsize. */
  BadHeader,
  /** 6: the structure block is malformed (bad token, unterminated node name, a
   * property or value outside the block, unbalanced nodes, no FDT_END). */
  BadStructure,
  /** 7: a property name offset outside the strings block, or a name not NUL-terminated in it. */
  BadStrings,
  /** 8: nodes nested deeper than DTB_MAX_DEPTH. */
  TooDeep,
  /** 9: #address-cells, #size-cells or linux,initrd-* with a wrong length. */
  BadProperty,
  /** 10: #address-cells / #size-cells outside 1..2 (size 0..2 for CPUs) where a reg is decoded. */
  BadCells,
  /** 11: a memory or CPU reg not a whole number of entries, or an entry wrapping 2^64. */
  BadReg,
  /** 12: linux,initrd-end < linux,initrd-start. */
  BadInitrd,
  /** 13: the reservation block runs past totalsize, or an entry wraps 2^64. */
  BadRsvmap,
  /** 14: more regions than BootInfo holds. */
  TooManyRegions,
}

/** The largest device tree dtbTotalSize accepts. */
export const DTB_MAX_SIZE = 2097152;
/** The deepest nesting of nodes accepted (the root is depth 1). */
export const DTB_MAX_DEPTH = 16;
const DEPTH_SLOTS = 17;

const FDT_MAGIC = 0xd00dfeed;
const HEADER_SIZE = 40;
const HEADER_V16 = 36;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

// What a node is, from its name and place.
const NODE_OTHER = 0;
const NODE_ROOT = 1;
const NODE_CHOSEN = 2;
const NODE_CPUS = 3;
const NODE_MEMORY = 4;
const NODE_CPU = 5;

// Its device_type.
const DEV_NONE = 0;
const DEV_MEMORY = 1;
const DEV_CPU = 2;

// Names, as bytes.
const S_MEMORY: u8[] = arrayOf([0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79]);
const S_CPU: u8[] = arrayOf([0x63, 0x70, 0x75]);
const S_CPUS: u8[] = arrayOf([0x63, 0x70, 0x75, 0x73]);
const S_CHOSEN: u8[] = arrayOf([0x63, 0x68, 0x6f, 0x73, 0x65, 0x6e]);
const P_ADDRESS_CELLS: u8[] = arrayOf([
  0x23, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73,
]);
const P_SIZE_CELLS: u8[] = arrayOf([0x23, 0x73, 0x69, 0x7a, 0x65, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73]);
const P_REG: u8[] = arrayOf([0x72, 0x65, 0x67]);
const P_DEVICE_TYPE: u8[] = arrayOf([0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x5f, 0x74, 0x79, 0x70, 0x65]);
const P_BOOTARGS: u8[] = arrayOf([0x62, 0x6f, 0x6f, 0x74, 0x61, 0x72, 0x67, 0x73]);
const P_INITRD_START: u8[] = arrayOf([
  0x6c, 0x69, 0x6e, 0x75, 0x78, 0x2c, 0x69, 0x6e, 0x69, 0x74, 0x72, 0x64, 0x2d, 0x73, 0x74, 0x61, 0x72, 0x74,
]);
const P_INITRD_END: u8[] = arrayOf([
  0x6c, 0x69, 0x6e, 0x75, 0x78, 0x2c, 0x69, 0x6e, 0x69, 0x74, 0x72, 0x64, 0x2d, 0x65, 0x6e, 0x64,
]);

/** Parse state: the open nodes (indexed by depth, root = 1) and what was found. */
class DtbScan {
  addrCells: u32[] = array(DEPTH_SLOTS, 2);
  sizeCells: u32[] = array(DEPTH_SLOTS, 1);
  kind: u32[] = array(DEPTH_SLOTS, 0);
  devType: u32[] = array(DEPTH_SLOTS, 0);
  hasReg: bool[] = array(DEPTH_SLOTS, false);
  regOff: u32[] = array(DEPTH_SLOTS, 0);
  regLen: u32[] = array(DEPTH_SLOTS, 0);

  regionBase: u64[] = array(MAX_REGIONS, 0n);
  regionSize: u64[] = array(MAX_REGIONS, 0n);
  regionReserved: bool[] = array(MAX_REGIONS, false);
  regionCount: u32 = 0;
  cpuIds: u64[] = array(MAX_CPUS, 0n);
  cpuCount: u32 = 0;
  initrdStart: u64 = 0n;
  initrdEnd: u64 = 0n;
  haveInitrdStart: bool = false;
  haveInitrdEnd: bool = false;
  cmdline: u8[] = array(CMDLINE_MAX, 0);
  cmdlineLen: u32 = 0;
  haveCmdline: bool = false;

  addRegion(base: u64, size: u64, reserved: bool): bool {
    if (this.regionCount == MAX_REGIONS) return false;
    this.regionBase[this.regionCount] = base;
    this.regionSize[this.regionCount] = size;
    this.regionReserved[this.regionCount] = reserved;
    this.regionCount = u32(this.regionCount + 1);
    return true;
  }

  /** CPUs beyond MAX_CPUS are dropped, as BootInfo.addCpu does. */
  addCpu(id: u64): void {
    if (this.cpuCount == MAX_CPUS) return;
    this.cpuIds[this.cpuCount] = id;
    this.cpuCount = u32(this.cpuCount + 1);
  }
}

/** True if the node name b[off..off+len) is t or t@<unit address>. */
function nodeNameIs(b: u8[], off: u32, len: u32, t: u8[]): bool {
  let base: u32 = len;
  for (let i: u32 = 0; i < len; i++) {
    if (b[u32(off + i)] == 0x40) {
      base = i;
      break;
    }
  }
  return bytesEqual(b, off, base, t);
}

/** True if the property value b[off..off+len) is the string t, with or without its NUL. */
function valueIs(b: u8[], off: u32, len: u32, t: u8[]): bool {
  if (len == u32(t.length + 1)) {
    return b[u32(off + t.length)] == 0 && bytesEqual(b, off, t.length, t);
  }
  return bytesEqual(b, off, len, t);
}

/** What the node b[off..off+len) at depth is (root = depth 1). */
function classify(s: DtbScan, b: u8[], off: u32, len: u32, depth: u32): u32 {
  if (depth == 1) return NODE_ROOT;
  if (depth == 2) {
    if (nodeNameIs(b, off, len, S_CHOSEN)) return NODE_CHOSEN;
    if (nodeNameIs(b, off, len, S_CPUS)) return NODE_CPUS;
    if (nodeNameIs(b, off, len, S_MEMORY)) return NODE_MEMORY;
    return NODE_OTHER;
  }
  if (depth == 3 && s.kind[2] == NODE_CPUS && nodeNameIs(b, off, len, S_CPU)) return NODE_CPU;
  return NODE_OTHER;
}

/** A one- or two-cell /chosen value (linux,initrd-*). */
function chosenAddress(b: u8[], off: u32, len: u32): u64 {
  if (len == 4) return u64(be32(b, off));
  return be64(b, off);
}

/** Records property `name` (b[nameAt..nameAt+nameLen)) with value b[valOff..valOff+valLen) of the node at depth. */
function property(
  s: DtbScan,
  b: u8[],
  depth: u32,
  nameAt: u32,
  nameLen: u32,
  valOff: u32,
  valLen: u32,
): DtbError {
  if (bytesEqual(b, nameAt, nameLen, P_ADDRESS_CELLS)) {
    if (valLen != 4) return DtbError.BadProperty;
    s.addrCells[depth] = be32(b, valOff);
  } else if (bytesEqual(b, nameAt, nameLen, P_SIZE_CELLS)) {
    if (valLen != 4) return DtbError.BadProperty;
    s.sizeCells[depth] = be32(b, valOff);
  } else if (bytesEqual(b, nameAt, nameLen, P_REG)) {
    s.hasReg[depth] = true;
    s.regOff[depth] = valOff;
    s.regLen[depth] = valLen;
  } else if (bytesEqual(b, nameAt, nameLen, P_DEVICE_TYPE)) {
    if (valueIs(b, valOff, valLen, S_MEMORY)) {
      s.devType[depth] = DEV_MEMORY;
    } else if (valueIs(b, valOff, valLen, S_CPU)) {
      s.devType[depth] = DEV_CPU;
    } else {
      s.devType[depth] = DEV_NONE;
    }
  } else if (s.kind[depth] == NODE_CHOSEN) {
    if (bytesEqual(b, nameAt, nameLen, P_INITRD_START)) {
      if (valLen != 4 && valLen != 8) return DtbError.BadProperty;
      s.initrdStart = chosenAddress(b, valOff, valLen);
      s.haveInitrdStart = true;
    } else if (bytesEqual(b, nameAt, nameLen, P_INITRD_END)) {
      if (valLen != 4 && valLen != 8) return DtbError.BadProperty;
      s.initrdEnd = chosenAddress(b, valOff, valLen);
      s.haveInitrdEnd = true;
    } else if (bytesEqual(b, nameAt, nameLen, P_BOOTARGS)) {
      for (let i: u32 = 0; i < CMDLINE_MAX; i++) s.cmdline[i] = 0;
      let n: u32 = 0;
      while (n < valLen && n < CMDLINE_MAX - 1) {
        const c: u8 = b[u32(valOff + n)];
        if (c == 0) break;
        s.cmdline[n] = c;
        n = u32(n + 1);
      }
      s.cmdlineLen = n;
      s.haveCmdline = true;
    }
  }
  return DtbError.Ok;
}

/** True if [base, base + size) does not wrap past 2^64 (size > 0). */
function fits64(base: u64, size: u64): bool {
  return u64(size - 1n) <= u64(MAX_U64 - base);
}

/** Applies the node at depth as it ends: memory and CPU nodes contribute their reg. */
function endNode(s: DtbScan, b: u8[], depth: u32): DtbError {
  const kind: u32 = s.kind[depth];
  const dev: u32 = s.devType[depth];
  if (depth == 2 && (kind == NODE_MEMORY || dev == DEV_MEMORY)) {
    if (!s.hasReg[depth]) return DtbError.Ok;
    const ac: u32 = s.addrCells[1];
    const sc: u32 = s.sizeCells[1];
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return DtbError.BadCells;
    const entry: u32 = u32(u32(ac + sc) * 4);
    const off: u32 = s.regOff[depth];
    const len: u32 = s.regLen[depth];
    if (u32(len % entry) != 0) return DtbError.BadReg;
    for (let q: u32 = 0; q < len; q = u32(q + entry)) {
      const base: u64 = cells(b, u32(off + q), ac);
      const size: u64 = cells(b, u32(off + q + ac * 4), sc);
      if (size == 0n) continue;
      if (!fits64(base, size)) return DtbError.BadReg;
      if (!s.addRegion(base, size, false)) return DtbError.TooManyRegions;
    }
    return DtbError.Ok;
  }
  if (depth == 3 && s.kind[2] == NODE_CPUS && (kind == NODE_CPU || dev == DEV_CPU)) {
    const ac: u32 = s.addrCells[2];
    const sc: u32 = s.sizeCells[2];
    if (ac < 1 || ac > 2 || sc > 2) return DtbError.BadCells;
    const entry: u32 = u32(u32(ac + sc) * 4);
    const len: u32 = s.regLen[depth];
    if (!s.hasReg[depth] || len == 0 || u32(len % entry) != 0) return DtbError.BadReg;
    s.addCpu(cells(b, s.regOff[depth], ac));
  }
  return DtbError.Ok;
}

/** Walks the structure block b[start..end) with names in the strings block b[strStart..strEnd). */
function walkStructure(s: DtbScan, b: u8[], start: u32, end: u32, strStart: u32, strEnd: u32): DtbError {
  let p: u32 = start;
  let depth: u32 = 0;
  let rootDone: bool = false;
  while (true) {
    if (!room(p, end, 4)) return DtbError.BadStructure;
    const token: u32 = be32(b, p);
    p = u32(p + 4);
    if (token == FDT_BEGIN_NODE) {
      if (rootDone) return DtbError.BadStructure;
      if (depth == DTB_MAX_DEPTH) return DtbError.TooDeep;
      const nameOff: u32 = p;
      const nameLen: u32 = strLen(b, p, end);
      if (nameLen == NOT_FOUND) return DtbError.BadStructure;
      p = align4(u32(nameOff + nameLen + 1));
      depth = u32(depth + 1);
      s.addrCells[depth] = 2;
      s.sizeCells[depth] = 1;
      s.devType[depth] = DEV_NONE;
      s.hasReg[depth] = false;
      s.regOff[depth] = 0;
      s.regLen[depth] = 0;
      s.kind[depth] = classify(s, b, nameOff, nameLen, depth);
    } else if (token == FDT_END_NODE) {
      if (depth == 0) return DtbError.BadStructure;
      const e: DtbError = endNode(s, b, depth);
      if (e != DtbError.Ok) return e;
      depth = u32(depth - 1);
      if (depth == 0) rootDone = true;
    } else if (token == FDT_PROP) {
      if (depth == 0) return DtbError.BadStructure;
      if (!room(p, end, 8)) return DtbError.BadStructure;
      const valLen: u32 = be32(b, p);
      const nameOffset: u32 = be32(b, u32(p + 4));
      const valOff: u32 = u32(p + 8);
      if (!room(valOff, end, valLen)) return DtbError.BadStructure;
      p = align4(u32(valOff + valLen));
      if (nameOffset >= u32(strEnd - strStart)) return DtbError.BadStrings;
      const nameAt: u32 = u32(strStart + nameOffset);
      const nameLen: u32 = strLen(b, nameAt, strEnd);
      if (nameLen == NOT_FOUND) return DtbError.BadStrings;
      const e: DtbError = property(s, b, depth, nameAt, nameLen, valOff, valLen);
      if (e != DtbError.Ok) return e;
    } else if (token == FDT_NOP) {
      // nothing
    } else if (token == FDT_END) {
      if (depth != 0 || !rootDone) return DtbError.BadStructure;
      return DtbError.Ok;
    } else {
      return DtbError.BadStructure;
    }
  }
}

/** Reads the memory reservation block at b[off..total) into s as reserved regions. */
function readReservations(s: DtbScan, b: u8[], off: u32, total: u32): DtbError {
  let p: u32 = off;
  while (true) {
    if (!room(p, total, 16)) return DtbError.BadRsvmap;
    const addr: u64 = be64(b, p);
    const size: u64 = be64(b, u32(p + 8));
    p = u32(p + 16);
    if (addr == 0n && size == 0n) return DtbError.Ok;
    if (size == 0n) continue;
    if (!fits64(addr, size)) return DtbError.BadRsvmap;
    if (!s.addRegion(addr, size, true)) return DtbError.TooManyRegions;
  }
}

/** Validates the header and parses the whole blob into s. */
function scan(s: DtbScan, b: u8[]): DtbError {
  if (b.length < HEADER_SIZE) return DtbError.TooSmall;
  if (be32(b, 0) != FDT_MAGIC) return DtbError.BadMagic;
  const total: u32 = be32(b, 4);
  const offStruct: u32 = be32(b, 8);
  const offStrings: u32 = be32(b, 12);
  const offRsvmap: u32 = be32(b, 16);
  const version: u32 = be32(b, 20);
  const lastComp: u32 = be32(b, 24);
  const sizeStrings: u32 = be32(b, 32);
  if (total > b.length) return DtbError.Truncated;
  if (version < 16 || lastComp > 17) return DtbError.BadVersion;
  // A version 16 header has no size_dt_struct: the structure block runs to totalsize
  // (the walk stops at FDT_END).
  let headerSize: u32 = HEADER_SIZE;
  if (version == 16) headerSize = HEADER_V16;
  if (total < HEADER_SIZE) return DtbError.BadHeader;
  if (u32(offStruct & 3) != 0 || offStruct < headerSize || offStruct > total) return DtbError.BadHeader;
  let sizeStruct: u32 = u32(total - offStruct);
  if (version >= 17) {
    sizeStruct = be32(b, 36);
    if (sizeStruct > u32(total - offStruct)) return DtbError.BadHeader;
  }
  if (offStrings < headerSize || offStrings > total || sizeStrings > u32(total - offStrings)) {
    return DtbError.BadHeader;
  }
  if (u32(offRsvmap & 7) != 0 || offRsvmap < headerSize || offRsvmap > total) return DtbError.BadHeader;

  const structEnd: u32 = u32(offStruct + sizeStruct);
  const stringsEnd: u32 = u32(offStrings + sizeStrings);
  const e: DtbError = walkStructure(s, b, offStruct, structEnd, offStrings, stringsEnd);
  if (e != DtbError.Ok) return e;
  if (s.haveInitrdStart && s.haveInitrdEnd && s.initrdEnd < s.initrdStart) return DtbError.BadInitrd;
  return readReservations(s, b, offRsvmap, total);
}

/**
 * The totalsize of the device tree whose header is header[0..40), for sizing the view
 * handed to parseDtb (`bytesAt(addr, dtbTotalSize(bytesAt(addr, 40)))`): 0 if header
 * is shorter than 40 bytes, the magic is wrong, or totalsize is outside
 * [40, DTB_MAX_SIZE] (Linux's arm64 limit: the loader maps at most 2 MiB).
 */
export function dtbTotalSize(header: u8[]): u32 {
  if (header.length < HEADER_SIZE || be32(header, 0) != FDT_MAGIC) return 0;
  const total: u32 = be32(header, 4);
  if (total < HEADER_SIZE || total > DTB_MAX_SIZE) return 0;
  return total;
}

/**
 * Parses the device tree in blob (at least its header's totalsize bytes) into info:
 * appends usable and reserved regions and CPUs, and sets the initrd and command line
 * if /chosen names them. Returns DtbError.Ok, or the first problem found, in which
 * case info is unchanged.
 */
export function parseDtb(blob: u8[], info: BootInfo): DtbError {
  const s = new DtbScan();
  const e: DtbError = scan(s, blob);
  if (e != DtbError.Ok) return e;
  if (u32(info.regionCount + s.regionCount) > MAX_REGIONS) return DtbError.TooManyRegions;
  for (let i: u32 = 0; i < s.regionCount; i++) {
    let kind: RegionKind = RegionKind.Usable;
    if (s.regionReserved[i]) kind = RegionKind.Reserved;
    info.addRegion(s.regionBase[i], s.regionSize[i], kind);
  }
  for (let i: u32 = 0; i < s.cpuCount; i++) info.addCpu(s.cpuIds[i]);
  if (s.haveInitrdStart && s.haveInitrdEnd) {
    info.initrdBase = s.initrdStart;
    info.initrdSize = u64(s.initrdEnd - s.initrdStart);
  }
  if (s.haveCmdline) {
    for (let i: u32 = 0; i < CMDLINE_MAX; i++) info.cmdline[i] = s.cmdline[i];
    info.cmdlineLen = s.cmdlineLen;
  }
  return DtbError.Ok;
}
