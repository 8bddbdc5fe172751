// A user task: says hello with its task id, yields a few times, exits 0.
import { u32, u64, print } from "kts";
import { sysTaskId, sysYield } from "../../src/lib/sys/syscalls.generated";

export function main(): u32 {
  const id: u64 = sysTaskId();
  for (let i: u32 = 0; i < 3; i++) {
    print(`hello from user task ${id}, round ${i}`);
    sysYield();
  }
  return 0;
}
