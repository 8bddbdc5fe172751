/**
 * Making and using capabilities: the kernel's root insertions, lookups (with use
 * counting), derivation of weaker copies, and moves between tasks.
 *
 * Limits. A capability may count its uses and may expire. Deriving can only
 * tighten: the new rights are a subset of the source's, the new expiry is no
 * later than the source's (0 asks for the source's), and the uses of a derived
 * capability are split off its source's: deriving 4 uses from a capability with
 * 10 left leaves it 6, and when the derived one goes away (delete, revoke, task
 * exit) what it has left returns to its source. So however a capability is
 * passed on, its whole derivation tree is exercised at most as many times as
 * the root allows. A source that counts uses can only give counted uses.
 *
 * Every entry point checks its arguments in the order its comment lists and
 * changes nothing when it returns an error.
 */
import { u32, u64, bool } from "kts";
import {
  CapKind,
  CapError,
  CapView,
  CAP_MAX_TASKS,
  CAP_NONE,
  CAP_KIND_MAX,
  RIGHTS_ALL,
  RIGHT_GRANT,
  kindHasRange,
} from "./types";
import { capPool, capTables, fillView, install, uninstall, usable } from "./state";

/**
 * Kernel only (boot, and kernel-made capabilities such as Reply or a new endpoint's
 * first): a new root capability in the lowest free slot of `task`. uses 0 means
 * unlimited; expiry 0 means never. Range kinds need objB != 0 and objA + objB not
 * past 2^64 - 1 (ports: not past 0x10000).
 * Errors: BadTask, BadKind, BadRights, BadRange, TableFull, PoolFull.
 */
export function capInsertRoot(
  task: u32,
  kind: CapKind,
  rights: u32,
  objA: u64,
  objB: u64,
  uses: u32,
  expiry: u64,
  out: CapView,
): CapError {
  if (task >= CAP_MAX_TASKS) return CapError.BadTask;
  if (kind == CapKind.Any || u32(kind) > CAP_KIND_MAX) return CapError.BadKind;
  if (u32(rights & u32(~RIGHTS_ALL)) != 0) return CapError.BadRights;
  if (kindHasRange(kind)) {
    const end: u64 = u64(objA + objB);
    if (objB == 0n || end < objA) return CapError.BadRange;
    if (kind == CapKind.DevicePorts && end > 0x10000n) return CapError.BadRange;
  }
  if (!capTables.hasFree(task)) return CapError.TableFull;
  if (!capPool.hasFree()) return CapError.PoolFull;
  const idx: u32 = capPool.alloc();
  const n = capPool.nodes[idx];
  n.kind = kind;
  n.rights = rights;
  n.objA = objA;
  n.objB = objB;
  n.limited = uses != 0;
  n.uses = uses;
  n.expiry = expiry;
  install(task, idx);
  fillView(idx, out);
  return CapError.Ok;
}

/**
 * The capability `task` names by `handle`, if it is of `kind` (CapKind.Any: any
 * kind), has every right in `rights`, has not expired at `now` and has uses left.
 * When `exercise` is true and it counts uses, one use is consumed. `out` is filled
 * on Ok (after the use is consumed) and on WrongKind, Rights, Expired, Exhausted.
 * Errors: BadTask, BadHandle, Stale, Empty, WrongKind, Rights, Expired, Exhausted.
 */
export function capLookup(
  task: u32,
  handle: u32,
  kind: CapKind,
  rights: u32,
  now: u64,
  exercise: bool,
  out: CapView,
): CapError {
  const err: CapError = capTables.check(task, handle);
  if (err != CapError.Ok) return err;
  const idx: u32 = capTables.nodeOf(task, handle);
  const e: CapError = usable(idx, kind, rights, now);
  if (e == CapError.Ok && exercise) {
    const n = capPool.nodes[idx];
    if (n.limited) n.uses = u32(n.uses - 1);
  }
  fillView(idx, out);
  return e;
}

/**
 * The endpoint an Endpoint capability with `rights` and no use count names, for
 * the IPC fast path: capLookup's checks, with nothing to consume, so no side
 * effect. CAP_NO_OBJECT for anything else (the ordinary path's lookup then
 * decides, consumes and audits).
 * @inline (once per fast IPC operation)
 */
export function capEndpointPeek(task: u32, handle: u32, rights: u32, now: u64): u64 {
  if (capTables.check(task, handle) != CapError.Ok) return CAP_NO_OBJECT;
  const idx: u32 = capTables.nodeOf(task, handle);
  if (capPool.nodes[idx].limited || usable(idx, CapKind.Endpoint, rights, now) != CapError.Ok) return CAP_NO_OBJECT;
  return capPool.nodes[idx].objA;
}

export const CAP_NO_OBJECT: u64 = 0xffff_ffff_ffff_ffffn;

/**
 * capLookup with exercise, for the IPC path: the same checks and the same use
 * consumed, but only out.kind, out.rights and out.objA are filled (the rest of
 * the view is left as it was): what an endpoint lookup needs, without copying
 * the whole node.
 */
export function capExerciseLean(task: u32, handle: u32, kind: CapKind, rights: u32, now: u64, out: CapView): CapError {
  const err: CapError = capTables.check(task, handle);
  if (err != CapError.Ok) return err;
  const idx: u32 = capTables.nodeOf(task, handle);
  const e: CapError = usable(idx, kind, rights, now);
  const n = capPool.nodes[idx];
  if (e == CapError.Ok && n.limited) n.uses = u32(n.uses - 1);
  out.kind = n.kind;
  out.rights = n.rights;
  out.objA = n.objA;
  return e;
}

/**
 * Delegation: a new capability in the lowest free slot of `toTask` (which may be
 * `task`), derived from (task, handle), with `rights` (a subset of the source's),
 * `uses` split off the source's (0: unlimited, only from an unlimited source) and
 * `expiry` (0: the source's; otherwise no later than the source's, if it has one).
 * It names the same object as the source. The source needs RIGHT_GRANT.
 * Errors: BadTask (either task), BadHandle, Stale, Empty, NoGrant, Expired,
 * Exhausted, NotSubset, Limits, TableFull, PoolFull.
 */
export function capDerive(
  task: u32,
  handle: u32,
  toTask: u32,
  rights: u32,
  uses: u32,
  expiry: u64,
  now: u64,
  out: CapView,
): CapError {
  return derive(task, handle, toTask, rights, uses, expiry, false, 0n, 0n, now, out);
}

/**
 * capDerive for part of a range: the new capability names [objA + offset,
 * objA + offset + size) of the source's MemoryRegion, DeviceMmio or DevicePorts.
 * Errors: capDerive's, with BadRange (after Limits) for a kind without a range, a
 * size of 0, or a part not inside the source's range.
 */
export function capDeriveRange(
  task: u32,
  handle: u32,
  toTask: u32,
  rights: u32,
  uses: u32,
  expiry: u64,
  offset: u64,
  size: u64,
  now: u64,
  out: CapView,
): CapError {
  return derive(task, handle, toTask, rights, uses, expiry, true, offset, size, now, out);
}

function derive(
  task: u32,
  handle: u32,
  toTask: u32,
  rights: u32,
  uses: u32,
  expiry: u64,
  narrow: bool,
  offset: u64,
  size: u64,
  now: u64,
  out: CapView,
): CapError {
  if (task >= CAP_MAX_TASKS || toTask >= CAP_MAX_TASKS) return CapError.BadTask;
  const err: CapError = capTables.check(task, handle);
  if (err != CapError.Ok) return err;
  const src: u32 = capTables.nodeOf(task, handle);
  const e: CapError = usable(src, CapKind.Any, RIGHT_GRANT, now);
  if (e != CapError.Ok) return e == CapError.Rights ? CapError.NoGrant : e;
  const s = capPool.nodes[src];
  if (u32(rights & u32(~s.rights)) != 0) return CapError.NotSubset;
  if (s.limited && (uses == 0 || uses > s.uses)) return CapError.Limits;
  let exp: u64 = expiry;
  if (exp == 0n) exp = s.expiry;
  else if (s.expiry != 0n && exp > s.expiry) return CapError.Limits;
  let objA: u64 = s.objA;
  let objB: u64 = s.objB;
  if (narrow) {
    if (!kindHasRange(s.kind) || size == 0n || offset > s.objB || size > u64(s.objB - offset)) return CapError.BadRange;
    objA = u64(s.objA + offset);
    objB = size;
  }
  if (!capTables.hasFree(toTask)) return CapError.TableFull;
  if (!capPool.hasFree()) return CapError.PoolFull;
  const idx: u32 = capPool.alloc();
  const n = capPool.nodes[idx];
  n.kind = s.kind;
  n.rights = rights;
  n.objA = objA;
  n.objB = objB;
  n.limited = uses != 0;
  n.uses = uses;
  n.expiry = exp;
  if (s.limited) s.uses = u32(s.uses - uses);
  capPool.link(idx, src);
  install(toTask, idx);
  fillView(idx, out);
  return CapError.Ok;
}

/**
 * IPC capability transfer: moves the capability (task, handle) to the lowest free
 * slot of `toTask`; the old handle goes stale. Its derivation links, limits and
 * rights are unchanged, so revoking an ancestor still reaches it. Needs
 * RIGHT_GRANT. Moving to `task` itself changes nothing (Ok, `out` = the capability).
 * Errors: BadTask (either task), BadHandle, Stale, Empty, NoGrant, Expired,
 * Exhausted, TableFull.
 */
export function capTransfer(task: u32, handle: u32, toTask: u32, now: u64, out: CapView): CapError {
  if (task >= CAP_MAX_TASKS || toTask >= CAP_MAX_TASKS) return CapError.BadTask;
  const err: CapError = capTables.check(task, handle);
  if (err != CapError.Ok) return err;
  const idx: u32 = capTables.nodeOf(task, handle);
  const e: CapError = usable(idx, CapKind.Any, RIGHT_GRANT, now);
  if (e != CapError.Ok) return e == CapError.Rights ? CapError.NoGrant : e;
  if (toTask != task) {
    if (!capTables.hasFree(toTask)) return CapError.TableFull;
    uninstall(idx);
    install(toTask, idx);
  }
  fillView(idx, out);
  return CapError.Ok;
}

/** Whether a node reported in a CapView (node, nodeGen) still holds that capability. */
export function capNodeAlive(node: u32, nodeGen: u32): bool {
  return capPool.alive(node, nodeGen);
}

/** The task holding the capability of (node, nodeGen) now (it may have moved), or CAP_NONE if it is gone. */
export function capNodeOwner(node: u32, nodeGen: u32): u32 {
  return capPool.alive(node, nodeGen) ? capPool.nodes[node].owner : CAP_NONE;
}
