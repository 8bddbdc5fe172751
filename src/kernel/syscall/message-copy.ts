"use unsafe";
/**
 * Messages between user memory and the kernel's Message (layout in docs/ipc.md,
 * 336 bytes, the same in both directions). From user space only the sender's
 * part is taken (label, len, capCount, user flags, handles, payload); the kernel
 * stamps the rest. Every range is validated before the first byte is read.
 *
 * Only the payload words that len covers are copied, in both directions: a
 * message is usually a word or two, and copying all 256 payload bytes twice per
 * direction dominated the IPC round trip. Words past len read as zero in the
 * kernel; in the receiver's buffer they are unspecified (the receiver's own
 * earlier bytes or zero, never anyone else's data).
 * A message that is 8-byte aligned (the usual case: module-level arrays are)
 * is copied with word loads and stores, each word within one page, after one
 * page-table walk per page both checked and located it; any other is staged
 * byte by byte through one kernel buffer a page at a time. Callers hold the
 * scheduler lock (the stage and the page addresses are shared).
 */
import { u8, u32, u64, usize, bool, array } from "kts";
import { load32, load64, store32, store64 } from "kts/unsafe";
import { AddressSpace } from "../mem/paging";
import { ipc, Message, MESSAGE_BYTES, USER_FLAGS, PAYLOAD_BYTES } from "../ipc/index";
import { stamp } from "./stamp";
import { userRead, userWrite, userPageRemembered, USER_TOP } from "../task/usermem";
import { le32, le64, setLe32, setLe64 } from "../loader/le";

const PAYLOAD_AT = 80;

const stage: u8[] = array(MESSAGE_BYTES, 0);

/** Payload words a message of this len carries (len past the maximum counts as the maximum). */
function wordsOf(len: u32): u32 {
  const n: u32 = len < PAYLOAD_BYTES ? len : PAYLOAD_BYTES;
  return u32(n + 7) >>> 3;
}

/** The kernel addresses of the (at most two) pages a message at va spans, and va's offset in the first. */
let firstPage: usize = 0n;
let secondPage: usize = 0n;
let pageOffset: u64 = 0n;
/** The message lies in one page (the usual case): its kernel address, for plain offsets; else 0. */
let flatBase: usize = 0n;

enum Reach {
  /** Mapped for at(). */
  Words = 0,
  /** Valid, but not 8-byte aligned: copy through the stage. */
  Bytes = 1,
  /** Not (writable, if asked) user memory. */
  Bad = 2,
}

/**
 * Checks the message range at va (every page user-accessible, writable if
 * `write`) and, if va is 8-byte aligned, maps it for at(): one page-table walk
 * per page does both.
 */
function reachMessage(space: AddressSpace, va: usize, write: bool): Reach {
  const last: usize = u64(va + u64(MESSAGE_BYTES - 1));
  if (last < va || last >= USER_TOP) return Reach.Bad;
  firstPage = userPageRemembered(space, va, write);
  if (firstPage == 0n) return Reach.Bad;
  secondPage = (last >> 12n) != (va >> 12n) ? userPageRemembered(space, last, write) : firstPage;
  if (secondPage == 0n) return Reach.Bad;
  pageOffset = va & 0xfffn;
  flatBase = secondPage == firstPage && (last >> 12n) == (va >> 12n) ? usize(firstPage + pageOffset) : 0n;
  return (va & 7n) == 0n ? Reach.Words : Reach.Bytes;
}

/** The kernel address of message byte off (a multiple of 4; an aligned word never straddles pages). */
function at(off: u32): usize {
  const o: u64 = u64(pageOffset + u64(off));
  return o < 0x1000n ? usize(firstPage + o) : usize(secondPage + u64(o - 0x1000n));
}

/** Reads the sender's part of a message at user address va; false if the range is bad. */
export function messageFromUser(space: AddressSpace, va: usize, msg: Message): bool {
  return readMessage(space, va, msg, false);
}

/** messageFromUser for a call, whose reply lands there too: false unless the range is also writable (one walk checks both). */
export function messageFromUserWritable(space: AddressSpace, va: usize, msg: Message): bool {
  return readMessage(space, va, msg, true);
}

function readMessage(space: AddressSpace, va: usize, msg: Message, write: bool): bool {
  const reach: Reach = reachMessage(space, va, write);
  if (reach == Reach.Bad) return false;
  if (reach == Reach.Words && flatBase != 0n) {
    // One page: every field at a fixed offset from one address (the fast path's copy).
    const b: usize = flatBase;
    const oldWords: u32 = wordsOf(msg.len);
    // SAFETY: [va, va + MESSAGE_BYTES) is readable user memory in one page, at b, mapped by reachMessage.
    msg.label = load32(b);
    msg.len = load32(usize(b + 4n));
    msg.capCount = load32(usize(b + 8n));
    msg.flags = load32(usize(b + 12n)) & USER_FLAGS;
    msg.sender = 0;
    msg.endpoint = 0;
    msg.replyToken = 0n;
    for (let i: u32 = 0; i < 4; i++) msg.caps[i] = load32(usize(b + u64(64 + i * 4)));
    const words: u32 = wordsOf(msg.len);
    for (let i: u32 = 0; i < words; i++) msg.payload[i] = load64(usize(b + u64(PAYLOAD_AT + i * 8)));
    for (let i: u32 = words; i < oldWords; i++) msg.payload[i] = 0n;
    return true;
  }
  if (reach == Reach.Words) {
    // Words past the old length are zero already (the Message invariant): only those up to it need clearing.
    const oldWords: u32 = wordsOf(msg.len);
    // SAFETY: [va, va + MESSAGE_BYTES) is readable user memory, mapped by reachMessage.
    msg.label = load32(at(0));
    msg.len = load32(at(4));
    msg.capCount = load32(at(8));
    msg.flags = load32(at(12)) & USER_FLAGS;
    msg.sender = 0;
    msg.endpoint = 0;
    msg.replyToken = 0n;
    for (let i: u32 = 0; i < 4; i++) msg.caps[i] = load32(at(u32(64 + i * 4)));
    const words: u32 = wordsOf(msg.len);
    for (let i: u32 = 0; i < words; i++) msg.payload[i] = load64(at(u32(PAYLOAD_AT + i * 8)));
    for (let i: u32 = words; i < oldWords; i++) msg.payload[i] = 0n;
    return true;
  }
  if (!userRead(space, va, stage)) return false;
  msg.clear();
  msg.label = le32(stage, 0);
  msg.len = le32(stage, 4);
  msg.capCount = le32(stage, 8);
  msg.flags = le32(stage, 12) & USER_FLAGS;
  for (let i: u32 = 0; i < 4; i++) msg.caps[i] = le32(stage, u32(64 + i * 4));
  const words: u32 = wordsOf(msg.len);
  for (let i: u32 = 0; i < 32; i++) msg.payload[i] = i < words ? le64(stage, u32(80 + i * 8)) : 0n;
  return true;
}

/** Writes a message to user address va (payload words past len untouched); false if the range is not writable user memory. */
export function messageToUser(space: AddressSpace, va: usize, msg: Message): bool {
  const reach: Reach = reachMessage(space, va, true);
  if (reach == Reach.Bad) return false;
  if (reach == Reach.Words && flatBase != 0n) {
    const b: usize = flatBase;
    // SAFETY: [va, va + MESSAGE_BYTES) is writable user memory in one page, at b, mapped by reachMessage.
    store32(b, msg.label);
    store32(usize(b + 4n), msg.len);
    store32(usize(b + 8n), msg.capCount);
    store32(usize(b + 12n), msg.flags);
    store32(usize(b + 16n), msg.sender);
    store32(usize(b + 20n), msg.endpoint);
    store64(usize(b + 24n), msg.replyToken);
    for (let w: u32 = 0; w < 4; w++) store64(usize(b + u64(32 + w * 8)), msg.principal[w]);
    for (let i: u32 = 0; i < 4; i++) store32(usize(b + u64(64 + i * 4)), msg.caps[i]);
    const words: u32 = wordsOf(msg.len);
    for (let i: u32 = 0; i < words; i++) store64(usize(b + u64(PAYLOAD_AT + i * 8)), msg.payload[i]);
    return true;
  }
  if (reach == Reach.Words) {
    // SAFETY: [va, va + MESSAGE_BYTES) is writable user memory, mapped by reachMessage.
    store32(at(0), msg.label);
    store32(at(4), msg.len);
    store32(at(8), msg.capCount);
    store32(at(12), msg.flags);
    store32(at(16), msg.sender);
    store32(at(20), msg.endpoint);
    store64(at(24), msg.replyToken);
    for (let w: u32 = 0; w < 4; w++) store64(at(u32(32 + w * 8)), msg.principal[w]);
    for (let i: u32 = 0; i < 4; i++) store32(at(u32(64 + i * 4)), msg.caps[i]);
    const words: u32 = wordsOf(msg.len);
    for (let i: u32 = 0; i < words; i++) store64(at(u32(PAYLOAD_AT + i * 8)), msg.payload[i]);
    return true;
  }
  setLe32(stage, 0, msg.label);
  setLe32(stage, 4, msg.len);
  setLe32(stage, 8, msg.capCount);
  setLe32(stage, 12, msg.flags);
  setLe32(stage, 16, msg.sender);
  setLe32(stage, 20, msg.endpoint);
  setLe64(stage, 24, msg.replyToken);
  for (let w: u32 = 0; w < 4; w++) setLe64(stage, u32(32 + w * 8), msg.principal[w]);
  for (let i: u32 = 0; i < 4; i++) setLe32(stage, u32(64 + i * 4), msg.caps[i]);
  for (let i: u32 = 0; i < 32; i++) setLe64(stage, u32(80 + i * 8), msg.payload[i]);
  return userWrite(space, va, stage);
}

/** True if a whole message fits at va as writable user memory (checked before blocking). */
export function messageWritable(space: AddressSpace, va: usize): bool {
  return reachMessage(space, va, true) != Reach.Bad;
}

/**
 * The fast path's message: the kernel address of the whole message at va if it
 * lies 8-byte aligned within one page mapped user-accessible (and writable, if
 * `write`), else 0. Through the space's memo of its last walk: under the lock.
 */
export function messageInPage(space: AddressSpace, va: usize, write: bool): usize {
  const known: usize = space.rememberedWritable(va);
  if (known != 0n) return known;
  if ((va & 7n) != 0n || (va & 0xfffn) > u64(0x1000 - MESSAGE_BYTES) || va >= USER_TOP) return 0n;
  const page: usize = userPageRemembered(space, va, write);
  if (page == 0n) return 0n;
  const m: usize = usize(page + (va & 0xfffn));
  if (write) space.rememberWritable(va, m);
  return m;
}

/** Whether the message at kernel address m (messageInPage) may go straight to a receiver: no capabilities, len in range. */
export function messageDirectOk(m: usize): bool {
  // SAFETY: m is a whole message in one mapped user page (messageInPage).
  return load32(usize(m + 8n)) == 0 && load32(usize(m + 4n)) <= PAYLOAD_BYTES;
}

/** The label of the message at kernel address m (messageInPage). */
export function messageLabel(m: usize): u32 {
  // SAFETY: as messageDirectOk.
  return load32(m);
}

/** v with only its low n bytes (n 1..7): a message's last payload word, bytes past its length zero. */
export function lowBytes(v: u64, n: u32): u64 {
  return v & u64(u64(1n << u64(n * 8)) - 1n);
}

/**
 * The first 80 bytes of a message the fast path writes at kernel address `to`
 * (writable, messageInPage): label | len << 32 as given, no handles, the
 * sender's flags with the kernel's, and the kernel fields from `stamp`.
 */
export function stampHeader(to: usize, labelLen: u64, userFlags: u32): void {
  const principal = ipc.state.tasks[stamp.sender].principalWords;
  // SAFETY: to is a whole writable message in one mapped user page (messageInPage).
  store64(to, labelLen);
  store64(usize(to + 8n), u64(u64(u32(userFlags | stamp.kernelFlags)) << 32n));
  store64(usize(to + 16n), u64(u64(stamp.sender) | u64(u64(stamp.endpoint) << 32n)));
  store64(usize(to + 24n), stamp.replyToken);
  store64(usize(to + 32n), principal[0]);
  store64(usize(to + 40n), principal[1]);
  store64(usize(to + 48n), principal[2]);
  store64(usize(to + 56n), principal[3]);
  store64(usize(to + 64n), 0n);
  store64(usize(to + 72n), 0n);
}

/**
 * The fast path's copy: the sender's part of the message at `from` straight to
 * the receiver's buffer at `to` (both from messageInPage; from passed
 * messageDirectOk), stamped with the kernel's fields (`stamp`), as messageToUser would
 * write the message the ordinary path builds: no handles, payload words past
 * len unwritten, the last word's bytes past len zero.
 */
export function messageDirect(from: usize, to: usize): void {
  // SAFETY: both are whole messages in mapped user pages (messageInPage), to writable.
  // Read once and clamped: the sender's page may be shared memory another CPU writes meanwhile.
  const said: u32 = load32(usize(from + 4n));
  const len: u32 = said <= PAYLOAD_BYTES ? said : PAYLOAD_BYTES;
  stampHeader(to, u64(u64(load32(from)) | u64(u64(len) << 32n)), load32(usize(from + 12n)) & USER_FLAGS);
  const whole: u32 = len >>> 3;
  for (let i: u32 = 0; i < whole; i++) store64(usize(to + u64(PAYLOAD_AT + i * 8)), load64(usize(from + u64(PAYLOAD_AT + i * 8))));
  const rest: u32 = len & 7;
  if (rest != 0) {
    const at: u64 = u64(PAYLOAD_AT + whole * 8);
    store64(usize(to + at), lowBytes(load64(usize(from + at)), rest));
  }
}
