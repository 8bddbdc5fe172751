// sleep must block (on AArch64 it returned at once: the result register, x0,
// was set before the argument was read from it).
import { u32, u64, print } from "kts";
import { sysSleep, sysTime } from "../../src/lib/sys/syscalls.generated";

export function main(): u32 {
  const start: u64 = sysTime();
  sysSleep(50_000_000n);
  const slept: u64 = u64(sysTime() - start);
  print(`sleeper: asked 50 ms, slept at least that: ${slept >= 50_000_000n}`);
  return 0;
}
