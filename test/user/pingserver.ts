// Answers calls on the endpoint of its first capability: label 1 replies with
// word + 1, label 2 with the number of label-1 calls answered so far, label 4
// (ECHO_LABEL) checks the payload pingclient sends and echoes it transformed
// (ping-echo.ts); takes
// messages that are not calls (the bench's one-way sends) without answering;
// stops after a call labelled 0xdead. Each answer goes out with the next
// receive (replyReceive, one system call: the server loop of the fast path).
import { u8, u32, u64, array, print } from "kts";
import { capAt, receive, reply, replyReceive, msgLabel, msgWord, msgSetWord, msgIsCall, msgLength, msgBytes, errorOf } from "../../src/lib/ipc/message";
import { ECHO_LABEL, ECHOED_LABEL, echoByte, putEcho, junkFree } from "./ping-echo";

const bytes: u8[] = array(256, 0);

/** Answers an echo request: its payload checked, then echoed transformed (label ECHOED_LABEL). */
function answerEcho(): void {
  const len: u32 = msgLength() < 256 ? msgLength() : 256;
  msgBytes(0, bytes);
  for (let k: u32 = 0; k < len; k++) {
    if (bytes[k] != echoByte(len, k, 0)) {
      print(`server: echo request of ${len} bytes: byte ${k} is ${bytes[k]}`);
      break;
    }
  }
  if (!junkFree(len)) print(`server: echo request of ${len} bytes: junk past the length`);
  putEcho(ECHOED_LABEL, len, 1);
}

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
    else if (label == ECHO_LABEL) answerEcho();
    else msgSetWord(u64(msgWord() + 1n));
    if (label == 0xdead) break;
    if (label == 1) handled = u32(handled + 1);
    r = replyReceive(ep);
  }
  reply();
  print(`server: answered ${handled} calls`);
  return 0;
}
