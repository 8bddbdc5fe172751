/**
 * Reading the capability space: per-task counts and a by-position listing (for
 * the shell), pool statistics, capabilities naming a range, a reset for host tests, and a full consistency
 * check of tables, pool, free list and derivation tree (for tests and the
 * kernel's self-tests).
 */
import { u32, u64 } from "kts";
import { CapKind, CapError, CapView, CAP_MAX_TASKS, CAP_SLOTS, CAP_POOL_SIZE, CAP_NONE } from "./types";
import { capPool, capTables, fillView } from "./state";

/** How many capabilities of `kind` name a range starting inside [base, base + size). */
export function capCountInRange(kind: CapKind, base: u64, size: u64): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < capPool.highWater; i++) {
    const n = capPool.nodes[i];
    if (n.inUse && n.kind == kind && n.objA >= base && u64(n.objA - base) < size) count = u32(count + 1);
  }
  return count;
}

/** How many capabilities `task` holds (0 for a bad task id). */
export function capCount(task: u32): u32 {
  if (task >= CAP_MAX_TASKS) return 0;
  return capTables.count[task];
}

/** How many more capabilities `task` can receive (0 for a bad task id). */
export function capFreeSlots(task: u32): u32 {
  if (task >= CAP_MAX_TASKS) return 0;
  return u32(CAP_SLOTS - capTables.count[task]);
}

/**
 * The i-th capability of `task` in slot order (i < capCount(task)) into `out`.
 * Errors: BadTask, NotFound.
 */
export function capAt(task: u32, i: u32, out: CapView): CapError {
  if (task >= CAP_MAX_TASKS) return CapError.BadTask;
  let seen: u32 = 0;
  for (let s: u32 = 0; s < CAP_SLOTS; s++) {
    const idx: u32 = capTables.at(task, s);
    if (idx == CAP_NONE) continue;
    if (seen == i) {
      fillView(idx, out);
      return CapError.Ok;
    }
    seen = u32(seen + 1);
  }
  return CapError.NotFound;
}

/**
 * The capability in slot `slot` of `task` into `out` (for scans of a whole
 * table: capAt(i) walks the slots up to the i-th capability each time).
 * Errors: BadTask, BadHandle (slot out of range), Empty.
 */
export function capInSlot(task: u32, slot: u32, out: CapView): CapError {
  if (task >= CAP_MAX_TASKS) return CapError.BadTask;
  if (slot >= CAP_SLOTS) return CapError.BadHandle;
  const idx: u32 = capTables.at(task, slot);
  if (idx == CAP_NONE) return CapError.Empty;
  fillView(idx, out);
  return CapError.Ok;
}

/** Nodes in use in the global pool. */
export function capPoolUsed(): u32 {
  return capPool.used;
}

export function capPoolFree(): u32 {
  return u32(CAP_POOL_SIZE - capPool.used);
}

/** Empties every table and the pool (host tests; all handles and views go stale). */
export function capReset(): void {
  capTables.reset();
  capPool.reset();
}

/**
 * 0 when every invariant holds, otherwise the number of the first one broken:
 * 1 a slot names a node not in use or not recording that slot; 2 a task's count is
 * wrong; 3 a node in use is not in its owner's slot; 4 a child list is broken
 * (parent/prev links); 5 a node with a parent is missing from the parent's child
 * list; 6 a child of a limited node does not count uses, or expires after it;
 * 7 an ancestor chain is longer than the pool (a cycle); 8 the free list is wrong;
 * 9 `used` is wrong.
 */
export function capCheckConsistency(): u32 {
  for (let t: u32 = 0; t < CAP_MAX_TASKS; t++) {
    let count: u32 = 0;
    for (let s: u32 = 0; s < CAP_SLOTS; s++) {
      const idx: u32 = capTables.at(t, s);
      if (idx == CAP_NONE) continue;
      if (idx >= capPool.highWater) return 1;
      const n = capPool.nodes[idx];
      if (!n.inUse || n.owner != t || n.slot != s) return 1;
      count = u32(count + 1);
    }
    if (count != capTables.count[t]) return 2;
  }
  let used: u32 = 0;
  let linked: u32 = 0;
  let withParent: u32 = 0;
  for (let i: u32 = 0; i < capPool.highWater; i++) {
    const n = capPool.nodes[i];
    if (!n.inUse) continue;
    used = u32(used + 1);
    if (n.owner >= CAP_MAX_TASKS || n.slot >= CAP_SLOTS || capTables.at(n.owner, n.slot) != i) return 3;
    if (n.parent != CAP_NONE) withParent = u32(withParent + 1);
    let prev: u32 = CAP_NONE;
    let c: u32 = n.firstChild;
    let steps: u32 = 0;
    while (c != CAP_NONE) {
      if (c >= capPool.highWater || steps >= CAP_POOL_SIZE) return 4;
      const k = capPool.nodes[c];
      if (!k.inUse || k.parent != i || k.prevSibling != prev) return 4;
      if (n.limited && !k.limited) return 6;
      if (n.expiry != 0n && (k.expiry == 0n || k.expiry > n.expiry)) return 6;
      linked = u32(linked + 1);
      prev = c;
      c = k.nextSibling;
      steps = u32(steps + 1);
    }
    let a: u32 = n.parent;
    let depth: u32 = 0;
    while (a != CAP_NONE) {
      if (a >= capPool.highWater || !capPool.nodes[a].inUse) return 5;
      depth = u32(depth + 1);
      if (depth > CAP_POOL_SIZE) return 7;
      a = capPool.nodes[a].parent;
    }
  }
  if (linked != withParent) return 5;
  let free: u32 = 0;
  let f: u32 = capPool.freeHead;
  while (f != CAP_NONE) {
    if (f >= capPool.highWater || capPool.nodes[f].inUse || free >= CAP_POOL_SIZE) return 8;
    free = u32(free + 1);
    f = capPool.nodes[f].nextFree;
  }
  if (u32(free + used) != capPool.highWater) return 8;
  if (used != capPool.used) return 9;
  return 0;
}

