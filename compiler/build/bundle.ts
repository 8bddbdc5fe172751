/**
 * The boot bundle (QEMU -initrd): what the kernel starts. Read by
 * src/kernel/loader/bundle.ts. Little-endian; documented in docs/signed-module.md.
 *
 * Version 2 (`cambi build`, `cambi run`): a tier's services, signed.
 *   0    magic "CAMBIBND"                    8 bytes
 *   8    version (2)                         u32
 *   12   header bytes (64)                   u32
 *   16   tier name                           16 bytes, NUL-padded (1..15 of [a-z0-9-])
 *   32   endpoint count E (0..32)            u32
 *   36   service count S (1..32)             u32
 *   40   inspection rule count R (0..32)     u32
 *   44   reserved, zero                      20 bytes
 *   64   endpoint table: E names             32 bytes each, NUL-padded (1..31 of [a-z0-9-])
 *   64 + 32E   service table: S records     192 bytes each:
 *        0    name                           32 bytes, NUL-padded (1..31 of [a-z0-9-])
 *        32   restart (0 never, 1 always)    u32
 *        36   capability count C (0..16)     u32
 *        40   signed module offset           u64, from the bundle's start, after the tables
 *        48   signed module size             u64 (header + payload: docs/signed-module.md)
 *        56   reserved, zero                 8 bytes
 *        64   16 capability slots            8 bytes each: kind u8, rights u8, reserved u16 (0),
 *                                             argument u32; slots C..15 are zero
 *   64 + 32E + 192S   inspection rules: R records of 16 bytes:
 *        endpoint index u32, message label u32, payload rule u32 (1 any, 2 text), reserved u32 (0)
 *        An endpoint with rules is inspected by the kernel's interceptor: a request
 *        (not a reply) must carry a listed label, and a "text" payload must be
 *        printable ASCII, tab or newline.
 *   ...  signed modules, each at an 8-byte-aligned offset, in service order
 * Capability kinds: endpoint 1 (argument: index into the endpoint table), memory 2
 * (argument: pages), irq 3 (argument: 0 = the console's line, 1 = the PCI lines),
 * mmio 4 (argument: 1 = PCIe ECAM, 2 = the PCI memory window), audit 7, system 8
 * (argument 0), console 9 (raw console output; argument 0), device 10 (a device
 * claim; argument: PCI vendor << 16 | device id; no rights). Rights bits: send 1,
 * receive 2, grant 4, map 8, write 16, dma 32; irq and audit capabilities carry
 * receive, console send.
 * A service finds its capabilities by position (capAt(i)): slot order is the
 * manifest's order.
 *
 * Version 1 (`cambi run --programs`, the kernel test images): unsigned ELFs by name.
 *   0   magic "CAMBIBND"           8 bytes
 *   8   version (1)                u32
 *   12  entry count                u32
 *   16  entries, 64 bytes each:    name (48 bytes, NUL-padded), offset u64, size u64
 *   ... data, each entry 8-byte aligned
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export const BUNDLE_MAGIC = "CAMBIBND";

/** The codes of the v2 format: the manifest's words map to these (one table). */
export const CAP_KIND_CODES = { endpoint: 1, memory: 2, irq: 3, mmio: 4, audit: 7, system: 8, console: 9, device: 10, random: 11, clock: 12 } as const;
export const RIGHT_BITS = { send: 1, receive: 2, grant: 4, map: 8, write: 16, dma: 32 } as const;
/** A memory capability's argument: its region's size in 4 KiB pages (the kernel's REGION_MAX_PAGES). */
export const MEMORY_MAX_PAGES = 256;
export const IRQ_LINES = { console: 0, pci: 1 } as const;
/** MMIO windows a capability may name (the kernel learns them from ACPI or the device tree). */
export const MMIO_WINDOWS = { "pci-ecam": 1, "pci-memory": 2 } as const;
export const RESTART_CODES = { never: 0, always: 1 } as const;
export const PAYLOAD_RULES = { any: 1, text: 2 } as const;

/** Rights each kind may carry (the kernel reader refuses others). */
export const KIND_RIGHTS: Record<CapKindName, number> = { endpoint: 7, memory: 60, irq: 6, mmio: 28, audit: 2, system: 3, console: 1, device: 0, random: 2, clock: 1 };

export type CapKindName = keyof typeof CAP_KIND_CODES;
export type RightName = keyof typeof RIGHT_BITS;
export type IrqLineName = keyof typeof IRQ_LINES;
export type RestartName = keyof typeof RESTART_CODES;
export type PayloadRuleName = keyof typeof PAYLOAD_RULES;

/** Sizes and limits of the v2 layout (the kernel reader has the same numbers). */
export const V2 = {
  version: 2,
  headerBytes: 64,
  tierOffset: 16,
  tierMax: 15,
  endpointBytes: 32,
  serviceBytes: 192,
  nameMax: 31,
  capOffset: 64,
  capBytes: 8,
  maxCaps: 16,
  maxServices: 32,
  maxEndpoints: 32,
  ruleBytes: 16,
  maxRules: 32,
} as const;

const NAME = /^[a-z0-9-]+$/;

export interface EncodedCap {
  kind: number;
  rights: number;
  arg: number;
}

export interface BundleService {
  name: string;
  restart: RestartName;
  caps: EncodedCap[];
  /** The whole signed module (header + ELF), as `cambi sign` writes it. */
  signedModule: Uint8Array;
}

/** One inspection rule: messages labelled `label` may come to endpoint `endpoint` (an index), with this payload rule. */
export interface EncodedRule {
  endpoint: number;
  label: number;
  rule: number;
}

export interface BundleSpec {
  tier: string;
  endpoints: string[];
  services: BundleService[];
  rules?: EncodedRule[];
}

function checkCap(service: string, c: EncodedCap, endpoints: number): void {
  const kind = (Object.keys(CAP_KIND_CODES) as CapKindName[]).find((k) => CAP_KIND_CODES[k] === c.kind);
  // irq: a line set; memory: the region's pages; mmio: a window; device: vendor << 16 | device.
  const argOk =
    kind === "endpoint" ? c.arg < endpoints
    : kind === "memory" ? c.arg >= 1 && c.arg <= MEMORY_MAX_PAGES
    : kind === "irq" ? Object.values(IRQ_LINES).includes(c.arg as 0)
    : kind === "mmio" ? Object.values(MMIO_WINDOWS).includes(c.arg as 1)
    : kind === "device" ? c.arg > 0 && c.arg <= 0xffff_ffff
    : c.arg === 0;
  if (!kind || (c.rights & ~KIND_RIGHTS[kind]) !== 0 || !argOk) throw new Error(`bundle: service ${service}: bad capability ${JSON.stringify(c)}`);
}

function checkName(what: string, name: string, max: number): void {
  if (!NAME.test(name) || name.length > max) throw new Error(`bundle: ${what} name '${name}' must be 1..${max} of [a-z0-9-]`);
}

/** Packs a version 2 bundle; throws on anything the format cannot express. */
export function packBundleV2(spec: BundleSpec): Buffer {
  checkName("tier", spec.tier, V2.tierMax);
  if (spec.endpoints.length > V2.maxEndpoints) throw new Error(`bundle: ${spec.endpoints.length} endpoints, at most ${V2.maxEndpoints}`);
  if (spec.services.length < 1 || spec.services.length > V2.maxServices) throw new Error(`bundle: ${spec.services.length} services, need 1..${V2.maxServices}`);
  const rules = spec.rules ?? [];
  if (rules.length > V2.maxRules) throw new Error(`bundle: ${rules.length} inspection rules, at most ${V2.maxRules}`);
  const ruleTable = V2.headerBytes + V2.endpointBytes * spec.endpoints.length + V2.serviceBytes * spec.services.length;
  const tablesEnd = ruleTable + V2.ruleBytes * rules.length;
  const header = Buffer.alloc(tablesEnd);
  header.write(BUNDLE_MAGIC, 0, "ascii");
  header.writeUInt32LE(V2.version, 8);
  header.writeUInt32LE(V2.headerBytes, 12);
  header.write(spec.tier, V2.tierOffset, "ascii");
  header.writeUInt32LE(spec.endpoints.length, 32);
  header.writeUInt32LE(spec.services.length, 36);
  header.writeUInt32LE(rules.length, 40);
  rules.forEach((r, i) => {
    if (r.endpoint >= spec.endpoints.length || !Object.values(PAYLOAD_RULES).includes(r.rule as 1 | 2)) throw new Error(`bundle: bad inspection rule ${JSON.stringify(r)}`);
    const at = ruleTable + V2.ruleBytes * i;
    header.writeUInt32LE(r.endpoint, at);
    header.writeUInt32LE(r.label >>> 0, at + 4);
    header.writeUInt32LE(r.rule, at + 8);
  });
  spec.endpoints.forEach((e, i) => {
    checkName("endpoint", e, V2.nameMax);
    header.write(e, V2.headerBytes + V2.endpointBytes * i, "ascii");
  });
  const parts: Buffer[] = [header];
  let offset = align8(tablesEnd);
  parts.push(Buffer.alloc(offset - tablesEnd));
  const serviceTable = V2.headerBytes + V2.endpointBytes * spec.endpoints.length;
  spec.services.forEach((s, i) => {
    checkName("service", s.name, V2.nameMax);
    if (s.caps.length > V2.maxCaps) throw new Error(`bundle: service ${s.name} has ${s.caps.length} capabilities, at most ${V2.maxCaps}`);
    const at = serviceTable + V2.serviceBytes * i;
    header.write(s.name, at, "ascii");
    header.writeUInt32LE(RESTART_CODES[s.restart], at + 32);
    header.writeUInt32LE(s.caps.length, at + 36);
    header.writeBigUInt64LE(BigInt(offset), at + 40);
    header.writeBigUInt64LE(BigInt(s.signedModule.length), at + 48);
    s.caps.forEach((c, k) => {
      checkCap(s.name, c, spec.endpoints.length);
      const slot = at + V2.capOffset + V2.capBytes * k;
      header.writeUInt8(c.kind, slot);
      header.writeUInt8(c.rights, slot + 1);
      header.writeUInt32LE(c.arg, slot + 4);
    });
    const padded = Buffer.alloc(align8(s.signedModule.length));
    Buffer.from(s.signedModule).copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

/** The signed module of service i of a version 2 bundle this build wrote (offsets as packBundleV2 lays them out). */
export function signedModuleAt(bundle: Buffer, i: number): Buffer {
  const endpoints = bundle.readUInt32LE(32);
  const at = V2.headerBytes + V2.endpointBytes * endpoints + V2.serviceBytes * i;
  const offset = Number(bundle.readBigUInt64LE(at + 40));
  return bundle.subarray(offset, offset + Number(bundle.readBigUInt64LE(at + 48)));
}

/**
 * Writes a bundle whole or not at all (a temporary file renamed over it): a QEMU
 * another process is starting may be reading the old one as -initrd.
 */
export function writeBundleFile(out: string, bytes: Buffer): void {
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, out);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Packs a version 1 bundle of unsigned programs (cambi run --programs) into out. */
export function packBundle(entries: { name: string; data: Buffer }[], out: string): void {
  const headerSize = 16 + 64 * entries.length;
  let offset = align8(headerSize);
  const header = Buffer.alloc(offset);
  header.write(BUNDLE_MAGIC, 0, "ascii");
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(entries.length, 12);
  const parts: Buffer[] = [header];
  entries.forEach((e, i) => {
    const at = 16 + 64 * i;
    if (Buffer.byteLength(e.name) > 47) throw new Error(`bundle entry name too long: ${e.name}`);
    header.write(e.name, at, "utf8");
    header.writeBigUInt64LE(BigInt(offset), at + 48);
    header.writeBigUInt64LE(BigInt(e.data.length), at + 56);
    const padded = Buffer.alloc(align8(e.data.length));
    e.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  writeBundleFile(out, Buffer.concat(parts));
}

export function readFile(p: string): Buffer {
  return readFileSync(p);
}
