/**
 * A GUID partition table disk (UEFI specification 2.10, chapter 5) with a
 * protective MBR, written whole into one buffer for `cambi image`. 512-byte
 * sectors; 128 entries of 128 bytes (LBA 2..33, and the backup's before the
 * backup header at the last LBA). GUIDs are given by the caller (derived from
 * the content, so the same inputs give the same disk).
 */

export const SECTOR = 512;
const ENTRIES = 128;
const ENTRY_SIZE = 128;
const ENTRY_SECTORS = (ENTRIES * ENTRY_SIZE) / SECTOR;

export const GUID_ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
export const GUID_BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";

export interface GptPartition {
  type: string;
  guid: string;
  /** First and last LBA, inclusive. */
  first: number;
  last: number;
  name: string;
  data?: Uint8Array;
}

export interface GptDisk {
  sectors: number;
  guid: string;
  partitions: GptPartition[];
  /** Boot code for the protective MBR's first 440 bytes (GRUB's boot.img for BIOS). */
  mbrCode?: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as GPT and zlib use). */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A GUID's 16 bytes in the mixed-endian order GPT stores (first three fields little-endian). */
export function guidBytes(g: string): Buffer {
  const h = g.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new Error(`GPT: bad GUID ${g}`);
  const b = Buffer.from(h, "hex");
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** A version 4 style GUID from 16 bytes of a hash (so derived GUIDs look like random ones). */
export function guidFrom(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex").toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The first LBA a partition may use, and the last (the backup table follows it). */
export function usableRange(sectors: number): { first: number; last: number } {
  return { first: 2 + ENTRY_SECTORS, last: sectors - 2 - ENTRY_SECTORS };
}

function header(d: GptDisk, mine: number, alternate: number, entriesLba: number, entriesCrc: number): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.write("EFI PART", 0, "latin1");
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(mine), 24);
  h.writeBigUInt64LE(BigInt(alternate), 32);
  const { first, last } = usableRange(d.sectors);
  h.writeBigUInt64LE(BigInt(first), 40);
  h.writeBigUInt64LE(BigInt(last), 48);
  guidBytes(d.guid).copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(ENTRIES, 80);
  h.writeUInt32LE(ENTRY_SIZE, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

export function buildGpt(d: GptDisk): Buffer {
  const img = Buffer.alloc(d.sectors * SECTOR);
  const { first, last } = usableRange(d.sectors);
  const entries = Buffer.alloc(ENTRIES * ENTRY_SIZE);
  d.partitions.forEach((p, i) => {
    if (p.first < first || p.last > last || p.last < p.first) throw new Error(`GPT: partition ${p.name} (${p.first}..${p.last}) outside ${first}..${last}`);
    const e = entries.subarray(i * ENTRY_SIZE);
    guidBytes(p.type).copy(e, 0);
    guidBytes(p.guid).copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.first), 32);
    e.writeBigUInt64LE(BigInt(p.last), 40);
    e.write(p.name.slice(0, 36), 56, "utf16le");
    if (p.data) {
      if (p.data.length > (p.last - p.first + 1) * SECTOR) throw new Error(`GPT: ${p.name}'s data is larger than the partition`);
      img.set(p.data, p.first * SECTOR);
    }
  });
  const crc = crc32(entries);
  // Protective MBR: boot code, then one partition of type 0xEE over the whole disk.
  if (d.mbrCode) img.set(d.mbrCode.subarray(0, 440), 0);
  const pe = 446;
  img[pe + 0] = 0x00;
  img.set([0x00, 0x02, 0x00], pe + 1);
  img[pe + 4] = 0xee;
  img.set([0xff, 0xff, 0xff], pe + 5);
  img.writeUInt32LE(1, pe + 8);
  img.writeUInt32LE(Math.min(d.sectors - 1, 0xffffffff), pe + 12);
  img[510] = 0x55;
  img[511] = 0xaa;
  const lastLba = d.sectors - 1;
  header(d, 1, lastLba, 2, crc).copy(img, SECTOR);
  entries.copy(img, 2 * SECTOR);
  entries.copy(img, (lastLba - ENTRY_SECTORS) * SECTOR);
  header(d, lastLba, 1, lastLba - ENTRY_SECTORS, crc).copy(img, lastLba * SECTOR);
  return img;
}
