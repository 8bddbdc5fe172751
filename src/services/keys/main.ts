"use unsafe";
/**
 * keys: the key store. Every principal (the kernel-stamped identity of a
 * program) gets an Ed25519 key pair on its first request: a 32-byte seed from
 * the kernel's generator, kept on the disk in the object store's vault (which
 * answers only a holder of the "vault" endpoint: this service). It signs
 * digests for the calling principal only and gives out public keys; no request
 * returns a seed. Protocol: src/lib/keys/protocol.ts.
 *
 * A key is used only once the vault has it on the disk (VAULT_PUT answers when
 * durable), so no signature can outlive a key lost in a crash.
 *
 * Capabilities: [0] endpoint "keys" (receive), [1] endpoint "store" (send),
 * [2] endpoint "vault" (send: the store checks that we hold it), [3] random.
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { addressOf } from "kts/unsafe";
import { sysRandom } from "../../lib/sys/syscalls.generated";
import { capAt, call, receive, reply, msgLabel, msgWord, msgStart, msgSetWordAt, msgSetBytes, msgBytes, msgPrincipal, msgIsCall, msgZeroWords, errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";
import {
  LABEL_KEYS_PUBLIC, LABEL_KEYS_SIGN, PUBLIC_MINE, PUBLIC_OF, KEYS_ARG, KEYS_PRINCIPAL, KEYS_SIGNATURE, KEYS_SIGNED_BY,
  KEYS_OK, KEYS_NOT_FOUND, KEYS_STORAGE, KEYS_INVALID, KEYS_FULL,
} from "../../lib/keys/protocol";
import { LABEL_VAULT_GET, LABEL_VAULT_PUT, AT_HASH, AT_SECOND, AT_THIRD, ST_OK, ST_NOT_FOUND, ST_NO_SPACE } from "../../lib/store/protocol";
import { ed25519PublicKey, ed25519Sign } from "../../lib/crypto/ed25519-sign";

/** Key pairs kept in memory (the vault holds them all; these are the recently used). */
const CACHED = 16;

const principal: u8[] = array(32, 0);
const digest: u8[] = array(32, 0);
const signature: u8[] = array(64, 0);
const seed: u8[] = array(32, 0);
const publicKey: u8[] = array(32, 0);
const derived: u8[] = array(32, 0);

const cachePrincipal: u8[] = array(512, 0); // CACHED * 32
const cacheSeed: u8[] = array(512, 0);
const cachePublic: u8[] = array(512, 0);
const cacheUsed: u32[] = array(CACHED, 0);
let cacheCount: u32 = 0;
let clock: u32 = 0;

let store: u64 = 0n;
let random: u64 = 0n;

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  store = capAt(1n);
  random = capAt(3n);
  print("keys: ready");
  for (;;) {
    const e: u64 = errorOf(receive(endpoint));
    if (e != 0n) {
      print(`keys: receive failed (${text(errorText, errorName(e))})`);
      sleepNanos(u64(100n * NANOS_PER_MILLI));
      continue;
    }
    if (msgIsCall()) handle();
  }
}

function handle(): void {
  const label: u32 = msgLabel();
  const which: u64 = msgWord();
  if (label == LABEL_KEYS_PUBLIC && which == PUBLIC_OF) {
    msgBytes(KEYS_ARG, principal);
    const s: u64 = keyOf(false);
    answer(s);
    if (s == KEYS_OK) publicAnswer();
  } else if (label == LABEL_KEYS_PUBLIC && which == PUBLIC_MINE) {
    msgPrincipal(principal);
    const s: u64 = keyOf(true);
    answer(s);
    if (s == KEYS_OK) publicAnswer();
  } else if (label == LABEL_KEYS_SIGN) {
    msgBytes(KEYS_ARG, digest);
    msgPrincipal(principal);
    const s: u64 = keyOf(true);
    answer(s);
    if (s == KEYS_OK) {
      ed25519Sign(seed, publicKey, digest, signature);
      msgSetBytes(KEYS_SIGNATURE, signature, 64);
      msgSetBytes(KEYS_SIGNED_BY, publicKey, 32);
    }
  } else {
    answer(KEYS_INVALID);
  }
  forget();
  reply();
}

function publicAnswer(): void {
  msgSetBytes(KEYS_ARG, publicKey, 32);
  msgSetBytes(KEYS_PRINCIPAL, principal, 32);
}

function answer(status: u64): void {
  msgStart(0);
  msgZeroWords(1);
  msgSetWordAt(0, status);
}

/** Drops the secret copy the request used. */
function forget(): void {
  for (let i: u32 = 0; i < 32; i++) seed[i] = 0;
}

/** The key pair of `principal` into seed/publicKey: from the cache, the vault, or (if make) new. */
function keyOf(make: bool): u64 {
  const c: u32 = cached();
  if (c < CACHED) {
    for (let i: u32 = 0; i < 32; i++) {
      seed[i] = cacheSeed[u32(c * 32 + i)];
      publicKey[i] = cachePublic[u32(c * 32 + i)];
    }
    clock = u32(clock + 1);
    cacheUsed[c] = clock;
    return KEYS_OK;
  }
  // The message buffer is reused for the vault call: the request's fields were read already.
  msgStart(LABEL_VAULT_GET);
  msgZeroWords(2);
  msgSetBytes(AT_HASH, principal, 32);
  const e: u64 = errorOf(call(store));
  if (e != 0n) return KEYS_STORAGE;
  const got: u64 = msgWord();
  if (got == ST_OK) {
    msgBytes(AT_HASH, seed);
    msgBytes(AT_SECOND, publicKey);
    msgZeroWords(32);
    // Signing with a public key that is not the seed's would leak the secret scalar: a vault record
    // changed on the disk is refused, never used.
    ed25519PublicKey(seed, derived);
    for (let i: u32 = 0; i < 32; i++) {
      if (derived[i] != publicKey[i]) {
        print("keys: a vault record's public key is not its seed's: refused");
        forget();
        return KEYS_STORAGE;
      }
    }
  } else if (got != ST_NOT_FOUND) {
    return KEYS_STORAGE;
  } else if (!make) {
    return KEYS_NOT_FOUND;
  } else {
    const s: u64 = makeKey();
    if (s != KEYS_OK) return s;
  }
  remember();
  return KEYS_OK;
}

/** A new key pair for `principal`, durable in the vault before it is used. */
function makeKey(): u64 {
  const r: u64 = sysRandom(random, addressOf(seed), 32n);
  if (errorOf(r) != 0n) {
    print(`keys: no random bytes (${text(errorText, errorName(errorOf(r)))})`);
    return KEYS_STORAGE;
  }
  ed25519PublicKey(seed, publicKey);
  msgStart(LABEL_VAULT_PUT);
  msgZeroWords(2);
  msgSetBytes(AT_HASH, principal, 32);
  msgSetBytes(AT_SECOND, seed, 32);
  msgSetBytes(AT_THIRD, publicKey, 32);
  const e: u64 = errorOf(call(store));
  const s: u64 = msgWord();
  // The seed's copy in the message buffer (a reply need not overwrite it) goes now.
  msgZeroWords(32);
  if (e != 0n) return KEYS_STORAGE;
  if (s == ST_NO_SPACE) return KEYS_FULL;
  return s == ST_OK ? KEYS_OK : KEYS_STORAGE;
}

/** The cache slot holding `principal`, or CACHED. */
function cached(): u32 {
  for (let c: u32 = 0; c < cacheCount; c++) {
    let same: bool = true;
    for (let i: u32 = 0; i < 32; i++) {
      if (cachePrincipal[u32(c * 32 + i)] != principal[i]) {
        same = false;
        break;
      }
    }
    if (same) return c;
  }
  return CACHED;
}

/** Puts principal/seed/publicKey in the cache, replacing the least recently used. */
function remember(): void {
  let c: u32 = cacheCount;
  if (c == CACHED) {
    c = 0;
    for (let k: u32 = 1; k < CACHED; k++) if (cacheUsed[k] < cacheUsed[c]) c = k;
  } else {
    cacheCount = u32(cacheCount + 1);
  }
  for (let i: u32 = 0; i < 32; i++) {
    cachePrincipal[u32(c * 32 + i)] = principal[i];
    cacheSeed[u32(c * 32 + i)] = seed[i];
    cachePublic[u32(c * 32 + i)] = publicKey[i];
  }
  clock = u32(clock + 1);
  cacheUsed[c] = clock;
}
