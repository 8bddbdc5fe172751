/**
 * The kernel's fields of the message the IPC fast path is handing over to a
 * buffer in memory, set once before the copy that writes them (message-copy.ts
 * messageDirect, message-registers.ts registersIntoMemory): those copies are
 * out of line, and a shared record saves them four more arguments (past six,
 * arguments go through the stack). The copy into registers is inlined and takes
 * the fields as arguments. Under the lock.
 */
import { u32, u64 } from "kts";

export class Stamp {
  /** The sending task: its id and its principal's words are stamped. */
  sender: u32 = 0;
  endpoint: u32 = 0;
  replyToken: u64 = 0n;
  /** FLAG_CALL or FLAG_REPLY. */
  kernelFlags: u32 = 0;
}

export const stamp = new Stamp();

export function setStamp(sender: u32, endpoint: u32, replyToken: u64, kernelFlags: u32): void {
  stamp.sender = sender;
  stamp.endpoint = endpoint;
  stamp.replyToken = replyToken;
  stamp.kernelFlags = kernelFlags;
}
