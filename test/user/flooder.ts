// Floods an endpoint nobody reads: the queue fills, then the rate limiter
// throttles it; the kernel stays up and says so with error codes.
import { u32, u64, print } from "kts";
import { capAt, send, msgSetLabel, msgSetWord, errorOf } from "../../src/lib/ipc/message";

export function main(): u32 {
  const ep: u64 = capAt(0n);
  let ok: u32 = 0;
  let full: u32 = 0;
  let throttled: u32 = 0;
  let other: u32 = 0;
  for (let i: u32 = 0; i < 1000; i++) {
    msgSetLabel(7);
    msgSetWord(u64(i));
    const e: u64 = errorOf(send(ep));
    if (e == 0n) ok = u32(ok + 1);
    else if (e == 6n) full = u32(full + 1);
    else if (e == 5n) throttled = u32(throttled + 1);
    else other = u32(other + 1);
  }
  print(`flood: sent ${ok}, queue full ${full}, throttled ${throttled}, other ${other}`);
  return 0;
}
