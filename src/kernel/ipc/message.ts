/**
 * The IPC message: one fixed-size layout for every send, call, receive and reply
 * (docs/ipc.md). Fields are declared in layout order, all naturally aligned, so
 * the C struct is exactly this (336 bytes, no padding):
 *
 *   offset size  field       who writes it
 *        0    4  label       sender (the opcode; the IPC core never interprets it)
 *        4    4  len         sender: payload length in bytes, 0 .. PAYLOAD_BYTES
 *        8    4  capCount    sender: capability handles carried, 0 .. MAX_CAPS
 *       12    4  flags       bits 0..15 sender (USER_FLAGS); bits 16..31 kernel
 *       16    4  sender      kernel: the sending task's id
 *       20    4  endpoint    kernel: the endpoint the message came through
 *       24    8  replyToken  kernel: the one-shot reply token of a call, else 0
 *       32   32  principal   kernel: the sending task's principal (its identity key), as 4
 *                            little-endian u64 words (byte i is bits 8*(i%8).. of word i/8)
 *       64   16  caps        sender: capability handles, caps[capCount..] are 0
 *       80  256  payload     sender: 32 u64 words; byte i is bits 8*(i%8).. of word i/8
 *
 * The kernel-written fields are stamped by the IPC core on every delivery and
 * never copied from the sender's message: a sender cannot spoof its identity.
 * copyBodyFrom copies only the sender's part and zeroes every byte past len and
 * every handle past capCount, so a receiver never sees stale data.
 */
import { u8, u32, u64, bool, array, panic } from "kts";

export const PAYLOAD_BYTES = 256;
export const PAYLOAD_WORDS = 32;
export const MAX_CAPS = 4;
export const PRINCIPAL_BYTES = 32;
export const PRINCIPAL_WORDS = 4;
/** sizeof(Message) in C. */
export const MESSAGE_BYTES = 336;

/** Flag bits a sender may set; the rest are the kernel's. */
export const USER_FLAGS: u32 = 0xffff;
/** Kernel flag: the message is a call; replyToken answers it. */
export const FLAG_CALL: u32 = 0x1_0000;
/** Kernel flag: the message is a reply to a call. */
export const FLAG_REPLY: u32 = 0x2_0000;

/** Payload words a message of this len uses; words past them are zero in every Message (clear, copyBodyFrom and copyFrom keep that). */
export function payloadWords(len: u32): u32 {
  return len >= PAYLOAD_BYTES ? PAYLOAD_WORDS : u32(len + 7) >>> 3;
}

/** The 32 bytes of a principal as 4 little-endian words (bytes past p's end are 0). */
export function packPrincipal(p: u8[], out: u64[]): void {
  for (let w: u32 = 0; w < PRINCIPAL_WORDS; w++) {
    let v: u64 = 0n;
    for (let b: u32 = 0; b < 8; b++) {
      const i: u32 = u32(w * 8 + b);
      if (i < p.length) v = v | u64(u64(p[i]) << u64(b * 8));
    }
    out[w] = v;
  }
}

export class Message {
  label: u32 = 0;
  len: u32 = 0;
  capCount: u32 = 0;
  flags: u32 = 0;
  sender: u32 = 0;
  endpoint: u32 = 0;
  replyToken: u64 = 0n;
  /** Stamped and copied as words, not bytes: 4 stores, not 32. */
  principal: u64[] = array(PRINCIPAL_WORDS, 0n);
  caps: u32[] = array(MAX_CAPS, 0);
  payload: u64[] = array(PAYLOAD_WORDS, 0n);

  /** Zeroes every field. */
  clear(): void {
    this.label = 0;
    this.len = 0;
    this.capCount = 0;
    this.flags = 0;
    this.sender = 0;
    this.endpoint = 0;
    this.replyToken = 0n;
    for (let i: u32 = 0; i < PRINCIPAL_WORDS; i++) this.principal[i] = 0n;
    for (let i: u32 = 0; i < MAX_CAPS; i++) this.caps[i] = 0;
    for (let i: u32 = 0; i < PAYLOAD_WORDS; i++) this.payload[i] = 0n;
  }

  /** True if len and capCount are in range (the sender's part can be copied). */
  wellFormed(): bool {
    return this.len <= PAYLOAD_BYTES && this.capCount <= MAX_CAPS;
  }

  /** An exact copy of src, kernel fields included (kernel-internal moves). */
  copyFrom(src: Message): void {
    // Words past both lengths are zero in both messages (the invariant every writer keeps).
    const srcWords: u32 = payloadWords(src.len);
    const ownWords: u32 = payloadWords(this.len);
    const words: u32 = srcWords > ownWords ? srcWords : ownWords;
    this.label = src.label;
    this.len = src.len;
    this.capCount = src.capCount;
    this.flags = src.flags;
    this.sender = src.sender;
    this.endpoint = src.endpoint;
    this.replyToken = src.replyToken;
    for (let i: u32 = 0; i < PRINCIPAL_WORDS; i++) this.principal[i] = src.principal[i];
    for (let i: u32 = 0; i < MAX_CAPS; i++) this.caps[i] = src.caps[i];
    for (let i: u32 = 0; i < words; i++) this.payload[i] = src.payload[i];
  }

  /**
   * The sender-controlled part of src: label, len, capCount, the user flag bits,
   * caps[0 .. capCount) and payload bytes [0, len); everything past them is zeroed
   * and the kernel fields are cleared (stamp sets them). src must be wellFormed().
   */
  copyBodyFrom(src: Message): void {
    if (!src.wellFormed()) panic("copyBodyFrom: malformed message");
    // This message's words past its old length are already zero: only those up to it need clearing.
    const oldWords: u32 = payloadWords(this.len);
    this.label = src.label;
    this.len = src.len;
    this.capCount = src.capCount;
    this.flags = src.flags & USER_FLAGS;
    this.sender = 0;
    this.endpoint = 0;
    this.replyToken = 0n;
    for (let i: u32 = 0; i < PRINCIPAL_WORDS; i++) this.principal[i] = 0n;
    for (let i: u32 = 0; i < MAX_CAPS; i++) this.caps[i] = i < src.capCount ? src.caps[i] : 0;
    const whole: u32 = src.len >>> 3;
    const rest: u32 = src.len & 7;
    const words: u32 = payloadWords(src.len);
    const end: u32 = words > oldWords ? words : oldWords;
    for (let i: u32 = 0; i < end; i++) {
      if (i < whole) this.payload[i] = src.payload[i];
      else if (i == whole && rest != 0) this.payload[i] = src.payload[i] & u64(u64(1n << u64(rest * 8)) - 1n);
      else this.payload[i] = 0n;
    }
  }

  /**
   * copyBodyFrom(src) then stamp(...), each field written once, the principal and
   * the handles as words: how the IPC core builds every message it delivers.
   */
  build(src: Message, sender: u32, principal: u64[], endpoint: u32, replyToken: u64, kernelFlags: u32): void {
    if (!src.wellFormed()) panic("build: malformed message");
    if (principal.length != PRINCIPAL_WORDS) panic("build: principal must be 4 words");
    const oldWords: u32 = payloadWords(this.len);
    const n: u32 = src.capCount;
    this.label = src.label;
    this.len = src.len;
    this.capCount = n;
    this.flags = u32((src.flags & USER_FLAGS) | (kernelFlags & u32(~USER_FLAGS)));
    this.sender = sender;
    this.endpoint = endpoint;
    this.replyToken = replyToken;
    this.principal[0] = principal[0];
    this.principal[1] = principal[1];
    this.principal[2] = principal[2];
    this.principal[3] = principal[3];
    this.caps[0] = n > 0 ? src.caps[0] : 0;
    this.caps[1] = n > 1 ? src.caps[1] : 0;
    this.caps[2] = n > 2 ? src.caps[2] : 0;
    this.caps[3] = n > 3 ? src.caps[3] : 0;
    const whole: u32 = src.len >>> 3;
    const rest: u32 = src.len & 7;
    for (let i: u32 = 0; i < whole; i++) this.payload[i] = src.payload[i];
    let next: u32 = whole;
    if (rest != 0) {
      this.payload[whole] = src.payload[whole] & u64(u64(1n << u64(rest * 8)) - 1n);
      next = u32(whole + 1);
    }
    for (let i: u32 = next; i < oldWords; i++) this.payload[i] = 0n;
  }

  /** Writes the kernel fields: who sent it, through which endpoint, as what. */
  stamp(sender: u32, principal: u64[], endpoint: u32, replyToken: u64, kernelFlags: u32): void {
    if (principal.length != PRINCIPAL_WORDS) panic("stamp: principal must be 4 words");
    this.sender = sender;
    this.endpoint = endpoint;
    this.replyToken = replyToken;
    this.flags = u32((this.flags & USER_FLAGS) | (kernelFlags & u32(~USER_FLAGS)));
    for (let i: u32 = 0; i < PRINCIPAL_WORDS; i++) this.principal[i] = principal[i];
  }

  /** Principal byte i (0 .. PRINCIPAL_BYTES - 1). */
  principalByte(i: u32): u8 {
    return u8(this.principal[u32(i >>> 3) & 3] >> u64((i & 7) * 8));
  }

  /** Sets the principal from 32 bytes (tests, and spoofing attempts they make). */
  setPrincipalBytes(p: u8[]): void {
    packPrincipal(p, this.principal);
  }

  /** Payload byte i (0 .. PAYLOAD_BYTES - 1), little-endian within each word. */
  byteAt(i: u32): u8 {
    return u8(this.payload[i >>> 3] >> u64((i & 7) * 8));
  }

  setByte(i: u32, v: u8): void {
    const shift: u64 = u64((i & 7) * 8);
    const w: u32 = i >>> 3;
    this.payload[w] = u64(this.payload[w] & u64(~u64(0xffn << shift))) | u64(u64(v) << shift);
  }

  /** True if the principal equals p (32 bytes). */
  principalIs(p: u8[]): bool {
    if (p.length != PRINCIPAL_BYTES) return false;
    for (let i: u32 = 0; i < PRINCIPAL_BYTES; i++) if (this.principalByte(i) != p[i]) return false;
    return true;
  }
}
