"use unsafe";
// Receives on its own endpoint (capability 0) a call carrying a memory
// capability (from mapper), maps it read-only where it likes, and answers
// with the region's first word as it sees it.
import { u32, u64, usize, print } from "kts";
import { load64 } from "kts/unsafe";
import { sysMemMap } from "../../src/lib/sys/syscalls.generated";
import { capAt, receive, reply, msgCap, msgCapCount, msgStart, msgSetWord, errorOf } from "../../src/lib/ipc/message";

const AT: usize = 0x5000_0000n;

export function main(): u32 {
  const r: u64 = receive(capAt(0n));
  const got: u64 = msgCap(0);
  const e: u64 = errorOf(sysMemMap(got, AT, 0n));
  print(`memkeeper: receive error ${errorOf(r)}, ${msgCapCount()} capability, map error ${e}`);
  const first: u64 = e == 0n ? load64(AT) : 0n;
  // A fresh reply: the received message still names the capability, which would travel back with it.
  msgStart(1);
  msgSetWord(first);
  reply();
  return 0;
}
