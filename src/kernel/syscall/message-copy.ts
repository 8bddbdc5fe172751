/**
 * Messages between user memory and the kernel's Message (layout in docs/ipc.md,
 * 336 bytes, the same in both directions). From user space only the sender's
 * part is taken (label, len, capCount, user flags, handles, payload); the kernel
 * stamps the rest. Every range is validated before the first byte is read.
 */
import { u8, u32, u64, usize, bool } from "kts";
import { AddressSpace } from "../mem/paging";
import { Message, MESSAGE_BYTES, USER_FLAGS } from "../ipc/index";
import { userRangeOk, userLoad8, userStore8 } from "../task/usermem";

function load32(space: AddressSpace, va: usize): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) v = u32(v | (u32(userLoad8(space, usize(va + u64(i)))) << (8 * i)));
  return v;
}

function load64(space: AddressSpace, va: usize): u64 {
  return u64(u64(load32(space, va)) | u64(u64(load32(space, usize(va + 4n))) << 32n));
}

function store32(space: AddressSpace, va: usize, v: u32): void {
  for (let i: u32 = 0; i < 4; i++) userStore8(space, usize(va + u64(i)), u8(v >>> (8 * i)));
}

function store64(space: AddressSpace, va: usize, v: u64): void {
  store32(space, va, u32(v));
  store32(space, usize(va + 4n), u32(v >> 32n));
}

/** Reads the sender's part of a message at user address va; false if the range is bad. */
export function messageFromUser(space: AddressSpace, va: usize, msg: Message): bool {
  if (!userRangeOk(space, va, u64(MESSAGE_BYTES), false)) return false;
  msg.clear();
  msg.label = load32(space, va);
  msg.len = load32(space, usize(va + 4n));
  msg.capCount = load32(space, usize(va + 8n));
  msg.flags = load32(space, usize(va + 12n)) & USER_FLAGS;
  for (let i: u32 = 0; i < 4; i++) msg.caps[i] = load32(space, usize(va + 64n + u64(i) * 4n));
  for (let i: u32 = 0; i < 32; i++) msg.payload[i] = load64(space, usize(va + 80n + u64(i) * 8n));
  return true;
}

/** Writes a whole message to user address va; false if the range is not writable user memory. */
export function messageToUser(space: AddressSpace, va: usize, msg: Message): bool {
  if (!userRangeOk(space, va, u64(MESSAGE_BYTES), true)) return false;
  store32(space, va, msg.label);
  store32(space, usize(va + 4n), msg.len);
  store32(space, usize(va + 8n), msg.capCount);
  store32(space, usize(va + 12n), msg.flags);
  store32(space, usize(va + 16n), msg.sender);
  store32(space, usize(va + 20n), msg.endpoint);
  store64(space, usize(va + 24n), msg.replyToken);
  for (let i: u32 = 0; i < 32; i++) userStore8(space, usize(va + 32n + u64(i)), msg.principal[i]);
  for (let i: u32 = 0; i < 4; i++) store32(space, usize(va + 64n + u64(i) * 4n), msg.caps[i]);
  for (let i: u32 = 0; i < 32; i++) store64(space, usize(va + 80n + u64(i) * 8n), msg.payload[i]);
  return true;
}
