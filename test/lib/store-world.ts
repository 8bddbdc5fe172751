"use unsafe";
/**
 * The object store drivers' world: a simulated disk with a write cache and a
 * crash model, the engine's I/O buffer, test contents and their signatures.
 *
 * Stdin (store.test.ts writes it): "c" (native run) or "n" (Node run), the
 * test key's 32-byte public key, a u32 count, then per content: u32 size,
 * 32-byte BLAKE3 hash, 64-byte Ed25519 signature of the hash (made with
 * @noble/ed25519 by the test). Content c's byte j is contentByte(c, j).
 *
 * Natively the engine's buffer copies go through raw memory (raw.ts on the
 * buffer's address, checked by ASan); under Node addressOf has no meaning and
 * they copy the array itself. The output is the same.
 *
 * Crash model: with caching on, every 512-byte block a write issues is kept
 * apart until a flush applies them in order (a full cache destages the same
 * way). crash() applies a random subset of the pending blocks in random order
 * and drops the rest. setCrash(k) makes the k-th I/O from now and every one
 * after it fail (status 1) without effect until crash().
 */
import { u8, u32, u64, usize, bool, array, copyBytes, fillBytes, readU32Le, min, mul32, print } from "kts";
import { addressOf } from "kts/unsafe";
import { readStdin } from "kts/host";
import { Disk } from "../../src/lib/store/disk";
import { copyFromRaw, copyToRaw } from "../../src/lib/store/raw";

/** The disk is two arrays (an array holds at most 2^24 elements): blocks below LOW_BLOCKS, and the rest. */
const LOW_BYTES = 16777216;
const LOW_BLOCKS: u32 = 32768;
const HIGH_BYTES = 2097152;
export const MAX_DISK_BLOCKS = 36864;
export const BUF_BYTES = 65536;
const LOW: u8[] = array(LOW_BYTES, 0);
const HIGH: u8[] = array(HIGH_BYTES, 0);
export const BUF: u8[] = array(BUF_BYTES, 0);
const MAX_PENDING = 2048;
const PENDING: u8[] = array(MAX_PENDING * 512, 0);
const pendingBlock: u32[] = array(MAX_PENDING, 0);
/** Per block: 1 + index of its latest pending write, or 0. */
const latest: u32[] = array(MAX_DISK_BLOCKS, 0);
const order: u32[] = array(MAX_PENDING, 0);
/** Regions of 128 blocks written since they were last zeroed (wipe zeroes only those). */
const dirty: u8[] = array(288, 0);

let native: bool = false;
let bufAddr: usize = 0n;
let blocks: u32 = 0;
let pendingCount: u32 = 0;
let caching: bool = false;
let ioCount: u32 = 0;
let crashAt: u32 = 0;
let crashed: bool = false;
export let writesIssued: u32 = 0;
export let flushes: u32 = 0;

// ---- input ------------------------------------------------------------------

const INPUT_BYTES = 131072;
const input: u8[] = array(INPUT_BYTES, 0);
let inputLen: u32 = 0;
export const ENTRY_BYTES: u32 = 100;
export const publicKey: u8[] = array(32, 0);
export let contents: u32 = 0;

/** Reads stdin: world, key, contents table. */
export function readInput(): void {
  for (;;) {
    if (inputLen >= INPUT_BYTES) break;
    let n: u32 = 0;
    const chunk: u8[] = array(4096, 0);
    n = readStdin(chunk);
    if (n == 0) break;
    const take = min(n, u32(INPUT_BYTES - inputLen));
    copyBytes(input, inputLen, chunk, 0, take);
    inputLen = u32(inputLen + take);
  }
  native = inputLen > 0 && input[0] == 0x63;
  copyBytes(publicKey, 0, input, 1, 32);
  contents = readU32Le(input, 33);
  if (native) bufAddr = addressOf(BUF);
}

export function contentSize(c: u32): u32 {
  return readU32Le(input, u32(37 + mul32(c, ENTRY_BYTES)));
}
export function contentHash(c: u32, out: u8[]): void {
  copyBytes(out, 0, input, u32(41 + mul32(c, ENTRY_BYTES)), 32);
}
export function contentSig(c: u32, out: u8[]): void {
  copyBytes(out, 0, input, u32(73 + mul32(c, ENTRY_BYTES)), 64);
}

/** The k-th u32 after the contents table (driver parameters). */
export function parameter(k: u32): u32 {
  return readU32Le(input, u32(u32(37 + mul32(contents, ENTRY_BYTES)) + u32(k * 4)));
}

/** Byte j of content c (store.test.ts computes the same). */
export function contentByte(c: u32, j: u32): u8 {
  let x = u32(j + mul32(c, 0x9e37_79b9));
  x = u32(x ^ (x >>> 15));
  x = mul32(x, 0x85eb_ca6b);
  x = u32(x ^ (x >>> 13));
  return u8(x);
}

/** Places bytes [from, from + n) of content c in the buffer at off (as a service would). */
export function fillBuffer(off: u32, c: u32, from: u32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) BUF[u32(off + i)] = contentByte(c, u32(from + i));
}

// ---- PRNG ---------------------------------------------------------------------

let rng: u32 = 1;
export function seed(s: u32): void {
  rng = s == 0 ? 1 : s;
}
export function rand(): u32 {
  let x = rng;
  x = u32(x ^ u32(x << 13));
  x = u32(x ^ (x >>> 17));
  x = u32(x ^ u32(x << 5));
  rng = x;
  return x;
}
/** A number in [0, n) (n >= 1). */
export function below(n: u32): u32 {
  return u32(rand() % n);
}

// ---- the simulated disk ---------------------------------------------------------

function tick(): bool {
  if (crashed) return false;
  ioCount = u32(ioCount + 1);
  if (crashAt != 0 && ioCount >= crashAt) {
    crashed = true;
    return false;
  }
  return true;
}

function inRange(block: u64, count: u32, bufOffset: u32): bool {
  return count != 0 && block < u64(blocks) && u64(count) <= u64(u64(blocks) - block) && u64(u64(bufOffset) + u64(u32(count) * 512)) <= u64(BUF_BYTES);
}

function simRead(block: u64, count: u32, bufOffset: u32): u32 {
  if (!tick()) return 1;
  if (!inRange(block, count, bufOffset)) return 2;
  for (let k: u32 = 0; k < count; k++) {
    const b = u32(block + u64(k));
    const l = latest[b];
    if (l != 0) copyBytes(BUF, u32(bufOffset + u32(k * 512)), PENDING, u32(u32(l - 1) * 512), 512);
    else diskOut(b, BUF, u32(bufOffset + u32(k * 512)));
  }
  return 0;
}

/** Copies disk block b to dst[at..at+512). */
function diskOut(b: u32, dst: u8[], at: u32): void {
  if (b < LOW_BLOCKS) copyBytes(dst, at, LOW, u32(b * 512), 512);
  else copyBytes(dst, at, HIGH, u32(u32(b - LOW_BLOCKS) * 512), 512);
}

/** Copies src[from..from+512) to disk block b. */
function diskIn(b: u32, src: u8[], from: u32): void {
  dirty[b >>> 7] = 1;
  if (b < LOW_BLOCKS) copyBytes(LOW, u32(b * 512), src, from, 512);
  else copyBytes(HIGH, u32(u32(b - LOW_BLOCKS) * 512), src, from, 512);
}

function applyPending(i: u32): void {
  diskIn(pendingBlock[i], PENDING, u32(i * 512));
}

function clearPending(): void {
  for (let i: u32 = 0; i < pendingCount; i++) latest[pendingBlock[i]] = 0;
  pendingCount = 0;
}

function destage(): void {
  for (let i: u32 = 0; i < pendingCount; i++) applyPending(i);
  clearPending();
}

function simWrite(block: u64, count: u32, bufOffset: u32): u32 {
  if (!tick()) return 1;
  if (!inRange(block, count, bufOffset)) return 2;
  writesIssued = u32(writesIssued + 1);
  for (let k: u32 = 0; k < count; k++) {
    const b = u32(block + u64(k));
    const from = u32(bufOffset + u32(k * 512));
    if (!caching) {
      diskIn(b, BUF, from);
      continue;
    }
    if (pendingCount == MAX_PENDING) destage();
    copyBytes(PENDING, u32(pendingCount * 512), BUF, from, 512);
    pendingBlock[pendingCount] = b;
    pendingCount = u32(pendingCount + 1);
    latest[b] = pendingCount;
  }
  return 0;
}

function simFlush(): u32 {
  if (!tick()) return 1;
  flushes = u32(flushes + 1);
  destage();
  return 0;
}

function bufLoad(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  if (native) copyFromRaw(usize(bufAddr + usize(bufOffset)), bytes, at, n);
  else copyBytes(bytes, at, BUF, bufOffset, n);
}

function bufStore(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  if (native) copyToRaw(usize(bufAddr + usize(bufOffset)), bytes, at, n);
  else copyBytes(BUF, bufOffset, bytes, at, n);
}

/** A device of n blocks (its contents are kept), with an empty cache and no crash set. */
export function attach(d: Disk, n: u32, withCache: bool): void {
  blocks = n;
  caching = withCache;
  clearPending();
  crashAt = 0;
  crashed = false;
  d.base = bufAddr;
  d.bytes = BUF_BYTES;
  d.blocks = u64(n);
  d.read = simRead;
  d.write = simWrite;
  d.flush = simFlush;
  d.load = bufLoad;
  d.store = bufStore;
}

/** Zeroes the first n blocks of the disk. */
export function wipe(n: u32): void {
  clearPending();
  for (let r: u32 = 0; r < 288; r++) {
    const b = u32(r * 128);
    if (dirty[r] == 0 || b >= n) continue;
    dirty[r] = 0;
    if (b < LOW_BLOCKS) fillBytes(LOW, u32(b * 512), 65536, 0);
    else fillBytes(HIGH, u32(u32(b - LOW_BLOCKS) * 512), 65536, 0);
  }
}

/** The k-th I/O from now on (k >= 1) and all after it fail. */
export function setCrash(k: u32): void {
  crashAt = u32(ioCount + k);
}

export function hasCrashed(): bool {
  return crashed;
}

export function pendingWrites(): u32 {
  return pendingCount;
}

/** True if a pending write touches blocks [first, first + count). */
export function pendingIn(first: u32, count: u32): bool {
  for (let i: u32 = 0; i < pendingCount; i++) {
    if (pendingBlock[i] >= first && u32(pendingBlock[i] - first) < count) return true;
  }
  return false;
}

/** The crash: a random subset of the pending blocks reaches the disk, in random order. */
export function crash(): u32 {
  for (let i: u32 = 0; i < pendingCount; i++) order[i] = i;
  for (let i: u32 = pendingCount; i > 1; i--) {
    const j = below(i);
    const t = order[u32(i - 1)];
    order[u32(i - 1)] = order[j];
    order[j] = t;
  }
  let applied: u32 = 0;
  for (let i: u32 = 0; i < pendingCount; i++) {
    if ((rand() & 1) != 0) {
      applyPending(order[i]);
      applied = u32(applied + 1);
    }
  }
  clearPending();
  crashAt = 0;
  crashed = false;
  return applied;
}

/** Direct access to the disk's blocks (damage, crafted images). */
export function diskBlockOut(block: u32, out: u8[]): void {
  diskOut(block, out, 0);
}
export function diskBlockIn(block: u32, src: u8[]): void {
  diskIn(block, src, 0);
}
/** Flips bits of byte at of block b. */
export function flipDiskByte(b: u32, at: u32, mask: u8): void {
  const blk: u8[] = array(512, 0);
  diskOut(b, blk, 0);
  blk[at] = u8(blk[at] ^ mask);
  diskIn(b, blk, 0);
}

export function report(): void {
  print(`disk: writes ${writesIssued} flushes ${flushes}`);
}
