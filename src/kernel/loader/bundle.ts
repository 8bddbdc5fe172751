/**
 * Reading the boot bundle (layout in compiler/build/bundle.ts and
 * docs/signed-module.md). Version 1: a header, a table of named entries, their
 * data (the test images). Version 2: the tier name, the endpoint-name table, and
 * per service its name, restart policy, capabilities and signed module.
 * Untrusted input: every field is range-checked; a bad bundle yields an error, a
 * bad entry is skipped by the caller. No read here can panic: accessors check
 * their indices and answer 0 for anything out of range.
 */
import { u8, u32, u64, bool, arrayOf } from "kts";
import { le32, le64 } from "./le";

export enum BundleError {
  Ok = 0,
  TooSmall = 1,
  BadMagic = 2,
  BadVersion = 3,
  BadTable = 4,
  BadEntry = 5,
  /** v2: a tier, endpoint or service name that is empty, too long, not [a-z0-9-] or not NUL-padded. */
  BadName = 6,
  /** v2: a service index past the table, or a bad restart policy, capability count or reserved field. */
  BadService = 7,
  /** v2: a capability of unknown kind, with rights its kind cannot carry, or a bad argument. */
  BadCapability = 8,
}

const MAGIC: u8[] = arrayOf([0x43, 0x41, 0x4d, 0x42, 0x49, 0x42, 0x4e, 0x44]); // "CAMBIBND"
export const NAME_MAX = 48;

/** Number of entries, or 0 when the header or table is bad. */
export function bundleCount(b: u8[]): u32 {
  if (bundleCheck(b) != BundleError.Ok) return 0;
  return le32(b, 12);
}

export function bundleCheck(b: u8[]): BundleError {
  if (b.length < 16) return BundleError.TooSmall;
  for (let i: u32 = 0; i < 8; i++) if (b[i] != MAGIC[i]) return BundleError.BadMagic;
  if (le32(b, 8) != 1) return BundleError.BadVersion;
  const n: u32 = le32(b, 12);
  if (n > 64 || u64(u64(n) * 64n + 16n) > u64(b.length)) return BundleError.BadTable;
  return BundleError.Ok;
}

/** True if entry i's data lies inside the bundle. */
export function bundleEntryOk(b: u8[], i: u32): bool {
  const at: u32 = u32(16 + i * 64);
  const off: u64 = le64(b, u32(at + 48));
  const size: u64 = le64(b, u32(at + 56));
  return off <= u64(b.length) && size <= u64(u64(b.length) - off);
}

/** Entry i's data offset and size in the bundle (check bundleEntryOk first; view it with slice()). */
export function bundleEntryOffset(b: u8[], i: u32): u32 {
  return u32(le64(b, u32(16 + i * 64 + 48)));
}

export function bundleEntrySize(b: u8[], i: u32): u32 {
  return u32(le64(b, u32(16 + i * 64 + 56)));
}

/** Entry i's name: bytes [nameOffset, nameOffset + nameLength) of the bundle. */
export function bundleNameOffset(i: u32): u32 {
  return u32(16 + i * 64);
}

export function bundleNameLength(b: u8[], i: u32): u32 {
  const at: u32 = bundleNameOffset(i);
  let n: u32 = 0;
  while (n < 47 && b[u32(at + n)] != 0) n = u32(n + 1);
  return n;
}

// ---- Version 2 -------------------------------------------------------------

const V2_HEADER = 64;
const TIER_OFFSET = 16;
const TIER_BYTES = 16;
const NAME_BYTES = 32;
const ENDPOINT_BYTES = 32;
const SERVICE_BYTES = 192;
const CAP_OFFSET = 64;
const CAP_BYTES = 8;
export const MAX_SERVICES = 32;
export const MAX_ENDPOINTS = 32;
export const MAX_SERVICE_CAPS = 16;
export const MAX_RULES = 32;
const RULE_BYTES = 16;
/** Inspection rules' payload kinds. */
export const RULE_ANY: u32 = 1;
export const RULE_TEXT: u32 = 2;

/** Capability kinds in a v2 bundle (the kernel's CapKind codes). */
export const BUNDLE_CAP_ENDPOINT: u32 = 1;
/** Argument: the region's size in pages, 1 .. BUNDLE_MEMORY_MAX_PAGES; rights within map, write, grant, dma, with map. */
export const BUNDLE_CAP_MEMORY: u32 = 2;
/** The largest memory region (1 MiB); task/user-memory.ts holds regions to it too. */
export const BUNDLE_MEMORY_MAX_PAGES: u32 = 256;
export const BUNDLE_CAP_IRQ: u32 = 3;
/** Device registers (rights map, write, grant); argument: the window (BUNDLE_MMIO_*). */
export const BUNDLE_CAP_MMIO: u32 = 4;
export const BUNDLE_CAP_AUDIT: u32 = 7;
export const BUNDLE_CAP_SYSTEM: u32 = 8;
/** Raw console output (right send, argument 0): write's bytes go out as they are. */
export const BUNDLE_CAP_CONSOLE: u32 = 9;
/** A device claim (no rights); argument: PCI vendor << 16 | device id. */
export const BUNDLE_CAP_DEVICE: u32 = 10;
/** Random bytes from the kernel (right receive, argument 0). */
export const BUNDLE_CAP_RANDOM: u32 = 11;
/** Setting the wall clock (right send, argument 0). */
export const BUNDLE_CAP_CLOCK: u32 = 12;
/** IRQ lines a capability may name: the console's, or every line legacy PCI interrupts use. */
export const BUNDLE_IRQ_CONSOLE: u32 = 0;
export const BUNDLE_IRQ_PCI: u32 = 1;
/** MMIO windows: the PCIe configuration space (ECAM), the window for memory BARs. */
export const BUNDLE_MMIO_PCI_ECAM: u32 = 1;
export const BUNDLE_MMIO_PCI_MEMORY: u32 = 2;

export enum RestartPolicy {
  Never = 0,
  Always = 1,
}

/** The bundle's version (1 or 2), or 0 if it is too small or has the wrong magic. */
export function bundleVersion(b: u8[]): u32 {
  if (b.length < 16) return 0;
  for (let i: u32 = 0; i < 8; i++) if (b[i] != MAGIC[i]) return 0;
  return le32(b, 8);
}

function nameChar(c: u8): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d;
}

/** True if b[at, at + bytes) (in range: the caller checked) holds 1..bytes-1 name characters, then only NULs. */
function nameOk(b: u8[], at: u32, bytes: u32): bool {
  let n: u32 = 0;
  while (n < bytes && b[u32(at + n)] != 0) {
    if (!nameChar(b[u32(at + n)])) return false;
    n = u32(n + 1);
  }
  if (n == 0 || n == bytes) return false;
  for (let k: u32 = n; k < bytes; k++) if (b[u32(at + k)] != 0) return false;
  return true;
}

function nameLength(b: u8[], at: u32, bytes: u32): u32 {
  let n: u32 = 0;
  while (n < u32(bytes - 1) && b[u32(at + n)] != 0) n = u32(n + 1);
  return n;
}

function rawEndpointCount(b: u8[]): u32 {
  return le32(b, 32);
}

function rawServiceCount(b: u8[]): u32 {
  return le32(b, 36);
}

function serviceAt(b: u8[], i: u32): u32 {
  return u32(V2_HEADER + rawEndpointCount(b) * ENDPOINT_BYTES + i * SERVICE_BYTES);
}

function rawRuleCount(b: u8[]): u32 {
  return le32(b, 40);
}

/** Where inspection rule i starts (after the service table). */
function ruleAt(b: u8[], i: u32): u32 {
  return u32(serviceAt(b, rawServiceCount(b)) + i * RULE_BYTES);
}

/** Checks a v2 bundle's header, tier name, tables and endpoint names (services: bundleServiceCheck). */
export function bundleCheckV2(b: u8[]): BundleError {
  if (b.length < 16) return BundleError.TooSmall;
  for (let i: u32 = 0; i < 8; i++) if (b[i] != MAGIC[i]) return BundleError.BadMagic;
  if (le32(b, 8) != 2) return BundleError.BadVersion;
  if (b.length < V2_HEADER) return BundleError.TooSmall;
  if (le32(b, 12) != V2_HEADER) return BundleError.BadVersion;
  for (let i: u32 = 44; i < V2_HEADER; i++) if (b[i] != 0) return BundleError.BadTable;
  if (!nameOk(b, TIER_OFFSET, TIER_BYTES)) return BundleError.BadName;
  const e: u32 = rawEndpointCount(b);
  const s: u32 = rawServiceCount(b);
  const r: u32 = rawRuleCount(b);
  if (e > MAX_ENDPOINTS || s == 0 || s > MAX_SERVICES || r > MAX_RULES) return BundleError.BadTable;
  if (ruleAt(b, r) > b.length) return BundleError.BadTable;
  for (let i: u32 = 0; i < r; i++) {
    const at: u32 = ruleAt(b, i);
    const kind: u32 = le32(b, u32(at + 8));
    if (le32(b, at) >= e || (kind != RULE_ANY && kind != RULE_TEXT) || le32(b, u32(at + 12)) != 0) return BundleError.BadTable;
  }
  for (let i: u32 = 0; i < e; i++) if (!nameOk(b, u32(V2_HEADER + i * ENDPOINT_BYTES), NAME_BYTES)) return BundleError.BadName;
  return BundleError.Ok;
}

function capOk(b: u8[], slot: u32, endpoints: u32): bool {
  const kind: u32 = u32(b[slot]);
  const rights: u32 = u32(b[u32(slot + 1)]);
  const arg: u32 = le32(b, u32(slot + 4));
  if (b[u32(slot + 2)] != 0 || b[u32(slot + 3)] != 0) return false;
  if (kind == BUNDLE_CAP_ENDPOINT) return (rights | 7) == 7 && arg < endpoints;
  if (kind == BUNDLE_CAP_MEMORY) return (rights | 60) == 60 && (rights & 8) != 0 && arg >= 1 && arg <= BUNDLE_MEMORY_MAX_PAGES;
  if (kind == BUNDLE_CAP_IRQ) return (rights | 6) == 6 && (rights & 2) != 0 && (arg == BUNDLE_IRQ_CONSOLE || arg == BUNDLE_IRQ_PCI);
  if (kind == BUNDLE_CAP_MMIO) return (rights | 28) == 28 && (rights & 8) != 0 && (arg == BUNDLE_MMIO_PCI_ECAM || arg == BUNDLE_MMIO_PCI_MEMORY);
  if (kind == BUNDLE_CAP_DEVICE) return rights == 0 && arg != 0;
  if (kind == BUNDLE_CAP_AUDIT) return (rights | 2) == 2 && arg == 0;
  if (kind == BUNDLE_CAP_SYSTEM) return (rights | 3) == 3 && arg == 0;
  if (kind == BUNDLE_CAP_CONSOLE) return (rights | 1) == 1 && arg == 0;
  if (kind == BUNDLE_CAP_RANDOM) return (rights | 2) == 2 && arg == 0;
  if (kind == BUNDLE_CAP_CLOCK) return (rights | 1) == 1 && arg == 0;
  return false;
}

/**
 * Checks service i's record: name, restart policy, capabilities (unused slots
 * zero), and that its signed module lies in the bundle after the tables. The
 * module's signature is checked separately (verifySignedModule).
 */
export function bundleServiceCheck(b: u8[], i: u32): BundleError {
  const e: BundleError = bundleCheckV2(b);
  if (e != BundleError.Ok) return e;
  if (i >= rawServiceCount(b)) return BundleError.BadService;
  const at: u32 = serviceAt(b, i);
  if (!nameOk(b, at, NAME_BYTES)) return BundleError.BadName;
  const caps: u32 = le32(b, u32(at + 36));
  if (le32(b, u32(at + 32)) > 1 || caps > MAX_SERVICE_CAPS || le64(b, u32(at + 56)) != 0n) return BundleError.BadService;
  const off: u64 = le64(b, u32(at + 40));
  const size: u64 = le64(b, u32(at + 48));
  const size64: u64 = u64(b.length);
  if (off < u64(ruleAt(b, rawRuleCount(b))) || off > size64 || size > u64(size64 - off)) return BundleError.BadEntry;
  for (let c: u32 = 0; c < MAX_SERVICE_CAPS; c++) {
    const slot: u32 = u32(at + CAP_OFFSET + c * CAP_BYTES);
    if (c < caps) {
      if (!capOk(b, slot, rawEndpointCount(b))) return BundleError.BadCapability;
    } else if (le64(b, slot) != 0n) {
      return BundleError.BadCapability;
    }
  }
  return BundleError.Ok;
}

/** The tier name: bytes [bundleTierOffset(), + bundleTierLength(b)) (0 long if the bundle is bad). */
export function bundleTierOffset(): u32 {
  return TIER_OFFSET;
}

export function bundleTierLength(b: u8[]): u32 {
  if (bundleCheckV2(b) != BundleError.Ok) return 0;
  return nameLength(b, TIER_OFFSET, TIER_BYTES);
}

/** Endpoints named by the bundle (0 if it is bad); capabilities refer to them by index. */
export function bundleEndpointCount(b: u8[]): u32 {
  if (bundleCheckV2(b) != BundleError.Ok) return 0;
  return rawEndpointCount(b);
}

/** Endpoint i's name: bytes [bundleEndpointNameOffset(i), + bundleEndpointNameLength(b, i)). */
export function bundleEndpointNameOffset(i: u32): u32 {
  return u32(V2_HEADER + i * ENDPOINT_BYTES);
}

export function bundleEndpointNameLength(b: u8[], i: u32): u32 {
  if (i >= bundleEndpointCount(b)) return 0;
  return nameLength(b, bundleEndpointNameOffset(i), NAME_BYTES);
}

/** Services in the bundle, in manifest order (0 if the bundle is bad); service 0 is init. */
export function bundleServiceCount(b: u8[]): u32 {
  if (bundleCheckV2(b) != BundleError.Ok) return 0;
  return rawServiceCount(b);
}

/** Service i's name: bytes [bundleServiceNameOffset(b, i), + bundleServiceNameLength(b, i)). */
export function bundleServiceNameOffset(b: u8[], i: u32): u32 {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return 0;
  return serviceAt(b, i);
}

export function bundleServiceNameLength(b: u8[], i: u32): u32 {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return 0;
  return nameLength(b, serviceAt(b, i), NAME_BYTES);
}

export function bundleServiceRestart(b: u8[], i: u32): RestartPolicy {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return RestartPolicy.Never;
  return le32(b, u32(serviceAt(b, i) + 32)) == 1 ? RestartPolicy.Always : RestartPolicy.Never;
}

/** Service i's capabilities, in the order it finds them with capAt (0 if the record is bad). */
export function bundleServiceCapCount(b: u8[], i: u32): u32 {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return 0;
  return le32(b, u32(serviceAt(b, i) + 36));
}

function capSlot(b: u8[], i: u32, c: u32): u32 {
  if (c >= bundleServiceCapCount(b, i)) return 0;
  return u32(serviceAt(b, i) + CAP_OFFSET + c * CAP_BYTES);
}

/** Capability c of service i: kind (BUNDLE_CAP_*), rights bits, argument (endpoint index or IRQ line); 0 if out of range. */
export function bundleServiceCapKind(b: u8[], i: u32, c: u32): u32 {
  const slot: u32 = capSlot(b, i, c);
  return slot == 0 ? 0 : u32(b[slot]);
}

export function bundleServiceCapRights(b: u8[], i: u32, c: u32): u32 {
  const slot: u32 = capSlot(b, i, c);
  return slot == 0 ? 0 : u32(b[u32(slot + 1)]);
}

export function bundleServiceCapArg(b: u8[], i: u32, c: u32): u32 {
  const slot: u32 = capSlot(b, i, c);
  return slot == 0 ? 0 : le32(b, u32(slot + 4));
}

/** Service i's signed module: bytes [offset, offset + size) of the bundle (0, 0 if the record is bad). */
export function bundleServiceModuleOffset(b: u8[], i: u32): u32 {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return 0;
  return u32(le64(b, u32(serviceAt(b, i) + 40)));
}

export function bundleServiceModuleSize(b: u8[], i: u32): u32 {
  if (bundleServiceCheck(b, i) != BundleError.Ok) return 0;
  return u32(le64(b, u32(serviceAt(b, i) + 48)));
}

/** Inspection rules (0 if the bundle is bad): rule i lets requests labelled bundleRuleLabel reach endpoint bundleRuleEndpoint. */
export function bundleRuleCount(b: u8[]): u32 {
  return bundleCheckV2(b) == BundleError.Ok ? rawRuleCount(b) : 0;
}

export function bundleRuleEndpoint(b: u8[], i: u32): u32 {
  return i < bundleRuleCount(b) ? le32(b, ruleAt(b, i)) : 0;
}

export function bundleRuleLabel(b: u8[], i: u32): u32 {
  return i < bundleRuleCount(b) ? le32(b, u32(ruleAt(b, i) + 4)) : 0;
}

/** RULE_ANY or RULE_TEXT. */
export function bundleRuleKind(b: u8[], i: u32): u32 {
  return i < bundleRuleCount(b) ? le32(b, u32(ruleAt(b, i) + 8)) : 0;
}
