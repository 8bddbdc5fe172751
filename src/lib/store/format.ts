/**
 * The object store's on-disk format, version 1 (docs/store-format.md): the
 * superblock and the 512-byte metadata records, their fields, checksums and
 * range checks. Nothing here does I/O; the engine (engine.ts) moves the blocks.
 */
import { u8, u32, u64, bool, array, slice, readU32Le, readU64Le, writeU32Le, writeU64Le, fillBytes, copyBytes } from "kts";
import { blake3Hash } from "../crypto/blake3";

export const FORMAT_VERSION: u32 = 1;
/** "CAMBSTOR" as a little-endian u64. */
export const MAGIC: u64 = 0x524f_5453_424d_4143n;
export const RECORD_BYTES: u32 = 512;
export const PAGE_BYTES: u32 = 4096;
export const BLOCKS_PER_PAGE: u32 = 8;
/** Bytes covered by the checksum; the checksum (BLAKE3-256) follows. */
export const SUM_AT: u32 = 480;
export const STORE_ID_BYTES: u32 = 16;

/** Superblock slots: block 0 (page 0) and block 8 (page 1); generation g lives in slot g % 2. */
export const SB_SLOT0_BLOCK: u64 = 0n;
export const SB_SLOT1_BLOCK: u64 = 8n;
/** Metadata area 0 always starts at page 2. */
export const AREA0_PAGE: u32 = 2;
export const MIN_AREA_BLOCKS: u32 = 32;
export const MAX_AREA_BLOCKS: u32 = 65536;
export const DEFAULT_AREA_BLOCKS: u32 = 4096;
/** 4 GiB of 4 KiB pages: the most the free-space map covers. */
export const MAX_DISK_PAGES: u32 = 0x10_0000;
/** The smallest data area mount() formats. */
export const MIN_DATA_PAGES: u32 = 16;

// Superblock fields.
export const SB_MAGIC: u32 = 0;
export const SB_VERSION: u32 = 8;
export const SB_BLOCK_BYTES: u32 = 12;
export const SB_GENERATION: u32 = 16;
export const SB_STORE_ID: u32 = 24;
export const SB_AREA_BLOCKS: u32 = 40;
export const SB_AREA0_PAGE: u32 = 44;
export const SB_AREA1_PAGE: u32 = 48;
export const SB_DATA_PAGE: u32 = 52;
export const SB_DATA_PAGES: u32 = 56;
export const SB_ACTIVE: u32 = 60;
export const SB_FIRST_SEQ: u32 = 64;
export const SB_CHECKPOINT_RECORDS: u32 = 72;
/** Sequence numbers stay below 2^60 (they never wrap). */
export const MAX_SEQ: u64 = 0x1000_0000_0000_0000n;

// Record header.
export const REC_KIND: u32 = 0;
export const REC_RESERVED: u32 = 4;
export const REC_SEQ: u32 = 8;
export const REC_STORE_ID: u32 = 16;
export const REC_PAYLOAD: u32 = 32;

export enum Kind {
  None = 0,
  /** A live object (a put, or a checkpoint's copy with its grants). */
  Object = 1,
  Delete = 2,
  Grant = 3,
  Revoke = 4,
  Vault = 5,
  VaultDelete = 6,
}

// Object record payload (offsets from the record's start).
export const O_OWNER: u32 = 32;
export const O_HASH: u32 = 64;
export const O_SIZE: u32 = 96;
export const O_KEY: u32 = 104;
export const O_SIG: u32 = 136;
export const O_FIRST_PAGE: u32 = 200;
export const O_PAGES: u32 = 204;
export const O_CREATED: u32 = 208;
export const O_GRANT_COUNT: u32 = 216;
export const O_GRANTS: u32 = 224;
/** Delete, Grant and Revoke name the object by O_OWNER and O_HASH; Grant and Revoke add the principal here. */
export const O_PRINCIPAL: u32 = 96;
// Vault record payload.
export const V_PRINCIPAL: u32 = 32;
export const V_SEED: u32 = 64;
export const V_KEY: u32 = 96;

export const MAX_GRANTS: u32 = 8;
export const MAX_OBJECT_BYTES: u64 = 0x400_0000n; // 64 MiB

const sum: u8[] = array(32, 0);

/** Writes the checksum of block[0..SUM_AT) into block[SUM_AT..512). */
export function seal(block: u8[]): void {
  blake3Hash(slice(block, 0, SUM_AT), sum);
  copyBytes(block, SUM_AT, sum, 0, 32);
}

/** True if block[SUM_AT..512) is the checksum of block[0..SUM_AT). */
export function sealed(block: u8[]): bool {
  blake3Hash(slice(block, 0, SUM_AT), sum);
  let d: u8 = 0;
  for (let i: u32 = 0; i < 32; i++) d |= u8(sum[i] ^ block[u32(SUM_AT + i)]);
  return d == 0;
}

export function isZero(bytes: u8[], at: u32, n: u32): bool {
  let d: u8 = 0;
  for (let i: u32 = 0; i < n; i++) d |= bytes[u32(at + i)];
  return d == 0;
}

export function sameBytes(a: u8[], at: u32, b: u8[], bt: u32, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    if (a[u32(at + i)] != b[u32(bt + i)]) return false;
  }
  return true;
}

/** A superblock's contents. */
export class Superblock {
  generation: u64 = 0n;
  storeId: u8[] = array(16, 0);
  areaBlocks: u32 = 0;
  area0Page: u32 = 0;
  area1Page: u32 = 0;
  dataPage: u32 = 0;
  dataPages: u32 = 0;
  active: u32 = 0;
  firstSeq: u64 = 0n;
  checkpointRecords: u32 = 0;
  /** The version field as read (decodeSuperblock). */
  version: u32 = 0;

  copyFrom(o: Superblock): void {
    this.generation = o.generation;
    copyBytes(this.storeId, 0, o.storeId, 0, STORE_ID_BYTES);
    this.areaBlocks = o.areaBlocks;
    this.area0Page = o.area0Page;
    this.area1Page = o.area1Page;
    this.dataPage = o.dataPage;
    this.dataPages = o.dataPages;
    this.active = o.active;
    this.firstSeq = o.firstSeq;
    this.checkpointRecords = o.checkpointRecords;
    this.version = o.version;
  }

  /** The first block of metadata area a (0 or 1). */
  areaBlock(a: u32): u64 {
    return u64(u64(a == 0 ? this.area0Page : this.area1Page) * u64(BLOCKS_PER_PAGE));
  }
}

export enum SbState {
  /** All 512 bytes zero. */
  Zero,
  /** No magic: not ours. */
  Foreign,
  /** Our magic with a format version above ours. */
  Newer,
  /** Our magic, but a bad checksum, version or layout. */
  Invalid,
  Valid,
}

/** The layout of a store of areaBlocks per metadata area on a device of pages usable pages. */
export function layout(sb: Superblock, areaBlocks: u32, pages: u32): void {
  const areaPages = u32(areaBlocks / BLOCKS_PER_PAGE);
  sb.areaBlocks = areaBlocks;
  sb.area0Page = AREA0_PAGE;
  sb.area1Page = u32(AREA0_PAGE + areaPages);
  sb.dataPage = u32(AREA0_PAGE + u32(2 * areaPages));
  sb.dataPages = pages > sb.dataPage ? u32(pages - sb.dataPage) : 0;
}

/** Classifies block (a superblock slot) and decodes it into sb if it is Valid; pages = the device's usable pages. */
export function decodeSuperblock(block: u8[], sb: Superblock, pages: u32): SbState {
  if (isZero(block, 0, RECORD_BYTES)) return SbState.Zero;
  if (readU64Le(block, SB_MAGIC) != MAGIC) return SbState.Foreign;
  const version = readU32Le(block, SB_VERSION);
  sb.version = version;
  if (version > FORMAT_VERSION) return SbState.Newer;
  if (version != FORMAT_VERSION || !sealed(block)) return SbState.Invalid;
  if (readU32Le(block, SB_BLOCK_BYTES) != RECORD_BYTES) return SbState.Invalid;
  if (!isZero(block, 76, u32(SUM_AT - 76))) return SbState.Invalid;
  const areaBlocks = readU32Le(block, SB_AREA_BLOCKS);
  if (areaBlocks % BLOCKS_PER_PAGE != 0 || areaBlocks < MIN_AREA_BLOCKS || areaBlocks > MAX_AREA_BLOCKS) return SbState.Invalid;
  layout(sb, areaBlocks, pages);
  const dataPages = readU32Le(block, SB_DATA_PAGES);
  if (readU32Le(block, SB_AREA0_PAGE) != sb.area0Page || readU32Le(block, SB_AREA1_PAGE) != sb.area1Page) return SbState.Invalid;
  if (readU32Le(block, SB_DATA_PAGE) != sb.dataPage) return SbState.Invalid;
  // The data area must lie on the device (which may have grown since).
  if (dataPages < 1 || dataPages > sb.dataPages) return SbState.Invalid;
  const active = readU32Le(block, SB_ACTIVE);
  const firstSeq = readU64Le(block, SB_FIRST_SEQ);
  const generation = readU64Le(block, SB_GENERATION);
  const records = readU32Le(block, SB_CHECKPOINT_RECORDS);
  if (active > 1 || firstSeq < 1n || firstSeq >= MAX_SEQ || generation < 1n || generation >= MAX_SEQ || records > areaBlocks) return SbState.Invalid;
  sb.dataPages = dataPages;
  sb.active = active;
  sb.firstSeq = firstSeq;
  sb.generation = generation;
  sb.checkpointRecords = records;
  copyBytes(sb.storeId, 0, block, SB_STORE_ID, STORE_ID_BYTES);
  return SbState.Valid;
}

/** Encodes sb as a sealed superblock into block. */
export function encodeSuperblock(block: u8[], sb: Superblock): void {
  fillBytes(block, 0, RECORD_BYTES, 0);
  writeU64Le(block, SB_MAGIC, MAGIC);
  writeU32Le(block, SB_VERSION, FORMAT_VERSION);
  writeU32Le(block, SB_BLOCK_BYTES, RECORD_BYTES);
  writeU64Le(block, SB_GENERATION, sb.generation);
  copyBytes(block, SB_STORE_ID, sb.storeId, 0, STORE_ID_BYTES);
  writeU32Le(block, SB_AREA_BLOCKS, sb.areaBlocks);
  writeU32Le(block, SB_AREA0_PAGE, sb.area0Page);
  writeU32Le(block, SB_AREA1_PAGE, sb.area1Page);
  writeU32Le(block, SB_DATA_PAGE, sb.dataPage);
  writeU32Le(block, SB_DATA_PAGES, sb.dataPages);
  writeU32Le(block, SB_ACTIVE, sb.active);
  writeU64Le(block, SB_FIRST_SEQ, sb.firstSeq);
  writeU32Le(block, SB_CHECKPOINT_RECORDS, sb.checkpointRecords);
  seal(block);
}

/** Starts a record: zeroes it and writes the header (the payload follows; seal() ends it). */
export function beginRecord(block: u8[], kind: Kind, seq: u64, storeId: u8[]): void {
  fillBytes(block, 0, RECORD_BYTES, 0);
  writeU32Le(block, REC_KIND, u32(kind));
  writeU64Le(block, REC_SEQ, seq);
  copyBytes(block, REC_STORE_ID, storeId, 0, STORE_ID_BYTES);
}

/** True if block is a sealed record of this store with sequence number seq. */
export function isRecord(block: u8[], storeId: u8[], seq: u64): bool {
  if (readU64Le(block, REC_SEQ) != seq) return false;
  if (!sameBytes(block, REC_STORE_ID, storeId, 0, STORE_ID_BYTES)) return false;
  return sealed(block);
}

/** Pages of a size in bytes (u64: sizes are range-checked before they are narrowed). */
export function pagesFor(size: u64): u64 {
  return u64(size + 4095n) >> 12n;
}
