"use unsafe";
/**
 * A fuzzing task's state: its random numbers, what it knows of its own
 * capability table (handles, kinds, rights, and for endpoints whose they are),
 * the handles it knows are dead, the victims it started, its address-space
 * plan, and the per-call tally of results. And the pickers every operation
 * draws its arguments from: handles (known, dead, forged, impossible), task
 * ids, pointers (valid, read-only, unmapped, kernel-half, page-straddling),
 * lengths and durations.
 *
 * What must never happen, whatever the dice say (the fuzzer must not hang,
 * and must only hurt itself and its helpers):
 *  - a blocking receive on its own endpoint with nothing queued there: it
 *    receives there only while a message of its own is known to be queued
 *    (selfQueued), so the receive returns at once;
 *  - a call that nobody answers: calls go only to the controller and log
 *    (which always answer) and to fuzzers with a higher index (which serve
 *    their endpoint until the controller says everybody is done), so calls
 *    form no cycle; handles whose endpoint is not known are never called;
 *  - the system capability used for anything but its own victims: serviceStart
 *    only of the victim's index (or past the manifest), taskKill only of its
 *    victims (or ids no task has), exitWatch never with an endpoint it could
 *    send to (init's exit notices stay init's), capabilities placed only in
 *    its own tables, its peers' and its victims';
 *  - messages to log carrying capabilities (log would keep them).
 */
import { u8, u32, u64, usize, bool, array, arrayOf } from "kts";
import { addressOf } from "kts/unsafe";
import { Rng } from "./rng";

/** Syscall numbers (src/abi/syscalls.json). */
export const SYS_EXIT: u32 = 0;
export const SYS_WRITE: u32 = 1;
export const SYS_YIELD: u32 = 2;
export const SYS_TASK_ID: u32 = 3;
export const SYS_TIME: u32 = 4;
export const SYS_SLEEP: u32 = 5;
export const SYS_CLOCK: u32 = 6;
export const SYS_CLOCK_SET: u32 = 7;
export const SYS_TIMER_SET: u32 = 8;
export const SYS_BOOT_ARGS: u32 = 9;
export const SYS_SEND: u32 = 10;
export const SYS_RECEIVE: u32 = 11;
export const SYS_CALL: u32 = 12;
export const SYS_REPLY: u32 = 13;
export const SYS_REPLY_RECV: u32 = 14;
export const SYS_CAP_DERIVE: u32 = 20;
export const SYS_CAP_REVOKE: u32 = 21;
export const SYS_CAP_AT: u32 = 22;
export const SYS_CAP_DERIVE_RANGE: u32 = 23;
export const SYS_IRQ_ACK: u32 = 30;
export const SYS_IRQ_BIND: u32 = 31;
export const SYS_CONSOLE_READ: u32 = 32;
export const SYS_PCI_HOST: u32 = 33;
export const SYS_PCI_ROUTE: u32 = 34;
export const SYS_RANDOM: u32 = 35;
export const SYS_AUDIT_READ: u32 = 40;
export const SYS_SERVICE_START: u32 = 50;
export const SYS_TASK_KILL: u32 = 51;
export const SYS_TASK_INFO: u32 = 52;
export const SYS_CAP_INFO: u32 = 53;
export const SYS_MEM_INFO: u32 = 54;
export const SYS_EXIT_WATCH: u32 = 55;
export const SYS_MEM_MAP: u32 = 60;
export const SYS_MEM_UNMAP: u32 = 61;
export const SYS_MMIO_MAP: u32 = 62;
export const SYS_MEM_PHYS: u32 = 63;
/** The tally's row for numbers no system call has. */
export const SYS_OTHER: u32 = 64;
export const TALLY_ROWS = 65;
/** Columns: 0 Ok, 1..12 the errors, 13 anything else negative. */
export const TALLY_COLUMNS = 14;

/** Capability kinds (CapInfo.kind) and rights. */
export const KIND_UNKNOWN: u32 = 0;
export const KIND_ENDPOINT: u32 = 1;
export const KIND_MEMORY: u32 = 2;
export const KIND_IRQ: u32 = 3;
export const KIND_MMIO: u32 = 4;
export const KIND_SYSTEM: u32 = 8;
export const RIGHT_SEND: u32 = 1;
export const RIGHT_RECEIVE: u32 = 2;
export const RIGHT_GRANT: u32 = 4;
export const RIGHT_MAP: u32 = 8;
export const RIGHT_WRITE: u32 = 16;

/** Whose endpoint a capability names. */
export const ROLE_NONE: u32 = 0;
export const ROLE_OWN: u32 = 1;
export const ROLE_CONTROL: u32 = 2;
export const ROLE_LOG: u32 = 3;
export const ROLE_VICTIMS: u32 = 4;
/** ROLE_PEER + j: fuzzer j's endpoint (its own, for j == the task's index, is ROLE_OWN). */
export const ROLE_PEER: u32 = 8;
/** An endpoint the task cannot place (none should exist; never called). */
export const ROLE_UNKNOWN: u32 = 15;

/** The address-space plan. */
/** The 4-page region [7], mapped read-write at start (and again after an unmap). */
export const WORK_VA: usize = 0x1000_0000n;
export const WORK_BYTES: u64 = 0x4000n;
/** The 1-page region [8], read-only, right after it; then a page nothing is ever mapped at. */
export const RO_VA: usize = 0x1000_4000n;
export const GUARD_VA: usize = 0x1000_5000n;
/** Where other regions (derived, received) and device registers are mapped: slots of 1 MiB. */
export const MAP_AREA: usize = 0x2000_0000n;
export const MAP_SLOTS = 16;
export const MAP_SLOT_BYTES: u64 = 0x10_0000n;
/** Nothing is mapped here, ever. */
export const UNMAPPED: usize = 0x6000_0000_0000n;
export const KERNEL_HALF: usize = 0xffff_8000_0000_0000n;
export const OWN_CODE: usize = 0x40_0000n;
export const USER_TOP: usize = 0x8000_0000_0000n;
/** The top page of the task's stack. */
export const STACK_PAGE: usize = 0x7fff_ffef_f000n;
export const MESSAGE_BYTES: u64 = 336n;

export const MAX_KNOWN = 72;
const MAX_DEAD = 32;
export const MAX_VICTIMS = 2;
/** Private scratch: [0, SCRATCH_FUZZ) for random calls' buffers, the rest for the protocol's own messages. */
export const SCRATCH_BYTES = 12288;
export const SCRATCH_FUZZ = 8192;
/** Offsets in scratch of the messages the fuzzer reads back or must get right (never shared, never a random call's target). */
export const AT_SERVE = 8192;
export const AT_REPLY = 8704;
export const AT_CONTROL = 9216;
export const AT_BUILD = 9728;

export const scratch: u8[] = array(SCRATCH_BYTES, 0);

export class Fuzzer {
  index: u32 = 0;
  /** "sysfuzz-a" .. "sysfuzz-c" (its letter set by fuzzerMain). */
  name: u8[] = arrayOf([0x73, 0x79, 0x73, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x3f]);
  self: u64 = 0n;
  rng = new Rng();
  budget: u64 = 0n;
  made: u64 = 0n;
  /** The fuzzers' task ids, by index. */
  peers: u64[] = array(3, 0xffff_ffffn);
  /** Manifest handles. */
  own: u64 = 0n;
  control: u64 = 0n;
  system: u64 = 0n;
  peerEp: u64[] = array(3, 0n);
  log: u64 = 0n;
  memory: u64 = 0n;
  memoryRo: u64 = 0n;
  irq: u64 = 0n;
  random: u64 = 0n;
  audit: u64 = 0n;
  victimsEp: u64 = 0n;
  ecam: u64 = 0n;
  /** One PCI interrupt line, derived from irq (0: none yet). */
  irqLine: u64 = 0n;
  /** Endpoint indices (CapInfo objA) of own, control, log, victims, and the fuzzers' by index. */
  epOwn: u64 = 0xffff_ffffn;
  epControl: u64 = 0xffff_ffffn;
  epLog: u64 = 0xffff_ffffn;
  epVictims: u64 = 0xffff_ffffn;
  epPeer: u64[] = array(3, 0xffff_ffffn);
  /** What its table held at the last rescan (and what it derived for itself since). */
  known: u64[] = array(MAX_KNOWN, 0n);
  knownKind: u32[] = array(MAX_KNOWN, 0);
  knownRights: u32[] = array(MAX_KNOWN, 0);
  knownRole: u32[] = array(MAX_KNOWN, 0);
  knownCount: u32 = 0;
  /** Handles that name nothing any more (revoked, or gone from its table): they never will again. */
  dead: u64[] = array(MAX_DEAD, 0n);
  deadCount: u32 = 0;
  deadNext: u32 = 0;
  /** Messages of its own known to be queued on its endpoint (a lower bound): a receive there returns at once while > 0. */
  selfQueued: u32 = 0;
  /** The work region is mapped at WORK_VA (it may be written), the read-only one at RO_VA. */
  workMapped: bool = false;
  roMapped: bool = false;
  /** MAP_AREA slots it believes mapped. */
  slotMapped: bool[] = array(MAP_SLOTS, false);
  /** Victims it started (task ids; some may have ended). */
  victims: u64[] = array(MAX_VICTIMS, 0xffff_ffffn);
  victimsStarted: u32 = 0;
  /** The last time seen (the clock must not go backwards). */
  lastTime: u64 = 0n;
  /** Oracle failures: things the kernel answered that cannot be right. */
  anomalies: u32 = 0;
  tally: u32[] = array(TALLY_ROWS * TALLY_COLUMNS, 0);
}

export const fz = new Fuzzer();

/** Records one system call's result; returns it. */
export function note(num: u32, r: u64): u64 {
  const row: u32 = num < SYS_OTHER ? num : SYS_OTHER;
  let col: u32 = 0;
  if (r >= 0xffff_ffff_ffff_0000n) {
    const e: u64 = u64(0n - r);
    col = e < 13n ? u32(e) : 13;
  }
  const at: u32 = u32(row * TALLY_COLUMNS + col);
  fz.tally[at] = u32(fz.tally[at] + 1);
  fz.made = u64(fz.made + 1n);
  return r;
}

export function isError(r: u64): bool {
  return r >= 0xffff_ffff_ffff_0000n;
}

export function errorCode(r: u64): u64 {
  return isError(r) ? u64(0n - r) : 0n;
}

export function scratchAt(offset: u32): usize {
  return usize(addressOf(scratch) + u64(offset));
}

// ---- what it knows of its table ----

export function knownFind(h: u64): u32 {
  for (let i: u32 = 0; i < fz.knownCount; i++) if (fz.known[i] == h) return i;
  return MAX_KNOWN;
}

/** Adds (or updates) a handle with what is known of it. */
export function knownAdd(h: u64, kind: u32, rights: u32, role: u32): void {
  if (h == 0n || h > 0xffff_ffffn) return;
  let i: u32 = knownFind(h);
  if (i == MAX_KNOWN) {
    if (fz.knownCount == MAX_KNOWN) return;
    i = fz.knownCount;
    fz.knownCount = u32(fz.knownCount + 1);
  }
  fz.known[i] = h;
  fz.knownKind[i] = kind;
  fz.knownRights[i] = rights;
  fz.knownRole[i] = role;
}

/** The handle is gone for good (revoked, or no longer in the table). */
export function knownDead(h: u64): void {
  const i: u32 = knownFind(h);
  if (i != MAX_KNOWN) {
    const last: u32 = u32(fz.knownCount - 1);
    fz.known[i] = fz.known[last];
    fz.knownKind[i] = fz.knownKind[last];
    fz.knownRights[i] = fz.knownRights[last];
    fz.knownRole[i] = fz.knownRole[last];
    fz.knownCount = last;
  }
  if (h == 0n || h > 0xffff_ffffn) return;
  fz.dead[fz.deadNext] = h;
  fz.deadNext = u32(u32(fz.deadNext + 1) % MAX_DEAD);
  if (fz.deadCount < MAX_DEAD) fz.deadCount = u32(fz.deadCount + 1);
}

/** The role of an endpoint index. */
export function roleOf(objA: u64): u32 {
  if (objA == fz.epOwn) return ROLE_OWN;
  if (objA == fz.epControl) return ROLE_CONTROL;
  if (objA == fz.epLog) return ROLE_LOG;
  if (objA == fz.epVictims) return ROLE_VICTIMS;
  for (let j: u32 = 0; j < 3; j++) if (objA == fz.epPeer[j]) return u32(ROLE_PEER + j);
  return ROLE_UNKNOWN;
}

/** A manifest capability: never revoked or carried away (a task without them could not finish its run). */
export function vital(h: u64): bool {
  return h == fz.own || h == fz.control || h == fz.system || h == fz.log || h == fz.memory || h == fz.memoryRo;
}

/** A manifest capability the task may lose near the end of its run. */
export function manifestRoot(h: u64): bool {
  if (vital(h) || h == fz.irq || h == fz.random || h == fz.audit || h == fz.victimsEp || h == fz.ecam) return true;
  for (let j: u32 = 0; j < 3; j++) if (h == fz.peerEp[j]) return true;
  return false;
}

// ---- pickers ----

/** Handles that can name nothing: 0, generation 0, slots past the table, more than 32 bits. */
export function impossibleHandle(): u64 {
  const r = fz.rng;
  switch (r.below(7)) {
    case 0:
      return 0n;
    case 1:
      return u64(r.below(64)); // generation 0 never exists
    case 2:
      return u64(u64(64 + r.below(192)) | u64(u64(1 + r.below(50)) << 8n)); // slot >= 64
    case 3:
      return 0xffff_ffff_ffff_ffffn;
    case 4:
      return u64(0x1_0000_0000n + (fz.knownCount > 0 ? fz.known[r.below(fz.knownCount)] : 1n));
    case 5:
      return u64(0xffff_ffffn - u64(r.below(64) * 256)) | 0xc0n; // slot 0xc0..0xff
    default:
      return u64(r.next() | 0x1_0000_0000n);
  }
}

/** Handles that may name something the task does not know of (never used where that could block or leak). */
export function forgedHandle(): u64 {
  const r = fz.rng;
  if (fz.knownCount > 0 && r.oneIn(2)) {
    const h: u64 = fz.known[r.below(fz.knownCount)];
    return u64(u64(h + u64(u64(1 + r.below(3)) << 8n)) & 0xffff_ffffn); // the same slot, a later generation
  }
  return u64(u64(r.below(64)) | u64(u64(1 + r.below(8)) << 8n));
}

export function deadHandle(): u64 {
  if (fz.deadCount == 0) return impossibleHandle();
  return fz.dead[fz.rng.below(fz.deadCount)];
}

export function knownHandle(): u64 {
  if (fz.knownCount == 0) return impossibleHandle();
  return fz.known[fz.rng.below(fz.knownCount)];
}

/** A known handle of kind (with all of rights, if any), or 0. */
export function knownOfKind(kind: u32, rights: u32): u64 {
  if (fz.knownCount == 0) return 0n;
  const start: u32 = fz.rng.below(fz.knownCount);
  for (let k: u32 = 0; k < fz.knownCount; k++) {
    const i: u32 = u32(u32(start + k) % fz.knownCount);
    if (fz.knownKind[i] == kind && u32(fz.knownRights[i] & rights) == rights) return fz.known[i];
  }
  return 0n;
}

/** Any handle at all: known, dead, forged or impossible. */
export function anyHandle(): u64 {
  switch (fz.rng.below(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return knownHandle();
    case 4:
      return deadHandle();
    case 5:
    case 6:
      return forgedHandle();
    default:
      return impossibleHandle();
  }
}

/** Whether a handle certainly does not name an endpoint the task may send to. */
export function notSendable(h: u64): bool {
  if (h == 0n || h > 0xffff_ffffn || (h & 0xffn) >= 64n || (h >> 8n) == 0n) return true;
  for (let i: u32 = 0; i < fz.deadCount; i++) if (fz.dead[i] == h) return true;
  const i: u32 = knownFind(h);
  if (i == MAX_KNOWN) return false;
  const kind: u32 = fz.knownKind[i];
  if (kind == KIND_UNKNOWN) return false;
  if (kind != KIND_ENDPOINT) return true;
  return u32(fz.knownRights[i] & RIGHT_SEND) == 0;
}

/**
 * Whether a call through h cannot wait for ever: h names the controller, log or a
 * fuzzer with a higher index, or certainly no endpoint it may send to.
 */
export function callable(h: u64): bool {
  if (notSendable(h)) return true;
  const i: u32 = knownFind(h);
  if (i == MAX_KNOWN || fz.knownKind[i] != KIND_ENDPOINT) return false;
  const role: u32 = fz.knownRole[i];
  if (role == ROLE_CONTROL || role == ROLE_LOG) return true;
  return role >= ROLE_PEER && role < u32(ROLE_PEER + 3) && u32(role - ROLE_PEER) > fz.index;
}

/** A handle for receive: anything but its own endpoint (the caller decides about that one). */
export function roleOfHandle(h: u64): u32 {
  const i: u32 = knownFind(h);
  return i == MAX_KNOWN ? ROLE_UNKNOWN : fz.knownRole[i];
}

/** Task ids capabilities may be placed with: itself, its peers, its victims; or ids no task has. */
export function placeableTask(): u64 {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
    case 1:
    case 2:
      return fz.self;
    case 3:
    case 4:
      return fz.peers[r.below(3)];
    case 5:
      return fz.victims[r.below(MAX_VICTIMS)];
    case 6:
      return u64(64 + r.below(200));
    default:
      return r.oneIn(2) ? 0xffff_ffff_ffff_ffffn : u64(0x1_0000_0000n + u64(r.below(64)));
  }
}

/** Any task id (for calls that only read, or that are refused before they look at it). */
export function anyTask(): u64 {
  const r = fz.rng;
  switch (r.below(6)) {
    case 0:
      return u64(r.below(64));
    case 1:
      return fz.self;
    case 2:
      return fz.peers[r.below(3)];
    case 3:
      return u64(64 + r.below(64));
    case 4:
      return fz.victims[r.below(MAX_VICTIMS)];
    default:
      return r.oneIn(2) ? 0xffff_ffff_ffff_ffffn : r.next();
  }
}

/** A length: zero, one, page sizes and their neighbours, huge, or small random. */
export function anyLength(small: u64): u64 {
  const r = fz.rng;
  switch (r.below(10)) {
    case 0:
      return 0n;
    case 1:
      return 1n;
    case 2:
      return u64(4095n + u64(r.below(3)));
    case 3:
      return u64(8192n + u64(r.below(2)));
    case 4:
      return 0xffff_ffff_ffff_ffffn;
    case 5:
      return u64(0x1_0000_0000n + u64(r.below(2)));
    case 6:
      return u64(0x8000_0000_0000_0000n);
    default:
      return u64(r.below64(u64(small + 1n)));
  }
}

/** Rights bits: a subset of the six, none, all, unknown bits, or more than 32 bits. */
export function anyRights(): u64 {
  const r = fz.rng;
  switch (r.below(8)) {
    case 0:
      return 0n;
    case 1:
      return 63n;
    case 2:
      return u64(64n | u64(r.below(64)));
    case 3:
      return 0xffff_ffffn;
    case 4:
      return u64(0x1_0000_0000n | u64(r.below(64)));
    default:
      return u64(r.below(64));
  }
}

/** Is [p, p + n) inside its private scratch (where a random call may write)? */
function inScratchFuzz(p: usize, n: u64): bool {
  const base: usize = addressOf(scratch);
  return p >= base && n <= u64(SCRATCH_FUZZ) && u64(p + n) <= u64(base + u64(SCRATCH_FUZZ));
}

/**
 * A buffer of n bytes (n <= 4096 for the valid kinds) for the kernel to read
 * or write: private scratch (aligned or not), the shared work region, its
 * read-only code, the read-only region, unmapped memory, the kernel half,
 * ranges straddling writable into read-only, read-only into unmapped, the top
 * of user space or the end of the address space, a MAP_AREA slot, page zero.
 */
export function anyBuffer(n: u64): usize {
  const r = fz.rng;
  const m: u64 = n < 4096n ? n : 4096n;
  switch (r.below(16)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return scratchAt(r.below(u32(4000)));
    case 5:
      return scratchAt(u32(r.below(8) * 8));
    case 6:
      return usize(WORK_VA + r.below64(u64(WORK_BYTES - m + 1n)));
    case 7:
      return usize(OWN_CODE + u64(r.below(0x2000)));
    case 8:
      return usize(RO_VA + u64(r.below(4096)));
    case 9:
      return usize(UNMAPPED + u64(u64(r.below(1 << 20)) << 12n) + u64(r.below(4096)));
    case 10:
      return r.oneIn(2) ? KERNEL_HALF : usize(0xffff_ffff_8000_0000n + u64(r.below(1 << 20)));
    case 11:
      return usize(RO_VA - u64(1 + r.below(u32(m + 1n)))); // writable into read-only
    case 12:
      return usize(GUARD_VA - u64(1 + r.below(u32(m + 1n)))); // read-only into unmapped
    case 13:
      return r.oneIn(2) ? usize(USER_TOP - u64(1 + r.below(u32(m + 1n)))) : usize(0n - u64(1 + r.below(u32(m + 1n))));
    case 14:
      return usize(MAP_AREA + u64(u64(r.below(MAP_SLOTS)) * MAP_SLOT_BYTES) + u64(r.below(8192)));
    default:
      return u64(r.below(8192));
  }
}

/** Whether the task may write n bytes at p itself (its scratch, or the work region while mapped). */
export function writable(p: usize, n: u64): bool {
  if (inScratchFuzz(p, n)) return true;
  return fz.workMapped && p >= WORK_VA && u64(p + n) <= u64(WORK_VA + WORK_BYTES) && u64(p + n) >= p;
}

/** Durations for sleep: none, a nanosecond, microseconds, up to 2 ms. */
export function shortSleep(): u64 {
  const r = fz.rng;
  switch (r.below(4)) {
    case 0:
      return 0n;
    case 1:
      return 1n;
    case 2:
      return u64(r.below(50_000));
    default:
      return u64(r.below(2_000_000));
  }
}
