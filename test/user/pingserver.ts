// Answers calls on the endpoint of its first capability: replies with word + 1,
// until a call labelled 0xdead.
import { u32, u64, bool, print } from "kts";
import { capAt, receive, reply, msgLabel, msgWord, msgSetWord, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const ep: u64 = capAt(0n);
  let handled: u32 = 0;
  for (;;) {
    const r: u64 = receive(ep);
    if (errorOf(r) != 0n) {
      print(`server: receive failed with error ${errorOf(r)}`);
      return 1;
    }
    const stop: bool = msgLabel() == 0xdead;
    msgSetWord(u64(msgWord() + 1n));
    reply();
    if (stop) break;
    handled = u32(handled + 1);
  }
  print(`server: answered ${handled} calls`);
  return 0;
}

