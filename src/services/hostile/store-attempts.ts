"use unsafe";
/**
 * The hostile service against the key store and the object store: another
 * principal's object (storetest's victim, whose address it computes from the
 * bytes it knows), the vault, a key that is not its own, a signature of other
 * bytes, absurd sizes and offsets, and its quota.
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { store8 } from "kts/unsafe";
import { call, msgStart, msgZeroWords, msgSetBytes, msgWordAt, errorOf } from "../../lib/ipc/message";
import { blake3Hash } from "../../lib/crypto/blake3";
import { ed25519PublicKey, ed25519Sign } from "../../lib/crypto/ed25519-sign";
import { StoreClient } from "../../lib/store/client";
import { STATUS_NAMES, ST_OK, ST_DENIED, ST_IO, ST_QUOTA, AT_HASH, LABEL_VAULT_GET, QUOTA_OBJECTS } from "../../lib/store/protocol";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";
import { VICTIM } from "../storetest/victim";
import { judgeStatus, verdict } from "./verdict";

const SESSION_VA: usize = 0x6_0000_0000n;

const client = new StoreClient();
const victim: u8[] = array(32, 0);
const seed: u8[] = array(32, 0x42);
const forgedKey: u8[] = array(32, 0);
const forgedSig: u8[] = array(64, 0);
const mine: u8[] = array(32, 0);

export function storeAttempts(store: u64, keys: u64): void {
  if (errorOf(store) != 0n || errorOf(keys) != 0n) return; // a tier without the store
  client.init(store, keys, SESSION_VA);
  if (client.open() != ST_OK || client.myKey() != ST_OK) {
    print("hostile: no store session: store attempts skipped");
    return;
  }
  for (let i: u32 = 0; i < 32; i++) mine[i] = client.principal[i];
  blake3Hash(VICTIM, victim);
  // storetest puts the victim at boot: wait until it exists (the store then refuses us its details).
  let seen: bool = false;
  for (let t: u32 = 0; t < 600 && !seen; t = u32(t + 1)) {
    if (client.stat(victim) == ST_DENIED) seen = true;
    else sleepNanos(u64(100n * NANOS_PER_MILLI));
  }
  if (!seen) {
    print("hostile: storetest's object never appeared: store attempts skipped");
    return;
  }
  attempt(client.getBegin(victim, mine, false));
  print(`hostile: reading another principal's object without a grant: ${text(verdict.bytes, verdict.length)}`);
  attempt(client.delete(victim));
  print(`hostile: deleting another principal's object: ${text(verdict.bytes, verdict.length)}`);
  attempt(client.grant(victim, mine));
  print(`hostile: granting itself another principal's object: ${text(verdict.bytes, verdict.length)}`);
  msgStart(LABEL_VAULT_GET);
  msgZeroWords(1);
  msgSetBytes(AT_HASH, mine, 32);
  attempt(errorOf(call(store)) != 0n ? ST_IO : msgWordAt(0));
  print(`hostile: the key store's vault (secret keys) without the vault endpoint: ${text(verdict.bytes, verdict.length)}`);
  forgedOwner();
  badData();
  quota();
}

function attempt(s: u64): void {
  judgeStatus(s, STATUS_NAMES);
}

/** A put signed by a key the key store did not make for it, and one whose bytes are not what was signed. */
function forgedOwner(): void {
  ed25519PublicKey(seed, forgedKey);
  put4(0x61);
  client.hasher.initDefault();
  client.hashRaw(client.buffer(), 4);
  client.hasher.finalize(client.hash);
  ed25519Sign(seed, forgedKey, client.hash, forgedSig);
  // Signs with its own key through the key store, then swaps in the forged key and signature.
  if (client.sign() != ST_OK) return;
  for (let i: u32 = 0; i < 32; i++) client.publicKey[i] = forgedKey[i];
  for (let i: u32 = 0; i < 64; i++) client.signature[i] = forgedSig[i];
  attempt(client.putBeginSigned(4n));
  print(`hostile: a put signed by a key that is not its own: ${text(verdict.bytes, verdict.length)}`);
  // Signed (its own key) for bytes "aaaa", then sends "bbbb".
  if (client.putBegin(4n) != ST_OK) return;
  put4(0x62);
  client.putChunk(0n, 4);
  attempt(client.putCommit());
  print(`hostile: a put whose bytes are not the ones signed: ${text(verdict.bytes, verdict.length)}`);
}

function put4(c: u8): void {
  // SAFETY: the session buffer is mapped.
  for (let i: u32 = 0; i < 4; i++) store8(usize(client.buffer() + u64(i)), c);
}

/** Absurd sizes, offsets and lengths. */
function badData(): void {
  put4(0x63);
  client.hasher.initDefault();
  client.hashRaw(client.buffer(), 4);
  client.hasher.finalize(client.hash);
  attempt(client.putBegin(0x8000_0000_0000_0000n));
  print(`hostile: an object of 2^63 bytes: ${text(verdict.bytes, verdict.length)}`);
  attempt(client.putBegin(0x100_0001n));
  print(`hostile: an object one byte over 16 MiB: ${text(verdict.bytes, verdict.length)}`);
  if (client.putBegin(4n) != ST_OK) return;
  attempt(client.putChunk(0n, 4096));
  print(`hostile: more bytes than the object has: ${text(verdict.bytes, verdict.length)}`);
  if (client.putBegin(4n) != ST_OK) return;
  attempt(client.putChunk(0x1000_0000n, 4));
  print(`hostile: data at an offset out of order: ${text(verdict.bytes, verdict.length)}`);
  if (client.putBegin(4n) != ST_OK) return;
  attempt(client.putChunk(0n, 0x20_0000));
  print(`hostile: a chunk longer than its session buffer: ${text(verdict.bytes, verdict.length)}`);
  client.putAbort();
  attempt(client.getChunk(0n, 512));
  print(`hostile: reading data without a verified get: ${text(verdict.bytes, verdict.length)}`);
  if (client.put(4) != ST_OK) return;
  if (client.getBegin(client.hash, mine, false) != ST_OK) return;
  attempt(client.getChunk(0x10_0000n, 512));
  print(`hostile: reading past the end of its own object: ${text(verdict.bytes, verdict.length)}`);
  client.delete(client.hash);
}

/** Tiny objects until the store says no: exactly one past the quota is refused. */
function quota(): void {
  let stored: u32 = 0;
  let s: u64 = ST_OK;
  for (let i: u32 = 0; i <= QUOTA_OBJECTS && s == ST_OK; i = u32(i + 1)) {
    // SAFETY: the session buffer is mapped.
    for (let k: u32 = 0; k < 4; k++) store8(usize(client.buffer() + u64(k)), u8(i >>> u32(8 * k)));
    store8(usize(client.buffer() + 4n), 0x71);
    s = client.put(5);
    if (s == ST_OK) stored = u32(stored + 1);
  }
  attempt(s);
  print(`hostile: object ${u32(stored + 1)} over its quota of ${QUOTA_OBJECTS}: ${text(verdict.bytes, verdict.length)}`);
  for (let i: u32 = 0; i < stored; i = u32(i + 1)) {
    for (let k: u32 = 0; k < 4; k++) store8(usize(client.buffer() + u64(k)), u8(i >>> u32(8 * k)));
    store8(usize(client.buffer() + 4n), 0x71);
    client.hasher.initDefault();
    client.hashRaw(client.buffer(), 5);
    client.hasher.finalize(client.hash);
    client.delete(client.hash);
  }
}
