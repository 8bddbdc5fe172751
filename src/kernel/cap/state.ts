/**
 * The kernel's one capability space: the node pool and the tasks' tables, and
 * the few steps that must keep them in agreement (a node in use is in exactly
 * one slot, that of its owner). The operations in grant.ts, revoke.ts and
 * query.ts are built from these.
 *
 * Not thread-safe: the caller (the syscall/IPC layer) serializes every
 * capability operation, e.g. under one capability lock.
 */
import { u32, u64, bool } from "kts";
import { CapPool } from "./pool";
import { CapTables } from "./table";
import { CapKind, CapView, CapError, CAP_NONE } from "./types";

export const capPool = new CapPool();
export const capTables = new CapTables();

/** Copies node `idx` into `out`. */
export function fillView(idx: u32, out: CapView): void {
  const n = capPool.nodes[idx];
  out.owner = n.owner;
  out.slot = n.slot;
  out.handle = capTables.handleOf(n.owner, n.slot);
  out.kind = n.kind;
  out.rights = n.rights;
  out.objA = n.objA;
  out.objB = n.objB;
  out.limited = n.limited;
  out.uses = n.uses;
  out.expiry = n.expiry;
  out.node = idx;
  out.nodeGen = n.gen;
  out.parent = n.parent;
  out.parentOwner = n.parent == CAP_NONE ? CAP_NONE : capPool.nodes[n.parent].owner;
}

/** Puts node `idx` in the lowest free slot of `task` (the caller checked there is one). */
export function install(task: u32, idx: u32): void {
  const slot: u32 = capTables.freeSlot(task);
  const n = capPool.nodes[idx];
  n.owner = task;
  n.slot = slot;
  capTables.occupy(task, slot, idx);
}

/** Takes node `idx` out of its owner's table (the slot's generation advances). */
export function uninstall(idx: u32): void {
  const n = capPool.nodes[idx];
  capTables.vacate(n.owner, n.slot);
  n.owner = CAP_NONE;
  n.slot = 0;
}

/**
 * Destroys node `idx`, which has no children: empties its slot, gives its remaining
 * uses back to its parent, unlinks it from the tree and frees it.
 */
export function destroyLeaf(idx: u32): void {
  uninstall(idx);
  capPool.returnUses(idx);
  capPool.unlink(idx);
  capPool.release(idx);
}

/**
 * Whether node `idx` may be used now for `kind` (CapKind.Any: any) with all of
 * `rights`: Ok, or WrongKind, Rights, Expired, Exhausted (checked in that order).
 */
export function usable(idx: u32, kind: CapKind, rights: u32, now: u64): CapError {
  const n = capPool.nodes[idx];
  if (kind != CapKind.Any && n.kind != kind) return CapError.WrongKind;
  if (u32(n.rights & rights) != rights) return CapError.Rights;
  if (expired(n.expiry, now)) return CapError.Expired;
  if (n.limited && n.uses == 0) return CapError.Exhausted;
  return CapError.Ok;
}

export function expired(expiry: u64, now: u64): bool {
  return expiry != 0n && now >= expiry;
}
