// Calls the server 200 times through its first capability (an endpoint it may
// only send to), checks every answer, and reports the round-trip time; then
// sends it 100 one-way messages (label 3, no answer; a full share of the queue
// waits for the server: yield and again) and reports the time per message.
import { u32, u64, print } from "kts";
import { sysTime, sysYield } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, send, msgSetLabel, msgSetWord, msgWord, msgSender, errorOf } from "../../src/lib/ipc/message";

const ROUNDS = 200;
const SENDS = 100;
/** SysError.WouldBlock: this sender's share of the queue is full. */
const WOULD_BLOCK: u64 = 6n;

export function main(): u32 {
  const ep: u64 = capAt(0n);
  const start: u64 = sysTime();
  for (let i: u32 = 0; i < ROUNDS; i++) {
    msgSetLabel(1);
    msgSetWord(u64(i));
    const r: u64 = call(ep);
    if (errorOf(r) != 0n || msgWord() != u64(u64(i) + 1n)) {
      print(`client: round ${i} failed: error ${errorOf(r)}, answer ${msgWord()}`);
      return 1;
    }
  }
  const ns: u64 = u64(sysTime() - start);
  print(`client: ${ROUNDS} call/reply round trips ok, server task ${msgSender()}, ${u64(ns / u64(ROUNDS))} ns each`);
  print(`bench: ipc_roundtrip ${u64(ns / u64(ROUNDS))}`);
  const sendStart: u64 = sysTime();
  let sent: u32 = 0;
  while (sent < SENDS) {
    msgSetLabel(3);
    msgSetWord(u64(sent));
    const r: u64 = send(ep);
    if (errorOf(r) == WOULD_BLOCK) sysYield();
    else if (errorOf(r) != 0n) {
      print(`client: send ${sent} failed: error ${errorOf(r)}`);
      return 1;
    } else sent = u32(sent + 1);
  }
  print(`bench: ipc_send_oneway ${u64(u64(sysTime() - sendStart) / u64(SENDS))}`);
  // The last sends may still fill this sender's share of the queue.
  msgSetLabel(0xdead);
  while (errorOf(call(ep)) == WOULD_BLOCK) {
    sysYield();
    msgSetLabel(0xdead);
  }
  return 0;
}
