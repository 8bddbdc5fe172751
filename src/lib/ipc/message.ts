"use unsafe";
/**
 * The user library's view of an IPC message (layout in docs/ipc.md, 336 bytes):
 * one static buffer per program, with accessors for the fields a program sets
 * and reads, and the calls that pass it to the kernel.
 */
import { u8, u32, u64, usize, bool, array } from "kts";
import { addressOf } from "kts/unsafe";
import { sysSend, sysReply, sysCapAt } from "../sys/syscalls.generated";

export const MESSAGE_BYTES = 336;
/** Payload bytes a message carries at most, from offset 80. */
export const PAYLOAD_BYTES = 256;
const PAYLOAD = 80;
/** Kernel flag: the message is a call, to be answered with reply(). */
export const FLAG_CALL: u32 = 0x10000;
const buf: u8[] = array(MESSAGE_BYTES, 0);

/**
 * call, receive and replyRecv through the stub in src/lib/user/<arch>.S: a
 * short message (no capabilities, no flags, at most 24 payload bytes) goes in
 * registers, and a short one received comes back in registers, which the stub
 * stores into the buffer (docs/ipc.md, "Short messages in registers").
 */
declare function kts_ipc(n: u64, cap: u64, msg: usize): u64;
const SYS_RECEIVE: u64 = 11n;
const SYS_CALL: u64 = 12n;
const SYS_REPLY_RECV: u64 = 14n;

function get32(o: u32): u32 {
  return u32(u32(buf[o]) | (u32(buf[u32(o + 1)]) << 8) | (u32(buf[u32(o + 2)]) << 16) | (u32(buf[u32(o + 3)]) << 24));
}

function set32(o: u32, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) buf[u32(o + i)] = u8(v >>> (8 * i));
}

export function msgClear(): void {
  for (let i: u32 = 0; i < MESSAGE_BYTES; i++) buf[i] = 0;
}

/**
 * Starts a new message in the buffer (which may still hold the last one
 * received): label set, no payload, no capabilities, no flags. Cheaper than
 * msgClear() for a call in a loop.
 */
export function msgStart(label: u32): void {
  set32(0, label);
  set32(4, 0);
  set32(8, 0);
  set32(12, 0);
}

export function msgLabel(): u32 {
  return get32(0);
}

export function msgSetLabel(v: u32): void {
  set32(0, v);
}

/** Carries capability handles in the message (at most 4; each needs GRANT, and moves to the receiver). */
export function msgSetCaps(count: u32, first: u64, second: u64): void {
  set32(8, count);
  set32(64, u32(first & 0xffff_ffffn));
  set32(68, u32(second & 0xffff_ffffn));
}

/** Capabilities the received message carried. */
export function msgCapCount(): u32 {
  return get32(8);
}

/** The receiver's handle for carried capability i (0 if it did not arrive). */
export function msgCap(i: u32): u64 {
  return u64(get32(u32(64 + (i & 3) * 4)));
}

export function msgSender(): u32 {
  return get32(16);
}

/** Byte i of the sender's principal (stamped by the kernel). */
export function msgPrincipalByte(i: u32): u8 {
  return buf[u32(32 + i)];
}

/** The sender's principal (32 bytes, stamped by the kernel) into out[0..32). */
export function msgPrincipal(out: u8[]): void {
  const n: u32 = out.length < 32 ? out.length : 32;
  for (let i: u32 = 0; i < n; i++) out[i] = buf[u32(32 + i)];
}

/** Sets payload bytes [at, at + n) to src[0 .. n) (as far as both reach); the payload length grows to cover them (bytes it gains are zero). */
export function msgSetBytes(at: u32, src: u8[], n: u32): void {
  let k: u32 = 0;
  while (k < n && k < src.length && u32(at + k) < PAYLOAD_BYTES) k = u32(k + 1);
  growTo(u32(at + k));
  for (let i: u32 = 0; i < k; i++) buf[u32(PAYLOAD + at + i)] = src[i];
}

/** Copies payload bytes [at, at + out.length) into out (zero past the payload's end or its length): a peer cannot make us read what it did not send. */
export function msgBytes(at: u32, out: u8[]): void {
  const len: u32 = msgLength();
  for (let k: u32 = 0; k < out.length; k++) {
    const o: u32 = u32(at + k);
    out[k] = o < len && o < PAYLOAD_BYTES ? buf[u32(PAYLOAD + o)] : 0;
  }
}

/** Payload word 0 (bytes 80..88), the programs' usual argument. */
export function msgWord(): u64 {
  return msgWordAt(0);
}

/** Payload word i (0..31). */
export function msgWordAt(i: u32): u64 {
  const o: u32 = u32(PAYLOAD + 8 * (i & 31));
  return u64(u64(get32(o)) | u64(u64(get32(u32(o + 4))) << 32n));
}

/** Payload length in bytes. */
export function msgLength(): u32 {
  return get32(4);
}

/** True if the message is a call: the receiver owes it a reply(). */
export function msgIsCall(): bool {
  return u32(get32(12) & FLAG_CALL) != 0;
}

/** Sets the payload to src[from .. from + count) (at most PAYLOAD_BYTES) and its length: the text of a LOG message. */
export function msgSetText(src: u8[], from: u32, count: u32): void {
  let n: u32 = 0;
  while (n < count && n < PAYLOAD_BYTES && u32(from + n) < src.length) {
    buf[u32(PAYLOAD + n)] = src[u32(from + n)];
    n = u32(n + 1);
  }
  set32(4, n);
}

/** Copies the payload (as far as its length says and out has room) into out; returns the bytes copied. */
export function msgCopyText(out: u8[]): u32 {
  let n: u32 = msgLength();
  if (n > PAYLOAD_BYTES) n = PAYLOAD_BYTES;
  if (n > out.length) n = out.length;
  for (let i: u32 = 0; i < n; i++) out[i] = buf[u32(PAYLOAD + i)];
  return n;
}

/** Zeroes payload words 0..n-1 (n at most 32) and makes them the payload: an answer whose every word is defined. */
export function msgZeroWords(n: u32): void {
  const count: u32 = n > 32 ? 32 : n;
  for (let i: u32 = 0; i < u32(count * 8); i++) buf[u32(PAYLOAD + i)] = 0;
  set32(4, u32(count * 8));
}

/** Sets payload word i (0..31); the payload length grows to cover it (bytes it gains are zero). */
export function msgSetWordAt(i: u32, v: u64): void {
  const o: u32 = u32(PAYLOAD + 8 * (i & 31));
  growTo(u32(8 * ((i & 31) + 1)));
  set32(o, u32(v));
  set32(u32(o + 4), u32(v >> 32n));
}

/** Makes the payload at least end bytes long; bytes it gains are zeroed (they may hold an earlier message's). */
function growTo(end: u32): void {
  const len: u32 = get32(4);
  if (len >= end) return;
  for (let k: u32 = len; k < end; k++) buf[u32(PAYLOAD + k)] = 0;
  set32(4, end);
}

export function msgSetWord(v: u64): void {
  set32(80, u32(v));
  set32(84, u32(v >> 32n));
  set32(4, 8); // len: one word
}

function address(): usize {
  return addressOf(buf);
}

export function send(cap: u64): u64 {
  return sysSend(cap, address());
}

export function receive(cap: u64): u64 {
  return kts_ipc(SYS_RECEIVE, cap, address());
}

export function call(cap: u64): u64 {
  return kts_ipc(SYS_CALL, cap, address());
}

export function reply(): u64 {
  return sysReply(address());
}

/** A server's loop step: reply to the last call received (if one is pending), then receive on cap (one system call). */
export function replyReceive(cap: u64): u64 {
  return kts_ipc(SYS_REPLY_RECV, cap, address());
}

/** The handle of the i-th capability this task holds (its start-up grants, in order). */
export function capAt(i: u64): u64 {
  return sysCapAt(i);
}

/** A negative system-call result (as i64) is -error. */
export function errorOf(r: u64): u64 {
  return r >= 0xffff_ffff_ffff_0000n ? u64(0n - r) : 0n;
}
