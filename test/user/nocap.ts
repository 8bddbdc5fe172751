"use unsafe";
// Holds no capabilities: every IPC attempt is refused (and audited), and every
// pointer-taking system call refuses a kernel pointer with BadAddress.
import { u32, u64, print } from "kts";
import { sysSend, sysReceive, sysCall, sysReply, sysWrite } from "../../src/lib/sys/syscalls.generated";
import { capAt, send, msgSetWord, errorOf } from "../../src/lib/ipc/message";

const KERNEL: u64 = 0xffff_8000_0000_1000n;

export function main(): u32 {
  msgSetWord(1n);
  print(`nocap: capAt(0) error ${errorOf(capAt(0n))}`);
  print(`nocap: forged handle 0x101 error ${errorOf(send(0x101n))}`);
  print(`nocap: out-of-range handle error ${errorOf(send(0xffff_ffffn))}`);
  print(`nocap: huge handle error ${errorOf(send(0x1_0000_0000n))}`);
  print(`nocap: bad pointers: send ${errorOf(sysSend(0x101n, KERNEL))} receive ${errorOf(sysReceive(0x101n, KERNEL))} call ${errorOf(sysCall(0x101n, KERNEL))} reply ${errorOf(sysReply(KERNEL))} write ${errorOf(sysWrite(KERNEL, 8n))}`);
  print(`nocap: unmapped pointer write ${errorOf(sysWrite(0x7000_0000_0000n, 8n))}`);
  return 0;
}
