/**
 * The kernel's fields of the message the IPC fast path is handing over, set
 * once before the copy that writes them (message-copy.ts messageDirect,
 * message-registers.ts): a shared record instead of four more arguments to
 * each copy (past six, arguments go through the stack). Under the lock.
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
