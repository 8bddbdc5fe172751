// Calls the ping server faster than its rate limit allows (user-main gives it
// 1,000 messages a second, a burst of 8): plain calls meet Throttled; callPaced
// waits the limit out, and every one of its calls is answered.
import { u32, u64, print } from "kts";
import { capAt, call, msgSetLabel, msgSetWord, msgWord, errorOf } from "../../src/lib/ipc/message";
import { callPaced } from "../../src/lib/ipc/paced";
import { ERR_THROTTLED } from "../../src/lib/errors";

/** Not the ping client's label: the server answers word + 1 and counts nothing. */
const LABEL: u32 = 3;
const PLAIN: u32 = 50;
const PACED: u32 = 100;

export function main(): u32 {
  const ep: u64 = capAt(0n);
  let throttled: u32 = 0;
  for (let i: u32 = 0; i < PLAIN; i++) {
    msgSetLabel(LABEL);
    msgSetWord(u64(i));
    if (errorOf(call(ep)) == ERR_THROTTLED) throttled = u32(throttled + 1);
  }
  let answered: u32 = 0;
  for (let i: u32 = 0; i < PACED; i++) {
    msgSetLabel(LABEL);
    msgSetWord(u64(i));
    const r: u64 = callPaced(ep);
    if (errorOf(r) == 0n && msgWord() == u64(u64(i) + 1n)) answered = u32(answered + 1);
  }
  print(`paced: ${throttled} of ${PLAIN} plain calls throttled, ${answered} of ${PACED} paced calls answered`);
  // The server's last call: it answers and ends.
  msgSetLabel(0xdead);
  msgSetWord(0n);
  callPaced(ep);
  return 0;
}
