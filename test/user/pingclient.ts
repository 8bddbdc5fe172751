// Calls the server 200 times through its first capability (an endpoint it may
// only send to), checks every answer, and reports the round-trip time.
import { u32, u64, print } from "kts";
import { sysTime } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, msgSetLabel, msgSetWord, msgWord, msgSender, errorOf } from "../../src/lib/ipc/message";

const ROUNDS = 200;

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
  msgSetLabel(0xdead);
  call(ep);
  return 0;
}
