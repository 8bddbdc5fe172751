"use unsafe";
/**
 * storetest (test tier): the object store as a program uses it.
 *  1. puts the victim object (victim.ts) that the hostile service attacks;
 *  2. streams a 16 MiB object through its 1 MiB session buffer (hashed in a
 *     first pass, signed by the key store, sent in a second), reads it back
 *     through the store's verification, compares every byte, and deletes it
 *     (skipped, and said, when the disk has no room for it);
 *  3. prints its principal and waits for the shell to grant it an object
 *     whose bytes it knows (GRANTED), then reads it: the grant works.
 *
 * Capabilities: [0] endpoint "store" (send), [1] endpoint "keys" (send).
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { load8, load64, store8, store64 } from "kts/unsafe";
import { capAt, msgWordAt } from "../../lib/ipc/message";
import { StoreClient } from "../../lib/store/client";
import { STATUS_NAMES, ST_OK, ST_EXISTS, ST_INVALID, MAX_OBJECT_BYTES } from "../../lib/store/protocol";
import { Line } from "../../lib/format";
import { VICTIM, GRANTED } from "./victim";
import { blake3Hash } from "../../lib/crypto/blake3";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";

const SESSION_VA: usize = 0x5_0000_0000n;
const BIG: u64 = MAX_OBJECT_BYTES;

const store = new StoreClient();
const why = new Line();
const granted: u8[] = array(32, 0);

export function main(): u32 {
  store.init(capAt(0n), capAt(1n), SESSION_VA);
  let s: u64 = store.open();
  if (s == ST_OK) {
    // SAFETY: the session buffer is mapped and larger than the victim.
    for (let i: u32 = 0; i < VICTIM.length; i++) store8(usize(store.buffer() + u64(i)), VICTIM[i]);
    s = store.put(VICTIM.length);
  }
  if (s != ST_OK && s != ST_EXISTS) {
    named(s);
    print(`storetest: the victim object could not be stored: ${text(why.bytes, why.length)}`);
    return 1;
  }
  print("storetest: the victim object is stored");
  const big: u64 = bigObject();
  if (big != ST_OK) {
    named(big);
    print(`storetest: the 16 MiB object failed: ${text(why.bytes, why.length)}`);
    return 1;
  }
  print("storetest: done");
  if (store.myKey() == ST_OK) {
    why.clear();
    why.hexBytes(store.principal, 32);
    print(`storetest: principal ${text(why.bytes, why.length)}`);
  }
  waitForGrant();
  return 0;
}

/** Polls (for up to ten minutes) until an object with GRANTED's bytes is readable, then reads it. */
function waitForGrant(): void {
  blake3Hash(GRANTED, granted);
  for (let t: u32 = 0; t < 3000; t = u32(t + 1)) {
    if (store.getBegin(granted, store.owner, false) == ST_OK) {
      const n: u32 = u32(store.size);
      if (n == GRANTED.length && store.getChunk(0n, n) == ST_OK) {
        why.clear();
        // SAFETY: n bytes of the session buffer were just filled.
        for (let i: u32 = 0; i < n; i++) why.byte(load8(usize(store.buffer() + u64(i))));
        print(`storetest: read the object granted to it: ${text(why.bytes, why.length)}`);
      }
      return;
    }
    sleepNanos(u64(200n * NANOS_PER_MILLI));
  }
}

function named(s: u64): void {
  why.clear();
  why.name(STATUS_NAMES, u32(s));
}

/** The pattern word at byte offset k of the big object. */
function word(k: u64): u64 {
  return u64(u64(k * 0x9e37_79b9_7f4a_7c15n) ^ 0x5354_4f52_4554_5354n);
}

/** Bytes [offset, offset + n) of the big object into the session buffer (n a multiple of 8). */
function generate(offset: u64, n: u32): void {
  for (let k: u32 = 0; k < n; k = u32(k + 8)) store64(usize(store.buffer() + u64(k)), word(u64(offset + u64(k))));
}

function matches(offset: u64, n: u32): bool {
  for (let k: u32 = 0; k < n; k = u32(k + 8)) if (load64(usize(store.buffer() + u64(k))) != word(u64(offset + u64(k)))) return false;
  return true;
}

/** The 16 MiB round trip: ST_OK, or the status that stopped it. */
function bigObject(): u64 {
  const u: u64 = store.usage();
  if (u != ST_OK) return u;
  if (msgWordAt(2) < u64(BIG + 1048576n)) {
    print(`storetest: the disk has ${u64(msgWordAt(2) >> 20n)} MiB free: the 16 MiB object is skipped`);
    return ST_OK;
  }
  const chunk: u32 = store.bufferBytes;
  store.hasher.initDefault();
  for (let off: u64 = 0n; off < BIG; off = u64(off + u64(chunk))) {
    generate(off, chunk);
    store.hashRaw(store.buffer(), chunk);
  }
  store.hasher.finalize(store.hash);
  let s: u64 = store.putBegin(BIG);
  if (s != ST_OK) return s;
  for (let off: u64 = 0n; off < BIG; off = u64(off + u64(chunk))) {
    generate(off, chunk);
    s = store.putChunk(off, chunk);
    if (s != ST_OK) return s;
  }
  s = store.putCommit();
  if (s != ST_OK && s != ST_EXISTS) return s;
  s = store.getBegin(store.hash, store.owner, false);
  if (s != ST_OK) return s;
  if (store.size != BIG) {
    print(`storetest: the 16 MiB object came back with ${store.size} bytes`);
    return ST_INVALID;
  }
  for (let off: u64 = 0n; off < BIG; off = u64(off + u64(chunk))) {
    s = store.getChunk(off, chunk);
    if (s != ST_OK) return s;
    if (!matches(off, chunk)) {
      print(`storetest: the 16 MiB object differs in its bytes from ${off}`);
      return ST_INVALID;
    }
  }
  s = store.delete(store.hash);
  if (s != ST_OK) return s;
  print("storetest: a 16 MiB object was stored, read back and verified, then deleted");
  return ST_OK;
}
