/**
 * Ending capabilities: delete one, revoke one with everything derived from it
 * (in every task), revoke only what was derived from one, revoke every
 * capability naming an object, release all of a task's capabilities at exit,
 * and reap expired ones.
 *
 * Delete versus revoke. Deleting (and task exit) removes just that capability:
 * what was derived from it survives, re-attached to its parent, so revoking an
 * ancestor still reaches it. Revoking removes the whole subtree. Either way the
 * remaining uses of a removed capability go back to its parent (see grant.ts).
 * Neither needs a right: a holder may always give up its capability and what it
 * derived. Expired and exhausted capabilities can be deleted and revoked.
 *
 * Subtrees are destroyed leaf first by walking the tree's links (no recursion,
 * no stack): O(size of the subtree).
 */
import { u32, u64, bool } from "kts";
import { CapKind, CapError, CAP_MAX_TASKS, CAP_SLOTS, CAP_NONE } from "./types";
import { capPool, capTables, destroyLeaf, expired } from "./state";

class RevokeStats {
  last: u32 = 0;
}
const stats = new RevokeStats();

/** How many capabilities the last delete / revoke / release / reap removed. */
export function capLastRemoved(): u32 {
  return stats.last;
}

/**
 * Removes the capability (task, handle); what was derived from it is re-attached
 * to its parent (or becomes roots). Errors: BadTask, BadHandle, Stale, Empty.
 */
export function capDelete(task: u32, handle: u32): CapError {
  const err: CapError = capTables.check(task, handle);
  stats.last = 0;
  if (err != CapError.Ok) return err;
  deleteNode(capTables.nodeOf(task, handle));
  stats.last = 1;
  return CapError.Ok;
}

/**
 * Removes the capability (task, handle) and every capability derived from it,
 * directly or not, whichever task holds them. Errors: BadTask, BadHandle, Stale, Empty.
 */
export function capRevoke(task: u32, handle: u32): CapError {
  const err: CapError = capTables.check(task, handle);
  stats.last = 0;
  if (err != CapError.Ok) return err;
  stats.last = revokeSubtree(capTables.nodeOf(task, handle));
  return CapError.Ok;
}

/**
 * Removes every capability derived from (task, handle), keeping it (their remaining
 * uses come back to it). Errors: BadTask, BadHandle, Stale, Empty.
 */
export function capRevokeDescendants(task: u32, handle: u32): CapError {
  const err: CapError = capTables.check(task, handle);
  stats.last = 0;
  if (err != CapError.Ok) return err;
  const idx: u32 = capTables.nodeOf(task, handle);
  let count: u32 = 0;
  while (capPool.nodes[idx].firstChild != CAP_NONE) {
    count = u32(count + revokeSubtree(capPool.nodes[idx].firstChild));
  }
  stats.last = count;
  return CapError.Ok;
}

/**
 * Kernel only: revokes (with their subtrees) all capabilities of `kind` whose objA
 * is `objA`, e.g. every capability to a destroyed endpoint, or every Reply to a
 * task that exited. Returns how many capabilities were removed.
 */
export function capRevokeObject(kind: CapKind, objA: u64): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < capPool.highWater; i++) {
    const n = capPool.nodes[i];
    if (n.inUse && n.kind == kind && n.objA == objA) count = u32(count + revokeSubtree(i));
  }
  stats.last = count;
  return count;
}

/**
 * Task exit: deletes every capability `task` holds (as capDelete: capabilities
 * derived from them survive). Returns how many; 0 for a bad task id.
 */
export function capReleaseTask(task: u32): u32 {
  stats.last = 0;
  if (task >= CAP_MAX_TASKS) return 0;
  let count: u32 = 0;
  for (let s: u32 = 0; s < CAP_SLOTS; s++) {
    const idx: u32 = capTables.at(task, s);
    if (idx == CAP_NONE) continue;
    deleteNode(idx);
    count = u32(count + 1);
  }
  stats.last = count;
  return count;
}

/**
 * Housekeeping: revokes every capability expired at `now` (what was derived from
 * one expires no later, so it goes too). Returns how many were removed.
 */
export function capReapExpired(now: u64): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < capPool.highWater; i++) {
    const n = capPool.nodes[i];
    if (n.inUse && expired(n.expiry, now)) count = u32(count + revokeSubtree(i));
  }
  stats.last = count;
  return count;
}

function deleteNode(idx: u32): void {
  capPool.reparentChildren(idx);
  destroyLeaf(idx);
}

/** Destroys `root` and all its descendants, leaves first; returns how many. */
function revokeSubtree(root: u32): u32 {
  let cur: u32 = root;
  let count: u32 = 0;
  for (;;) {
    while (capPool.nodes[cur].firstChild != CAP_NONE) cur = capPool.nodes[cur].firstChild;
    const parent: u32 = capPool.nodes[cur].parent;
    const last: bool = cur == root;
    destroyLeaf(cur);
    count = u32(count + 1);
    if (last) break;
    cur = parent;
  }
  return count;
}
