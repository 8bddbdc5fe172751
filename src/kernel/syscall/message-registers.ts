"use unsafe";
/**
 * Short messages in registers (issue #14; docs/ipc.md): call, receive and
 * replyRecv take a tag in argument 2. REGS_SEND: the message to send is in the
 * registers, not in the buffer: label and len in the tag (len at most
 * SHORT_BYTES, no capabilities, no flags), payload words 0..2 in arguments 3..5.
 * REGS_RECEIVE: a short message received (no capabilities, len at most
 * SHORT_BYTES) may come back in the 11 message registers (result 1) instead of
 * the buffer (result 0); the user stub then stores them into the buffer itself.
 *
 * Message registers: m0 label | len << 32, m1 capCount | flags << 32, m2 sender
 * | endpoint << 32, m3 replyToken, m4..m7 the principal's words, m8..m10 payload
 * words 0..2 (bytes past len zero): the buffer's first 104 bytes as words, less
 * the handles (64..80, all zero).
 */
import { u32, u64, usize, bool } from "kts";
import { load32, load64, store64 } from "kts/unsafe";
import { frameArg, frameSetMessageRegister } from "arch";
import { ipc, Message, payloadWords } from "../ipc/index";
import { stampHeader, lowBytes } from "./message-copy";

export const REGS_SEND: u64 = 0x8000_0000_0000_0000n;
export const REGS_RECEIVE: u64 = 0x4000_0000_0000_0000n;
/** The most payload bytes a message in registers carries. */
export const SHORT_BYTES: u32 = 24;
/** Tag bits that must be zero: between len (bits 32..39) and the flags. */
const TAG_RESERVED: u64 = 0x3fff_ff00_0000_0000n;

/** The call's tag (argument 2). */
export function tagOf(frame: usize): u64 {
  return frameArg(frame, 2);
}

export function sendsInRegisters(tag: u64): bool {
  return (tag & REGS_SEND) != 0n;
}

export function receivesInRegisters(tag: u64): bool {
  return (tag & REGS_RECEIVE) != 0n;
}

/** A REGS_SEND tag is well formed: no reserved bit, len at most SHORT_BYTES. */
export function tagValid(tag: u64): bool {
  return (tag & TAG_RESERVED) == 0n && tagLength(tag) <= SHORT_BYTES;
}

/** A tag's label (bits 0..31). */
export function tagLabel(tag: u64): u32 {
  return u32(tag & 0xffff_ffffn);
}

/** A tag's payload length (bits 32..39). */
function tagLength(tag: u64): u32 {
  return u32(u32(tag >> 32n) & 0xff);
}

/** Whether the message at kernel address m (messageInPage, messageDirectOk) fits the message registers. */
export function shortAt(m: usize): bool {
  // SAFETY: a whole message in one mapped user page (messageInPage).
  return load32(usize(m + 4n)) <= SHORT_BYTES;
}

/** Payload word i (0..2) of a register message with len bytes, bytes past len zero. */
function wordMasked(v: u64, i: u32, len: u32): u64 {
  const start: u32 = u32(i * 8);
  if (len <= start) return 0n;
  if (len >= u32(start + 8)) return v;
  return lowBytes(v, u32(len - start));
}

/** The sender's part of a REGS_SEND message (tagValid) into msg, as messageFromUser reads one from memory. */
export function messageFromRegisters(frame: usize, tag: u64, msg: Message): void {
  const oldWords: u32 = payloadWords(msg.len);
  const len: u32 = tagLength(tag);
  msg.label = tagLabel(tag);
  msg.len = len;
  msg.capCount = 0;
  msg.flags = 0;
  msg.sender = 0;
  msg.endpoint = 0;
  msg.replyToken = 0n;
  for (let i: u32 = 0; i < 4; i++) msg.caps[i] = 0;
  msg.payload[0] = wordMasked(frameArg(frame, 3), 0, len);
  msg.payload[1] = wordMasked(frameArg(frame, 4), 1, len);
  msg.payload[2] = wordMasked(frameArg(frame, 5), 2, len);
  for (let i: u32 = 3; i < oldWords; i++) msg.payload[i] = 0n;
}

/** Whether msg can be delivered in registers: no capabilities, len at most SHORT_BYTES. */
export function fitsRegisters(msg: Message): bool {
  return msg.capCount == 0 && msg.len <= SHORT_BYTES;
}

/** A message that fitsRegisters into the frame's message registers. */
export function messageToRegisters(frame: usize, msg: Message): void {
  frameSetMessageRegister(frame, 0, u64(u64(msg.label) | u64(u64(msg.len) << 32n)));
  frameSetMessageRegister(frame, 1, u64(u64(msg.flags) << 32n));
  frameSetMessageRegister(frame, 2, u64(u64(msg.sender) | u64(u64(msg.endpoint) << 32n)));
  frameSetMessageRegister(frame, 3, msg.replyToken);
  frameSetMessageRegister(frame, 4, msg.principal[0]);
  frameSetMessageRegister(frame, 5, msg.principal[1]);
  frameSetMessageRegister(frame, 6, msg.principal[2]);
  frameSetMessageRegister(frame, 7, msg.principal[3]);
  frameSetMessageRegister(frame, 8, msg.payload[0]);
  frameSetMessageRegister(frame, 9, msg.payload[1]);
  frameSetMessageRegister(frame, 10, msg.payload[2]);
}

/**
 * The fast path's copy when the receiver takes registers: the sender's message,
 * in its registers (`fromFrame`, REGS_SEND tag) or at kernel address `fromKva`
 * (messageInPage, messageDirectOk, len at most SHORT_BYTES), stamped with the
 * kernel's fields (sender, endpoint, replyToken, kernelFlags: as `stamp.ts`
 * says), into the message registers of the receiver's frame `to`.
 * @inline (the fast path's, once per direction, from two callers: the fields come in registers)
 */
export function stampIntoRegisters(fromFrame: usize, tag: u64, fromKva: usize, to: usize, sender: u32, endpoint: u32, replyToken: u64, kernelFlags: u32): void {
  const principal = ipc.state.tasks[sender].principalWords;
  const inRegs: bool = fromKva == 0n;
  // SAFETY (memory source): a whole message in one mapped user page (messageInPage); len read once.
  const said: u32 = inRegs ? tagLength(tag) : load32(usize(fromKva + 4n));
  // Checked short before; clamped in case a shared page changed since.
  const len: u32 = said <= SHORT_BYTES ? said : SHORT_BYTES;
  const label: u32 = inRegs ? tagLabel(tag) : load32(fromKva);
  const flags: u32 = inRegs ? kernelFlags : u32((load32(usize(fromKva + 12n)) & 0xffff) | kernelFlags);
  frameSetMessageRegister(to, 0, u64(u64(label) | u64(u64(len) << 32n)));
  frameSetMessageRegister(to, 1, u64(u64(flags) << 32n));
  frameSetMessageRegister(to, 2, u64(u64(sender) | u64(u64(endpoint) << 32n)));
  frameSetMessageRegister(to, 3, replyToken);
  frameSetMessageRegister(to, 4, principal[0]);
  frameSetMessageRegister(to, 5, principal[1]);
  frameSetMessageRegister(to, 6, principal[2]);
  frameSetMessageRegister(to, 7, principal[3]);
  // Unrolled: constant register numbers let the arch's accessors fold to one store each.
  if (inRegs) {
    frameSetMessageRegister(to, 8, wordMasked(frameArg(fromFrame, 3), 0, len));
    frameSetMessageRegister(to, 9, wordMasked(frameArg(fromFrame, 4), 1, len));
    frameSetMessageRegister(to, 10, wordMasked(frameArg(fromFrame, 5), 2, len));
  } else {
    frameSetMessageRegister(to, 8, wordMasked(load64(usize(fromKva + 80n)), 0, len));
    frameSetMessageRegister(to, 9, wordMasked(load64(usize(fromKva + 88n)), 1, len));
    frameSetMessageRegister(to, 10, wordMasked(load64(usize(fromKva + 96n)), 2, len));
  }
}

/**
 * The fast path's copy from a REGS_SEND sender to a receiver that takes its
 * message in memory: stamped into the receiver's buffer at kernel address `to`
 * (messageInPage, writable), as messageDirect writes one.
 */
export function registersIntoMemory(fromFrame: usize, tag: u64, to: usize): void {
  const len: u32 = tagLength(tag);
  stampHeader(to, u64(tag & 0xff_ffff_ffffn), 0);
  // SAFETY: to is a whole writable message in one mapped user page (messageInPage).
  if (len > 0) store64(usize(to + 80n), wordMasked(frameArg(fromFrame, 3), 0, len));
  if (len > 8) store64(usize(to + 88n), wordMasked(frameArg(fromFrame, 4), 1, len));
  if (len > 16) store64(usize(to + 96n), wordMasked(frameArg(fromFrame, 5), 2, len));
}
