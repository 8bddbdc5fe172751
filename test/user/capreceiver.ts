// Receives on its own endpoint (capability 0) a message carrying a capability,
// calls the ping server with the handle it arrived as, then stops the server.
import { u32, u64, print } from "kts";
import { capAt, receive, call, msgStart, msgSetWord, msgWord, msgCapCount, msgCap, msgLabel, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const r: u64 = receive(capAt(0n));
  const got: u64 = msgCap(0);
  print(`capreceiver: label ${msgLabel()} error ${errorOf(r)}, ${msgCapCount()} capability, handle ${got}`);
  msgStart(1);
  msgSetWord(41n);
  const e: u64 = errorOf(call(got));
  print(`capreceiver: call through the received capability: error ${e}, answer ${msgWord()}`);
  msgStart(0xdead);
  call(got);
  return 0;
}
