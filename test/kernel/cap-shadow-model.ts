// The shadow model of the capability space used by cap-shadow.ts: one flat record
// per capability (owner, slot, fields, parent record), per-slot generations, and
// the documented semantics written the simple way: subtrees found by walking every
// record's parent chain, uses returned by summing a removed subtree, task release
// computed from each record's nearest surviving ancestor.
import { u32, u64, bool, array } from "kts";
import { CapError } from "../../src/kernel/cap/index";

export const NONE: u32 = 0xffffffff;
/** Records (live capabilities of the model's tasks, at most NT * SLOTS). */
export const MAXR = 1024;
/** The model's tasks: T0 .. T0 + NT - 1. */
export const NT = 4;
export const T0: u32 = 48;
export const SLOTS: u32 = 64;
const ENTRIES = 256;
const DEAD = 256;
const MAX_U64: u64 = 0xffff_ffff_ffff_ffffn;

export class ShadowRecords {
  alive: bool[] = array(MAXR, false);
  task: u32[] = array(MAXR, 0);
  slot: u32[] = array(MAXR, 0);
  kind: u32[] = array(MAXR, 0);
  rights: u32[] = array(MAXR, 0);
  objA: u64[] = array(MAXR, 0n);
  objB: u64[] = array(MAXR, 0n);
  limited: bool[] = array(MAXR, false);
  uses: u32[] = array(MAXR, 0);
  expiry: u64[] = array(MAXR, 0n);
  parent: u32[] = array(MAXR, NONE);
  /** Filled by the verifier: the kernel's node and parent node for the record. */
  node: u32[] = array(MAXR, NONE);
  viewParent: u32[] = array(MAXR, NONE);
  mark: bool[] = array(MAXR, false);
  top: bool[] = array(MAXR, false);
  anc: u32[] = array(MAXR, NONE);
  freeList: u32[] = array(MAXR, 0);
  freeTop: u32 = 0;
  used: u32 = 0;

  slotRec: u32[] = array(ENTRIES, NONE);
  gen: u32[] = array(ENTRIES, 1);
  count: u32[] = array(NT, 0);

  deadTask: u32[] = array(DEAD, 0);
  deadHandle: u32[] = array(DEAD, 0);
  deadCount: u32 = 0;
  deadPos: u32 = 0;

  liveCount: u32 = 0;
  created: u32 = 0;
  /** Pool nodes in use outside the model when it started. */
  base: u32 = 0;
  now: u64 = 0n;

  entry(task: u32, slot: u32): u32 {
    return u32(u32(task - T0) * SLOTS + slot);
  }

  handleAt(task: u32, slot: u32): u32 {
    return u32(slot | u32(this.gen[this.entry(task, slot)] << 8));
  }

  handleOf(r: u32): u32 {
    return this.handleAt(this.task[r], this.slot[r]);
  }

  /** What resolving (task, handle) gives: task is a model task or >= 64. */
  classify(task: u32, handle: u32): CapError {
    if (task >= 64) return CapError.BadTask;
    const slot: u32 = u32(handle & 0xff);
    const gen: u32 = handle >>> 8;
    if (slot >= SLOTS || gen == 0) return CapError.BadHandle;
    const e: u32 = this.entry(task, slot);
    if (this.gen[e] != gen) return CapError.Stale;
    if (this.slotRec[e] == NONE) return CapError.Empty;
    return CapError.Ok;
  }

  usable(r: u32, kind: u32, rights: u32): CapError {
    if (kind != 0 && this.kind[r] != kind) return CapError.WrongKind;
    if (u32(this.rights[r] & rights) != rights) return CapError.Rights;
    if (this.expiry[r] != 0n && this.now >= this.expiry[r]) return CapError.Expired;
    if (this.limited[r] && this.uses[r] == 0) return CapError.Exhausted;
    return CapError.Ok;
  }

  poolFull(): bool {
    return u32(this.base + this.liveCount) >= 4096;
  }

  predictInsert(task: u32, kind: u32, rights: u32, a: u64, b: u64): CapError {
    if (task >= 64) return CapError.BadTask;
    if (kind == 0 || kind > 8) return CapError.BadKind;
    if (rights > 63) return CapError.BadRights;
    if (kind == 2 || kind == 3 || kind == 4 || kind == 5) {
      if (b == 0n || b > u64(MAX_U64 - a)) return CapError.BadRange;
      if (kind == 5 && u64(a + b) > 0x10000n) return CapError.BadRange;
    }
    if (this.count[u32(task - T0)] == SLOTS) return CapError.TableFull;
    if (this.poolFull()) return CapError.PoolFull;
    return CapError.Ok;
  }

  /** For a live source r and valid tasks. */
  predictDerive(r: u32, to: u32, rights: u32, uses: u32, exp: u64, narrow: bool, off: u64, size: u64): CapError {
    const e: CapError = this.usable(r, 0, 4);
    if (e == CapError.Rights) return CapError.NoGrant;
    if (e != CapError.Ok) return e;
    if (u32(rights & u32(~this.rights[r])) != 0) return CapError.NotSubset;
    if (this.limited[r] && (uses == 0 || uses > this.uses[r])) return CapError.Limits;
    if (exp != 0n && this.expiry[r] != 0n && exp > this.expiry[r]) return CapError.Limits;
    if (narrow) {
      const k: u32 = this.kind[r];
      if ((k != 2 && k != 3 && k != 4 && k != 5) || size == 0n || u64(off + size) > this.objB[r]) return CapError.BadRange;
    }
    if (this.count[u32(to - T0)] == SLOTS) return CapError.TableFull;
    if (this.poolFull()) return CapError.PoolFull;
    return CapError.Ok;
  }

  private lowestFree(task: u32): u32 {
    for (let s: u32 = 0; s < SLOTS; s++) if (this.slotRec[this.entry(task, s)] == NONE) return s;
    return NONE;
  }

  private occupy(r: u32, task: u32): void {
    const s: u32 = this.lowestFree(task);
    this.task[r] = task;
    this.slot[r] = s;
    this.slotRec[this.entry(task, s)] = r;
    this.count[u32(task - T0)] = u32(this.count[u32(task - T0)] + 1);
  }

  private vacate(r: u32): void {
    this.deadTask[this.deadPos] = this.task[r];
    this.deadHandle[this.deadPos] = this.handleOf(r);
    this.deadPos = u32(u32(this.deadPos + 1) % DEAD);
    if (this.deadCount < DEAD) this.deadCount = u32(this.deadCount + 1);
    const e: u32 = this.entry(this.task[r], this.slot[r]);
    this.slotRec[e] = NONE;
    this.gen[e] = u32(this.gen[e] + 1);
    this.count[u32(this.task[r] - T0)] = u32(this.count[u32(this.task[r] - T0)] - 1);
  }

  create(task: u32, kind: u32, rights: u32, a: u64, b: u64, uses: u32, exp: u64, parent: u32): u32 {
    let r: u32 = 0;
    if (this.freeTop > 0) {
      this.freeTop = u32(this.freeTop - 1);
      r = this.freeList[this.freeTop];
    } else {
      r = this.used;
      this.used = u32(this.used + 1);
    }
    this.alive[r] = true;
    this.kind[r] = kind;
    this.rights[r] = rights;
    this.objA[r] = a;
    this.objB[r] = b;
    this.limited[r] = uses != 0;
    this.uses[r] = uses;
    this.expiry[r] = exp;
    this.parent[r] = parent;
    this.occupy(r, task);
    this.liveCount = u32(this.liveCount + 1);
    this.created = u32(this.created + 1);
    return r;
  }

  private kill(r: u32): void {
    this.vacate(r);
    this.alive[r] = false;
    this.freeList[this.freeTop] = r;
    this.freeTop = u32(this.freeTop + 1);
    this.liveCount = u32(this.liveCount - 1);
  }

  move(r: u32, to: u32): void {
    this.vacate(r);
    this.occupy(r, to);
  }

  private giveBack(to: u32, from: u32, amount: u32): void {
    if (to != NONE && this.limited[from] && this.limited[to]) this.uses[to] = u32(this.uses[to] + amount);
  }

  deleteRec(r: u32): u32 {
    const p: u32 = this.parent[r];
    for (let x: u32 = 0; x < this.used; x++) if (this.alive[x] && this.parent[x] == r) this.parent[x] = p;
    this.giveBack(p, r, this.uses[r]);
    this.kill(r);
    return 1;
  }

  /** Marks r and every live record whose parent chain reaches r; returns how many. */
  private markSubtree(r: u32): u32 {
    let n: u32 = 0;
    for (let x: u32 = 0; x < this.used; x++) {
      this.mark[x] = false;
      if (!this.alive[x]) continue;
      let y: u32 = x;
      for (let steps: u32 = 0; steps < MAXR; steps++) {
        if (y == NONE) break;
        if (y == r) {
          this.mark[x] = true;
          n = u32(n + 1);
          break;
        }
        y = this.parent[y];
      }
    }
    return n;
  }

  /** Revokes r's subtree, with r itself or not; returns how many went. */
  revokeRec(r: u32, withSelf: bool): u32 {
    let n: u32 = this.markSubtree(r);
    if (!withSelf) {
      this.mark[r] = false;
      n = u32(n - 1);
    }
    let sum: u32 = 0;
    for (let x: u32 = 0; x < this.used; x++) if (this.mark[x] && this.limited[x]) sum = u32(sum + this.uses[x]);
    if (withSelf) this.giveBack(this.parent[r], r, sum);
    else if (this.limited[r]) this.uses[r] = u32(this.uses[r] + sum);
    for (let x: u32 = 0; x < this.used; x++) if (this.mark[x]) this.kill(x);
    return n;
  }

  releaseTask(task: u32): u32 {
    let n: u32 = 0;
    for (let x: u32 = 0; x < this.used; x++) {
      this.mark[x] = this.alive[x] && this.task[x] == task;
      if (this.mark[x]) n = u32(n + 1);
    }
    for (let x: u32 = 0; x < this.used; x++) {
      if (!this.alive[x]) continue;
      let y: u32 = this.parent[x];
      while (y != NONE && this.mark[y]) y = this.parent[y];
      this.anc[x] = y;
    }
    for (let x: u32 = 0; x < this.used; x++) if (this.mark[x]) this.giveBack(this.anc[x], x, this.uses[x]);
    for (let x: u32 = 0; x < this.used; x++) {
      if (this.alive[x] && !this.mark[x] && this.parent[x] != NONE && this.mark[this.parent[x]]) this.parent[x] = this.anc[x];
    }
    for (let x: u32 = 0; x < this.used; x++) if (this.mark[x]) this.kill(x);
    return n;
  }

  private expired(x: u32): bool {
    return this.expiry[x] != 0n && this.now >= this.expiry[x];
  }

  reap(): u32 {
    for (let x: u32 = 0; x < this.used; x++) {
      const p: u32 = this.parent[x];
      this.top[x] = this.alive[x] && this.expired(x) && (p == NONE || !this.expired(p));
    }
    let n: u32 = 0;
    for (let x: u32 = 0; x < this.used; x++) if (this.top[x] && this.alive[x]) n = u32(n + this.revokeRec(x, true));
    return n;
  }

  revokeObject(kind: u32, a: u64): u32 {
    for (let x: u32 = 0; x < this.used; x++) {
      this.top[x] = false;
      if (!this.alive[x] || this.kind[x] != kind || this.objA[x] != a) continue;
      let y: u32 = this.parent[x];
      let matched: bool = false;
      while (y != NONE) {
        if (this.kind[y] == kind && this.objA[y] == a) matched = true;
        y = this.parent[y];
      }
      this.top[x] = !matched;
    }
    let n: u32 = 0;
    for (let x: u32 = 0; x < this.used; x++) if (this.top[x] && this.alive[x]) n = u32(n + this.revokeRec(x, true));
    return n;
  }

  /** The record in task's i-th occupied slot, or NONE. */
  nth(task: u32, i: u32): u32 {
    let seen: u32 = 0;
    for (let s: u32 = 0; s < SLOTS; s++) {
      const r: u32 = this.slotRec[this.entry(task, s)];
      if (r == NONE) continue;
      if (seen == i) return r;
      seen = u32(seen + 1);
    }
    return NONE;
  }
}
