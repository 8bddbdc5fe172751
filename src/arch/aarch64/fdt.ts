/**
 * Device-tree lookups the AArch64 layer needs beyond what parseDtb puts in
 * BootInfo: the first node whose "compatible" list names a given string, with
 * its "reg" entries (decoded with the parent's #address-cells/#size-cells), its
 * "method" property (the PSCI conduit), its own cell counts and where a few
 * other properties' values lie in the blob (PROP_*: decoded by their users).
 * Used for the GICv3 frames, PSCI and the PCIe host bridge.
 *
 * Like parseDtb this treats the blob as untrusted: every offset is range-checked
 * before a byte is read, every loop advances or is bounded, nesting is bounded;
 * anything malformed means "not found".
 */
import { u8, u32, u64, bool, array, arrayOf } from "kts";
import { align4, be32, bytesEqual, cells, room, strLen, NOT_FOUND } from "../../kernel/boot/fdt-bytes";

/** How many reg entries a lookup keeps. */
export const FDT_MAX_REG = 4;
export const METHOD_NONE: u32 = 0;
export const METHOD_HVC: u32 = 1;
export const METHOD_SMC: u32 = 2;

/** Properties whose value a lookup locates (offset and length in the blob; length 0: absent). */
export const PROP_RANGES: u32 = 0;
export const PROP_INTERRUPT_MAP: u32 = 1;
export const PROP_INTERRUPT_MAP_MASK: u32 = 2;
export const PROP_BUS_RANGE: u32 = 3;
const PROPS = 4;

/** A found node: its first reg entries, its method, its cells and located properties. */
export class FdtNode {
  regCount: u32 = 0;
  regBase: u64[] = array(FDT_MAX_REG, 0n);
  regSize: u64[] = array(FDT_MAX_REG, 0n);
  method: u32 = METHOD_NONE;
  /** The parent's #address-cells (reg and ranges' parent addresses use it). */
  parentAddressCells: u32 = 2;
  /** The node's own #address-cells / #size-cells (its children's) and #interrupt-cells (0 if absent). */
  addressCells: u32 = 2;
  sizeCells: u32 = 1;
  interruptCells: u32 = 0;
  propOff: u32[] = array(PROPS, 0);
  propLen: u32[] = array(PROPS, 0);
}

const MAX_DEPTH = 16;
const DEPTH_SLOTS = 17;
const FDT_MAGIC: u32 = 0xd00dfeed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;

/** "compatible" */
const P_COMPATIBLE: u8[] = arrayOf([0x63, 0x6f, 0x6d, 0x70, 0x61, 0x74, 0x69, 0x62, 0x6c, 0x65]);
/** "reg" */
const P_REG: u8[] = arrayOf([0x72, 0x65, 0x67]);
/** "#address-cells" */
const P_ADDRESS_CELLS: u8[] = arrayOf([0x23, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73]);
/** "#size-cells" */
const P_SIZE_CELLS: u8[] = arrayOf([0x23, 0x73, 0x69, 0x7a, 0x65, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73]);
/** "method" */
const P_METHOD: u8[] = arrayOf([0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64]);
/** "#interrupt-cells" */
const P_INTERRUPT_CELLS: u8[] = arrayOf([0x23, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x72, 0x75, 0x70, 0x74, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73]);
/** "ranges" */
const P_RANGES: u8[] = arrayOf([0x72, 0x61, 0x6e, 0x67, 0x65, 0x73]);
/** "interrupt-map" */
const P_INTERRUPT_MAP: u8[] = arrayOf([0x69, 0x6e, 0x74, 0x65, 0x72, 0x72, 0x75, 0x70, 0x74, 0x2d, 0x6d, 0x61, 0x70]);
/** "interrupt-map-mask" */
const P_INTERRUPT_MAP_MASK: u8[] = arrayOf([0x69, 0x6e, 0x74, 0x65, 0x72, 0x72, 0x75, 0x70, 0x74, 0x2d, 0x6d, 0x61, 0x70, 0x2d, 0x6d, 0x61, 0x73, 0x6b]);
/** "bus-range" */
const P_BUS_RANGE: u8[] = arrayOf([0x62, 0x75, 0x73, 0x2d, 0x72, 0x61, 0x6e, 0x67, 0x65]);
/** "hvc" */
const V_HVC: u8[] = arrayOf([0x68, 0x76, 0x63]);
/** "smc" */
const V_SMC: u8[] = arrayOf([0x73, 0x6d, 0x63]);

/** "arm,gic-v3" */
export const COMPAT_GIC_V3: u8[] = arrayOf([0x61, 0x72, 0x6d, 0x2c, 0x67, 0x69, 0x63, 0x2d, 0x76, 0x33]);
/** "pci-host-ecam-generic" */
export const COMPAT_PCI_ECAM: u8[] = arrayOf([0x70, 0x63, 0x69, 0x2d, 0x68, 0x6f, 0x73, 0x74, 0x2d, 0x65, 0x63, 0x61, 0x6d, 0x2d, 0x67, 0x65, 0x6e, 0x65, 0x72, 0x69, 0x63]);
/** "arm,psci-0.2" (PSCI 0.2 function ids; PSCI 1.x nodes list it too) */
export const COMPAT_PSCI_02: u8[] = arrayOf([0x61, 0x72, 0x6d, 0x2c, 0x70, 0x73, 0x63, 0x69, 0x2d, 0x30, 0x2e, 0x32]);
/** "arm,psci-1.0" */
export const COMPAT_PSCI_10: u8[] = arrayOf([0x61, 0x72, 0x6d, 0x2c, 0x70, 0x73, 0x63, 0x69, 0x2d, 0x31, 0x2e, 0x30]);

/** The open nodes, by depth (root = 1; slot 0 holds the root's parent defaults). */
class Walk {
  addrCells: u32[] = array(DEPTH_SLOTS, 2);
  sizeCells: u32[] = array(DEPTH_SLOTS, 1);
  match: bool[] = array(DEPTH_SLOTS, false);
  regOff: u32[] = array(DEPTH_SLOTS, 0);
  regLen: u32[] = array(DEPTH_SLOTS, 0);
  method: u32[] = array(DEPTH_SLOTS, 0);
  interruptCells: u32[] = array(DEPTH_SLOTS, 0);
  propOff: u32[] = array(DEPTH_SLOTS * PROPS, 0);
  propLen: u32[] = array(DEPTH_SLOTS * PROPS, 0);
}

/** Which located property a name is, or PROPS. */
function locatedProp(b: u8[], at: u32, len: u32): u32 {
  if (bytesEqual(b, at, len, P_RANGES)) return PROP_RANGES;
  if (bytesEqual(b, at, len, P_INTERRUPT_MAP)) return PROP_INTERRUPT_MAP;
  if (bytesEqual(b, at, len, P_INTERRUPT_MAP_MASK)) return PROP_INTERRUPT_MAP_MASK;
  if (bytesEqual(b, at, len, P_BUS_RANGE)) return PROP_BUS_RANGE;
  return PROPS;
}

/** True if the string list b[off..off+len) (NUL-separated) contains t. */
function listHas(b: u8[], off: u32, len: u32, t: u8[]): bool {
  const end: u32 = u32(off + len);
  let p: u32 = off;
  while (p < end) {
    let n: u32 = strLen(b, p, end);
    if (n == NOT_FOUND) n = u32(end - p);
    if (bytesEqual(b, p, n, t)) return true;
    p = u32(p + n + 1);
  }
  return false;
}

/** The value b[off..off+len) as a method: "hvc" or "smc", with or without a NUL. */
function methodOf(b: u8[], off: u32, len: u32): u32 {
  let n: u32 = len;
  if (n > 0 && b[u32(off + n - 1)] == 0) n = u32(n - 1);
  if (bytesEqual(b, off, n, V_HVC)) return METHOD_HVC;
  if (bytesEqual(b, off, n, V_SMC)) return METHOD_SMC;
  return METHOD_NONE;
}

/** Fills out from the matched node at depth (its reg decoded with the parent's cells). */
function found(w: Walk, b: u8[], depth: u32, out: FdtNode): void {
  out.method = w.method[depth];
  out.regCount = 0;
  out.parentAddressCells = w.addrCells[u32(depth - 1)];
  out.addressCells = w.addrCells[depth];
  out.sizeCells = w.sizeCells[depth];
  out.interruptCells = w.interruptCells[depth];
  for (let k: u32 = 0; k < PROPS; k++) {
    out.propOff[k] = w.propOff[u32(depth * PROPS + k)];
    out.propLen[k] = w.propLen[u32(depth * PROPS + k)];
  }
  const ac: u32 = w.addrCells[u32(depth - 1)];
  const sc: u32 = w.sizeCells[u32(depth - 1)];
  if (ac < 1 || ac > 2 || sc > 2) return;
  const entry: u32 = u32((ac + sc) * 4);
  const off: u32 = w.regOff[depth];
  const len: u32 = w.regLen[depth];
  let q: u32 = 0;
  while (out.regCount < FDT_MAX_REG && q < len && u32(len - q) >= entry) {
    out.regBase[out.regCount] = cells(b, u32(off + q), ac);
    if (sc == 0) out.regSize[out.regCount] = 0n;
    else out.regSize[out.regCount] = cells(b, u32(off + q + ac * 4), sc);
    out.regCount = u32(out.regCount + 1);
    q = u32(q + entry);
  }
}

/**
 * Finds the first node (in tree order) whose "compatible" names compat; fills
 * out and returns true, or returns false (not there, or the blob is malformed).
 */
export function fdtFindCompatible(blob: u8[], compat: u8[], out: FdtNode): bool {
  if (blob.length < 40) return false;
  if (be32(blob, 0) != FDT_MAGIC) return false;
  const total: u32 = be32(blob, 4);
  const offStruct: u32 = be32(blob, 8);
  const offStrings: u32 = be32(blob, 12);
  const version: u32 = be32(blob, 20);
  const sizeStrings: u32 = be32(blob, 32);
  if (total > blob.length || version < 16) return false;
  if (u32(offStruct & 3) != 0 || offStruct > total) return false;
  let structEnd: u32 = total;
  if (version >= 17) {
    const sizeStruct: u32 = be32(blob, 36);
    if (sizeStruct > u32(total - offStruct)) return false;
    structEnd = u32(offStruct + sizeStruct);
  }
  if (offStrings > total || sizeStrings > u32(total - offStrings)) return false;
  const stringsEnd: u32 = u32(offStrings + sizeStrings);

  const w = new Walk();
  let p: u32 = offStruct;
  let depth: u32 = 0;
  while (true) {
    if (!room(p, structEnd, 4)) return false;
    const token: u32 = be32(blob, p);
    p = u32(p + 4);
    if (token == FDT_BEGIN_NODE) {
      if (depth == MAX_DEPTH) return false;
      const nameLen: u32 = strLen(blob, p, structEnd);
      if (nameLen == NOT_FOUND) return false;
      p = align4(u32(p + nameLen + 1));
      depth = u32(depth + 1);
      w.addrCells[depth] = 2;
      w.sizeCells[depth] = 1;
      w.match[depth] = false;
      w.regOff[depth] = 0;
      w.regLen[depth] = 0;
      w.method[depth] = METHOD_NONE;
      w.interruptCells[depth] = 0;
      for (let k: u32 = 0; k < PROPS; k++) w.propLen[u32(depth * PROPS + k)] = 0;
    } else if (token == FDT_END_NODE) {
      if (depth == 0) return false;
      if (w.match[depth]) {
        found(w, blob, depth, out);
        return true;
      }
      depth = u32(depth - 1);
      if (depth == 0) return false;
    } else if (token == FDT_PROP) {
      if (depth == 0 || !room(p, structEnd, 8)) return false;
      const valLen: u32 = be32(blob, p);
      const nameOffset: u32 = be32(blob, u32(p + 4));
      const valOff: u32 = u32(p + 8);
      if (!room(valOff, structEnd, valLen)) return false;
      p = align4(u32(valOff + valLen));
      if (nameOffset >= sizeStrings) return false;
      const nameAt: u32 = u32(offStrings + nameOffset);
      const nameLen: u32 = strLen(blob, nameAt, stringsEnd);
      if (nameLen == NOT_FOUND) return false;
      if (bytesEqual(blob, nameAt, nameLen, P_COMPATIBLE)) {
        w.match[depth] = listHas(blob, valOff, valLen, compat);
      } else if (bytesEqual(blob, nameAt, nameLen, P_REG)) {
        w.regOff[depth] = valOff;
        w.regLen[depth] = valLen;
      } else if (bytesEqual(blob, nameAt, nameLen, P_ADDRESS_CELLS)) {
        if (valLen == 4) w.addrCells[depth] = be32(blob, valOff);
      } else if (bytesEqual(blob, nameAt, nameLen, P_SIZE_CELLS)) {
        if (valLen == 4) w.sizeCells[depth] = be32(blob, valOff);
      } else if (bytesEqual(blob, nameAt, nameLen, P_METHOD)) {
        w.method[depth] = methodOf(blob, valOff, valLen);
      } else if (bytesEqual(blob, nameAt, nameLen, P_INTERRUPT_CELLS)) {
        if (valLen == 4) w.interruptCells[depth] = be32(blob, valOff);
      } else {
        const k: u32 = locatedProp(blob, nameAt, nameLen);
        if (k < PROPS) {
          w.propOff[u32(depth * PROPS + k)] = valOff;
          w.propLen[u32(depth * PROPS + k)] = valLen;
        }
      }
    } else if (token != FDT_NOP) {
      return false;
    }
  }
}
