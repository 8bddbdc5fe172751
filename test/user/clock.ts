// The wall clock: unset (0) until a holder of a Clock capability sets it; a
// forged handle and a time before 2000 are refused; once set it reads what was
// set and advances with the monotonic clock. Capability 0: Clock (right send).
import { u32, u64, print } from "kts";
import { sysClock, sysClockSet, sysSleep } from "../../src/lib/sys/syscalls.generated";
import { capAt, errorOf } from "../../src/lib/ipc/message";

// 2026-12-06T20:04:00Z
const SET_TO: u64 = 1_796_587_440_000_000_000n;

export function main(): u32 {
  print(`clock: before it is set it reads ${sysClock()}`);
  print(`clock: a forged handle: error ${errorOf(sysClockSet(0x77n, SET_TO))}`);
  const clock: u64 = capAt(0n);
  print(`clock: 1999-12-31 refused: error ${errorOf(sysClockSet(clock, 946_600_000_000_000_000n))}`);
  print(`clock: set: error ${errorOf(sysClockSet(clock, SET_TO))}`);
  const a: u64 = sysClock();
  sysSleep(20_000_000n);
  const b: u64 = sysClock();
  print(`clock: reads what was set: ${a >= SET_TO && a < u64(SET_TO + 5_000_000_000n)}; advanced at least 20 ms: ${u64(b - a) >= 20_000_000n}`);
  return 0;
}
