// Answers calls on the endpoint of its first capability: label 1 replies with
// word + 1, label 2 with the number of label-1 calls answered so far; takes
// messages that are not calls (the bench's one-way sends) without answering;
// stops after a call labelled 0xdead. Each answer goes out with the next
// receive (replyReceive, one system call: the server loop of the fast path).
import { u32, u64, print } from "kts";
import { capAt, receive, reply, replyReceive, msgLabel, msgWord, msgSetWord, msgIsCall, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const ep: u64 = capAt(0n);
  let handled: u32 = 0;
  let r: u64 = receive(ep);
  for (;;) {
    if (errorOf(r) != 0n) {
      print(`server: receive failed with error ${errorOf(r)}`);
      return 1;
    }
    const label: u32 = msgLabel();
    if (!msgIsCall()) {
      r = receive(ep);
      continue;
    }
    if (label == 2) msgSetWord(u64(handled));
    else msgSetWord(u64(msgWord() + 1n));
    if (label == 0xdead) break;
    if (label == 1) handled = u32(handled + 1);
    r = replyReceive(ep);
  }
  reply();
  print(`server: answered ${handled} calls`);
  return 0;
}
