// Host driver for the capability subsystem (src/kernel/cap): directed cases for
// rights, GRANT, delegation chains and revocation, use counts, expiry, forged
// handles, full tables, task release, transfer and ranges; then a seeded random
// stress checked against a shadow model (cap-shadow.ts). Runs in both worlds.
import { u32, u64, print, check, checkFailures, array } from "kts";
import {
  CapKind,
  CapError,
  CapView,
  CAP_SLOTS,
  CAP_NONE,
  RIGHT_SEND,
  RIGHT_RECEIVE,
  RIGHT_GRANT,
  RIGHT_MAP,
  RIGHT_WRITE,
  RIGHTS_ALL,
  capHandle,
  handleSlot,
  capInsertRoot,
  capLookup,
  capDerive,
  capDeriveRange,
  capTransfer,
  capNodeAlive,
  capDelete,
  capRevoke,
  capRevokeDescendants,
  capRevokeObject,
  capReleaseTask,
  capReapExpired,
  capLastRemoved,
  capCount,
  capFreeSlots,
  capAt,
  capPoolUsed,
  capReset,
  capCheckConsistency,
} from "../../src/kernel/cap/index";
import { runStress, Rng } from "./cap-shadow";

const v = new CapView();
const w = new CapView();
const rng = new Rng();
const SR: u32 = RIGHT_SEND | RIGHT_RECEIVE;
const SRG: u32 = RIGHT_SEND | RIGHT_RECEIVE | RIGHT_GRANT;

/** A root endpoint capability for `task`; its handle (0 on failure, which is a check failure). */
function ep(task: u32, id: u64, rights: u32, uses: u32, expiry: u64): u32 {
  const e = capInsertRoot(task, CapKind.Endpoint, rights, id, 0n, uses, expiry, v);
  check(e == CapError.Ok, "root insert");
  return e == CapError.Ok ? v.handle : 0;
}

function derive(task: u32, h: u32, to: u32, rights: u32, uses: u32, expiry: u64): u32 {
  const e = capDerive(task, h, to, rights, uses, expiry, 0n, v);
  check(e == CapError.Ok, "derive");
  return e == CapError.Ok ? v.handle : 0;
}

function err(task: u32, h: u32): CapError {
  return capLookup(task, h, CapKind.Any, 0, 0n, false, w);
}

/** Ends a section: the space must be consistent; then it is emptied for the next. */
function endSection(): void {
  check(capCheckConsistency() == 0, "consistent");
  capReset();
  check(capPoolUsed() == 0 && capCheckConsistency() == 0, "reset");
}

function insertErrors(): void {
  const b = capPoolUsed();
  check(capInsertRoot(64, CapKind.Endpoint, 1, 0n, 0n, 0, 0n, v) == CapError.BadTask, "task 64");
  check(capInsertRoot(0xffffffff, CapKind.Irq, 1, 0n, 0n, 0, 0n, v) == CapError.BadTask, "task -1");
  check(capInsertRoot(0, CapKind.Any, 1, 0n, 0n, 0, 0n, v) == CapError.BadKind, "kind Any");
  check(capInsertRoot(0, CapKind.Irq, 64, 5n, 1n, 0, 0n, v) == CapError.BadRights, "rights 64");
  check(capInsertRoot(0, CapKind.MemoryRegion, RIGHT_MAP, 0x1000n, 0n, 0, 0n, v) == CapError.BadRange, "size 0");
  check(capInsertRoot(0, CapKind.DeviceMmio, RIGHT_MAP, 0xffff_ffff_ffff_f000n, 0x1000n, 0, 0n, v) == CapError.BadRange, "wraps");
  check(capInsertRoot(0, CapKind.DevicePorts, 0, 0xfff0n, 0x11n, 0, 0n, v) == CapError.BadRange, "ports past 0x10000");
  check(capInsertRoot(0, CapKind.DevicePorts, 0, 0xfff0n, 0x10n, 0, 0n, v) == CapError.Ok, "ports up to 0x10000");
  check(v.kind == CapKind.DevicePorts && v.objA == 0xfff0n && v.objB == 0x10n && v.owner == 0 && v.parent == CAP_NONE, "view");
  check(v.handle != 0 && handleSlot(v.handle) == 0 && capPoolUsed() == u32(b + 1), "handle");
  endSection();
  print("insert errors");
}

function rights(): void {
  const h = ep(1, 7n, SR, 0, 0n);
  check(capLookup(1, h, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Ok && v.objA == 7n, "send ok");
  check(capLookup(1, h, CapKind.Endpoint, SR, 0n, true, v) == CapError.Ok, "send+receive ok");
  check(capLookup(1, h, CapKind.Endpoint, RIGHT_MAP, 0n, true, v) == CapError.Rights && v.handle == h, "no MAP");
  check(capLookup(1, h, CapKind.Irq, 0, 0n, true, v) == CapError.WrongKind, "wrong kind");
  check(capDerive(1, h, 2, RIGHT_SEND, 0, 0n, 0n, v) == CapError.NoGrant, "derive needs GRANT");
  check(capTransfer(1, h, 2, 0n, v) == CapError.NoGrant, "transfer needs GRANT");
  const g = ep(1, 8n, SRG, 0, 0n);
  check(capDerive(1, g, 2, RIGHT_SEND | RIGHT_MAP, 0, 0n, 0n, v) == CapError.NotSubset, "MAP not held");
  check(capDerive(1, g, 2, 0x80000000, 0, 0n, 0n, v) == CapError.NotSubset, "unknown right");
  const s = derive(1, g, 2, RIGHT_SEND, 0, 0n);
  check(capLookup(2, s, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Ok && v.objA == 8n, "derived send");
  check(v.parentOwner == 1 && v.owner == 2 && v.rights == RIGHT_SEND, "derived view");
  check(capLookup(2, s, CapKind.Endpoint, RIGHT_RECEIVE, 0n, true, v) == CapError.Rights, "derived lacks RECEIVE");
  check(capDerive(2, s, 3, RIGHT_SEND, 0, 0n, 0n, v) == CapError.NoGrant, "derived lacks GRANT");
  const s2 = derive(1, g, 1, RIGHT_SEND | RIGHT_GRANT, 0, 0n);
  check(capDerive(1, s2, 3, RIGHT_RECEIVE, 0, 0n, 0n, v) == CapError.NotSubset, "subset of the subset");
  check(capCount(1) == 3 && capCount(2) == 1 && capPoolUsed() == 4, "counts");
  endSection();
  print("rights");
}

function chain(): void {
  // Task 1 holds the root; each of tasks 2..6 derives from the previous one; task 3 also
  // gives task 7 a copy and task 2 gives task 8 one.
  const hs: u32[] = array(7, 0);
  hs[1] = ep(1, 3n, SRG, 0, 0n);
  for (let t: u32 = 2; t < 7; t++) hs[t] = derive(u32(t - 1), hs[u32(t - 1)], t, SRG, 0, 0n);
  const side7 = derive(3, hs[3], 7, RIGHT_SEND, 0, 0n);
  const side8 = derive(2, hs[2], 8, RIGHT_SEND, 0, 0n);
  const own3 = ep(3, 99n, SR, 0, 0n);
  check(capLookup(6, hs[6], CapKind.Endpoint, RIGHT_GRANT, 0n, false, v) == CapError.Ok && v.objA == 3n, "depth 5");
  const node5: u32 = v.node;
  const gen5: u32 = v.nodeGen;
  check(capPoolUsed() == 9, "9 nodes");
  check(capRevoke(3, hs[3]) == CapError.Ok && capLastRemoved() == 5, "revoke the middle: 5 removed");
  for (let t: u32 = 3; t < 7; t++) check(err(t, hs[t]) == CapError.Stale, "descendant gone");
  check(err(7, side7) == CapError.Stale, "side branch below gone");
  check(err(1, hs[1]) == CapError.Ok && err(2, hs[2]) == CapError.Ok && err(8, side8) == CapError.Ok, "ancestors intact");
  check(err(3, own3) == CapError.Ok, "unrelated capability of a revoked task intact");
  check(!capNodeAlive(node5, gen5), "node dead");
  check(capCount(3) == 1 && capCount(6) == 0 && capCount(7) == 0 && capPoolUsed() == 4, "counts after revoke");
  check(capRevoke(3, hs[3]) == CapError.Stale, "revoke twice");
  // Revoke descendants only.
  check(capRevokeDescendants(1, hs[1]) == CapError.Ok && capLastRemoved() == 2, "descendants of the root");
  check(err(1, hs[1]) == CapError.Ok && err(2, hs[2]) == CapError.Stale && err(8, side8) == CapError.Stale, "root kept");
  // Delete keeps what was derived: re-attached to the parent.
  const a = derive(1, hs[1], 2, SRG, 0, 0n);
  const b = derive(2, a, 4, SRG, 0, 0n);
  const c = derive(4, b, 5, RIGHT_SEND, 0, 0n);
  check(capDelete(4, b) == CapError.Ok && capLastRemoved() == 1, "delete the middle");
  check(capLookup(5, c, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.parentOwner == 2, "child re-attached");
  check(capRevoke(1, hs[1]) == CapError.Ok && capLastRemoved() == 3 && err(5, c) == CapError.Stale, "root revoke reaches it");
  endSection();
  print("chain");
}

function uses(): void {
  const h = ep(1, 1n, SRG, 3, 0n);
  check(capLookup(1, h, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.limited && v.uses == 3, "peek is free");
  for (let i: u32 = 0; i < 3; i++) check(capLookup(1, h, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Ok && v.uses == u32(2 - i), "use");
  check(capLookup(1, h, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Exhausted && v.uses == 0, "exhausted");
  check(capDerive(1, h, 2, RIGHT_SEND, 1, 0n, 0n, v) == CapError.Exhausted, "no derive from exhausted");
  check(capDelete(1, h) == CapError.Ok, "exhausted can be deleted");
  const r = ep(1, 2n, SRG, 10, 0n);
  check(capDerive(1, r, 2, RIGHT_SEND, 0, 0n, 0n, v) == CapError.Limits, "unlimited from limited");
  check(capDerive(1, r, 2, RIGHT_SEND, 11, 0n, 0n, v) == CapError.Limits, "more than left");
  const c = derive(1, r, 2, SRG, 4, 0n);
  check(capLookup(1, r, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.uses == 6, "split off");
  const gc = derive(2, c, 3, RIGHT_SEND, 2, 0n);
  check(capLookup(3, gc, CapKind.Any, 0, 0n, true, v) == CapError.Ok && v.uses == 1, "grandchild used");
  check(capLookup(2, c, CapKind.Any, 0, 0n, true, v) == CapError.Ok && v.uses == 1, "child used");
  check(capRevoke(2, c) == CapError.Ok, "revoke child");
  check(capLookup(1, r, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.uses == 8, "unused uses returned");
  const c2 = derive(1, r, 2, RIGHT_SEND, 8, 0n);
  check(capLookup(1, r, CapKind.Any, 0, 0n, false, v) == CapError.Exhausted && v.uses == 0, "all given away");
  check(capDelete(2, c2) == CapError.Ok && capLookup(1, r, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.uses == 8, "delete returns");
  const u = ep(1, 3n, SRG, 0, 0n);
  const lim = derive(1, u, 2, RIGHT_SEND, 1, 0n);
  check(capLookup(2, lim, CapKind.Reply, 0, 0n, true, v) == CapError.WrongKind && v.uses == 1, "failed lookup uses nothing");
  check(capLookup(2, lim, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Ok, "one shot");
  check(capLookup(2, lim, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Exhausted, "spent");
  check(capInsertRoot(4, CapKind.Reply, RIGHT_SEND, 9n, 77n, 1, 0n, v) == CapError.Ok, "reply cap");
  const rep: u32 = v.handle;
  check(capLookup(4, rep, CapKind.Reply, RIGHT_SEND, 0n, true, v) == CapError.Ok && v.objA == 9n && v.objB == 77n, "reply once");
  check(capLookup(4, rep, CapKind.Reply, RIGHT_SEND, 0n, true, v) == CapError.Exhausted, "reply twice");
  endSection();
  print("uses");
}

function expiry(): void {
  const h = ep(1, 1n, SRG, 0, 1000n);
  check(capLookup(1, h, CapKind.Any, 0, 999n, true, v) == CapError.Ok && v.expiry == 1000n, "before expiry");
  check(capLookup(1, h, CapKind.Any, 0, 1000n, true, v) == CapError.Expired, "at expiry");
  check(capDerive(1, h, 2, RIGHT_SEND, 0, 2000n, 5n, v) == CapError.Limits, "later expiry");
  check(capDerive(1, h, 2, RIGHT_SEND, 0, 0n, 1000n, v) == CapError.Expired, "no derive when expired");
  const inh = derive(1, h, 2, RIGHT_SEND | RIGHT_GRANT, 0, 0n);
  check(capLookup(2, inh, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.expiry == 1000n, "inherits");
  const short = derive(2, inh, 3, RIGHT_SEND, 0, 500n);
  check(capLookup(3, short, CapKind.Any, 0, 499n, false, v) == CapError.Ok && v.expiry == 500n, "shorter");
  check(capLookup(3, short, CapKind.Any, 0, 500n, false, v) == CapError.Expired, "shorter expired");
  check(capTransfer(2, inh, 4, 1000n, v) == CapError.Expired, "no transfer when expired");
  const never = ep(1, 2n, SRG, 0, 0n);
  const late = derive(1, never, 2, RIGHT_SEND, 0, 0xffff_ffff_ffff_ffffn);
  check(capLookup(2, late, CapKind.Any, 0, 0xffff_ffff_ffff_fffen, false, v) == CapError.Ok, "far expiry");
  check(capReapExpired(500n) == 1 && err(3, short) == CapError.Stale, "reap at 500");
  check(capReapExpired(1000n) == 2 && capCount(1) == 1 && capCount(2) == 1 && err(2, late) == CapError.Ok, "reap at 1000");
  endSection();
  print("expiry");
}

function forged(): void {
  // Task 40 has never held anything: its slots are at generation 1.
  for (let i: u32 = 0; i < 3; i++) ep(40, u64(i), SRG, 0, 0n);
  ep(41, 5n, SRG, 0, 0n);
  check(err(40, 0) == CapError.BadHandle, "handle 0");
  check(err(40, capHandle(64, 1)) == CapError.BadHandle && err(40, capHandle(255, 1)) == CapError.BadHandle, "slot out of range");
  check(err(40, capHandle(1, 2)) == CapError.Stale && err(40, capHandle(5, 7)) == CapError.Stale, "wrong generation");
  check(err(40, capHandle(5, 1)) == CapError.Empty, "empty slot");
  check(err(64, capHandle(0, 1)) == CapError.BadTask && err(0xffffffff, capHandle(0, 1)) == CapError.BadTask, "bad task");
  const used0: u32 = capPoolUsed();
  for (let i: u32 = 0; i < 20000; i++) {
    const h: u32 = rng.next();
    const slot: u32 = h & 0xff;
    const gen: u32 = h >>> 8;
    let want: CapError = CapError.Ok;
    if (slot >= CAP_SLOTS || gen == 0) want = CapError.BadHandle;
    else if (gen != 1) want = CapError.Stale;
    else if (slot >= 3) want = CapError.Empty;
    const t: u32 = u32(i & 1) == 0 ? 40 : u32(rng.next() | 64);
    if (t != 40) want = CapError.BadTask;
    check(capLookup(t, h, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == want, "forged lookup");
    if (want == CapError.Ok) continue;
    check(capDerive(t, h, 41, RIGHT_SEND, 0, 0n, 0n, v) == want, "forged derive");
    check(capTransfer(t, h, 41, 0n, v) == want, "forged transfer");
    check(capDelete(t, h) == want && capRevoke(t, h) == want && capRevokeDescendants(t, h) == want, "forged delete/revoke");
    if (t != 40) check(capDerive(40, capHandle(0, 1), t, RIGHT_SEND, 0, 0n, 0n, v) == CapError.BadTask, "to a forged task");
    if (t != 40) check(capTransfer(40, capHandle(0, 1), t, 0n, v) == CapError.BadTask, "move to a forged task");
  }
  check(capPoolUsed() == used0 && capCount(40) == 3 && capCount(41) == 1, "nothing changed");
  check(capCount(64) == 0 && capFreeSlots(99) == 0 && capReleaseTask(64) == 0 && capAt(64, 0, v) == CapError.BadTask, "bad task queries");
  check(capAt(40, 3, v) == CapError.NotFound && capAt(40, 2, v) == CapError.Ok && v.objA == 2n, "capAt");
  endSection();
  print("forged handles");
}

function tableFull(): void {
  const first = ep(5, 0n, SRG, 0, 0n);
  for (let i: u32 = 1; i < CAP_SLOTS; i++) ep(5, u64(i), SRG, 0, 0n);
  check(capCount(5) == CAP_SLOTS && capFreeSlots(5) == 0, "full");
  check(capInsertRoot(5, CapKind.Endpoint, 0, 0n, 0n, 0, 0n, v) == CapError.TableFull, "insert into full");
  check(capDerive(5, first, 5, RIGHT_SEND, 0, 0n, 0n, v) == CapError.TableFull, "derive into full");
  const other = ep(6, 100n, SRG, 0, 0n);
  check(capTransfer(6, other, 5, 0n, v) == CapError.TableFull && err(6, other) == CapError.Ok, "transfer into full leaves it");
  check(capTransfer(5, first, 5, 0n, v) == CapError.Ok && v.handle == first, "transfer to self");
  const used0: u32 = capPoolUsed();
  check(capDelete(5, first) == CapError.Ok && capFreeSlots(5) == 1, "one freed");
  check(capTransfer(6, other, 5, 0n, v) == CapError.Ok && handleSlot(v.handle) == 0 && v.handle != first, "slot 0 reused, new generation");
  check(err(5, first) == CapError.Stale && capPoolUsed() == u32(used0 - 1), "old handle stale");
  endSection();
  print("table full");
}

function release(): void {
  const other = ep(2, 50n, SRG, 0, 0n);
  const start: u32 = capPoolUsed();
  const r = ep(9, 1n, SRG, 10, 0n);
  const mid = derive(9, r, 9, SRG, 6, 0n);
  const out = derive(9, mid, 3, RIGHT_SEND, 2, 0n);
  derive(9, mid, 9, RIGHT_SEND, 1, 0n);
  ep(9, 2n, SR, 0, 0n);
  derive(2, other, 9, RIGHT_SEND, 0, 0n);
  check(capReleaseTask(9) == 5 && capLastRemoved() == 5 && capCount(9) == 0, "released");
  check(capLookup(3, out, CapKind.Any, 0, 0n, false, v) == CapError.Ok && v.parent == CAP_NONE && v.uses == 2, "delegated copy survives as a root");
  check(capPoolUsed() == u32(start + 1), "pool back to start + survivor");
  check(capRevoke(3, out) == CapError.Ok && capPoolUsed() == start, "pool back to start");
  check(err(2, other) == CapError.Ok && capCount(2) == 1, "other task untouched");
  endSection();
  print("release");
}

function transfer(): void {
  const root = ep(1, 5n, SRG, 0, 0n);
  const d = derive(1, root, 2, SRG, 0, 0n);
  check(capTransfer(2, d, 3, 0n, v) == CapError.Ok && v.owner == 3 && v.parentOwner == 1, "moved");
  const moved: u32 = v.handle;
  check(err(2, d) == CapError.Stale && capCount(2) == 0 && capCount(3) == 1, "gone from the sender");
  check(capLookup(3, moved, CapKind.Endpoint, RIGHT_SEND, 0n, true, v) == CapError.Ok && v.objA == 5n, "usable by the receiver");
  const sub = derive(3, moved, 4, RIGHT_SEND, 0, 0n);
  check(capRevoke(1, root) == CapError.Ok && capLastRemoved() == 3, "revoke reaches moved and below");
  check(err(3, moved) == CapError.Stale && err(4, sub) == CapError.Stale, "all gone");
  const m = ep(1, 6n, RIGHT_MAP | RIGHT_WRITE | RIGHT_GRANT, 0, 0n);
  check(capTransfer(1, m, 64, 0n, v) == CapError.BadTask && err(1, m) == CapError.Ok, "bad receiver");
  check(capRevokeObject(CapKind.Endpoint, 6n) == 1 && err(1, m) == CapError.Stale, "revoke object");
  endSection();
  print("transfer");
}

function ranges(): void {
  check(capInsertRoot(1, CapKind.MemoryRegion, RIGHTS_ALL, 0x8000_0000n, 0x10_0000n, 0, 0n, v) == CapError.Ok, "region");
  const m: u32 = v.handle;
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0x1000n, 0x2000n, 0n, v) == CapError.Ok, "sub-range");
  check(v.objA == 0x8000_1000n && v.objB == 0x2000n && v.kind == CapKind.MemoryRegion, "sub-range fields");
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0xff000n, 0x1000n, 0n, v) == CapError.Ok, "last page");
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0xff000n, 0x1001n, 0n, v) == CapError.BadRange, "past the end");
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0x100000n, 1n, 0n, v) == CapError.BadRange, "offset at the end");
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0xffff_ffff_ffff_ffffn, 2n, 0n, v) == CapError.BadRange, "offset huge");
  check(capDeriveRange(1, m, 2, RIGHT_MAP, 0, 0n, 0n, 0n, 0n, v) == CapError.BadRange, "size 0");
  const e = ep(1, 1n, SRG, 0, 0n);
  check(capDeriveRange(1, e, 2, RIGHT_SEND, 0, 0n, 0n, 1n, 0n, v) == CapError.BadRange, "endpoint has no range");
  check(capRevokeObject(CapKind.MemoryRegion, 0x8000_0000n) == 3, "region revoked with its parts");
  endSection();
  print("ranges");
}

export function main(): u32 {
  insertErrors();
  rights();
  chain();
  uses();
  expiry();
  forged();
  tableFull();
  release();
  transfer();
  ranges();
  runStress(20260101, 30000);
  check(capCheckConsistency() == 0, "consistent after stress");
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
