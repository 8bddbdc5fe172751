/**
 * The object store engine (docs/store-format.md): mount and recovery, puts
 * streamed through the Disk's buffer, reads and verification, deletes, grants,
 * the vault, checkpoints. Everything durable is a 512-byte record appended to
 * the active metadata area and flushed before the call returns Ok; the state
 * in memory is the replay of those records, so a crash at any point leaves a
 * store that mounts to the last acknowledged state.
 *
 * The engine trusts nothing it reads: records are checksummed, every field is
 * range-checked, inconsistent records are skipped and counted. After an I/O
 * error on a write or flush the engine stops (every call returns IoError)
 * until the next mount, which recovers from whatever reached the disk.
 *
 * Buffer use: putData reads (and zero-pads to a 512-byte boundary) the caller's
 * range, readData fills the caller's range; every other call may overwrite any
 * part of the buffer.
 */
import { u8, u32, u64, bool, array, structs, slice, min, readU32Le, readU64Le, writeU32Le, writeU64Le, copyBytes, fillBytes } from "kts";
import { Blake3Hasher } from "../crypto/blake3";
import { ed25519Verify } from "../crypto/ed25519";
import { Disk, BLOCK_BYTES } from "./disk";
import { SpaceMap, NO_PAGE } from "./space";
import {
  Superblock, SbState, Kind, decodeSuperblock, encodeSuperblock, layout, beginRecord, seal, isRecord, isZero, sameBytes, pagesFor,
  RECORD_BYTES, PAGE_BYTES, BLOCKS_PER_PAGE, STORE_ID_BYTES, SB_SLOT0_BLOCK, SB_SLOT1_BLOCK, AREA0_PAGE, MIN_AREA_BLOCKS, MAX_AREA_BLOCKS,
  DEFAULT_AREA_BLOCKS, MAX_DISK_PAGES, MIN_DATA_PAGES, REC_KIND, REC_RESERVED, REC_SEQ, O_OWNER, O_HASH, O_SIZE, O_KEY, O_SIG, O_FIRST_PAGE,
  O_PAGES, O_CREATED, O_GRANT_COUNT, O_GRANTS, O_PRINCIPAL, V_PRINCIPAL, V_SEED, V_KEY, MAX_GRANTS, MAX_OBJECT_BYTES, MAX_SEQ,
} from "./format";

/** Live objects the engine holds (handles are 0..MAX_OBJECTS-1). */
export const MAX_OBJECTS = 1024;
/** Vault principals. */
export const MAX_VAULT = 64;
export const NONE: u32 = 0xffff_ffff;
/** The most blocks one read or write request moves. */
const MAX_IO_BLOCKS: u32 = 256;
const SCRATCH_BYTES: u32 = 4096;

export enum Status {
  Ok,
  IoError,
  /** No contiguous run of free pages for the object. */
  NoSpace,
  /** Larger than MAX_OBJECT_BYTES. */
  TooLarge,
  /** The object table (or the live-record limit of the metadata areas) is full. */
  TableFull,
  HashMismatch,
  BadSignature,
  /** The same (hash, owner) exists already (putCommit: nothing was written). */
  Exists,
  NotFound,
  BadArgument,
  /** A Put that is not in progress (or from an earlier mount), or an incomplete one. */
  BadState,
  /** verify: the bytes on disk do not hash to the object's hash, or its signature fails. */
  Damaged,
  GrantsFull,
  VaultFull,
  NotMounted,
}

export enum MountResult {
  Mounted,
  /** The superblock area and the start of metadata area 0 were all zero: a fresh store was made. */
  Formatted,
  /** Not zero and without our magic: left untouched. */
  NotAStore,
  /** Our magic with a format version above ours (newerVersion tells which). */
  NewerVersion,
  /** Our magic, but no valid superblock. */
  Damaged,
  IoError,
  /** The device (or the data area of a fresh store) is too small. */
  TooSmall,
  /** A buffer under 4096 bytes, a short store id, or a bad metadata area size to format with. */
  BadArgument,
}

/** An object's record, as stat() gives it. */
export class ObjectInfo {
  used: bool = false;
  owner: u8[] = array(32, 0);
  hash: u8[] = array(32, 0);
  size: u64 = 0n;
  key: u8[] = array(32, 0);
  sig: u8[] = array(64, 0);
  /** The data extent: pages of the data area. */
  firstPage: u32 = 0;
  pages: u32 = 0;
  /** Sequence number of the put's record. */
  created: u64 = 0n;
  grantCount: u32 = 0;
  grants: u8[] = array(256, 0);

  copyFrom(o: ObjectInfo): void {
    this.used = o.used;
    copyBytes(this.owner, 0, o.owner, 0, 32);
    copyBytes(this.hash, 0, o.hash, 0, 32);
    this.size = o.size;
    copyBytes(this.key, 0, o.key, 0, 32);
    copyBytes(this.sig, 0, o.sig, 0, 64);
    this.firstPage = o.firstPage;
    this.pages = o.pages;
    this.created = o.created;
    this.grantCount = o.grantCount;
    copyBytes(this.grants, 0, o.grants, 0, 256);
  }
}

class VaultEntry {
  used: bool = false;
  principal: u8[] = array(32, 0);
  seed: u8[] = array(32, 0);
  key: u8[] = array(32, 0);
}

/** A put in progress (the caller owns it; several may be in progress at once). */
export class Put {
  active: bool = false;
  epoch: u32 = 0;
  owner: u8[] = array(32, 0);
  size: u64 = 0n;
  firstPage: u32 = 0;
  pages: u32 = 0;
  written: u64 = 0n;
  hash: u8[] = array(32, 0);
  hasher = new Blake3Hasher();
  /** After putCommit: the object's handle (Ok, or Exists: the existing one). */
  object: u32 = NONE;
}

export class Usage {
  objects: u32 = 0;
  /** Sum of the objects' sizes. */
  bytes: u64 = 0n;
  /** Sum of their extents (whole pages). */
  allocated: u64 = 0n;
}

export class Store {
  disk = new Disk();
  sb = new Superblock();
  slotA = new Superblock();
  slotB = new Superblock();
  objects = structs(MAX_OBJECTS, ObjectInfo);
  /** First four bytes of each live object's hash: a quick filter for find. */
  tags: u32[] = array(MAX_OBJECTS, 0);
  objectCount: u32 = 0;
  vault = structs(MAX_VAULT, VaultEntry);
  vaultCount: u32 = 0;
  space = new SpaceMap();
  rec: u8[] = array(512, 0);
  scratch: u8[] = array(4096, 0);
  verifier = new Blake3Hasher();
  mounted: bool = false;
  /** An I/O error on a write or flush: nothing more until the next mount. */
  broken: bool = false;
  /** Counts mounts, so a Put from an earlier mount is refused. */
  epoch: u32 = 0;
  /** Next free slot of the active area and the sequence number it takes. */
  slot: u32 = 0;
  nextSeq: u64 = 0n;
  /** objects + vault entries allowed, so that a checkpoint fills at most half an area. */
  liveLimit: u32 = 0;
  bufBlocks: u32 = 0;
  // What the last mount found.
  newerVersion: u32 = 0;
  replayedRecords: u32 = 0;
  /** Records with a bad checksum, store id or sequence number that later records continue past. */
  damagedRecords: u32 = 0;
  /** Sealed records whose contents are out of range or inconsistent (skipped). */
  rejectedRecords: u32 = 0;
  checkpoints: u32 = 0;

  // ---- mount and format ----------------------------------------------------

  /**
   * Mounts the store on disk (its fields are copied). A zero disk is formatted
   * with storeId (16 bytes) and areaBlocks per metadata area (0: the default).
   */
  mount(d: Disk, storeId: u8[], areaBlocks: u32): MountResult {
    this.disk.base = d.base;
    this.disk.bytes = d.bytes;
    this.disk.blocks = d.blocks;
    this.disk.read = d.read;
    this.disk.write = d.write;
    this.disk.flush = d.flush;
    this.disk.load = d.load;
    this.disk.store = d.store;
    this.mounted = false;
    this.broken = false;
    this.epoch = u32(this.epoch + 1);
    this.objectCount = 0;
    this.vaultCount = 0;
    for (let i: u32 = 0; i < MAX_OBJECTS; i++) this.objects[i].used = false;
    for (let i: u32 = 0; i < MAX_VAULT; i++) this.vault[i].used = false;
    this.newerVersion = 0;
    this.replayedRecords = 0;
    this.damagedRecords = 0;
    this.rejectedRecords = 0;
    this.checkpoints = 0;
    if (d.bytes < SCRATCH_BYTES || storeId.length < STORE_ID_BYTES) return MountResult.BadArgument;
    this.bufBlocks = min(u32(d.bytes / BLOCK_BYTES), MAX_IO_BLOCKS);
    // Pages 0..2 (both superblocks and the start of area 0) must exist to look.
    if (d.blocks < u64(u32(AREA0_PAGE + 1) * BLOCKS_PER_PAGE)) return MountResult.TooSmall;
    const pages: u32 = d.blocks >= u64(u64(MAX_DISK_PAGES) * 8n) ? MAX_DISK_PAGES : u32(d.blocks / 8n);
    if (this.disk.read(SB_SLOT0_BLOCK, 1, 0) != 0 || this.disk.read(SB_SLOT1_BLOCK, 1, RECORD_BYTES) != 0) return MountResult.IoError;
    this.disk.load(0, this.rec, 0, RECORD_BYTES);
    const a = decodeSuperblock(this.rec, this.slotA, pages);
    const va = this.slotA.version;
    this.disk.load(RECORD_BYTES, this.rec, 0, RECORD_BYTES);
    const b = decodeSuperblock(this.rec, this.slotB, pages);
    if (a == SbState.Newer || b == SbState.Newer) {
      this.newerVersion = a == SbState.Newer ? va : this.slotB.version;
      return MountResult.NewerVersion;
    }
    if (a == SbState.Valid || b == SbState.Valid) {
      const useA = a == SbState.Valid && (b != SbState.Valid || this.slotA.generation >= this.slotB.generation);
      if (useA) this.sb.copyFrom(this.slotA);
      else this.sb.copyFrom(this.slotB);
      return this.replay();
    }
    if (a == SbState.Invalid || b == SbState.Invalid) return MountResult.Damaged;
    if (a != SbState.Zero || b != SbState.Zero) return MountResult.NotAStore;
    // Both slots are zero: the rest of pages 0 and 1, and page 2, must be too.
    for (let p: u32 = 0; p < u32(AREA0_PAGE + 1); p++) {
      if (this.disk.read(u64(p * BLOCKS_PER_PAGE), BLOCKS_PER_PAGE, 0) != 0) return MountResult.IoError;
      this.disk.load(0, this.scratch, 0, PAGE_BYTES);
      if (!isZero(this.scratch, 0, PAGE_BYTES)) return MountResult.NotAStore;
    }
    return this.format(storeId, areaBlocks, pages);
  }

  format(storeId: u8[], areaBlocks: u32, pages: u32): MountResult {
    const area = areaBlocks == 0 ? DEFAULT_AREA_BLOCKS : areaBlocks;
    if (area % BLOCKS_PER_PAGE != 0 || area < MIN_AREA_BLOCKS || area > MAX_AREA_BLOCKS) return MountResult.BadArgument;
    const sb = this.sb;
    layout(sb, area, pages);
    if (sb.dataPages < MIN_DATA_PAGES) return MountResult.TooSmall;
    sb.generation = 1n;
    copyBytes(sb.storeId, 0, storeId, 0, STORE_ID_BYTES);
    sb.active = 0;
    sb.firstSeq = 1n;
    sb.checkpointRecords = 0;
    sb.version = 1;
    // Area 0 zeroed and durable before the superblock that makes it a store.
    if (!this.zeroBlocks(sb.areaBlock(0), area) || this.disk.flush() != 0) return MountResult.IoError;
    if (!this.writeSuperblock(sb)) return MountResult.IoError;
    this.startState();
    this.slot = 0;
    this.nextSeq = 1n;
    this.mounted = true;
    return MountResult.Formatted;
  }

  startState(): void {
    this.space.reset(this.sb.dataPages);
    this.liveLimit = u32(u32(this.sb.areaBlocks / 2) - 1);
  }

  /** Replays the active area of this.sb into memory. */
  replay(): MountResult {
    this.startState();
    const sb = this.sb;
    const base = sb.areaBlock(sb.active);
    let pendingBad: u32 = 0;
    let end: u32 = 0;
    for (let start: u32 = 0; start < sb.areaBlocks; start = u32(start + this.bufBlocks)) {
      const n = min(this.bufBlocks, u32(sb.areaBlocks - start));
      if (this.disk.read(u64(base + u64(start)), n, 0) != 0) return MountResult.IoError;
      for (let k: u32 = 0; k < n; k++) {
        const j = u32(start + k);
        this.disk.load(u32(k * RECORD_BYTES), this.rec, 0, RECORD_BYTES);
        if (!isRecord(this.rec, sb.storeId, u64(sb.firstSeq + u64(j)))) {
          pendingBad = u32(pendingBad + 1);
          continue;
        }
        this.damagedRecords = u32(this.damagedRecords + pendingBad);
        pendingBad = 0;
        this.apply(this.rec);
        this.replayedRecords = u32(this.replayedRecords + 1);
        end = u32(j + 1);
      }
    }
    this.slot = end;
    this.nextSeq = u64(sb.firstSeq + u64(end));
    this.mounted = true;
    return MountResult.Mounted;
  }

  reject(): void {
    this.rejectedRecords = u32(this.rejectedRecords + 1);
  }

  /** Applies one sealed record of the log; anything out of range or inconsistent is skipped and counted. */
  apply(r: u8[]): void {
    if (readU32Le(r, REC_RESERVED) != 0) {
      this.reject();
      return;
    }
    const kind = readU32Le(r, REC_KIND);
    if (kind == u32(Kind.Object)) {
      this.applyObject(r);
      return;
    }
    if (kind == u32(Kind.Vault)) {
      const v = this.vaultFind(slice(r, V_PRINCIPAL, u32(V_PRINCIPAL + 32)));
      if (v == NONE && (this.vaultCount >= MAX_VAULT || u32(this.vaultCount + this.objectCount) >= this.liveLimit)) {
        this.reject();
        return;
      }
      this.vaultSet(v, r, V_PRINCIPAL, r, V_SEED, r, V_KEY);
      return;
    }
    if (kind == u32(Kind.VaultDelete)) {
      const v = this.vaultFind(slice(r, V_PRINCIPAL, u32(V_PRINCIPAL + 32)));
      if (v == NONE) this.reject();
      else this.vaultDrop(v);
      return;
    }
    if (kind != u32(Kind.Delete) && kind != u32(Kind.Grant) && kind != u32(Kind.Revoke)) {
      this.reject();
      return;
    }
    const i = this.find(slice(r, O_HASH, u32(O_HASH + 32)), slice(r, O_OWNER, u32(O_OWNER + 32)));
    if (i == NONE) {
      this.reject();
      return;
    }
    if (kind == u32(Kind.Delete)) {
      this.drop(i);
      return;
    }
    const g = this.grantIndex(i, r, O_PRINCIPAL);
    if (kind == u32(Kind.Grant)) {
      if (g != NONE) return;
      if (this.objects[i].grantCount >= MAX_GRANTS) this.reject();
      else this.addGrant(i, r, O_PRINCIPAL);
    } else {
      if (g == NONE) this.reject();
      else this.removeGrant(i, g);
    }
  }

  applyObject(r: u8[]): void {
    const size = readU64Le(r, O_SIZE);
    const first = readU32Le(r, O_FIRST_PAGE);
    const pages = readU32Le(r, O_PAGES);
    const grants = readU32Le(r, O_GRANT_COUNT);
    const created = readU64Le(r, O_CREATED);
    if (size > MAX_OBJECT_BYTES || u64(pages) != pagesFor(size) || !this.space.inRange(first, pages) || (pages == 0 && first != 0)) {
      this.reject();
      return;
    }
    if (grants > MAX_GRANTS || created < 1n || created > readU64Le(r, REC_SEQ)) {
      this.reject();
      return;
    }
    if (this.find(slice(r, O_HASH, u32(O_HASH + 32)), slice(r, O_OWNER, u32(O_OWNER + 32))) != NONE) {
      this.reject();
      return;
    }
    // An extent that overlaps live objects' (a lost delete): the newer record wins.
    if (pages != 0 && this.space.anyUsed(first, pages)) {
      for (let i: u32 = 0; i < MAX_OBJECTS; i++) {
        const o = this.objects[i];
        if (o.used && o.pages != 0 && first < u32(o.firstPage + o.pages) && o.firstPage < u32(first + pages)) {
          this.drop(i);
          this.reject();
        }
      }
    }
    const slot = this.freeSlot();
    if (slot == NONE || u32(this.objectCount + this.vaultCount) >= this.liveLimit) {
      this.reject();
      return;
    }
    const o = this.objects[slot];
    copyBytes(o.owner, 0, r, O_OWNER, 32);
    copyBytes(o.hash, 0, r, O_HASH, 32);
    o.size = size;
    copyBytes(o.key, 0, r, O_KEY, 32);
    copyBytes(o.sig, 0, r, O_SIG, 64);
    o.firstPage = first;
    o.pages = pages;
    o.created = created;
    o.grantCount = 0;
    for (let g: u32 = 0; g < grants; g++) {
      const at = u32(O_GRANTS + u32(g * 32));
      if (this.grantIndex(slot, r, at) == NONE) {
        copyBytes(o.grants, u32(o.grantCount * 32), r, at, 32);
        o.grantCount = u32(o.grantCount + 1);
      }
    }
    this.insert(slot);
  }

  // ---- the object table ----------------------------------------------------

  freeSlot(): u32 {
    if (this.objectCount >= MAX_OBJECTS) return NONE;
    for (let i: u32 = 0; i < MAX_OBJECTS; i++) {
      if (!this.objects[i].used) return i;
    }
    return NONE;
  }

  /** Makes objects[i] (filled in) live and marks its extent. */
  insert(i: u32): void {
    const o = this.objects[i];
    o.used = true;
    this.tags[i] = readU32Le(o.hash, 0);
    this.objectCount = u32(this.objectCount + 1);
    this.space.mark(o.firstPage, o.pages);
  }

  /** Removes object i and frees its extent. */
  drop(i: u32): void {
    const o = this.objects[i];
    o.used = false;
    this.objectCount = u32(this.objectCount - 1);
    this.space.release(o.firstPage, o.pages);
  }

  /** The handle of the object (hash, owner), or NONE. */
  find(hash: u8[], owner: u8[]): u32 {
    const tag = readU32Le(hash, 0);
    for (let i: u32 = 0; i < MAX_OBJECTS; i++) {
      if (this.tags[i] != tag) continue;
      const o = this.objects[i];
      if (o.used && sameBytes(o.hash, 0, hash, 0, 32) && sameBytes(o.owner, 0, owner, 0, 32)) return i;
    }
    return NONE;
  }

  /** The first live object at or after handle from, or NONE. */
  nextObject(from: u32): u32 {
    for (let i: u32 = from; i < MAX_OBJECTS; i++) {
      if (this.objects[i].used) return i;
    }
    return NONE;
  }

  /** The first live object of owner at or after handle from, or NONE. */
  nextOwned(owner: u8[], from: u32): u32 {
    for (let i: u32 = from; i < MAX_OBJECTS; i++) {
      const o = this.objects[i];
      if (o.used && sameBytes(o.owner, 0, owner, 0, 32)) return i;
    }
    return NONE;
  }

  valid(obj: u32): bool {
    return obj < MAX_OBJECTS && this.objects[obj].used;
  }

  stat(obj: u32, out: ObjectInfo): Status {
    if (!this.mounted) return Status.NotMounted;
    if (!this.valid(obj)) return Status.NotFound;
    out.copyFrom(this.objects[obj]);
    return Status.Ok;
  }

  grantIndex(obj: u32, p: u8[], at: u32): u32 {
    const o = this.objects[obj];
    for (let g: u32 = 0; g < o.grantCount; g++) {
      if (sameBytes(o.grants, u32(g * 32), p, at, 32)) return g;
    }
    return NONE;
  }

  addGrant(obj: u32, p: u8[], at: u32): void {
    const o = this.objects[obj];
    copyBytes(o.grants, u32(o.grantCount * 32), p, at, 32);
    o.grantCount = u32(o.grantCount + 1);
  }

  removeGrant(obj: u32, g: u32): void {
    const o = this.objects[obj];
    const last = u32(o.grantCount - 1);
    if (g != last) copyBytes(o.grants, u32(g * 32), o.grants, u32(last * 32), 32);
    o.grantCount = last;
  }

  /** True if principal (32 bytes) holds a grant on obj. */
  isGranted(obj: u32, principal: u8[]): bool {
    return this.valid(obj) && this.grantIndex(obj, principal, 0) != NONE;
  }

  usage(owner: u8[], out: Usage): void {
    out.objects = 0;
    out.bytes = 0n;
    out.allocated = 0n;
    for (let i: u32 = 0; i < MAX_OBJECTS; i++) {
      const o = this.objects[i];
      if (!o.used || !sameBytes(o.owner, 0, owner, 0, 32)) continue;
      out.objects = u32(out.objects + 1);
      out.bytes = u64(out.bytes + o.size);
      out.allocated = u64(out.allocated + u64(o.pages) * u64(PAGE_BYTES));
    }
  }

  /** Bytes of the data area. */
  totalBytes(): u64 {
    return u64(u64(this.space.pages) * u64(PAGE_BYTES));
  }

  /** Bytes of the data area neither used by an object nor reserved by a put in progress. */
  freeBytes(): u64 {
    return u64(u64(this.space.freePages) * u64(PAGE_BYTES));
  }

  // ---- durable records -------------------------------------------------------

  usable(): Status {
    if (!this.mounted) return Status.NotMounted;
    if (this.broken) return Status.IoError;
    return Status.Ok;
  }

  fail(): Status {
    this.broken = true;
    return Status.IoError;
  }

  /** Makes room for one record in the active area (a checkpoint when it is full). */
  ensureRoom(): Status {
    const s = this.usable();
    if (s != Status.Ok) return s;
    if (this.slot < this.sb.areaBlocks) return Status.Ok;
    return this.checkpoint();
  }

  /** Seals this.rec (begun with beginRecord at this.nextSeq), writes it to the next slot and flushes. */
  commitRecord(): Status {
    seal(this.rec);
    this.disk.store(0, this.rec, 0, RECORD_BYTES);
    const block = u64(this.sb.areaBlock(this.sb.active) + u64(this.slot));
    if (this.disk.write(block, 1, 0) != 0 || this.disk.flush() != 0) return this.fail();
    this.slot = u32(this.slot + 1);
    this.nextSeq = u64(this.nextSeq + 1n);
    return Status.Ok;
  }

  /** Writes count zero blocks from block on (through the buffer); false on an I/O error. */
  zeroBlocks(block: u64, count: u32): bool {
    fillBytes(this.scratch, 0, SCRATCH_BYTES, 0);
    const n = min(count, this.bufBlocks);
    for (let off: u32 = 0; off < u32(n * BLOCK_BYTES); off = u32(off + SCRATCH_BYTES)) {
      this.disk.store(off, this.scratch, 0, min(SCRATCH_BYTES, u32(u32(n * BLOCK_BYTES) - off)));
    }
    for (let done: u32 = 0; done < count; done = u32(done + n)) {
      const k = min(n, u32(count - done));
      if (this.disk.write(u64(block + u64(done)), k, 0) != 0) return false;
    }
    return true;
  }

  /** Writes sb into its slot (generation % 2) and flushes. */
  writeSuperblock(sb: Superblock): bool {
    encodeSuperblock(this.rec, sb);
    this.disk.store(0, this.rec, 0, RECORD_BYTES);
    const block = (sb.generation & 1n) == 0n ? SB_SLOT0_BLOCK : SB_SLOT1_BLOCK;
    return this.disk.write(block, 1, 0) == 0 && this.disk.flush() == 0;
  }

  /** Encodes object i as a record (with its grants) into this.rec at seq. */
  objectRecord(i: u32, seq: u64): void {
    const o = this.objects[i];
    const r = this.rec;
    beginRecord(r, Kind.Object, seq, this.sb.storeId);
    copyBytes(r, O_OWNER, o.owner, 0, 32);
    copyBytes(r, O_HASH, o.hash, 0, 32);
    writeU64Le(r, O_SIZE, o.size);
    copyBytes(r, O_KEY, o.key, 0, 32);
    copyBytes(r, O_SIG, o.sig, 0, 64);
    writeU32Le(r, O_FIRST_PAGE, o.firstPage);
    writeU32Le(r, O_PAGES, o.pages);
    writeU64Le(r, O_CREATED, o.created);
    writeU32Le(r, O_GRANT_COUNT, o.grantCount);
    copyBytes(r, O_GRANTS, o.grants, 0, u32(o.grantCount * 32));
    seal(r);
  }

  vaultRecord(v: u32, seq: u64): void {
    const e = this.vault[v];
    beginRecord(this.rec, Kind.Vault, seq, this.sb.storeId);
    copyBytes(this.rec, V_PRINCIPAL, e.principal, 0, 32);
    copyBytes(this.rec, V_SEED, e.seed, 0, 32);
    copyBytes(this.rec, V_KEY, e.key, 0, 32);
    seal(this.rec);
  }

  /**
   * Writes the live state (objects with grants, the vault) as fresh records into
   * the other area, zeroes the rest of it, flushes, then writes the next
   * superblock and flushes. Until that superblock is durable the old area stays
   * the store.
   */
  checkpoint(): Status {
    const s = this.usable();
    if (s != Status.Ok) return s;
    const sb = this.sb;
    const live = u32(this.objectCount + this.vaultCount);
    if (live >= sb.areaBlocks) return Status.TableFull;
    const other = u32(1 - sb.active);
    const base = sb.areaBlock(other);
    const first = this.nextSeq;
    let k: u32 = 0;
    let batch: u32 = 0;
    for (let i: u32 = 0; i < u32(MAX_OBJECTS + MAX_VAULT); i++) {
      if (i < MAX_OBJECTS) {
        if (!this.objects[i].used) continue;
        this.objectRecord(i, u64(first + u64(k)));
      } else {
        const v = u32(i - MAX_OBJECTS);
        if (!this.vault[v].used) continue;
        this.vaultRecord(v, u64(first + u64(k)));
      }
      this.disk.store(u32(batch * RECORD_BYTES), this.rec, 0, RECORD_BYTES);
      batch = u32(batch + 1);
      k = u32(k + 1);
      if (batch == this.bufBlocks) {
        if (this.disk.write(u64(base + u64(u32(k - batch))), batch, 0) != 0) return this.fail();
        batch = 0;
      }
    }
    if (batch != 0 && this.disk.write(u64(base + u64(u32(k - batch))), batch, 0) != 0) return this.fail();
    if (!this.zeroBlocks(u64(base + u64(k)), u32(sb.areaBlocks - k))) return this.fail();
    if (this.disk.flush() != 0) return this.fail();
    const next = this.slotA;
    next.copyFrom(sb);
    next.generation = u64(sb.generation + 1n);
    next.active = other;
    next.firstSeq = first;
    next.checkpointRecords = k;
    if (!this.writeSuperblock(next)) return this.fail();
    sb.copyFrom(next);
    this.slot = k;
    this.nextSeq = u64(first + u64(k));
    this.checkpoints = u32(this.checkpoints + 1);
    return Status.Ok;
  }

  // ---- puts --------------------------------------------------------------------

  /** Starts a put of size bytes for owner: reserves the extent. */
  putBegin(p: Put, owner: u8[], size: u64): Status {
    const s = this.usable();
    if (s != Status.Ok) return s;
    if (p.active && p.epoch == this.epoch) return Status.BadState;
    if (size > MAX_OBJECT_BYTES) return Status.TooLarge;
    if (this.objectCount >= MAX_OBJECTS || u32(this.objectCount + this.vaultCount) >= this.liveLimit) return Status.TableFull;
    const pages = u32(pagesFor(size));
    let first: u32 = 0;
    if (pages != 0) {
      first = this.space.alloc(pages);
      if (first == NO_PAGE) return Status.NoSpace;
    }
    p.active = true;
    p.epoch = this.epoch;
    copyBytes(p.owner, 0, owner, 0, 32);
    p.size = size;
    p.firstPage = first;
    p.pages = pages;
    p.written = 0n;
    p.object = NONE;
    p.hasher.initDefault();
    return Status.Ok;
  }

  inProgress(p: Put): bool {
    return p.active && p.epoch == this.epoch && this.mounted;
  }

  /**
   * The next len bytes of the object (at offset, which must equal the bytes
   * given so far), placed by the caller in the buffer at bufOffset. Every chunk
   * but the last is whole 512-byte blocks; the buffer up to the next block
   * boundary after the last chunk is zeroed.
   */
  putData(p: Put, offset: u64, bufOffset: u32, len: u32): Status {
    if (!this.inProgress(p)) return Status.BadState;
    const s = this.usable();
    if (s != Status.Ok) return s;
    if (offset != p.written || u64(len) > u64(p.size - p.written)) return Status.BadArgument;
    const end = u64(p.written + u64(len));
    if (end < p.size && len % BLOCK_BYTES != 0) return Status.BadArgument;
    const rounded = u64(u64(u64(len) + 511n) & 0xffff_ffff_ffff_fe00n);
    if (u64(u64(bufOffset) + rounded) > u64(this.disk.bytes)) return Status.BadArgument;
    if (len == 0) return Status.Ok;
    for (let k: u32 = 0; k < len; k = u32(k + SCRATCH_BYTES)) {
      const n = min(SCRATCH_BYTES, u32(len - k));
      this.disk.load(u32(bufOffset + k), this.scratch, 0, n);
      p.hasher.update(slice(this.scratch, 0, n));
    }
    const tail = u32(rounded - u64(len));
    if (tail != 0) {
      fillBytes(this.scratch, 0, tail, 0);
      this.disk.store(u32(bufOffset + len), this.scratch, 0, tail);
    }
    const blocks = u32(rounded / 512n);
    const first = u64(u64(u64(this.sb.dataPage) + u64(p.firstPage)) * 8n + (p.written >> 9n));
    for (let done: u32 = 0; done < blocks; done = u32(done + MAX_IO_BLOCKS)) {
      const n = min(MAX_IO_BLOCKS, u32(blocks - done));
      if (this.disk.write(u64(first + u64(done)), n, u32(bufOffset + u32(done * BLOCK_BYTES))) != 0) {
        this.putAbort(p);
        return this.fail();
      }
    }
    p.written = end;
    return Status.Ok;
  }

  /** Ends a put: Ok once data and record are durable (p.object is the handle). */
  putCommit(p: Put, expectedHash: u8[], publicKey: u8[], signature: u8[]): Status {
    if (!this.inProgress(p)) return Status.BadState;
    const s = this.usable();
    if (s != Status.Ok) {
      this.putAbort(p);
      return s;
    }
    if (p.written != p.size) return Status.BadState;
    p.hasher.finalize(p.hash);
    if (!sameBytes(p.hash, 0, expectedHash, 0, 32)) {
      this.putAbort(p);
      return Status.HashMismatch;
    }
    if (!ed25519Verify(slice(signature, 0, 64), p.hash, slice(publicKey, 0, 32))) {
      this.putAbort(p);
      return Status.BadSignature;
    }
    const existing = this.find(p.hash, p.owner);
    if (existing != NONE) {
      this.putAbort(p);
      p.object = existing;
      return Status.Exists;
    }
    const slot = this.freeSlot();
    if (slot == NONE || u32(this.objectCount + this.vaultCount) >= this.liveLimit) {
      this.putAbort(p);
      return Status.TableFull;
    }
    if (this.disk.flush() != 0) {
      this.putAbort(p);
      return this.fail();
    }
    const room = this.ensureRoom();
    if (room != Status.Ok) {
      this.putAbort(p);
      return room;
    }
    const o = this.objects[slot];
    copyBytes(o.owner, 0, p.owner, 0, 32);
    copyBytes(o.hash, 0, p.hash, 0, 32);
    o.size = p.size;
    copyBytes(o.key, 0, publicKey, 0, 32);
    copyBytes(o.sig, 0, signature, 0, 64);
    o.firstPage = p.firstPage;
    o.pages = p.pages;
    o.created = this.nextSeq;
    o.grantCount = 0;
    this.objectRecord(slot, this.nextSeq);
    const c = this.commitRecord();
    if (c != Status.Ok) {
      this.putAbort(p);
      return c;
    }
    // The extent is already marked (reserved); insert marks it again (no change).
    this.insert(slot);
    p.active = false;
    p.object = slot;
    return Status.Ok;
  }

  /** Abandons a put: its extent is free again. */
  putAbort(p: Put): void {
    if (this.inProgress(p) && p.pages != 0) this.space.release(p.firstPage, p.pages);
    p.active = false;
  }

  // ---- reads -------------------------------------------------------------------

  /** Reads len bytes of obj at offset (a multiple of 512) into the buffer at bufOffset, rounded up to whole blocks. */
  readData(obj: u32, offset: u64, bufOffset: u32, len: u32): Status {
    if (!this.mounted) return Status.NotMounted;
    if (!this.valid(obj)) return Status.NotFound;
    const o = this.objects[obj];
    if ((offset & 511n) != 0n || offset > o.size || u64(len) > u64(o.size - offset)) return Status.BadArgument;
    const rounded = u64(u64(u64(len) + 511n) & 0xffff_ffff_ffff_fe00n);
    if (u64(u64(bufOffset) + rounded) > u64(this.disk.bytes)) return Status.BadArgument;
    const blocks = u32(rounded / 512n);
    const first = u64(u64(u64(this.sb.dataPage) + u64(o.firstPage)) * 8n + (offset >> 9n));
    for (let done: u32 = 0; done < blocks; done = u32(done + MAX_IO_BLOCKS)) {
      const n = min(MAX_IO_BLOCKS, u32(blocks - done));
      if (this.disk.read(u64(first + u64(done)), n, u32(bufOffset + u32(done * BLOCK_BYTES))) != 0) return Status.IoError;
    }
    return Status.Ok;
  }

  /** Reads all of obj through the buffer: Ok if it hashes to its hash and the signature verifies, else Damaged. */
  verify(obj: u32): Status {
    const s = this.verifyHash(obj);
    if (s != Status.Ok) return s;
    const o = this.objects[obj];
    if (!ed25519Verify(o.sig, o.hash, o.key)) return Status.Damaged;
    return Status.Ok;
  }

  /** verify without the signature check (a scrub of the data: the signature was checked at the put). */
  verifyHash(obj: u32): Status {
    const h = this.verifier;
    if (!this.mounted) return Status.NotMounted;
    if (!this.valid(obj)) return Status.NotFound;
    const o = this.objects[obj];
    h.initDefault();
    const chunk = u32(this.bufBlocks * BLOCK_BYTES);
    for (let off: u64 = 0n; off < o.size; off = u64(off + u64(chunk))) {
      const n = u32(min(u64(chunk), u64(o.size - off)));
      const st = this.readData(obj, off, 0, n);
      if (st != Status.Ok) return st;
      for (let k: u32 = 0; k < n; k = u32(k + SCRATCH_BYTES)) {
        const m = min(SCRATCH_BYTES, u32(n - k));
        this.disk.load(k, this.scratch, 0, m);
        h.update(slice(this.scratch, 0, m));
      }
    }
    h.finalize(slice(this.scratch, 0, 32));
    if (!sameBytes(this.scratch, 0, o.hash, 0, 32)) return Status.Damaged;
    return Status.Ok;
  }

  // ---- deletes and grants ------------------------------------------------------

  /** Deletes obj: its tombstone is durable before the extent can be reused. */
  remove(obj: u32): Status {
    if (!this.valid(obj)) return this.mounted ? Status.NotFound : Status.NotMounted;
    const room = this.ensureRoom();
    if (room != Status.Ok) return room;
    const o = this.objects[obj];
    beginRecord(this.rec, Kind.Delete, this.nextSeq, this.sb.storeId);
    copyBytes(this.rec, O_OWNER, o.owner, 0, 32);
    copyBytes(this.rec, O_HASH, o.hash, 0, 32);
    const c = this.commitRecord();
    if (c != Status.Ok) return c;
    this.drop(obj);
    return Status.Ok;
  }

  grantRecord(kind: Kind, obj: u32, principal: u8[]): Status {
    const room = this.ensureRoom();
    if (room != Status.Ok) return room;
    const o = this.objects[obj];
    beginRecord(this.rec, kind, this.nextSeq, this.sb.storeId);
    copyBytes(this.rec, O_OWNER, o.owner, 0, 32);
    copyBytes(this.rec, O_HASH, o.hash, 0, 32);
    copyBytes(this.rec, O_PRINCIPAL, principal, 0, 32);
    return this.commitRecord();
  }

  /** Lets principal read obj (durable); Ok at once if it already may. */
  grant(obj: u32, principal: u8[]): Status {
    if (!this.valid(obj)) return this.mounted ? Status.NotFound : Status.NotMounted;
    if (this.grantIndex(obj, principal, 0) != NONE) return Status.Ok;
    if (this.objects[obj].grantCount >= MAX_GRANTS) return Status.GrantsFull;
    const c = this.grantRecord(Kind.Grant, obj, principal);
    if (c == Status.Ok) this.addGrant(obj, principal, 0);
    return c;
  }

  /** Withdraws principal's grant on obj (durable); NotFound if it has none. */
  revokeGrant(obj: u32, principal: u8[]): Status {
    if (!this.valid(obj)) return this.mounted ? Status.NotFound : Status.NotMounted;
    const g = this.grantIndex(obj, principal, 0);
    if (g == NONE) return Status.NotFound;
    const c = this.grantRecord(Kind.Revoke, obj, principal);
    if (c == Status.Ok) this.removeGrant(obj, this.grantIndex(obj, principal, 0));
    return c;
  }

  // ---- the vault ---------------------------------------------------------------

  /** The vault entry of principal, or NONE. */
  vaultFind(principal: u8[]): u32 {
    for (let v: u32 = 0; v < MAX_VAULT; v++) {
      const e = this.vault[v];
      if (e.used && sameBytes(e.principal, 0, principal, 0, 32)) return v;
    }
    return NONE;
  }

  /** Copies entry v's seed and public key out; false if there is no such entry. */
  vaultGet(v: u32, seed: u8[], publicKey: u8[]): bool {
    if (v >= MAX_VAULT || !this.vault[v].used) return false;
    copyBytes(seed, 0, this.vault[v].seed, 0, 32);
    copyBytes(publicKey, 0, this.vault[v].key, 0, 32);
    return true;
  }

  vaultSet(v: u32, p: u8[], pAt: u32, s: u8[], sAt: u32, k: u8[], kAt: u32): void {
    let slot = v;
    if (slot == NONE) {
      for (let i: u32 = 0; i < MAX_VAULT; i++) {
        if (!this.vault[i].used) {
          slot = i;
          break;
        }
      }
      this.vaultCount = u32(this.vaultCount + 1);
    }
    const e = this.vault[slot];
    e.used = true;
    copyBytes(e.principal, 0, p, pAt, 32);
    copyBytes(e.seed, 0, s, sAt, 32);
    copyBytes(e.key, 0, k, kAt, 32);
  }

  vaultDrop(v: u32): void {
    this.vault[v].used = false;
    this.vaultCount = u32(this.vaultCount - 1);
  }

  /** Stores (principal, seed, public key) durably, replacing principal's earlier entry. */
  vaultPut(principal: u8[], seed: u8[], publicKey: u8[]): Status {
    const s = this.usable();
    if (s != Status.Ok) return s;
    const v = this.vaultFind(principal);
    if (v != NONE && sameBytes(this.vault[v].seed, 0, seed, 0, 32) && sameBytes(this.vault[v].key, 0, publicKey, 0, 32)) return Status.Ok;
    if (v == NONE && this.vaultCount >= MAX_VAULT) return Status.VaultFull;
    if (v == NONE && u32(this.objectCount + this.vaultCount) >= this.liveLimit) return Status.TableFull;
    const room = this.ensureRoom();
    if (room != Status.Ok) return room;
    beginRecord(this.rec, Kind.Vault, this.nextSeq, this.sb.storeId);
    copyBytes(this.rec, V_PRINCIPAL, principal, 0, 32);
    copyBytes(this.rec, V_SEED, seed, 0, 32);
    copyBytes(this.rec, V_KEY, publicKey, 0, 32);
    const c = this.commitRecord();
    if (c == Status.Ok) this.vaultSet(v, principal, 0, seed, 0, publicKey, 0);
    return c;
  }

  /** Removes principal's vault entry durably. */
  vaultDelete(principal: u8[]): Status {
    const s = this.usable();
    if (s != Status.Ok) return s;
    const v = this.vaultFind(principal);
    if (v == NONE) return Status.NotFound;
    const room = this.ensureRoom();
    if (room != Status.Ok) return room;
    beginRecord(this.rec, Kind.VaultDelete, this.nextSeq, this.sb.storeId);
    copyBytes(this.rec, V_PRINCIPAL, principal, 0, 32);
    const c = this.commitRecord();
    if (c == Status.Ok) this.vaultDrop(v);
    return c;
  }
}
