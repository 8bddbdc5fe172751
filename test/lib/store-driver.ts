// The store engine on a simulated disk (both worlds, same output): mount
// results and refusals, the API round trip, damage detection, and hostile
// disk images (crafted checksum-valid records and superblocks).
import { u8, u32, u64, array, print, check, checkFailures, writeU32Le, writeU64Le, copyBytes, fillBytes } from "kts";
import { Store, Put, Status, MountResult, ObjectInfo, Usage, NONE } from "../../src/lib/store/engine";
import { Disk } from "../../src/lib/store/disk";
import {
  Kind, beginRecord, seal, encodeSuperblock, Superblock, layout, MAGIC, SB_VERSION, O_OWNER, O_HASH, O_SIZE, O_FIRST_PAGE, O_PAGES, O_CREATED,
  O_GRANT_COUNT, REC_RESERVED, MAX_OBJECT_BYTES,
} from "../../src/lib/store/format";
import { readInput, attach, wipe, seed, rand, contentSize, flipDiskByte, diskBlockOut, diskBlockIn, pendingWrites, writesIssued } from "./store-world";
import { principal, putContent, findContent, readBack } from "./store-common";

const store = new Store();
const disk = new Disk();
const put = new Put();
const info = new ObjectInfo();
const use = new Usage();
const id: u8[] = array(16, 0);
const blk: u8[] = array(512, 0);
const buf: u8[] = array(8192, 0);
const p0: u8[] = array(32, 0);
const p1: u8[] = array(32, 0);
const p2: u8[] = array(32, 0);

const BLOCKS: u32 = 16384; // 8 MiB
const AREA: u32 = 64;

function mount(blocks: u32, area: u32): MountResult {
  attach(disk, blocks, false);
  return store.mount(disk, id, area);
}

function fresh(blocks: u32, area: u32): void {
  wipe(blocks);
  check(mount(blocks, area) == MountResult.Formatted, "fresh disk formats");
}

function refusals(): void {
  print("-- mount results");
  for (let i: u32 = 0; i < 16; i++) id[i] = u8(0xc0 + i);
  fresh(BLOCKS, AREA);
  print(`formatted: data bytes ${store.totalBytes()} free ${store.freeBytes()} live limit ${store.liveLimit}`);
  check(mount(BLOCKS, AREA) == MountResult.Mounted && store.objectCount == 0, "remount of an empty store");
  // Random bytes: not ours, and never written.
  wipe(BLOCKS);
  seed(77);
  for (let b: u32 = 0; b < 64; b++) {
    for (let i: u32 = 0; i < 512; i++) blk[i] = u8(rand());
    diskBlockIn(b, blk);
  }
  const before = writesIssued;
  check(mount(BLOCKS, AREA) == MountResult.NotAStore, "random disk");
  diskBlockOut(17, buf);
  seed(77);
  let same = true;
  for (let b: u32 = 0; b < 18; b++) {
    for (let i: u32 = 0; i < 512; i++) {
      const r = u8(rand());
      if (b == 17 && buf[i] != r) same = false;
    }
  }
  print(`random disk: NotAStore, writes ${u32(writesIssued - before)}, unchanged ${same}`);
  // Zero superblocks but something on page 2.
  wipe(BLOCKS);
  fillBytes(blk, 0, 512, 0);
  blk[100] = 1;
  diskBlockIn(20, blk);
  check(mount(BLOCKS, AREA) == MountResult.NotAStore, "page 2 not zero");
  // A newer version (nothing else of it is read).
  wipe(BLOCKS);
  fillBytes(blk, 0, 512, 0xee);
  writeU64Le(blk, 0, MAGIC);
  writeU32Le(blk, SB_VERSION, 2);
  diskBlockIn(8, blk);
  const nv = mount(BLOCKS, AREA);
  print(`version 2 superblock: NewerVersion ${nv == MountResult.NewerVersion} ${store.newerVersion}`);
  check(nv == MountResult.NewerVersion && store.newerVersion == 2, "newer version");
  // Our magic, bad checksum: Damaged.
  writeU32Le(blk, SB_VERSION, 1);
  diskBlockIn(8, blk);
  check(mount(BLOCKS, AREA) == MountResult.Damaged, "bad checksum");
  // Sealed superblocks with absurd fields: Damaged, no panic.
  const sb = new Superblock();
  let damaged: u32 = 0;
  for (let k: u32 = 0; k < 9; k++) {
    wipe(32);
    layout(sb, AREA, u32(BLOCKS / 8));
    sb.generation = 1n;
    sb.firstSeq = 1n;
    sb.active = 0;
    sb.checkpointRecords = 0;
    if (k == 0) sb.areaBlocks = 0xffff_fff8;
    if (k == 1) sb.dataPages = 0xffff_ffff;
    if (k == 2) sb.active = 7;
    if (k == 3) sb.firstSeq = 0n;
    if (k == 4) sb.area1Page = 3;
    if (k == 5) sb.dataPages = u32(BLOCKS / 8);
    if (k == 6) sb.generation = 0xffff_ffff_ffff_ffffn;
    if (k == 7) sb.checkpointRecords = 0xffff_ffff;
    if (k == 8) sb.areaBlocks = 12;
    encodeSuperblock(blk, sb);
    diskBlockIn(0, blk);
    if (mount(BLOCKS, AREA) == MountResult.Damaged) damaged = u32(damaged + 1);
  }
  print(`absurd superblocks: ${damaged} of 9 Damaged`);
  // Too small, bad arguments.
  wipe(64);
  check(mount(16, AREA) == MountResult.TooSmall, "16 blocks");
  check(mount(64, AREA) == MountResult.TooSmall, "no room for data");
  check(mount(BLOCKS, 20) == MountResult.BadArgument, "area not whole pages");
  attach(disk, BLOCKS, false);
  disk.bytes = 1024;
  check(store.mount(disk, id, AREA) == MountResult.BadArgument, "small buffer");
  check(pendingWrites() == 0, "nothing cached");
}

function api(): void {
  print("-- api");
  fresh(BLOCKS, AREA);
  const total = store.totalBytes();
  // Owner 1 puts contents 0..11 in chunks of various sizes; owner 2 the same bytes of content 5.
  for (let c: u32 = 0; c < 12; c++) check(putContent(store, put, 1, c, u32(c % 4), 0) == Status.Ok, "put");
  check(putContent(store, put, 2, 5, 0, 0) == Status.Ok, "same bytes, another owner");
  check(putContent(store, put, 1, 5, 0, 0) == Status.Exists && put.object == findContent(store, 1, 5), "exists");
  check(putContent(store, put, 1, 20, 0, 1) == Status.HashMismatch, "hash mismatch");
  check(putContent(store, put, 1, 20, 0, 2) == Status.BadSignature, "bad signature");
  check(putContent(store, put, 1, 21, 2, 3) == Status.BadState && !put.active, "aborted");
  check(findContent(store, 1, 20) == NONE && findContent(store, 1, 21) == NONE, "refused puts left nothing");
  principal(1, p0);
  check(store.putBegin(put, p0, u64(MAX_OBJECT_BYTES + 1n)) == Status.TooLarge, "too large");
  check(store.putBegin(put, p0, u64(store.freeBytes() + 1n)) == Status.NoSpace, "no space");
  // Misuse of the put protocol.
  check(store.putBegin(put, p0, 2000n) == Status.Ok, "begin");
  check(store.putBegin(put, p0, 10n) == Status.BadState, "begin twice");
  check(store.putData(put, 512n, 0, 512) == Status.BadArgument, "out of order");
  check(store.putData(put, 0n, 0, 700) == Status.BadArgument, "partial block before the end");
  check(store.putData(put, 0n, 65000, 1024) == Status.BadArgument, "outside the buffer");
  check(store.putData(put, 0n, 0, 1024) == Status.Ok, "chunk");
  check(store.putCommit(put, p1, p1, buf) == Status.BadState, "incomplete");
  store.putAbort(put);
  check(store.putData(put, 1024n, 0, 976) == Status.BadState, "after abort");
  let used: u64 = 0n;
  for (let i = store.nextObject(0); i != NONE; i = store.nextObject(u32(i + 1))) {
    store.stat(i, info);
    used = u64(used + u64(u64(info.pages) * 4096n));
  }
  check(u64(store.freeBytes() + used) == total, "free space adds up");
  let ok: u32 = 0;
  for (let c: u32 = 0; c < 12; c++) {
    const h = findContent(store, 1, c);
    if (h != NONE && readBack(store, h, c, buf) && store.verify(h) == Status.Ok) ok = u32(ok + 1);
  }
  print(`objects ${store.objectCount}, read back and verified ${ok}`);
  store.usage(p0, use);
  principal(2, p1);
  let listed: u32 = 0;
  for (let i = store.nextOwned(p1, 0); i != NONE; i = store.nextOwned(p1, u32(i + 1))) listed = u32(listed + 1);
  print(`owner 1: objects ${use.objects} bytes ${use.bytes} allocated ${use.allocated}; owner 2 lists ${listed}`);
  // Grants.
  const h = findContent(store, 1, 7);
  for (let g: u32 = 0; g < 8; g++) {
    principal(u32(100 + g), p2);
    check(store.grant(h, p2) == Status.Ok, "grant");
  }
  principal(108, p2);
  check(store.grant(h, p2) == Status.GrantsFull && !store.isGranted(h, p2), "grants full");
  principal(103, p2);
  check(store.grant(h, p2) == Status.Ok && store.revokeGrant(h, p2) == Status.Ok && !store.isGranted(h, p2), "revoke");
  check(store.revokeGrant(h, p2) == Status.NotFound, "revoke twice");
  // Vault.
  for (let v: u32 = 0; v < 5; v++) {
    principal(u32(200 + v), p0);
    principal(u32(300 + v), p1);
    principal(u32(400 + v), p2);
    check(store.vaultPut(p0, p1, p2) == Status.Ok, "vault put");
  }
  principal(201, p0);
  principal(999, p1);
  check(store.vaultPut(p0, p1, p2) == Status.Ok, "vault replace");
  principal(204, p0);
  check(store.vaultDelete(p0) == Status.Ok && store.vaultFind(p0) == NONE, "vault delete");
  // Deletes.
  const d = findContent(store, 1, 11);
  check(store.remove(d) == Status.Ok && findContent(store, 1, 11) == NONE, "delete");
  const free = store.freeBytes();
  const count = store.objectCount;
  // Enough records to checkpoint several times.
  principal(500, p2);
  for (let k: u32 = 0; k < 100; k++) {
    check(store.grant(findContent(store, 2, 5), p2) == Status.Ok && store.revokeGrant(findContent(store, 2, 5), p2) == Status.Ok, "grant churn");
  }
  print(`checkpoints ${store.checkpoints}, generation ${store.sb.generation}`);
  check(mount(BLOCKS, AREA) == MountResult.Mounted, "remount");
  check(store.freeBytes() == free && store.objectCount == count && store.vaultCount == 4, "state after remount");
  principal(108, p2);
  principal(100, p1);
  check(store.isGranted(findContent(store, 1, 7), p1) && !store.isGranted(findContent(store, 1, 7), p2), "grants after remount");
  principal(201, p0);
  const v = store.vaultFind(p0);
  check(v != NONE && store.vaultGet(v, p1, p2) && p1[0] == u8(999 & 255) && p1[1] == 3, "vault after remount");
  print(`remount: objects ${store.objectCount} vault ${store.vaultCount} damaged ${store.damagedRecords} rejected ${store.rejectedRecords} replayed ${store.replayedRecords}`);
  // The table fills at the live limit (half an area, less one).
  let c: u32 = 0;
  let st = Status.Ok;
  for (let o: u32 = 10; st == Status.Ok; o = u32(o + 1)) {
    st = putContent(store, put, o, 1, 0, 0);
    if (st == Status.Ok) c = u32(c + 1);
  }
  print(`filled: ${c} more, then TableFull ${st == Status.TableFull} at ${u32(store.objectCount + store.vaultCount)}`);
  check(mount(BLOCKS, AREA) == MountResult.Mounted && u32(store.objectCount + store.vaultCount) == store.liveLimit, "full table remounts");
}

function damage(): void {
  print("-- damage");
  fresh(BLOCKS, AREA);
  for (let c: u32 = 1; c < 9; c++) check(putContent(store, put, 3, c, 0, 0) == Status.Ok, "put");
  // A bit flipped in content 4's data.
  store.stat(findContent(store, 3, 4), info);
  flipDiskByte(u32(u32(store.sb.dataPage + info.firstPage) * 8), 3, 0x40);
  let bad: u32 = 0;
  let good: u32 = 0;
  for (let c: u32 = 1; c < 9; c++) {
    const s = store.verify(findContent(store, 3, c));
    if (s == Status.Damaged) {
      bad = u32(bad + 1);
      check(c == 4, "only the damaged object");
    }
    if (s == Status.Ok) good = u32(good + 1);
  }
  print(`data damage: damaged ${bad} ok ${good}`);
  // A record in the middle of the log: counted and skipped (its put is lost).
  const area = u32(store.sb.areaBlock(store.sb.active));
  flipDiskByte(u32(area + 2), 40, 1);
  check(mount(BLOCKS, AREA) == MountResult.Mounted, "mounts with a damaged record");
  print(`damaged record: damaged ${store.damagedRecords} objects ${store.objectCount} third put there ${findContent(store, 3, 3) != NONE}`);
  // The last record: the log simply ends before it.
  flipDiskByte(u32(area + 7), 300, 2);
  check(mount(BLOCKS, AREA) == MountResult.Mounted, "mounts with a damaged tail");
  print(`damaged tail: damaged ${store.damagedRecords} objects ${store.objectCount}`);
  // The newest superblock damaged: the older one (and its area) still mount.
  for (let k: u32 = 0; k < 60; k++) check(store.grant(findContent(store, 3, 1), p0) == Status.Ok && store.revokeGrant(findContent(store, 3, 1), p0) == Status.Ok, "churn");
  const g = store.sb.generation;
  flipDiskByte((g & 1n) == 0n ? 0 : 8, 20, 4);
  const r = mount(BLOCKS, AREA);
  print(`newest superblock damaged: Mounted ${r == MountResult.Mounted} generation ${store.sb.generation} of ${g}, objects ${store.objectCount}`);
}

/** Writes a sealed record of kind with seq into slot j of the active area. */
function craft(j: u32): void {
  writeU64Le(blk, 8, u64(store.sb.firstSeq + u64(j)));
  seal(blk);
  diskBlockIn(u32(u32(store.sb.areaBlock(store.sb.active)) + j), blk);
}

function objectRecord(o: u32, c: u32, first: u32, pages: u32, size: u64): void {
  beginRecord(blk, Kind.Object, 0n, store.sb.storeId);
  principal(o, p0);
  copyBytes(blk, O_OWNER, p0, 0, 32);
  blk[O_HASH] = u8(c);
  blk[u32(O_HASH + 1)] = 0x77;
  writeU64Le(blk, O_SIZE, size);
  writeU32Le(blk, O_FIRST_PAGE, first);
  writeU32Le(blk, O_PAGES, pages);
  writeU64Le(blk, O_CREATED, 1n);
}

function hostile(): void {
  print("-- hostile records");
  fresh(BLOCKS, AREA);
  let j: u32 = 0;
  objectRecord(1, 1, 0, 2, 5000n); // fine: pages 0..1
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 2, 0, 1, 0xffff_ffff_ffff_ffffn); // absurd size
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 3, 10, 1, 9000n); // pages do not match the size
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 4, 0xffff_ffff, 2, 5000n); // extent past the data area
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 5, u32(store.space.pages - 1), 2, 5000n); // extent straddles the end
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 6, 20, 1, 100n);
  writeU32Le(blk, O_GRANT_COUNT, 0xffff_ffff); // absurd grant count
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 7, 20, 1, 100n);
  writeU64Le(blk, O_CREATED, 0xffff_ffffn); // created after its own record
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 1, 30, 2, 5000n); // the same (hash, owner) again
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 8, 40, 1, 100n);
  writeU32Le(blk, 0, 99); // unknown kind
  craft(j);
  j = u32(j + 1);
  objectRecord(1, 9, 40, 1, 100n);
  writeU32Le(blk, REC_RESERVED, 1); // reserved field set
  craft(j);
  j = u32(j + 1);
  beginRecord(blk, Kind.Delete, 0n, store.sb.storeId); // delete of nothing
  craft(j);
  j = u32(j + 1);
  beginRecord(blk, Kind.Grant, 0n, store.sb.storeId); // grant on nothing
  craft(j);
  j = u32(j + 1);
  objectRecord(2, 10, 1, 2, 5000n); // overlaps the first object: the newer wins
  craft(j);
  j = u32(j + 1);
  objectRecord(2, 11, 50, 1, 4096n); // fine
  craft(j);
  j = u32(j + 1);
  const r = mount(BLOCKS, AREA);
  print(`crafted ${j}: Mounted ${r == MountResult.Mounted} objects ${store.objectCount} rejected ${store.rejectedRecords} damaged ${store.damagedRecords}`);
  check(store.space.used(1) && store.space.used(2) && !store.space.used(0) && store.space.used(50), "extents of the survivors");
  // The store goes on: a put after the crafted log.
  check(putContent(store, put, 4, 6, 0, 0) == Status.Ok && mount(BLOCKS, AREA) == MountResult.Mounted && store.objectCount == 3, "usable after");
}

export function main(): u32 {
  readInput();
  refusals();
  api();
  damage();
  hostile();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
