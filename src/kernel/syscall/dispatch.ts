"use unsafe";
/**
 * System-call dispatch: the arch's syscall entry calls onSyscall(frame) with
 * interrupts masked. Each call is decoded (number, arguments, every user pointer
 * checked) before anything happens, then performed; the result goes back in the
 * frame. Numbers and error codes come from src/abi/syscalls.json (generated).
 * A negative result (as i64) is -SysError.
 */
import { u8, u32, u64, usize } from "kts";
import { cpuIndex, frameSyscallNumber, frameArg, frameSetResult, monotonicNanos, consoleReleaseLine } from "arch";
import { scheduler } from "../sched/index";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { schedule } from "../task/schedule";
import { exitCurrent } from "../task/lifecycle";
import { userRangeOk, userLoad8 } from "../task/usermem";
import { Syscall, SysError } from "./numbers.generated";
import { sysSend, sysReceive, sysCall, sysReply, sysCapAt, sysCapDerive, sysCapRevoke } from "./ipc-calls";
import { sysIrqBind, sysIrqAck, sysConsoleRead } from "./device-calls";
import { sysAuditRead, sysServiceStart, sysTaskKill, sysTaskInfo, sysCapInfo, sysMemInfo, sysExitWatch } from "./system-calls";
import { sysMemMap, sysMemUnmap } from "./memory-calls";
import { sweepIfWanted } from "../task/user-memory";
import { sleepCurrent } from "../task/sleep";

declare function kts_putc(c: u8): void;

/** The largest single console write. */
const WRITE_MAX: u64 = 4096n;

function error(e: SysError): u64 {
  return u64(0n - u64(u32(e)));
}

export function onSyscall(frame: usize): void {
  const n: u64 = frameSyscallNumber(frame);
  const num: u32 = n < 256n ? u32(n) : 0xffff;
  const task: u32 = scheduler.current(cpuIndex());
  let result: u64 = error(SysError.NoSys);
  switch (num) {
    case Syscall.Exit:
      exitCurrent(frameArg(frame, 0));
      return;
    case Syscall.Write:
      result = sysWrite(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.Yield:
      schedLock();
      scheduler.yield(cpuIndex());
      schedUnlock();
      frameSetResult(frame, 0n);
      schedule();
      return;
    case Syscall.TaskId:
      result = u64(task);
      break;
    case Syscall.Send:
      result = sysSend(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.Receive:
      result = sysReceive(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.Call:
      result = sysCall(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.Reply:
      result = sysReply(task, frameArg(frame, 0));
      break;
    case Syscall.CapAt:
      result = sysCapAt(task, frameArg(frame, 0));
      break;
    case Syscall.CapDerive:
      result = sysCapDerive(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2), frameArg(frame, 3), frameArg(frame, 4));
      break;
    case Syscall.CapRevoke:
      result = sysCapRevoke(task, frameArg(frame, 0));
      break;
    case Syscall.Time:
      result = monotonicNanos();
      break;
    case Syscall.Sleep:
      frameSetResult(frame, 0n);
      sleepCurrent(frameArg(frame, 0));
      return;
    case Syscall.IrqBind:
      result = sysIrqBind(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.IrqAck:
      result = sysIrqAck(task, frameArg(frame, 0));
      break;
    case Syscall.ConsoleRead:
      result = sysConsoleRead(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.AuditRead:
      result = sysAuditRead(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2), frameArg(frame, 3));
      break;
    case Syscall.ServiceStart:
      result = sysServiceStart(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.TaskKill:
      result = sysTaskKill(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.TaskInfo:
      result = sysTaskInfo(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.CapInfo:
      result = sysCapInfo(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2), frameArg(frame, 3));
      break;
    case Syscall.MemInfo:
      result = sysMemInfo(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.ExitWatch:
      result = sysExitWatch(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.MemMap:
      result = sysMemMap(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.MemUnmap:
      result = sysMemUnmap(task, frameArg(frame, 0));
      break;
    default:
      break;
  }
  sweepIfWanted();
  frameSetResult(frame, result);
}

/** write(buf, len): console output of user bytes, after checking the whole range. */
function sysWrite(task: u32, buf: usize, len: u64): u64 {
  const space = resources[task].space;
  if (len > WRITE_MAX) return error(SysError.Invalid);
  if (!userRangeOk(space, buf, len, false)) return error(SysError.BadAddress);
  for (let i: u64 = 0n; i < len; i = u64(i + 1n)) kts_putc(userLoad8(space, usize(buf + i)));
  // A write is atomic, not the line: a prompt must not hold the console until its newline.
  consoleReleaseLine();
  return len;
}
