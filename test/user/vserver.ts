// The victim's server (attack image): answers calls on its first capability
// (label 1: word + 1) and ignores plain messages (an attacker's flood), until a
// call labelled 0xdead.
import { u32, u64, print } from "kts";
import { capAt, receive, reply, msgLabel, msgWord, msgSetWord, msgIsCall, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const ep: u64 = capAt(0n);
  let handled: u32 = 0;
  for (;;) {
    const r: u64 = receive(ep);
    if (errorOf(r) != 0n) {
      print(`vserver: receive failed with error ${errorOf(r)}`);
      return 1;
    }
    if (!msgIsCall()) continue;
    const label: u32 = msgLabel();
    msgSetWord(u64(msgWord() + 1n));
    reply();
    if (label == 0xdead) break;
    if (label == 1) handled = u32(handled + 1);
  }
  print(`vserver: answered ${handled} calls`);
  return 0;
}
