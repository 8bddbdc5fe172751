/**
 * Messages between user memory and the kernel's Message (layout in docs/ipc.md,
 * 336 bytes, the same in both directions), staged through one kernel buffer and
 * copied a page at a time. From user space only the sender's part is taken
 * (label, len, capCount, user flags, handles, payload); the kernel stamps the
 * rest. Every range is validated before the first byte is read. Callers hold the
 * scheduler lock (the stage is shared).
 */
import { u8, u32, u64, usize, bool, array } from "kts";
import { AddressSpace } from "../mem/paging";
import { Message, MESSAGE_BYTES, USER_FLAGS } from "../ipc/index";
import { userRangeOk, userRead, userWrite } from "../task/usermem";

const stage: u8[] = array(MESSAGE_BYTES, 0);

function get32(o: u32): u32 {
  return u32(u32(stage[o]) | (u32(stage[u32(o + 1)]) << 8) | (u32(stage[u32(o + 2)]) << 16) | (u32(stage[u32(o + 3)]) << 24));
}

function get64(o: u32): u64 {
  return u64(u64(get32(o)) | u64(u64(get32(u32(o + 4))) << 32n));
}

function put32(o: u32, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) stage[u32(o + i)] = u8(v >>> (8 * i));
}

function put64(o: u32, v: u64): void {
  put32(o, u32(v));
  put32(u32(o + 4), u32(v >> 32n));
}

/** Reads the sender's part of a message at user address va; false if the range is bad. */
export function messageFromUser(space: AddressSpace, va: usize, msg: Message): bool {
  if (!userRead(space, va, stage)) return false;
  msg.clear();
  msg.label = get32(0);
  msg.len = get32(4);
  msg.capCount = get32(8);
  msg.flags = get32(12) & USER_FLAGS;
  for (let i: u32 = 0; i < 4; i++) msg.caps[i] = get32(u32(64 + i * 4));
  for (let i: u32 = 0; i < 32; i++) msg.payload[i] = get64(u32(80 + i * 8));
  return true;
}

/** Writes a whole message to user address va; false if the range is not writable user memory. */
export function messageToUser(space: AddressSpace, va: usize, msg: Message): bool {
  put32(0, msg.label);
  put32(4, msg.len);
  put32(8, msg.capCount);
  put32(12, msg.flags);
  put32(16, msg.sender);
  put32(20, msg.endpoint);
  put64(24, msg.replyToken);
  for (let i: u32 = 0; i < 32; i++) stage[u32(32 + i)] = msg.principal[i];
  for (let i: u32 = 0; i < 4; i++) put32(u32(64 + i * 4), msg.caps[i]);
  for (let i: u32 = 0; i < 32; i++) put64(u32(80 + i * 8), msg.payload[i]);
  return userWrite(space, va, stage);
}

/** True if a whole message fits at va as writable user memory (checked before blocking). */
export function messageWritable(space: AddressSpace, va: usize): bool {
  return userRangeOk(space, va, u64(MESSAGE_BYTES), true);
}
