"use unsafe";
/**
 * storecrash (crash tier): the workload of the crash tests
 * (test/harness/store-crash.ts). At start it takes an inventory of its
 * objects, each read through the store's verification:
 *   storecrash: have <address> <size> ok|damaged
 *   storecrash: inventory <n> objects, <d> damaged, <bytes> allocated, store <total> total <free> free
 * then puts and deletes objects of random sizes (1 byte to 3 MiB) forever,
 * saying what it starts and what the store acknowledged:
 *   storecrash: putting <address> <size>      storecrash: acked put <address>
 *   storecrash: deleting <address>            storecrash: acked delete <address>
 * The host cuts the disk's power at a random instant and checks the next
 * boot's inventory against the acknowledged operations.
 *
 * Capabilities: [0] endpoint "store" (send), [1] endpoint "keys" (send).
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { store64 } from "kts/unsafe";
import { sysTime } from "../../lib/sys/syscalls.generated";
import { capAt, msgWordAt, msgBytes } from "../../lib/ipc/message";
import { StoreClient } from "../../lib/store/client";
import { STATUS_NAMES, ST_OK, AT_ANSWER, LIST_ENTRY_BYTES, LIST_MAX } from "../../lib/store/protocol";
import { Line } from "../../lib/format";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";

const SESSION_VA: usize = 0x5_0000_0000n;
/** Objects it keeps at most (the store's quota is 64). */
const KEEP = 40;
const PAGE: u64 = 4096n;

const store = new StoreClient();
const line = new Line();
const why = new Line();
/** Its objects: addresses and sizes. */
const hashes: u8[] = array(2048, 0); // 64 * 32
const sizes: u64[] = array(64, 0n);
let count: u32 = 0;
const one: u8[] = array(32, 0);
let state: u64 = 0n;

export function main(): u32 {
  store.init(capAt(0n), capAt(1n), SESSION_VA);
  while (store.open() != ST_OK) sleepNanos(u64(100n * NANOS_PER_MILLI));
  inventory();
  state = u64(sysTime() | 1n);
  for (;;) {
    if (count > 0 && (count >= KEEP || random(10n) < 3n)) remove(u32(random(u64(count))));
    else put();
  }
}

/** xorshift64: the workload's choices (not secret). */
function random(below: u64): u64 {
  state = u64(state ^ u64(state << 13n));
  state = u64(state ^ u64(state >> 7n));
  state = u64(state ^ u64(state << 17n));
  return u64(state % below);
}

function addressLine(at: u32): void {
  line.clear();
  for (let i: u32 = 0; i < 32; i++) line.hexDigits(u64(hashes[u32(at * 32 + i)]), 2);
}

function inventory(): void {
  let index: u64 = 0n;
  count = 0;
  for (;;) {
    if (store.list(index, store.owner, false) != ST_OK) {
      print("storecrash: the store does not answer LIST");
      return;
    }
    const next: u64 = msgWordAt(2);
    const n: u32 = msgWordAt(1) < u64(LIST_MAX) ? u32(msgWordAt(1)) : LIST_MAX;
    for (let i: u32 = 0; i < n && count < 64; i = u32(i + 1)) {
      const at: u32 = u32(AT_ANSWER + i * LIST_ENTRY_BYTES);
      msgBytes(at, one);
      for (let k: u32 = 0; k < 32; k++) hashes[u32(count * 32 + k)] = one[k];
      sizes[count] = msgWordAt(u32(u32(at / 8) + 4));
      count = u32(count + 1);
    }
    if (next == 0n) break;
    index = next;
  }
  let damaged: u32 = 0;
  let allocated: u64 = 0n;
  for (let i: u32 = 0; i < count; i++) {
    for (let k: u32 = 0; k < 32; k++) one[k] = hashes[u32(i * 32 + k)];
    const s: u64 = store.getBegin(one, store.owner, false);
    addressLine(i);
    if (s != ST_OK) damaged = u32(damaged + 1);
    if (s == ST_OK) print(`storecrash: have ${text(line.bytes, line.length)} ${sizes[i]} ok`);
    else print(`storecrash: have ${text(line.bytes, line.length)} ${sizes[i]} damaged`);
    allocated = u64(allocated + u64(u64(u64(sizes[i] + PAGE) - 1n) / PAGE) * PAGE);
  }
  store.usage();
  print(`storecrash: inventory ${count} objects, ${damaged} damaged, ${allocated} allocated, store ${msgWordAt(1)} total ${msgWordAt(2)} free`);
}

/** Object bytes [offset, offset + n) from its seed into the buffer (n a multiple of 8, or the tail). */
function generate(seed: u64, offset: u64, n: u32): void {
  for (let k: u32 = 0; k < n; k = u32(k + 8)) store64(usize(store.buffer() + u64(k)), u64(u64(u64(offset + u64(k)) * 0x9e37_79b9_7f4a_7c15n) ^ seed));
}

function put(): void {
  const r: u64 = random(100n);
  let size: u64 = u64(random(16384n) + 1n);
  if (r >= 95n) size = u64(random(3n * 1048576n) + 1n);
  else if (r >= 70n) size = u64(random(262144n) + 1n);
  const seed: u64 = random(0xffff_ffff_ffffn);
  const chunk: u64 = u64(store.bufferBytes);
  store.hasher.initDefault();
  for (let off: u64 = 0n; off < size; off = u64(off + chunk)) {
    const n: u32 = u32(u64(size - off) < chunk ? u64(size - off) : chunk);
    generate(seed, off, u32(u32(n + 7) & 0xffff_fff8));
    store.hashRaw(store.buffer(), n);
  }
  store.hasher.finalize(store.hash);
  for (let k: u32 = 0; k < 32; k++) hashes[u32(count * 32 + k)] = store.hash[k];
  addressLine(count);
  print(`storecrash: putting ${text(line.bytes, line.length)} ${size}`);
  let s: u64 = store.putBegin(size);
  for (let off: u64 = 0n; off < size && s == ST_OK; off = u64(off + chunk)) {
    const n: u32 = u32(u64(size - off) < chunk ? u64(size - off) : chunk);
    generate(seed, off, u32(u32(n + 7) & 0xffff_fff8));
    s = store.putChunk(off, n);
  }
  if (s == ST_OK) s = store.putCommit();
  if (s != ST_OK) {
    store.putAbort();
    why.clear();
    why.name(STATUS_NAMES, u32(s));
    print(`storecrash: put refused (${text(why.bytes, why.length)})`);
    if (count > 0) remove(0);
    return;
  }
  print(`storecrash: acked put ${text(line.bytes, line.length)}`);
  sizes[count] = size;
  count = u32(count + 1);
}

function remove(i: u32): void {
  for (let k: u32 = 0; k < 32; k++) one[k] = hashes[u32(i * 32 + k)];
  addressLine(i);
  print(`storecrash: deleting ${text(line.bytes, line.length)}`);
  const s: u64 = store.delete(one);
  if (s != ST_OK) {
    why.clear();
    why.name(STATUS_NAMES, u32(s));
    print(`storecrash: delete refused (${text(why.bytes, why.length)})`);
    return;
  }
  print(`storecrash: acked delete ${text(line.bytes, line.length)}`);
  const last: u32 = u32(count - 1);
  for (let k: u32 = 0; k < 32; k++) hashes[u32(i * 32 + k)] = hashes[u32(last * 32 + k)];
  sizes[i] = sizes[last];
  count = last;
}
