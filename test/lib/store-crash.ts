// The store engine under the crash model (store-world.ts): random operations
// on a disk with a write cache; the k-th I/O (k random) fails and the crash
// applies a random subset of the unflushed blocks in random order; the store
// is mounted again and checked against the driver's log of acknowledged
// operations. The operation in flight at the crash may or may not have taken
// effect; everything acknowledged must be there (verifying), everything
// deleted gone, and the free space exactly what the objects imply.
import { u8, u32, u64, bool, array, print, check, checkFailures } from "kts";
import { Store, Put, Status, MountResult, ObjectInfo, NONE } from "../../src/lib/store/engine";
import { Disk } from "../../src/lib/store/disk";
import { readInput, attach, wipe, seed, rand, below, contentSize, setCrash, hasCrashed, crash, pendingIn, parameter } from "./store-world";
import { principal, putContent, findContent } from "./store-common";

const store = new Store();
const disk = new Disk();
const put = new Put();
const info = new ObjectInfo();
const id: u8[] = array(16, 0);
const p0: u8[] = array(32, 0);
const p1: u8[] = array(32, 0);
const p2: u8[] = array(32, 0);

const BLOCKS: u32 = 8192; // 4 MiB
const AREA: u32 = 48;
const OWNERS: u32 = 4;
const CONTENTS: u32 = 16;
const IDS = 64;
const GRANTEES: u32 = 10;
const VAULT = 6;

// The model: what the acknowledged operations imply.
const present: u8[] = array(IDS, 0);
const grants: u32[] = array(IDS, 0);
const vaultVersion: u32[] = array(VAULT, 0);
let live: u32 = 0;

// The operation in flight.
enum Op { None, Put, Delete, Grant, Revoke, VaultPut, VaultDelete, Checkpoint }
let op = Op.None;
let opId: u32 = 0;
let opArg: u32 = 0;

// Counters.
let crashes: u32 = 0;
let inCheckpoint: u32 = 0;
let acknowledged: u32 = 0;
let refused: u32 = 0;
let tookEffect: u32 = 0;
let noEffect: u32 = 0;
let checkpointsSeen: u32 = 0;
let mismatches: u32 = 0;

function owner(i: u32): u32 {
  return u32(1 + u32(i / CONTENTS));
}
function content(i: u32): u32 {
  const k = u32(i % CONTENTS);
  return k < 11 ? k : u32(k + 2);
}

function expect(cond: bool, what: u32): void {
  if (!cond) {
    mismatches = u32(mismatches + 1);
    if (mismatches < 20) print(`mismatch ${what} op ${u32(op)} id ${opId} arg ${opArg}`);
  }
}

function vaultKeys(v: u32, ver: u32): void {
  principal(u32(200 + v), p0);
  principal(u32(u32(1000 + u32(v * 100)) + ver), p1);
  principal(u32(u32(3000 + u32(v * 100)) + ver), p2);
}

/** One random operation; false when it hit the crash. */
function step(): bool {
  const r = below(100);
  const i = below(IDS);
  op = Op.None;
  let s = Status.Ok;
  if (r < 36) {
    op = Op.Put;
    opId = i;
    const full = u32(live + 0) >= store.liveLimit;
    s = putContent(store, put, owner(i), content(i), u32(1 + below(12)), 0);
    if (s == Status.IoError) return false;
    if (full) expect(s == Status.TableFull, 2);
    else if (present[i] != 0) expect(s == Status.Exists, 1);
    else {
      expect(s == Status.Ok, 3);
      if (s == Status.Ok) {
        present[i] = 1;
        grants[i] = 0;
        live = u32(live + 1);
      }
    }
  } else if (r < 60) {
    if (present[i] == 0) return true;
    op = Op.Delete;
    opId = i;
    s = store.remove(findContent(store, owner(i), content(i)));
    if (s == Status.IoError) return false;
    expect(s == Status.Ok, 4);
    present[i] = 0;
    live = u32(live - 1);
  } else if (r < 78) {
    if (present[i] == 0) return true;
    const g = below(GRANTEES);
    principal(u32(100 + g), p0);
    const h = findContent(store, owner(i), content(i));
    opId = i;
    opArg = g;
    const has = ((grants[i] >>> g) & 1) != 0;
    if (has) {
      op = Op.Revoke;
      s = store.revokeGrant(h, p0);
      if (s == Status.IoError) return false;
      expect(s == Status.Ok, 5);
      grants[i] = u32(grants[i] & ~u32(u32(1) << g));
    } else {
      op = Op.Grant;
      s = store.grant(h, p0);
      if (s == Status.IoError) return false;
      const n = popcount(grants[i]);
      if (n >= 8) expect(s == Status.GrantsFull, 6);
      else {
        expect(s == Status.Ok, 7);
        grants[i] = u32(grants[i] | u32(u32(1) << g));
      }
    }
  } else if (r < 88) {
    const v = below(VAULT);
    op = Op.VaultPut;
    opId = v;
    opArg = u32(vaultVersion[v] + 1);
    vaultKeys(v, opArg);
    const full = vaultVersion[v] == 0 && live >= store.liveLimit;
    s = store.vaultPut(p0, p1, p2);
    if (s == Status.IoError) return false;
    if (full) expect(s == Status.TableFull, 8);
    else {
      expect(s == Status.Ok, 9);
      if (vaultVersion[v] == 0) live = u32(live + 1);
      vaultVersion[v] = opArg;
    }
  } else if (r < 92) {
    const v = below(VAULT);
    if (vaultVersion[v] == 0) return true;
    op = Op.VaultDelete;
    opId = v;
    principal(u32(200 + v), p0);
    s = store.vaultDelete(p0);
    if (s == Status.IoError) return false;
    expect(s == Status.Ok, 10);
    vaultVersion[v] = 0;
    live = u32(live - 1);
  } else {
    op = Op.Checkpoint;
    s = store.checkpoint();
    if (s == Status.IoError) return false;
    expect(s == Status.Ok, 11);
  }
  if (s == Status.Ok) acknowledged = u32(acknowledged + 1);
  else refused = u32(refused + 1);
  return true;
}

function popcount(x: u32): u32 {
  let n: u32 = 0;
  for (let b: u32 = 0; b < 32; b++) n = u32(n + ((x >>> b) & 1));
  return n;
}

function adopt(effect: bool): void {
  if (effect) tookEffect = u32(tookEffect + 1);
  else noEffect = u32(noEffect + 1);
}

/** The store after a crash against the model; the in-flight operation is adopted either way. */
function verifyState(): void {
  let count: u32 = 0;
  let pages: u64 = 0n;
  for (let i: u32 = 0; i < IDS; i++) {
    const h = findContent(store, owner(i), content(i));
    const there = h != NONE;
    if ((op == Op.Put || op == Op.Delete) && opId == i) {
      adopt(there != (present[i] != 0));
      if (there && present[i] == 0) {
        live = u32(live + 1);
        grants[i] = 0;
      }
      if (!there && present[i] != 0) live = u32(live - 1);
      present[i] = u8(there ? 1 : 0);
    }
    expect(there == (present[i] != 0), 20);
    if (!there) continue;
    count = u32(count + 1);
    store.stat(h, info);
    pages = u64(pages + u64(info.pages));
    expect(info.size == u64(contentSize(content(i))), 21);
    expect(store.verifyHash(h) == Status.Ok, 22);
    if ((op == Op.Grant || op == Op.Revoke) && opId == i) {
      principal(u32(100 + opArg), p0);
      const g = store.isGranted(h, p0);
      const had = ((grants[i] >>> opArg) & 1) != 0;
      adopt(g != had);
      if (g) grants[i] = u32(grants[i] | u32(u32(1) << opArg));
      else grants[i] = u32(grants[i] & ~u32(u32(1) << opArg));
    }
    for (let g: u32 = 0; g < GRANTEES; g++) {
      principal(u32(100 + g), p0);
      expect(store.isGranted(h, p0) == (((grants[i] >>> g) & 1) != 0), 23);
    }
  }
  expect(store.objectCount == count, 24);
  expect(store.freeBytes() == u64(store.totalBytes() - u64(pages * 4096n)), 25);
  let vaults: u32 = 0;
  for (let v: u32 = 0; v < VAULT; v++) {
    principal(u32(200 + v), p0);
    const e = store.vaultFind(p0);
    if ((op == Op.VaultPut || op == Op.VaultDelete) && opId == v) {
      const before = vaultVersion[v];
      let now: u32 = 0;
      if (e != NONE) {
        store.vaultGet(e, p1, p2);
        now = u32(u32(p1[0]) | u32(u32(p1[1]) << 8)) >= 1000 ? u32(u32(u32(p1[0]) | u32(u32(p1[1]) << 8)) - u32(1000 + u32(v * 100))) : 0xffff;
      }
      const after = op == Op.VaultPut ? opArg : 0;
      expect(now == before || now == after, 26);
      adopt(now != before);
      if (before == 0 && now != 0) live = u32(live + 1);
      if (before != 0 && now == 0) live = u32(live - 1);
      vaultVersion[v] = now;
    }
    if (vaultVersion[v] == 0) {
      expect(e == NONE, 27);
      continue;
    }
    vaults = u32(vaults + 1);
    vaultKeys(v, vaultVersion[v]);
    const seedOut: u8[] = array(32, 0);
    const keyOut: u8[] = array(32, 0);
    expect(e != NONE && store.vaultGet(e, seedOut, keyOut), 28);
    for (let k: u32 = 0; k < 32; k++) expect(seedOut[k] == p1[k] && keyOut[k] == p2[k], 29);
  }
  expect(store.vaultCount == vaults, 30);
  expect(u32(store.objectCount + store.vaultCount) == live, 31);
  // One object in full (hash and signature).
  const any = store.nextObject(below(1024));
  if (any != NONE) expect(store.verify(any) == Status.Ok, 32);
  op = Op.None;
}

function resetModel(): void {
  for (let i: u32 = 0; i < IDS; i++) {
    present[i] = 0;
    grants[i] = 0;
  }
  for (let v: u32 = 0; v < VAULT; v++) vaultVersion[v] = 0;
  live = 0;
  op = Op.None;
}

export function main(): u32 {
  readInput();
  const rounds = parameter(0);
  const maxGap = parameter(1);
  seed(parameter(2));
  for (let i: u32 = 0; i < 16; i++) id[i] = u8(0x51 + i);
  let formatCrashes: u32 = 0;
  for (let round: u32 = 0; round < rounds; round++) {
    if (round % 25 == 0) {
      // A fresh disk, sometimes with a crash while it is formatted.
      wipe(BLOCKS);
      resetModel();
      attach(disk, BLOCKS, true);
      if (round % 50 == 0) {
        setCrash(u32(1 + below(6)));
        const f = store.mount(disk, id, AREA);
        if (f == MountResult.IoError) formatCrashes = u32(formatCrashes + 1);
        crash();
        attach(disk, BLOCKS, true);
      }
      const m = store.mount(disk, id, AREA);
      expect(m == MountResult.Formatted || (m == MountResult.Mounted && store.objectCount == 0), 40);
    }
    setCrash(u32(1 + below(maxGap)));
    let steps: u32 = 0;
    while (!hasCrashed() && steps < 400) {
      if (!step()) break;
      steps = u32(steps + 1);
    }
    if (!hasCrashed()) continue;
    crashes = u32(crashes + 1);
    const other = u32(store.sb.areaBlock(u32(1 - store.sb.active)));
    if (pendingIn(other, AREA) || pendingIn(0, 1) || pendingIn(8, 1)) inCheckpoint = u32(inCheckpoint + 1);
    checkpointsSeen = u32(checkpointsSeen + store.checkpoints);
    crash();
    attach(disk, BLOCKS, true);
    const m = store.mount(disk, id, AREA);
    expect(m == MountResult.Mounted, 41);
    expect(store.damagedRecords == 0 && store.rejectedRecords == 0, 42);
    verifyState();
  }
  print(`rounds ${rounds} crashes ${crashes} (in a checkpoint ${inCheckpoint}, during format ${formatCrashes})`);
  print(`acknowledged ${acknowledged} refused ${refused}; in flight at the crash: took effect ${tookEffect}, did not ${noEffect}`);
  print(`checkpoints ${checkpointsSeen}, live at the end ${live}, mismatches ${mismatches}`);
  check(mismatches == 0, "mismatches");
  return checkFailures();
}
