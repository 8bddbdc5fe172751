"use unsafe";
/**
 * The shell's object-store commands (the store and key store services):
 *   id                      this shell's principal and public key
 *   put <text>              stores the text as an object: prints its address
 *   cat <address>           prints an object (verified by the store first)
 *   ls [principal]          our objects, or another principal's granted to us
 *   rm <address>            deletes one of ours
 *   grant <address> <principal>   lets a principal read one of ours
 *   df                      space, our usage and quota, refusals
 * Addresses and principals are 64 hex digits.
 */
import { u8, u32, u64, usize, bool, array, print, text, slice } from "kts";
import { load8, store8 } from "kts/unsafe";
import { msgWordAt, msgBytes } from "../../lib/ipc/message";
import { Line } from "../../lib/format";
import { StoreClient, ST_KEYS } from "../../lib/store/client";
import { STATUS_NAMES, ST_OK, ST_DAMAGED, AT_ANSWER, AT_ANSWER_SECOND, LIST_ENTRY_BYTES, LIST_MAX } from "../../lib/store/protocol";
import { Words, parseHexBytes } from "./words";
import { Command, COMMAND_NAMES } from "./vocabulary";

/** Where the store's session buffer is mapped in the shell. */
const SESSION_VA: usize = 0x5_0000_0000n;
/** cat prints at most this much of an object. */
const CAT_MAX: u32 = 4096;

export const objects = new StoreClient();
const row = new Line();
const why = new Line();
const address: u8[] = array(32, 0);
const principal: u8[] = array(32, 0);
const chunk: u8[] = array(256, 0);

export function objectsInit(store: u64, keys: u64): void {
  objects.init(store, keys, SESSION_VA);
}

/** "<command>: <why>" for a status that is not ST_OK. */
function failed(command: Command, s: u64): void {
  row.clear();
  row.name(COMMAND_NAMES, u32(command));
  if (s == ST_KEYS) print(`${text(row.bytes, row.length)}: the key store refused (status ${objects.keyStatus})`);
  else {
    why.clear();
    why.name(STATUS_NAMES, u32(s));
    print(`${text(row.bytes, row.length)}: ${text(why.bytes, why.length)}`);
  }
}

function hexLine(src: u8[], n: u32): void {
  row.clear();
  row.hexBytes(src, n);
}

export function id(): void {
  const s: u64 = objects.myKey();
  if (s != ST_OK) return failed(Command.Id, s);
  hexLine(objects.principal, 32);
  print(`id: principal ${text(row.bytes, row.length)}`);
  hexLine(objects.publicKey, 32);
  print(`id: key ${text(row.bytes, row.length)}`);
}

export function put(line: u8[], length: u32, words: Words): void {
  if (words.count < 2) {
    print("put: usage: put <text>");
    return;
  }
  const o: u64 = objects.open();
  if (o != ST_OK) return failed(Command.Put, o);
  const from: u32 = words.start[1];
  const n: u32 = u32(length - from);
  // SAFETY: the session buffer is mapped and holds at least a page.
  for (let i: u32 = 0; i < n; i++) store8(usize(objects.buffer() + u64(i)), line[u32(from + i)]);
  const s: u64 = objects.put(n);
  if (s != ST_OK) return failed(Command.Put, s);
  hexLine(objects.hash, 32);
  print(`put: ${text(row.bytes, row.length)} (${n} bytes)`);
}

export function cat(line: u8[], words: Words): void {
  if (words.count < 2 || !parseHexBytes(line, words.start[1], words.length[1], address)) {
    print("cat: usage: cat <address (64 hex digits)>");
    return;
  }
  const s: u64 = objects.getBegin(address, principal, false);
  if (s == ST_DAMAGED) {
    print("cat: the object is damaged (its bytes do not match its hash and signature): not shown");
    return;
  }
  if (s != ST_OK) return failed(Command.Cat, s);
  const size: u64 = objects.size;
  const n: u32 = size < u64(CAT_MAX) ? u32(size) : CAT_MAX;
  const g: u64 = objects.getChunk(0n, n);
  if (g != ST_OK) return failed(Command.Cat, g);
  // Printed in pieces; bytes that are not printable text show as '?'.
  for (let at: u32 = 0; at < n; at = u32(at + 200)) {
    const k: u32 = u32(n - at) < 200 ? u32(n - at) : 200;
    for (let i: u32 = 0; i < k; i++) {
      const c: u8 = load8(usize(objects.buffer() + u64(at + i)));
      chunk[i] = (c >= 0x20 && c < 0x7f) || c == 0x0a ? c : 0x3f;
    }
    print(`${text(chunk, k)}`);
  }
  if (size > u64(n)) print(`cat: (${u64(size - u64(n))} more bytes not shown)`);
}

export function ls(line: u8[], words: Words): void {
  let other: bool = false;
  if (words.count >= 2) {
    if (!parseHexBytes(line, words.start[1], words.length[1], principal)) {
      print("ls: usage: ls [principal (64 hex digits)]");
      return;
    }
    other = true;
  }
  let index: u64 = 0n;
  let total: u64 = 0n;
  for (;;) {
    const s: u64 = objects.list(index, principal, other);
    if (s != ST_OK) return failed(Command.Ls, s);
    const next: u64 = msgWordAt(2);
    const n: u32 = msgWordAt(1) < u64(LIST_MAX) ? u32(msgWordAt(1)) : LIST_MAX;
    for (let i: u32 = 0; i < n; i++) {
      const at: u32 = u32(AT_ANSWER + i * LIST_ENTRY_BYTES);
      msgBytes(at, address);
      const size: u64 = msgWordAt(u32(u32(at / 8) + 4));
      hexLine(address, 32);
      print(`${text(row.bytes, row.length)} ${size}`);
      total = u64(total + 1n);
    }
    if (next == 0n) break;
    index = next;
  }
  print(`ls: ${total} objects`);
}

export function rm(line: u8[], words: Words): void {
  if (words.count < 2 || !parseHexBytes(line, words.start[1], words.length[1], address)) {
    print("rm: usage: rm <address>");
    return;
  }
  const s: u64 = objects.delete(address);
  if (s != ST_OK) return failed(Command.Rm, s);
  print("rm: deleted");
}

export function grant(line: u8[], words: Words): void {
  if (words.count < 3 || !parseHexBytes(line, words.start[1], words.length[1], address) || !parseHexBytes(line, words.start[2], words.length[2], principal)) {
    print("grant: usage: grant <address> <principal>");
    return;
  }
  const s: u64 = objects.grant(address, principal);
  if (s != ST_OK) return failed(Command.Grant, s);
  print("grant: granted");
}

export function df(): void {
  const s: u64 = objects.usage();
  if (s != ST_OK) return failed(Command.Df, s);
  const mib: u64 = 1048576n;
  print(`df: ${u64(msgWordAt(1) / mib)} MiB, ${u64(msgWordAt(2) / mib)} MiB free, ${msgWordAt(3)} objects; mine: ${msgWordAt(4)} bytes in ${msgWordAt(5)} objects (quota ${u64(msgWordAt(6) / mib)} MiB); ${msgWordAt(7)} refusals, ${msgWordAt(8)} damaged records`);
}

