// libFuzzer target: the object store's mount of an arbitrary disk image
// (src/lib/store/engine.ts Store.mount, on a Disk over the image: store-disk.ts
// says how an input becomes one). Mount decodes both superblocks and replays
// the active metadata area, every record checksummed and range-checked; the
// image's blocks may be sealed by the harness so that hostile records and
// superblocks get past their checksums. A mounted store is then used as a
// service would use it: every object stat'ed, read and verified, usage and the
// vault read. With flag bit 0 it is also changed (a delete, a grant and a
// revoke, a vault entry), checkpointed, and mounted again: the second mount
// must find the same objects and vault entries the first left (what a
// checkpoint writes, a mount must read back).
import { u8, u32, u64, bool, array, panic, slice } from "kts";
import { Store, ObjectInfo, Usage, MountResult, Status, NONE, MAX_OBJECTS, MAX_VAULT } from "../../src/lib/store/engine";
import { Disk } from "../../src/lib/store/disk";
import { attachDisk, imagePages, imageFlags, placeImage, BUF_BYTES } from "./store-disk";

const store = new Store();
const disk = new Disk();
const info = new ObjectInfo();
const use = new Usage();
const id: u8[] = array(16, 0);
const seed: u8[] = array(32, 0);
const key: u8[] = array(32, 0);
const principal: u8[] = array(32, 0);
const hashes: u8[] = array(MAX_OBJECTS * 64, 0);
let sink: u32 = 0;

function readAll(): u32 {
  let n: u32 = 0;
  for (let o: u32 = store.nextObject(0); o != NONE; o = store.nextObject(u32(o + 1))) {
    if (store.stat(o, info) != Status.Ok) panic(`object ${o} listed but not stat'ed`);
    if (info.pages > 0 && !store.space.inRange(info.firstPage, info.pages)) panic(`object ${o}: extent outside the data area`);
    const len: u32 = info.size < 4096n ? u32(info.size) : 4096;
    sink = u32(sink + u32(store.readData(o, 0n, 0, len)));
    if (store.verifyHash(o) == Status.Ok) sink = u32(sink + u32(store.verify(o)));
    store.usage(info.owner, use);
    if (use.objects == 0) panic(`object ${o}: its owner has no objects`);
    n = u32(n + 1);
  }
  if (n != store.objectCount) panic(`${n} objects listed, ${store.objectCount} counted`);
  let v: u32 = 0;
  for (let i: u32 = 0; i < MAX_VAULT; i++) if (store.vaultGet(i, seed, key)) v = u32(v + 1);
  if (v != store.vaultCount) panic(`${v} vault entries, ${store.vaultCount} counted`);
  if (store.freeBytes() > store.totalBytes()) panic("more free bytes than bytes");
  return n;
}

/** The (hash, owner) of every live object, in handle order; their count. */
function remember(): u32 {
  let n: u32 = 0;
  for (let o: u32 = store.nextObject(0); o != NONE; o = store.nextObject(u32(o + 1))) {
    store.stat(o, info);
    for (let i: u32 = 0; i < 32; i++) {
      hashes[u32(n * 64 + i)] = info.hash[i];
      hashes[u32(n * 64 + 32 + i)] = info.owner[i];
    }
    n = u32(n + 1);
  }
  return n;
}

function change(): void {
  const first: u32 = store.nextObject(0);
  if (first == NONE) return;
  const second: u32 = store.nextObject(u32(first + 1));
  for (let i: u32 = 0; i < 32; i++) principal[i] = u8(0xa0 + i);
  sink = u32(sink + u32(store.grant(first, principal)));
  if (second != NONE) {
    sink = u32(sink + u32(store.remove(second)));
  }
  sink = u32(sink + u32(store.revokeGrant(first, principal)));
  sink = u32(sink + u32(store.grant(first, principal)));
  for (let i: u32 = 0; i < 32; i++) {
    seed[i] = u8(i);
    key[i] = u8(i * 3);
  }
  sink = u32(sink + u32(store.vaultPut(principal, seed, key)));
}

export function fuzzOne(b: u8[]): u32 {
  for (let i: u32 = 0; i < 16; i++) id[i] = u8(0xc0 + i);
  attachDisk(disk, imagePages(b));
  placeImage(b);
  const r: MountResult = store.mount(disk, id, 32);
  if (r != MountResult.Mounted && r != MountResult.Formatted) {
    if (store.mounted) panic(`mount result ${u32(r)} but mounted`);
    return u32(r);
  }
  readAll();
  if ((imageFlags(b) & 1) == 0) return u32(r);
  change();
  if (store.broken) return u32(r);
  if (store.checkpoint() != Status.Ok) return u32(r);
  const objects: u32 = remember();
  const vault: u32 = store.vaultCount;
  const again: MountResult = store.mount(disk, id, 32);
  if (again != MountResult.Mounted) panic(`a checkpointed store mounts as ${u32(again)}`);
  if (store.objectCount != objects || store.vaultCount != vault) panic(`checkpointed ${objects} objects and ${vault} vault entries, mounted ${store.objectCount} and ${store.vaultCount}`);
  for (let n: u32 = 0; n < objects; n++) {
    const at: u32 = u32(n * 64);
    if (store.find(slice(hashes, at, u32(at + 32)), slice(hashes, u32(at + 32), u32(at + 64))) == NONE) panic(`object ${n} lost by the checkpoint`);
  }
  readAll();
  return u32(again);
}
