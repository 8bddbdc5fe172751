"use unsafe";
/**
 * store: the object store. Objects are content-addressed (BLAKE3-256), signed
 * by their writer's key (made and held by the key store) and owned by the
 * kernel-stamped principal of the task that put them; the engine
 * (src/lib/store, docs/store-format.md) keeps them crash-safe on the disk of
 * the block driver. Protocol: src/lib/store/protocol.ts.
 *
 * Authority: a principal reads its own objects and those granted to it,
 * deletes and grants only its own, and stays within its quota. The vault (the
 * key store's key pairs) answers only a task that holds the "vault" endpoint.
 * Every refusal is printed ("store: refused ...") and counted.
 *
 * Capabilities: [0] endpoint "store" (receive), [1] endpoint "blk" (send),
 * [2] endpoint "vault" (send; only its number is used), [3] system (receive),
 * [4] random (the store's id at format time), [5..8] memory regions of 256
 * pages: the session buffers lent to clients.
 */
import { u8, u32, u64, usize, bool, array, structs, print, text, copyBytes } from "kts";
import { bytesAt, addressOf } from "kts/unsafe";
import { sysMemMap, sysCapDerive, sysCapRevoke, sysTaskId, sysExit, sysRandom, CAP_INFO_OBJ_A, CAP_INFO_OBJ_B, CAP_INFO_KIND, CAP_INFO_HANDLE } from "../../lib/sys/syscalls.generated";
import { capAt, receive, reply, msgLabel, msgWordAt, msgStart, msgSetWordAt, msgSetBytes, msgBytes, msgPrincipal, msgIsCall, msgSender, msgZeroWords, errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { field32, field64 } from "../../lib/records";
import { readCapInfo, capRecord, taskHolds, readTaskInfo, taskRecord } from "../../lib/inspect";
import { TASK_INFO_STATE } from "../../lib/sys/syscalls.generated";
import { TASK_EXITED, TASK_FREE } from "../../lib/records";
import { Line } from "../../lib/format";
import { FORMAT_VERSION, sameBytes } from "../../lib/store/format";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";
import {
  AT_ANSWER, AT_ANSWER_SECOND, AT_HASH, AT_PUBLIC, AT_SECOND, AT_SIGNATURE, AT_THIRD, LABEL_DELETE, LABEL_GET_BEGIN, LABEL_GET_DATA, LABEL_GRANT, LABEL_LIST, LABEL_OPEN, LABEL_PUT_ABORT, LABEL_PUT_BEGIN, LABEL_PUT_COMMIT, LABEL_PUT_DATA, LABEL_STAT, LABEL_USAGE, LABEL_VAULT_GET, LABEL_VAULT_PUT, LIST_ENTRY_BYTES, LIST_MAX, MAX_OBJECT_BYTES, STATUS_NAMES, ST_BAD_SIGNATURE, ST_BUSY, ST_DAMAGED, ST_DENIED, ST_EXISTS, ST_HASH_MISMATCH, ST_INVALID, ST_IO, ST_NOT_FOUND, ST_NO_SPACE, ST_OK, ST_QUOTA, ST_TOO_LARGE,
  QUOTA_BYTES, QUOTA_OBJECTS,
} from "../../lib/store/protocol";
import { openDisk, disk } from "./block-disk";
import { Store, Put, ObjectInfo, Usage, Status, MountResult, NONE } from "../../lib/store/engine";

const KIND_ENDPOINT: u32 = 1;
const KIND_MEMORY: u32 = 2;
const RIGHTS_MAP_WRITE: u64 = 24n;
const MAP_WRITABLE: u64 = 1n;
/** Session buffers: capability slots 4.. of our manifest, mapped from SESSION_VA, 1 MiB apart. */
const SESSIONS = 4;
const FIRST_SESSION_CAP: u64 = 5n;
const SESSION_VA: usize = 0x3_0000_0000n;
const SESSION_STRIDE: u64 = 0x10_0000n;
/** A put no call has touched for this long may be taken over by another client. */
const PUT_IDLE_NANOS: u64 = 2_000_000_000n;

const engine = new Store();
const puts = structs(SESSIONS, Put);
const info = new ObjectInfo();
const use = new Usage();
const storeId: u8[] = array(16, 0);
const line = new Line();
const who = new Line();
const why = new Line();

const caller: u8[] = array(32, 0);
const hash: u8[] = array(32, 0);
const other: u8[] = array(32, 0);
const key: u8[] = array(32, 0);
const vaultKey: u8[] = array(32, 0);
const seed: u8[] = array(32, 0);
const signature: u8[] = array(64, 0);

/** Per session: the client task (or NONE), its principal, the buffer's size, the parent we revoke to take the buffer back. */
const sessionTask: u32[] = array(SESSIONS, NONE);
const sessionPrincipal: u8[] = array(128, 0); // SESSIONS * 32
const sessionBytes: u32[] = array(SESSIONS, 0);
const sessionParent: u64[] = array(SESSIONS, 0n);
const sessionRegion: u64[] = array(SESSIONS, 0n);
/** Per session: the object its last GET_BEGIN verified (or NONE); the put in progress is puts[s]. */
const sessionGet: u32[] = array(SESSIONS, NONE);
/** Per session: the signed hash and key its put announced. */
const putHash: u8[] = array(128, 0); // SESSIONS * 32
const putKey: u8[] = array(128, 0);
const putSig: u8[] = array(256, 0); // SESSIONS * 64

let system: u64 = 0n;
let random: u64 = 0n;
let self: u32 = 0;
let vaultEndpoint: u64 = 0n;
let refusals: u64 = 0n;
let usable: bool = false;
let sender: u32 = 0;

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  system = capAt(3n);
  random = capAt(4n);
  self = u32(sysTaskId());
  vaultEndpoint = endpointOf(capAt(2n));
  for (let i: u32 = 0; i < SESSIONS; i++) {
    sessionRegion[i] = capAt(u64(FIRST_SESSION_CAP + u64(i)));
    const m: u64 = errorOf(sysMemMap(sessionRegion[i], sessionVa(i), MAP_WRITABLE));
    if (m != 0n) {
      print(`store: cannot map session buffer ${i} (${text(errorText, errorName(m))})`);
      sysExit(1n);
    }
    sessionBytes[i] = u32(regionBytes(sessionRegion[i]));
  }
  usable = mountDisk(capAt(1n));
  for (;;) {
    const e: u64 = errorOf(receive(endpoint));
    if (e != 0n) {
      print(`store: receive failed (${text(errorText, errorName(e))})`);
      sleepNanos(u64(100n * NANOS_PER_MILLI));
      continue;
    }
    if (!msgIsCall()) continue;
    sender = msgSender();
    msgPrincipal(caller);
    const label: u32 = msgLabel();
    const s: u64 = usable ? handle(label) : ST_IO;
    if (s != ST_OK && s != ST_NOT_FOUND && s != ST_EXISTS) refused(label, s);
    setStatus(s);
    reply();
  }
}

/** Our capability `handle`'s CapInfo into capRecord (capInfo on ourselves); false if we have none such. */
function ownCap(handle: u64, kind: u32): bool {
  for (let i: u64 = 0n; i < 64n; i++) {
    if (errorOf(readCapInfo(system, u64(self), i)) != 0n) return false;
    if (u64(field32(capRecord, CAP_INFO_HANDLE)) == handle) return field32(capRecord, CAP_INFO_KIND) == kind;
  }
  return false;
}

/** The endpoint number a capability of ours names. */
function endpointOf(handle: u64): u64 {
  return ownCap(handle, KIND_ENDPOINT) ? field64(capRecord, CAP_INFO_OBJ_A) : 0xffff_ffffn;
}

/** The size of a memory region of ours. */
function regionBytes(handle: u64): u64 {
  return ownCap(handle, KIND_MEMORY) ? field64(capRecord, CAP_INFO_OBJ_B) : 0n;
}

function sessionVa(i: u32): usize {
  return usize(SESSION_VA + u64(u64(i) * SESSION_STRIDE));
}

function mountDisk(blkEndpoint: u64): bool {
  const e: u64 = openDisk(blkEndpoint);
  if (e != 0n) {
    print(`store: no disk (${text(errorText, errorName(e))}); every request fails`);
    return false;
  }
  // The id a fresh store is formatted with (unused when the disk holds one).
  if (errorOf(sysRandom(random, addressOf(storeId), 16n)) != 0n) print("store: no random bytes for a store id");
  const m: MountResult = engine.mount(disk, storeId, 0);
  const mib: u64 = u64(disk.blocks >> 11n);
  if (m == MountResult.Mounted) {
    print(`store: mounted ${mib} MiB: ${engine.objectCount} objects, ${engine.vaultCount} keys, ${u64(engine.freeBytes() >> 20n)} MiB free, ${engine.damagedRecords} damaged records`);
    return true;
  }
  if (m == MountResult.Formatted) {
    print(`store: formatted an empty disk of ${mib} MiB (format version ${FORMAT_VERSION})`);
    return true;
  }
  if (m == MountResult.NotAStore) print("store: the disk is not an object store and not empty: refusing to use it (nothing was written)");
  else if (m == MountResult.NewerVersion) print(`store: the disk holds a store of format version ${engine.newerVersion}, newer than this store's ${FORMAT_VERSION}: refusing to use it (nothing was written)`);
  else if (m == MountResult.Damaged) print("store: both superblocks of the store are damaged: refusing to use it (nothing was written)");
  else if (m == MountResult.TooSmall) print(`store: the disk (${mib} MiB) is too small for a store`);
  else print("store: the disk failed while mounting");
  return false;
}

function handle(label: u32): u64 {
  if (label == LABEL_OPEN) return open();
  if (label == LABEL_VAULT_GET || label == LABEL_VAULT_PUT) return vault(label);
  const s: u32 = sessionOf(sender);
  if (label == LABEL_PUT_BEGIN) return putBegin(s);
  if (label == LABEL_PUT_DATA) return putData(s);
  if (label == LABEL_PUT_COMMIT) return putCommit(s);
  if (label == LABEL_PUT_ABORT) return putAbort(s);
  if (label == LABEL_GET_BEGIN) return getBegin(s);
  if (label == LABEL_GET_DATA) return getData(s);
  if (label == LABEL_DELETE) return remove();
  if (label == LABEL_GRANT) return grant();
  if (label == LABEL_LIST) return list();
  if (label == LABEL_STAT) return stat();
  if (label == LABEL_USAGE) return usage();
  return ST_INVALID;
}

/** The answer's status word; the rest of the answer was set by the handler (after msgStart). */
function setStatus(s: u64): void {
  if (s != ST_OK) answer();
  msgSetWordAt(0, s);
}

/** Starts an answer (the request's fields must have been read). */
function answer(): void {
  msgStart(0);
  msgZeroWords(1);
}

/** Every refusal is counted and printed: the label, the task, its principal (first 8 bytes) and why. */
function refused(label: u32, s: u64): void {
  refusals = u64(refusals + 1n);
  line.clear();
  line.label(label);
  who.clear();
  who.hexBytes(caller, 8);
  why.clear();
  why.name(STATUS_NAMES, u32(s));
  print(`store: refused ${text(line.bytes, line.length)} from task ${sender} (principal ${text(who.bytes, who.length)}): ${text(why.bytes, why.length)}`);
}

/** The engine's status as the protocol's. */
function statusOf(s: Status): u64 {
  if (s == Status.Ok) return ST_OK;
  if (s == Status.NoSpace || s == Status.TableFull || s == Status.GrantsFull || s == Status.VaultFull) return ST_NO_SPACE;
  if (s == Status.TooLarge) return ST_TOO_LARGE;
  if (s == Status.HashMismatch) return ST_HASH_MISMATCH;
  if (s == Status.BadSignature) return ST_BAD_SIGNATURE;
  if (s == Status.Exists) return ST_EXISTS;
  if (s == Status.NotFound) return ST_NOT_FOUND;
  if (s == Status.BadArgument || s == Status.BadState) return ST_INVALID;
  if (s == Status.Damaged) return ST_DAMAGED;
  return ST_IO;
}

// ---- sessions ----------------------------------------------------------------

/** The caller's session, or NONE. */
function sessionOf(task: u32): u32 {
  for (let i: u32 = 0; i < SESSIONS; i++) if (sessionTask[i] == task && sameBytes(sessionPrincipal, u32(i * 32), caller, 0, 32)) return i;
  return NONE;
}

/** Whether session i's client is gone: it ended, or no longer holds the buffer we lent it. */
function sessionStale(i: u32): bool {
  if (sessionTask[i] == NONE) return true;
  if (errorOf(readTaskInfo(system, u64(sessionTask[i]))) != 0n) return true;
  const state: u32 = field32(taskRecord, TASK_INFO_STATE);
  if (state == TASK_FREE || state == TASK_EXITED) return true;
  return !regionHeldBy(i, sessionTask[i]);
}

function regionHeldBy(i: u32, task: u32): bool {
  if (!ownCap(sessionRegion[i], KIND_MEMORY)) return false;
  return taskHolds(system, task, KIND_MEMORY, field64(capRecord, CAP_INFO_OBJ_A));
}

/** Takes session i back: the lent capability (through its parent), its put and get. */
function closeSession(i: u32): void {
  if (sessionParent[i] != 0n) sysCapRevoke(sessionParent[i]);
  sessionParent[i] = 0n;
  sessionTask[i] = NONE;
  engine.putAbort(puts[i]);
  sessionGet[i] = NONE;
}

/** OPEN: lends the caller a session buffer (a fresh one if it had one). */
function open(): u64 {
  let s: u32 = sessionOf(sender);
  if (s != NONE) closeSession(s);
  for (let i: u32 = 0; i < SESSIONS; i++) {
    if (s == NONE && sessionStale(i)) {
      closeSession(i);
      s = i;
    }
  }
  if (s == NONE) return ST_BUSY;
  // We keep a parent of the lent capability: revoking it takes the buffer back without touching ours.
  const parent: u64 = sysCapDerive(sessionRegion[s], u64(self), 28n, 0n, 0n);
  if (errorOf(parent) != 0n) return ST_BUSY;
  const lent: u64 = sysCapDerive(parent, u64(sender), RIGHTS_MAP_WRITE, 0n, 0n);
  if (errorOf(lent) != 0n) {
    sysCapRevoke(parent);
    return ST_BUSY;
  }
  sessionParent[s] = parent;
  sessionTask[s] = sender;
  for (let k: u32 = 0; k < 32; k++) sessionPrincipal[u32(s * 32 + k)] = caller[k];
  answer();
  msgSetWordAt(1, lent);
  msgSetWordAt(2, u64(sessionBytes[s]));
  return ST_OK;
}

/** Bytes of the engine's buffer one piece of a transfer takes (whole pages). */
function pieceBytes(): u32 {
  return u32(disk.bytes & 0xffff_f000);
}

// ---- puts ----------------------------------------------------------------------

function putBegin(s: u32): u64 {
  if (s == NONE) return ST_INVALID;
  const size: u64 = msgWordAt(1);
  msgBytes(AT_HASH, hash);
  msgBytes(AT_SIGNATURE, signature);
  msgBytes(AT_PUBLIC, key);
  if (size > MAX_OBJECT_BYTES) return ST_TOO_LARGE;
  // The key must be the caller's own, as the key store made it (the vault has it).
  const v: u32 = engine.vaultFind(caller);
  if (v == NONE || !sameBytes(engine.vault[v].key, 0, key, 0, 32)) return ST_BAD_SIGNATURE;
  // The signature itself is verified once, at commit, over the hash of the bytes that arrived.
  engine.putAbort(puts[s]);
  if (!withinQuota(size)) return ST_QUOTA;
  const st: Status = engine.putBegin(puts[s], caller, size);
  if (st != Status.Ok) return statusOf(st);
  copyBytes(putHash, u32(s * 32), hash, 0, 32);
  copyBytes(putKey, u32(s * 32), key, 0, 32);
  copyBytes(putSig, u32(s * 64), signature, 0, 64);
  answer();
  msgSetWordAt(1, 1n);
  return ST_OK;
}

/** Whether the caller's objects plus its puts in progress plus size stay within its quota. */
function withinQuota(size: u64): bool {
  engine.usage(caller, use);
  let bytes: u64 = u64(use.bytes + size);
  let count: u64 = u64(u64(use.objects) + 1n);
  for (let i: u32 = 0; i < SESSIONS; i++) {
    if (engine.inProgress(puts[i]) && sameBytes(puts[i].owner, 0, caller, 0, 32)) {
      bytes = u64(bytes + puts[i].size);
      count = u64(count + 1n);
    }
  }
  return bytes <= QUOTA_BYTES && count <= u64(QUOTA_OBJECTS);
}

function putData(s: u32): u64 {
  if (s == NONE || !engine.inProgress(puts[s])) return ST_INVALID;
  const offset: u64 = msgWordAt(2);
  const length: u64 = msgWordAt(3);
  if (length > u64(sessionBytes[s])) return ST_INVALID;
  const n: u32 = u32(length);
  const piece: u32 = pieceBytes();
  for (let done: u32 = 0; done < n; done = u32(done + piece)) {
    const k: u32 = u32(n - done) < piece ? u32(n - done) : piece;
    // SAFETY: both ranges lie in our mappings (the session buffer, the channel's data area).
    copyBytes(bytesAt(disk.base, k), 0, bytesAt(usize(sessionVa(s) + u64(done)), k), 0, k);
    const st: Status = engine.putData(puts[s], u64(offset + u64(done)), 0, k);
    if (st != Status.Ok) {
      engine.putAbort(puts[s]);
      return statusOf(st);
    }
  }
  answer();
  return ST_OK;
}

function putCommit(s: u32): u64 {
  if (s == NONE || !engine.inProgress(puts[s])) return ST_INVALID;
  copyBytes(hash, 0, putHash, u32(s * 32), 32);
  copyBytes(key, 0, putKey, u32(s * 32), 32);
  copyBytes(signature, 0, putSig, u32(s * 64), 64);
  const st: Status = engine.putCommit(puts[s], hash, key, signature);
  if (st == Status.Ok || st == Status.Exists) answer();
  return statusOf(st);
}

function putAbort(s: u32): u64 {
  if (s == NONE) return ST_INVALID;
  engine.putAbort(puts[s]);
  answer();
  return ST_OK;
}

// ---- reads -----------------------------------------------------------------------

/** The object named hash that the caller may read (its own first), or NONE; denied says one exists that it may not. */
let denied: bool = false;
function readable(byOwner: bool): u32 {
  denied = false;
  if (byOwner) {
    const o: u32 = engine.find(hash, other);
    if (o == NONE) return NONE;
    if (sameBytes(other, 0, caller, 0, 32) || engine.isGranted(o, caller)) return o;
    denied = true;
    return NONE;
  }
  const mine: u32 = engine.find(hash, caller);
  if (mine != NONE) return mine;
  for (let o: u32 = engine.nextObject(0); o != NONE; o = engine.nextObject(u32(o + 1))) {
    if (!sameBytes(engine.objects[o].hash, 0, hash, 0, 32)) continue;
    if (engine.isGranted(o, caller)) return o;
    denied = true;
  }
  return NONE;
}

function getBegin(s: u32): u64 {
  if (s == NONE) return ST_INVALID;
  msgBytes(AT_HASH, hash);
  const byOwner: bool = msgWordAt(1) == 1n;
  msgBytes(AT_SECOND, other);
  sessionGet[s] = NONE;
  const o: u32 = readable(byOwner);
  if (o == NONE) return denied ? ST_DENIED : ST_NOT_FOUND;
  const v: Status = engine.verify(o);
  if (v == Status.Damaged) {
    who.clear();
    who.hexBytes(hash, 32);
    print(`store: object ${text(who.bytes, who.length)} is damaged: its bytes are not given out`);
  }
  if (v != Status.Ok) return statusOf(v);
  sessionGet[s] = o;
  answer();
  msgSetWordAt(1, 1n);
  msgSetWordAt(2, engine.objects[o].size);
  msgSetBytes(AT_ANSWER, engine.objects[o].owner, 32);
  return ST_OK;
}

function getData(s: u32): u64 {
  if (s == NONE || sessionGet[s] == NONE || !engine.valid(sessionGet[s])) return ST_INVALID;
  const o: u32 = sessionGet[s];
  const offset: u64 = msgWordAt(2);
  const length: u64 = msgWordAt(3);
  if (length > u64(sessionBytes[s])) return ST_INVALID;
  const n: u32 = u32(length);
  const piece: u32 = pieceBytes();
  for (let done: u32 = 0; done < n; done = u32(done + piece)) {
    const k: u32 = u32(n - done) < piece ? u32(n - done) : piece;
    const st: Status = engine.readData(o, u64(offset + u64(done)), 0, k);
    if (st != Status.Ok) return statusOf(st);
    // SAFETY: both ranges lie in our mappings.
    copyBytes(bytesAt(usize(sessionVa(s) + u64(done)), k), 0, bytesAt(disk.base, k), 0, k);
  }
  answer();
  return ST_OK;
}

// ---- owners' operations -----------------------------------------------------------

/** The caller's own object named by the request's hash, or NONE (denied: another principal has one). */
function ownObject(): u32 {
  msgBytes(AT_HASH, hash);
  const o: u32 = engine.find(hash, caller);
  denied = false;
  if (o != NONE) return o;
  for (let k: u32 = engine.nextObject(0); k != NONE; k = engine.nextObject(u32(k + 1))) if (sameBytes(engine.objects[k].hash, 0, hash, 0, 32)) denied = true;
  return NONE;
}

function remove(): u64 {
  const o: u32 = ownObject();
  if (o == NONE) return denied ? ST_DENIED : ST_NOT_FOUND;
  for (let i: u32 = 0; i < SESSIONS; i++) if (sessionGet[i] == o) sessionGet[i] = NONE;
  const st: Status = engine.remove(o);
  answer();
  return statusOf(st);
}

function grant(): u64 {
  msgBytes(AT_SECOND, other);
  const o: u32 = ownObject();
  if (o == NONE) return denied ? ST_DENIED : ST_NOT_FOUND;
  const st: Status = engine.grant(o, other);
  answer();
  return statusOf(st);
}

function list(): u64 {
  const from: u64 = msgWordAt(1);
  const forOther: bool = msgWordAt(2) == 1n;
  if (forOther) msgBytes(AT_ANSWER, other);
  else copyBytes(other, 0, caller, 0, 32);
  const own: bool = sameBytes(other, 0, caller, 0, 32);
  answer();
  let n: u32 = 0;
  let next: u64 = 0n;
  let o: u32 = from < 0xffff_ffffn ? engine.nextOwned(other, u32(from)) : NONE;
  while (o != NONE) {
    if (own || engine.isGranted(o, caller)) {
      if (n == LIST_MAX) {
        next = u64(o);
        break;
      }
      const at: u32 = u32(AT_ANSWER + n * LIST_ENTRY_BYTES);
      msgSetBytes(at, engine.objects[o].hash, 32);
      msgSetWordAt(u32(u32(at / 8) + 4), engine.objects[o].size);
      n = u32(n + 1);
    }
    o = engine.nextOwned(other, u32(o + 1));
  }
  msgSetWordAt(1, u64(n));
  msgSetWordAt(2, next);
  return ST_OK;
}

function stat(): u64 {
  msgBytes(AT_HASH, hash);
  const o: u32 = readable(false);
  if (o == NONE) return denied ? ST_DENIED : ST_NOT_FOUND;
  answer();
  msgSetWordAt(1, engine.objects[o].size);
  msgSetWordAt(2, u64(engine.objects[o].grantCount));
  msgSetBytes(AT_ANSWER, engine.objects[o].owner, 32);
  msgSetBytes(AT_ANSWER_SECOND, engine.objects[o].key, 32);
  return ST_OK;
}

function usage(): u64 {
  engine.usage(caller, use);
  answer();
  msgSetWordAt(1, engine.totalBytes());
  msgSetWordAt(2, engine.freeBytes());
  msgSetWordAt(3, u64(engine.objectCount));
  msgSetWordAt(4, use.bytes);
  msgSetWordAt(5, u64(use.objects));
  msgSetWordAt(6, QUOTA_BYTES);
  msgSetWordAt(7, refusals);
  msgSetWordAt(8, u64(engine.damagedRecords));
  return ST_OK;
}

// ---- the key store's vault ----------------------------------------------------------

function vault(label: u32): u64 {
  if (!taskHolds(system, sender, KIND_ENDPOINT, vaultEndpoint)) return ST_DENIED;
  msgBytes(AT_HASH, other);
  if (label == LABEL_VAULT_PUT) {
    msgBytes(AT_SECOND, seed);
    msgBytes(AT_THIRD, key);
    const st: Status = engine.vaultPut(other, seed, key);
    wipe();
    answer();
    return statusOf(st);
  }
  const v: u32 = engine.vaultFind(other);
  if (v == NONE) return ST_NOT_FOUND;
  engine.vaultGet(v, seed, key);
  answer();
  msgSetBytes(AT_HASH, seed, 32);
  msgSetBytes(AT_SECOND, key, 32);
  wipe();
  return ST_OK;
}

function wipe(): void {
  for (let i: u32 = 0; i < 32; i++) seed[i] = 0;
}
