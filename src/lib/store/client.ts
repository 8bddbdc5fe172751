"use unsafe";
/**
 * The client side of the object store (protocol.ts) and of the key store
 * (../keys/protocol.ts): a put hashes the bytes (BLAKE3), has the key store sign
 * the hash with the caller's own key, and streams the bytes through the
 * session buffer the store lends; a get is verified by the store before any
 * byte is handed out.
 *
 * Objects no bigger than the buffer: place the bytes with buffer()/bufferBytes
 * and call put(n). Bigger ones: hash them yourself, then putBegin(size, hash),
 * putChunk() per buffer-full, putCommit().
 */
import { u8, u32, u64, usize, bool, array } from "kts";
import { bytesAt } from "kts/unsafe";
import { sysMemMap } from "../sys/syscalls.generated";
import { call, msgStart, msgZeroWords, msgSetWordAt, msgWordAt, msgSetBytes, msgBytes, errorOf } from "../ipc/message";
import { Blake3Hasher } from "../crypto/blake3";
import { LABEL_KEYS_PUBLIC, LABEL_KEYS_SIGN, PUBLIC_MINE, PUBLIC_OF, KEYS_ARG, KEYS_SIGNATURE, KEYS_SIGNED_BY, KEYS_PRINCIPAL, KEYS_OK } from "../keys/protocol";
import {
  LABEL_OPEN, LABEL_PUT_BEGIN, LABEL_PUT_DATA, LABEL_PUT_COMMIT, LABEL_PUT_ABORT, LABEL_GET_BEGIN, LABEL_GET_DATA,
  LABEL_DELETE, LABEL_GRANT, LABEL_LIST, LABEL_STAT, LABEL_USAGE,
  AT_HASH, AT_SIGNATURE, AT_PUBLIC, AT_SECOND, AT_ANSWER, ST_OK, ST_IO, ST_INVALID,
} from "./protocol";

/** A status for "the key store said no" (its KEYS_* code is in keyStatus). */
export const ST_KEYS: u64 = 100n;

export class StoreClient {
  store: u64 = 0n;
  keys: u64 = 0n;
  /** Where the session buffer is mapped, and its size (0 until open). */
  va: usize = 0n;
  bufferBytes: u32 = 0;
  /** The last put's or get's object: its hash (address), owner, signer's key, signature. */
  hash: u8[] = array(32, 0);
  owner: u8[] = array(32, 0);
  /** Our principal, as the key store saw it (after myKey). */
  principal: u8[] = array(32, 0);
  publicKey: u8[] = array(32, 0);
  signature: u8[] = array(64, 0);
  /** The last get's size, the last put's or get's id, the key store's last status. */
  size: u64 = 0n;
  id: u64 = 0n;
  keyStatus: u64 = 0n;
  hasher = new Blake3Hasher();

  init(store: u64, keys: u64, va: usize): void {
    this.store = store;
    this.keys = keys;
    this.va = va;
  }

  /** Maps the session buffer (once): ST_OK or why not. */
  open(): u64 {
    if (this.bufferBytes != 0) return ST_OK;
    const s: u64 = this.request(LABEL_OPEN);
    if (s != ST_OK) return s;
    const handle: u64 = msgWordAt(1);
    const bytes: u64 = msgWordAt(2);
    if (errorOf(sysMemMap(handle, this.va, 1n)) != 0n) return ST_IO;
    this.bufferBytes = u32(bytes);
    return ST_OK;
  }

  /** Address of the session buffer's first byte (valid once open() said ST_OK). */
  buffer(): usize {
    return this.va;
  }

  /** Puts the buffer's first n bytes as one object; this.hash is its address. */
  put(n: u32): u64 {
    const o: u64 = this.open();
    if (o != ST_OK) return o;
    if (n > this.bufferBytes) return ST_INVALID;
    this.hasher.initDefault();
    this.hashRaw(this.va, n);
    this.hasher.finalize(this.hash);
    const b: u64 = this.putBegin(u64(n));
    if (b != ST_OK) return b;
    const d: u64 = this.putChunk(0n, n);
    if (d != ST_OK) {
      this.putAbort();
      return d;
    }
    return this.putCommit();
  }

  /** Feeds n bytes at address a to this.hasher (for callers hashing big objects chunk by chunk). */
  hashRaw(a: usize, n: u32): void {
    // SAFETY: the caller's n bytes at a are mapped (the session buffer, or its own memory).
    if (n > 0) this.hasher.update(bytesAt(a, n));
  }

  /** Signs this.hash with our key (key store), then announces a put of size bytes: this.id is its id. */
  putBegin(size: u64): u64 {
    const k: u64 = this.sign();
    if (k != ST_OK) return k;
    return this.putBeginSigned(size);
  }

  /** putBegin with this.signature and this.publicKey as they are (already signed). */
  putBeginSigned(size: u64): u64 {
    this.start(LABEL_PUT_BEGIN);
    msgSetWordAt(1, size);
    msgSetBytes(AT_HASH, this.hash, 32);
    msgSetBytes(AT_SIGNATURE, this.signature, 64);
    msgSetBytes(AT_PUBLIC, this.publicKey, 32);
    const s: u64 = this.send();
    if (s == ST_OK) this.id = msgWordAt(1);
    return s;
  }

  /** The buffer's first length bytes are the object's bytes [offset, offset + length). */
  putChunk(offset: u64, length: u32): u64 {
    this.start(LABEL_PUT_DATA);
    msgSetWordAt(1, this.id);
    msgSetWordAt(2, offset);
    msgSetWordAt(3, u64(length));
    return this.send();
  }

  putCommit(): u64 {
    this.start(LABEL_PUT_COMMIT);
    msgSetWordAt(1, this.id);
    return this.send();
  }

  putAbort(): u64 {
    this.start(LABEL_PUT_ABORT);
    msgSetWordAt(1, this.id);
    return this.send();
  }

  /** Starts reading object `hash` (ours, or one granted to us; of `owner` if given): verified by the store; this.size, this.owner. */
  getBegin(hash: u8[], owner: u8[], byOwner: bool): u64 {
    const o: u64 = this.open();
    if (o != ST_OK) return o;
    this.start(LABEL_GET_BEGIN);
    msgSetBytes(AT_HASH, hash, 32);
    if (byOwner) {
      msgSetWordAt(1, 1n);
      msgSetBytes(AT_SECOND, owner, 32);
    }
    const s: u64 = this.send();
    if (s == ST_OK) {
      this.id = msgWordAt(1);
      this.size = msgWordAt(2);
      msgBytes(AT_ANSWER, this.owner);
      for (let i: u32 = 0; i < 32; i++) this.hash[i] = hash[i];
    }
    return s;
  }

  /** Object bytes [offset, offset + length) into the buffer's start. */
  getChunk(offset: u64, length: u32): u64 {
    this.start(LABEL_GET_DATA);
    msgSetWordAt(1, this.id);
    msgSetWordAt(2, offset);
    msgSetWordAt(3, u64(length));
    return this.send();
  }

  delete(hash: u8[]): u64 {
    this.start(LABEL_DELETE);
    msgSetBytes(AT_HASH, hash, 32);
    return this.send();
  }

  grant(hash: u8[], principal: u8[]): u64 {
    this.start(LABEL_GRANT);
    msgSetBytes(AT_HASH, hash, 32);
    msgSetBytes(AT_SECOND, principal, 32);
    return this.send();
  }

  /** A page of a listing (answer in the message buffer: protocol.ts LIST). */
  list(index: u64, principal: u8[], other: bool): u64 {
    this.start(LABEL_LIST);
    msgSetWordAt(1, index);
    if (other) {
      msgSetWordAt(2, 1n);
      msgSetBytes(AT_ANSWER, principal, 32);
    }
    return this.send();
  }

  /** Answer in the message buffer (protocol.ts STAT). */
  stat(hash: u8[]): u64 {
    this.start(LABEL_STAT);
    msgSetBytes(AT_HASH, hash, 32);
    return this.send();
  }

  /** Answer in the message buffer (protocol.ts USAGE). */
  usage(): u64 {
    return this.request(LABEL_USAGE);
  }

  /** Our public key (made on first use) into this.publicKey: ST_OK or ST_KEYS. */
  myKey(): u64 {
    msgStart(LABEL_KEYS_PUBLIC);
    msgZeroWords(1);
    msgSetWordAt(0, PUBLIC_MINE);
    if (errorOf(call(this.keys)) != 0n) return ST_IO;
    this.keyStatus = msgWordAt(0);
    if (this.keyStatus != KEYS_OK) return ST_KEYS;
    msgBytes(KEYS_ARG, this.publicKey);
    msgBytes(KEYS_PRINCIPAL, this.principal);
    return ST_OK;
  }

  /** The public key of another principal into this.publicKey: ST_OK or ST_KEYS (keyStatus says why). */
  keyOf(principal: u8[]): u64 {
    msgStart(LABEL_KEYS_PUBLIC);
    msgZeroWords(1);
    msgSetWordAt(0, PUBLIC_OF);
    msgSetBytes(KEYS_ARG, principal, 32);
    if (errorOf(call(this.keys)) != 0n) return ST_IO;
    this.keyStatus = msgWordAt(0);
    if (this.keyStatus != KEYS_OK) return ST_KEYS;
    msgBytes(KEYS_ARG, this.publicKey);
    return ST_OK;
  }

  /** this.signature = our signature of this.hash, this.publicKey the key. */
  sign(): u64 {
    msgStart(LABEL_KEYS_SIGN);
    msgZeroWords(1);
    msgSetBytes(KEYS_ARG, this.hash, 32);
    if (errorOf(call(this.keys)) != 0n) return ST_IO;
    this.keyStatus = msgWordAt(0);
    if (this.keyStatus != KEYS_OK) return ST_KEYS;
    msgBytes(KEYS_SIGNATURE, this.signature);
    msgBytes(KEYS_SIGNED_BY, this.publicKey);
    return ST_OK;
  }

  private start(label: u32): void {
    msgStart(label);
    msgZeroWords(1);
  }

  private request(label: u32): u64 {
    this.start(label);
    return this.send();
  }

  /** Calls the store: its status, or ST_IO if the call failed (the store died: its restart makes a new session). */
  private send(): u64 {
    if (errorOf(call(this.store)) != 0n) {
      this.bufferBytes = 0;
      return ST_IO;
    }
    return msgWordAt(0);
  }
}
