// Seeded random stress of the capability subsystem against a shadow model: a flat
// record per capability (owner, slot, fields, parent record) and per-slot
// generations, with revocation done by walking parent chains rather than the
// kernel's child lists. Every operation's error code, the new handle (lowest free
// slot, current generation) and every capability's fields must match the model.
// Uses tasks SHADOW_TASK0 .. + SHADOW_TASKS - 1, which must never have held a capability.
import { u32, u64, bool, array, print, check } from "kts";
import {
  CapKind,
  CapError,
  CapView,
  CAP_NONE,
  RIGHT_GRANT,
  capInsertRoot,
  capLookup,
  capDerive,
  capDeriveRange,
  capTransfer,
  capDelete,
  capRevoke,
  capRevokeDescendants,
  capRevokeObject,
  capReleaseTask,
  capReapExpired,
  capLastRemoved,
  capCount,
  capAt,
  capPoolUsed,
  capCheckConsistency,
} from "../../src/kernel/cap/index";
import { ShadowRecords, NONE, MAXR, NT, T0, SLOTS } from "./cap-shadow-model";

export class Rng {
  s: u32 = 2463534242;
  next(): u32 {
    let x: u32 = this.s;
    x = u32(x ^ u32(x << 13));
    x = u32(x ^ (x >>> 17));
    x = u32(x ^ u32(x << 5));
    this.s = x;
    return x;
  }
  below(n: u32): u32 {
    return u32(this.next() % n);
  }
}

const rng = new Rng();

/** The CapKind numbered k (0..8; Any for anything else). */
function toKind(k: u32): CapKind {
  switch (k) {
    case 1:
      return CapKind.Endpoint;
    case 2:
      return CapKind.MemoryRegion;
    case 3:
      return CapKind.Irq;
    case 4:
      return CapKind.DeviceMmio;
    case 5:
      return CapKind.DevicePorts;
    case 6:
      return CapKind.Reply;
    case 7:
      return CapKind.Audit;
    case 8:
      return CapKind.System;
    default:
      return CapKind.Any;
  }
}
const m = new ShadowRecords();
const v = new CapView();
const hist: u32[] = array(20, 0);
const opCount: u32[] = array(16, 0);

/** The handle picked for an operation and what the model says about it. */
class Pick {
  task: u32 = 0;
  handle: u32 = 0;
  rec: u32 = NONE;
  want: CapError = CapError.Ok;
}
const p = new Pick();
class Counters {
  shown: u32 = 0;
  op: u32 = 0;
}
const ctr = new Counters();

function expect(got: CapError, want: CapError, what: u32): void {
  hist[u32(got)] = u32(hist[u32(got)] + 1);
  if (got != want && ctr.shown < 10) {
    ctr.shown = u32(ctr.shown + 1);
    print(`op ${ctr.op} kind ${what}: got ${u32(got)}, model says ${u32(want)}`);
  }
  check(got == want, "error code as the model predicts");
}

function ourTask(): u32 {
  return u32(T0 + rng.below(NT));
}

function badTask(): u32 {
  return u32(rng.next() | 64);
}

function pick(): void {
  const mode: u32 = rng.below(100);
  p.task = ourTask();
  if (mode < 65) {
    for (let k: u32 = 0; k < 6; k++) {
      const t: u32 = ourTask();
      const s: u32 = rng.below(SLOTS);
      if (m.slotRec[m.entry(t, s)] != NONE) {
        p.task = t;
        p.handle = m.handleAt(t, s);
        break;
      }
      p.handle = rng.next();
    }
  } else if (mode < 78 && m.deadCount > 0) {
    const d: u32 = rng.below(m.deadCount);
    p.task = m.deadTask[d];
    p.handle = m.deadHandle[d];
  } else if (mode < 86) {
    p.handle = rng.next();
  } else if (mode < 94) {
    p.handle = m.handleAt(p.task, rng.below(SLOTS));
  } else {
    p.task = badTask();
    p.handle = rng.next();
  }
  p.want = m.classify(p.task, p.handle);
  p.rec = p.want == CapError.Ok ? m.slotRec[m.entry(p.task, u32(p.handle & 0xff))] : NONE;
}

function matches(r: u32): bool {
  return (
    u32(v.kind) == m.kind[r] &&
    v.rights == m.rights[r] &&
    v.objA == m.objA[r] &&
    v.objB == m.objB[r] &&
    v.limited == m.limited[r] &&
    v.uses == m.uses[r] &&
    v.expiry == m.expiry[r] &&
    v.owner == m.task[r] &&
    v.handle == m.handleOf(r)
  );
}

function opInsert(): void {
  const task: u32 = rng.below(10) == 0 ? badTask() : ourTask();
  const kind: u32 = rng.below(10) == 0 ? (rng.below(2) == 0 ? 0 : 9) : u32(1 + rng.below(8));
  const rights: u32 = rng.below(8) == 0 ? u32(rng.next() & 127) : u32(rng.next() & 63);
  let a: u64 = u64(rng.below(8));
  let b: u64 = u64(rng.below(3));
  if (kind == 2 || kind == 4 || kind == 5) {
    a = u64(u64(rng.below(16)) * 0x1000n);
    b = u64(u64(1 + rng.below(16)) * 0x1000n);
    const c: u32 = rng.below(12);
    if (c == 0) b = 0n;
    if (c == 1) a = 0xffff_ffff_ffff_f000n;
    if (c == 2) a = 0xf000n;
  }
  const uses: u32 = rng.below(2) == 0 ? 0 : u32(1 + rng.below(6));
  const exp: u64 = rng.below(3) == 0 ? u64(m.now + u64(1 + rng.below(3000))) : 0n;
  const want: CapError = m.predictInsert(task, kind, rights, a, b);
  const got: CapError = capInsertRoot(task, toKind(kind), rights, a, b, uses, exp, v);
  expect(got, want, 0);
  if (want != CapError.Ok || got != CapError.Ok) return;
  const r: u32 = m.create(task, kind, rights, a, b, uses, exp, NONE);
  check(matches(r), "inserted capability as modelled (lowest free slot, current generation)");
}

function opLookup(): void {
  pick();
  let kind: u32 = 0;
  const c: u32 = rng.below(4);
  if (c == 1) kind = p.rec != NONE ? m.kind[p.rec] : rng.below(8);
  if (c == 2) kind = rng.below(8);
  let rights: u32 = 0;
  const c2: u32 = rng.below(3);
  if (c2 == 1) rights = p.rec != NONE ? u32(m.rights[p.rec] & rng.next()) : u32(rng.next() & 63);
  if (c2 == 2) rights = u32(rng.next() & 63);
  const exercise: bool = rng.below(2) == 0;
  const want: CapError = p.rec != NONE ? m.usable(p.rec, kind, rights) : p.want;
  const got: CapError = capLookup(p.task, p.handle, toKind(kind), rights, m.now, exercise, v);
  expect(got, want, 1);
  if (p.rec == NONE) return;
  if (want == CapError.Ok && exercise && m.limited[p.rec]) m.uses[p.rec] = u32(m.uses[p.rec] - 1);
  check(matches(p.rec), "looked-up capability as modelled");
}

function opDerive(): void {
  pick();
  const to: u32 = rng.below(12) == 0 ? badTask() : ourTask();
  const r: u32 = p.rec;
  let rights: u32 = u32(rng.next() & 63);
  if (r != NONE && rng.below(4) != 0) rights = u32(m.rights[r] & rng.next());
  let uses: u32 = rng.below(2) == 0 ? 0 : u32(1 + rng.below(5));
  if (r != NONE && m.limited[r]) uses = rng.below(5) == 0 ? 0 : u32(1 + rng.below(u32(m.uses[r] + 1)));
  let exp: u64 = 0n;
  const c: u32 = rng.below(4);
  if (c == 1) exp = u64(m.now + u64(rng.below(4000)));
  if (c == 2 && r != NONE) exp = m.expiry[r];
  if (c == 3 && r != NONE) exp = u64(m.expiry[r] + 1n);
  const narrow: bool = rng.below(4) == 0;
  const off: u64 = u64(u64(rng.below(4)) * 0x1000n);
  const size: u64 = u64(u64(rng.below(4)) * 0x1000n);
  let want: CapError = p.want;
  if (p.task >= 64 || to >= 64) want = CapError.BadTask;
  else if (r != NONE) want = m.predictDerive(r, to, rights, uses, exp, narrow, off, size);
  const got: CapError = narrow
    ? capDeriveRange(p.task, p.handle, to, rights, uses, exp, off, size, m.now, v)
    : capDerive(p.task, p.handle, to, rights, uses, exp, m.now, v);
  expect(got, want, 2);
  if (want != CapError.Ok || got != CapError.Ok) return;
  const a: u64 = narrow ? u64(m.objA[r] + off) : m.objA[r];
  const b: u64 = narrow ? size : m.objB[r];
  if (m.limited[r]) m.uses[r] = u32(m.uses[r] - uses);
  const n: u32 = m.create(to, m.kind[r], rights, a, b, uses, exp == 0n ? m.expiry[r] : exp, r);
  check(matches(n), "derived capability as modelled");
  check(v.parent != CAP_NONE && v.parentOwner == m.task[r], "derived from its source");
}

function opTransfer(): void {
  pick();
  const to: u32 = rng.below(12) == 0 ? badTask() : ourTask();
  const r: u32 = p.rec;
  let want: CapError = p.want;
  if (p.task >= 64 || to >= 64) want = CapError.BadTask;
  else if (r != NONE) {
    want = m.usable(r, 0, RIGHT_GRANT);
    if (want == CapError.Rights) want = CapError.NoGrant;
    if (want == CapError.Ok && to != m.task[r] && m.count[u32(to - T0)] == SLOTS) want = CapError.TableFull;
  }
  const got: CapError = capTransfer(p.task, p.handle, to, m.now, v);
  expect(got, want, 3);
  if (want != CapError.Ok || got != CapError.Ok) return;
  if (to != m.task[r]) m.move(r, to);
  check(matches(r), "moved capability as modelled");
}

/** Delete (0), revoke (1) or revoke descendants (2) of a picked handle. */
function opRemove(which: u32): void {
  pick();
  const got: CapError =
    which == 0 ? capDelete(p.task, p.handle) : which == 1 ? capRevoke(p.task, p.handle) : capRevokeDescendants(p.task, p.handle);
  expect(got, p.want, u32(4 + which));
  if (p.rec == NONE) {
    check(capLastRemoved() == 0, "nothing removed");
    return;
  }
  let n: u32 = 0;
  if (which == 0) n = m.deleteRec(p.rec);
  if (which == 1) n = m.revokeRec(p.rec, true);
  if (which == 2) n = m.revokeRec(p.rec, false);
  check(capLastRemoved() == n, "removed as many as the model");
}

function opRelease(): void {
  const task: u32 = rng.below(5) == 0 ? badTask() : ourTask();
  const got: u32 = capReleaseTask(task);
  const want: u32 = task >= 64 ? 0 : m.releaseTask(task);
  check(got == want, "release count");
}

function opReap(): void {
  check(capReapExpired(m.now) == m.reap(), "reap count");
}

function opRevokeObject(): void {
  const kind: u32 = u32(1 + rng.below(7));
  const a: u64 = kind == 2 || kind == 4 || kind == 5 ? u64(u64(rng.below(16)) * 0x1000n) : u64(rng.below(8));
  check(capRevokeObject(toKind(kind), a) == m.revokeObject(kind, a), "revoke-object count");
}

function opAt(): void {
  const t: u32 = ourTask();
  const i: u32 = rng.below(u32(m.count[u32(t - T0)] + 1));
  const r: u32 = m.nth(t, i);
  const got: CapError = capAt(t, i, v);
  expect(got, r == NONE ? CapError.NotFound : CapError.Ok, 9);
  if (r != NONE) check(matches(r), "capAt as modelled");
}

/** Every modelled capability, count, stale handle and the pool against the kernel's. */
function verifyAll(): void {
  for (let r: u32 = 0; r < MAXR; r++) {
    if (!m.alive[r]) continue;
    const got: CapError = capLookup(m.task[r], m.handleOf(r), CapKind.Any, 0, m.now, false, v);
    expect(got, m.usable(r, 0, 0), 10);
    check(matches(r), "capability as modelled");
    m.node[r] = v.node;
    m.viewParent[r] = v.parent;
  }
  for (let r: u32 = 0; r < MAXR; r++) {
    if (!m.alive[r]) continue;
    const want: u32 = m.parent[r] == NONE ? CAP_NONE : m.node[m.parent[r]];
    check(m.viewParent[r] == want, "derivation parent as modelled");
  }
  for (let t: u32 = 0; t < NT; t++) check(capCount(u32(T0 + t)) == m.count[t], "count as modelled");
  for (let d: u32 = 0; d < m.deadCount; d++) {
    const got: CapError = capLookup(m.deadTask[d], m.deadHandle[d], CapKind.Any, 0, m.now, false, v);
    expect(got, m.classify(m.deadTask[d], m.deadHandle[d]), 11);
  }
  check(capPoolUsed() == u32(m.base + m.liveCount), "pool use as modelled");
  check(capCheckConsistency() == 0, "consistent");
}

/** `ops` random operations from `seed`; prints a summary both worlds must agree on. */
export function runStress(seed: u32, ops: u32): void {
  rng.s = seed;
  m.base = capPoolUsed();
  for (let i: u32 = 0; i < ops; i++) {
    ctr.op = i;
    let c: u32 = rng.below(1000);
    // Alternate phases of growth (few removals: tables fill up) and churn.
    const growing: bool = u32(u32(i / 2500) % 2) == 0;
    if (growing && c >= 700 && c < 910 && rng.below(5) != 0) c = u32(c % 200) < 80 ? 0 : 450;
    let kind: u32 = 0;
    if (c < 150) opInsert();
    else if (c < 420) {
      kind = 1;
      opLookup();
    } else if (c < 620) {
      kind = 2;
      opDerive();
    } else if (c < 700) {
      kind = 3;
      opTransfer();
    } else if (c < 790) {
      kind = 4;
      opRemove(0);
    } else if (c < 850) {
      kind = 5;
      opRemove(1);
    } else if (c < 880) {
      kind = 6;
      opRemove(2);
    } else if (c < 885) {
      kind = 7;
      opRelease();
    } else if (c < 900) {
      kind = 8;
      opReap();
    } else if (c < 910) {
      kind = 9;
      opRevokeObject();
    } else if (c < 960) {
      kind = 10;
      opAt();
    } else {
      kind = 11;
      m.now = u64(m.now + u64(rng.below(150)));
    }
    opCount[kind] = u32(opCount[kind] + 1);
    if (u32(i % 97) == 0) verifyAll();
  }
  verifyAll();
  print(`stress: ${ops} operations, ${m.liveCount} capabilities live, ${m.created} created, now ${m.now}`);
  print(`  ops: insert ${opCount[0]} lookup ${opCount[1]} derive ${opCount[2]} transfer ${opCount[3]} delete ${opCount[4]} revoke ${opCount[5]} revoke-desc ${opCount[6]}`);
  print(`       release ${opCount[7]} reap ${opCount[8]} revoke-object ${opCount[9]} at ${opCount[10]} tick ${opCount[11]}`);
  for (let e: u32 = 0; e < 18; e++) print(`  error ${e}: ${hist[e]}`);
}
