"use unsafe";
/**
 * storebench (storebench tier): the object store's figures for `cambi bench`.
 * Puts, then gets, of 4 KiB objects (200, in batches of 50 deleted in between:
 * the quota is 64 objects) and of 1 MiB objects (16), one at a time: each put
 * hashes the bytes, has the key store sign, streams them through the session
 * buffer and waits until they are durable (two flushes); each get is verified
 * (hash and signature) before its bytes come back. Under QEMU -icount shift=0
 * it prints, per operation, all time ("store_<op>") and the CPU's busy time
 * ("store_<op>_busy": minus what memInfo says the CPU spent halted, i.e. guest
 * instructions). Then "bench: store done".
 *
 * Capabilities: [0] endpoint "store" (send), [1] endpoint "keys" (send),
 * [2] system (receive: memInfo).
 */
import { u8, u32, u64, usize, bool, array, print } from "kts";
import { store64 } from "kts/unsafe";
import { capAt, errorOf } from "../../lib/ipc/message";
import { readMemInfo, memRecord } from "../../lib/inspect";
import { field64 } from "../../lib/records";
import { MEM_INFO_IDLE_NANOS } from "../../lib/sys/syscalls.generated";
import { now } from "../../lib/time";
import { StoreClient } from "../../lib/store/client";
import { ST_OK } from "../../lib/store/protocol";

const SESSION_VA: usize = 0x5_0000_0000n;
const BATCH = 50;

const store = new StoreClient();
const hashes: u8[] = array(1600, 0); // BATCH * 32
const one: u8[] = array(32, 0);
/** Per measured operation: total time and busy time, summed over batches. */
let total: u64 = 0n;
let busy: u64 = 0n;

export function main(): u32 {
  store.init(capAt(0n), capAt(1n), SESSION_VA);
  if (store.open() != ST_OK || store.myKey() != ST_OK) {
    print("storebench: no store session");
    return 1;
  }
  let ok: bool = true;
  // 4 KiB: four batches of 50.
  let putTotal: u64 = 0n;
  let putBusy: u64 = 0n;
  let getTotal: u64 = 0n;
  let getBusy: u64 = 0n;
  for (let b: u32 = 0; b < 4 && ok; b = u32(b + 1)) {
    ok = batch(u32(b * 1000), BATCH, 4096, true);
    putTotal = u64(putTotal + total);
    putBusy = u64(putBusy + busy);
    ok = ok && batch(u32(b * 1000), BATCH, 4096, false);
    getTotal = u64(getTotal + total);
    getBusy = u64(getBusy + busy);
    ok = ok && clean(BATCH);
  }
  if (ok) print(`bench: store_put_4k ${u64(putTotal / 200n)}\nbench: store_put_4k_busy ${u64(putBusy / 200n)}\nbench: store_get_4k ${u64(getTotal / 200n)}\nbench: store_get_4k_busy ${u64(getBusy / 200n)}`);
  // 1 MiB: 16.
  ok = ok && batch(9000, 16, 1048576, true);
  if (ok) print(`bench: store_put_1m ${u64(total / 16n)}\nbench: store_put_1m_busy ${u64(busy / 16n)}`);
  ok = ok && batch(9000, 16, 1048576, false);
  if (ok) print(`bench: store_get_1m ${u64(total / 16n)}\nbench: store_get_1m_busy ${u64(busy / 16n)}`);
  ok = ok && clean(16);
  if (ok) print("bench: store done");
  else print("storebench: an operation failed");
  return ok ? 0 : 1;
}

/** n puts (or gets) of objects `first`.. of `bytes` each; total and busy time in the globals. */
function batch(first: u32, n: u32, bytes: u32, put: bool): bool {
  const idle0: u64 = idleNanos();
  const start: u64 = now();
  for (let i: u32 = 0; i < n; i++) {
    if (put) {
      // The object's bytes: its number in every word (distinct objects, distinct addresses).
      for (let k: u32 = 0; k < bytes; k = u32(k + 8)) store64(usize(store.buffer() + u64(k)), u64(u64(first + i) * 0x9e37_79b9n + u64(k)));
      if (store.put(bytes) != ST_OK) return false;
      for (let k: u32 = 0; k < 32; k++) hashes[u32(i * 32 + k)] = store.hash[k];
    } else {
      for (let k: u32 = 0; k < 32; k++) one[k] = hashes[u32(i * 32 + k)];
      if (store.getBegin(one, store.owner, false) != ST_OK || store.getChunk(0n, bytes) != ST_OK) return false;
    }
  }
  total = u64(now() - start);
  const halted: u64 = u64(idleNanos() - idle0);
  busy = halted < total ? u64(total - halted) : 0n;
  return true;
}

function clean(n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    for (let k: u32 = 0; k < 32; k++) one[k] = hashes[u32(i * 32 + k)];
    if (store.delete(one) != ST_OK) return false;
  }
  return true;
}

function idleNanos(): u64 {
  if (errorOf(readMemInfo(capAt(2n))) != 0n) return 0n;
  return field64(memRecord, MEM_INFO_IDLE_NANOS);
}
