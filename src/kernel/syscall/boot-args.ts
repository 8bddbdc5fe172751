/**
 * bootArgs(buf, len): the kernel command line for any task (configuration
 * such as net.static=; the line is never a place for secrets).
 */
import { u8, u32, u64, usize, array, slice } from "kts";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { userWrite } from "../task/usermem";
import { cmdlineKept } from "../boot/cmdline";
import { CMDLINE_MAX } from "../boot/bootinfo";
import { sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

const line: u8[] = array(CMDLINE_MAX, 0);

export function sysBootArgs(task: u32, buf: usize, len: u64): u64 {
  schedLock();
  const length: u32 = cmdlineKept(line);
  const n: u32 = len < u64(length) ? u32(len) : length;
  const copied: boolean = n == 0 || userWrite(resources[task].space, buf, slice(line, 0, n));
  schedUnlock();
  return copied ? u64(length) : sysError(SysError.BadAddress);
}
