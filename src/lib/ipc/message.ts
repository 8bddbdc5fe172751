"use unsafe";
/**
 * The user library's view of an IPC message (layout in docs/ipc.md, 336 bytes):
 * one static buffer per program, with accessors for the fields a program sets
 * and reads, and the calls that pass it to the kernel.
 */
import { u8, u32, u64, usize, array } from "kts";
import { addressOf } from "kts/unsafe";
import { sysSend, sysReceive, sysCall, sysReply, sysCapAt } from "../sys/syscalls.generated";

export const MESSAGE_BYTES = 336;
const buf: u8[] = array(MESSAGE_BYTES, 0);

function get32(o: u32): u32 {
  return u32(u32(buf[o]) | (u32(buf[u32(o + 1)]) << 8) | (u32(buf[u32(o + 2)]) << 16) | (u32(buf[u32(o + 3)]) << 24));
}

function set32(o: u32, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) buf[u32(o + i)] = u8(v >>> (8 * i));
}

export function msgClear(): void {
  for (let i: u32 = 0; i < MESSAGE_BYTES; i++) buf[i] = 0;
}

export function msgLabel(): u32 {
  return get32(0);
}

export function msgSetLabel(v: u32): void {
  set32(0, v);
}

export function msgSender(): u32 {
  return get32(16);
}

/** Byte i of the sender's principal (stamped by the kernel). */
export function msgPrincipalByte(i: u32): u8 {
  return buf[u32(32 + i)];
}

/** Payload word 0 (bytes 80..88), the programs' usual argument. */
export function msgWord(): u64 {
  return u64(u64(get32(80)) | u64(u64(get32(84)) << 32n));
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
  return sysReceive(cap, address());
}

export function call(cap: u64): u64 {
  return sysCall(cap, address());
}

export function reply(): u64 {
  return sysReply(address());
}

/** The handle of the i-th capability this task holds (its start-up grants, in order). */
export function capAt(i: u64): u64 {
  return sysCapAt(i);
}

/** A negative system-call result (as i64) is -error. */
export function errorOf(r: u64): u64 {
  return r >= 0xffff_ffff_ffff_0000n ? u64(0n - r) : 0n;
}
