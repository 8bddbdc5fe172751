// The move-and-back scenario's other side: receives bouncer's calls on its
// endpoint (capability 0), each carrying one memory capability, and answers
// each with that capability moved back in the reply.
import { u32, u64, print } from "kts";
import { capAt, receive, reply, msgCap, msgCapCount, msgStart, msgSetCaps, msgSetWord, errorOf } from "../../src/lib/ipc/message";
import { ROUNDS } from "./bouncer-rounds";

export function main(): u32 {
  let bad: u32 = 0;
  for (let r: u32 = 0; r < ROUNDS; r++) {
    const e: u64 = errorOf(receive(capAt(0n)));
    const n: u32 = msgCapCount();
    const got: u64 = msgCap(0);
    msgStart(2);
    msgSetWord(u64(r));
    if (e == 0n && n == 1) msgSetCaps(1, got, 0n);
    else bad = u32(bad + 1);
    reply();
  }
  print(`returner: ${ROUNDS} capabilities sent back, ${bad} calls without one`);
  return 0;
}
