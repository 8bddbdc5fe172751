"use unsafe";
// Revocation during a copy (attack image, with revoker). Capability 0: receive
// on its endpoint K; 1: send on revoker's endpoint R. Twice it gets a 1-page
// region capability from revoker and maps it:
//  - writes 4 KiB of 'K' lines from the region, again and again, while revoker
//    revokes it: the console must never show other bytes (the kernel once read
//    physical page 0 through the emptied page-table entry);
//  - blocks in receive with its buffer in the region while revoker revokes it
//    and then sends: that receive must fail (BadAddress), and the message, with
//    its capability, must come with the next receive.
import { u32, u64, usize, print, hex } from "kts";
import { store8 } from "kts/unsafe";
import { sysMemMap, sysWrite, sysReceive } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, send, receive, msgStart, msgWord, msgLabel, msgCapCount, msgCap, errorOf } from "../../src/lib/ipc/message";

const WRITE_AT: usize = 0x5000_0000n;
const RECEIVE_AT: usize = 0x5100_0000n;

/** Asks revoker for a region capability (label 1), returns its handle. */
function askRegion(r: u64): u64 {
  msgStart(1);
  const e: u64 = errorOf(call(r));
  return e == 0n ? msgWord() : 0n;
}

export function main(): u32 {
  const k: u64 = capAt(0n);
  const r: u64 = capAt(1n);

  const first: u64 = askRegion(r);
  print(`keeper: map for writing, error ${errorOf(sysMemMap(first, WRITE_AT, 1n))}`);
  for (let i: u64 = 0n; i < 4096n; i = u64(i + 1n)) store8(usize(WRITE_AT + i), u64(i % 64n) == 63n ? 0x0a : 0x4b);
  msgStart(2);
  send(r);
  // Until the revoke ends one (on a busy machine revoker may take a while to run).
  let full: u32 = 0;
  let last: u64 = 4096n;
  for (let n: u32 = 0; n < 300; n++) {
    last = sysWrite(WRITE_AT, 4096n);
    if (last != 4096n) break;
    full = u32(full + 1);
  }
  const error: u64 = errorOf(last);
  print(`keeper: ${full} full writes, then one of ${error == 0n ? last : 0n} bytes, error ${error}`);

  const second: u64 = askRegion(r);
  print(`keeper: map for receiving, error ${errorOf(sysMemMap(second, RECEIVE_AT, 1n))}`);
  msgStart(3);
  send(r);
  const lost: u64 = errorOf(sysReceive(k, RECEIVE_AT));
  const again: u64 = errorOf(receive(k));
  print(`keeper: receive after the revoke error ${lost}; again error ${again}, label ${hex(u64(msgLabel()))}, word ${hex(msgWord())}, ${msgCapCount()} capability, handle nonzero ${msgCap(0) != 0n}`);
  return 0;
}
