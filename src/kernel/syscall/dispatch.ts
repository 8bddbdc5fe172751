"use unsafe";
/**
 * System-call dispatch: the arch's syscall entry calls onSyscall(frame) with
 * interrupts masked. Each call is decoded (number, arguments, every user pointer
 * checked) before anything happens, then performed; the result goes back in the
 * frame. Numbers and error codes come from src/abi/syscalls.json (generated).
 * A negative result (as i64) is -SysError.
 */
import { u32, u64, usize } from "kts";
import { cpuIndex, frameSyscallNumber, frameArg, frameSetResult, monotonicNanos } from "arch";
import { scheduler } from "../sched/index";
import { schedLock, schedUnlock } from "../task/lock";
import { schedule } from "../task/schedule";
import { exitCurrent } from "../task/lifecycle";
import { Syscall, SysError, SYSCALL_LIMIT } from "./numbers.generated";
import { sysSend, sysReceive, sysCall, sysReply, sysReplyRecv, sysCapAt, sysCapDerive, sysCapDeriveRange, sysCapRevoke } from "./ipc-calls";
import { sysPciHost, sysPciRoute } from "./platform-calls";
import { sysIrqBind, sysIrqAck, sysConsoleRead, sysWrite } from "./device-calls";
import { sysRandom } from "./random-calls";
import { sysClockSet, sysTimerSet } from "./time-calls";
import { sysBootArgs } from "./boot-args";
import { wallClockNow } from "../time/wall-clock";
import { sysAuditRead, sysServiceStart, sysTaskKill, sysTaskInfo, sysCapInfo, sysMemInfo, sysExitWatch } from "./system-calls";
import { sysMemMap, sysMemUnmap, sysMmioMap, sysMemPhys } from "./memory-calls";
import { sweepIfWanted } from "../task/user-memory";
import { sleepCurrent } from "../task/sleep";

function error(e: SysError): u64 {
  return u64(0n - u64(u32(e)));
}

export function onSyscall(frame: usize): void {
  const n: u64 = frameSyscallNumber(frame);
  // Past the highest number (generated from syscalls.json) every value is NoSys: the switch's default.
  const num: u32 = n < u64(SYSCALL_LIMIT) ? u32(n) : 0xffff;
  const task: u32 = scheduler.currentHere(cpuIndex());
  // Every case reads its arguments before the result is set: on AArch64 x0 is both.
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
      result = sysReceive(task, frame);
      break;
    case Syscall.Call:
      result = sysCall(task, frame);
      break;
    case Syscall.Reply:
      result = sysReply(task, frameArg(frame, 0));
      break;
    case Syscall.ReplyRecv:
      result = sysReplyRecv(task, frame);
      break;
    case Syscall.CapAt:
      result = sysCapAt(task, frameArg(frame, 0));
      break;
    case Syscall.CapDerive:
      result = sysCapDerive(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2), frameArg(frame, 3), frameArg(frame, 4));
      break;
    case Syscall.CapDeriveRange:
      result = sysCapDeriveRange(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2), frameArg(frame, 3), frameArg(frame, 4));
      break;
    case Syscall.CapRevoke:
      result = sysCapRevoke(task, frameArg(frame, 0));
      break;
    case Syscall.Time:
      result = monotonicNanos();
      break;
    case Syscall.Clock:
      result = wallClockNow();
      break;
    case Syscall.ClockSet:
      result = sysClockSet(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.BootArgs:
      result = sysBootArgs(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.TimerSet:
      result = sysTimerSet(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.Sleep: {
      // The argument first: on AArch64 the result register (x0) is the argument's.
      const nanos: u64 = frameArg(frame, 0);
      frameSetResult(frame, 0n);
      sleepCurrent(nanos);
      return;
    }
    case Syscall.IrqBind:
      result = sysIrqBind(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.IrqAck:
      result = sysIrqAck(task, frameArg(frame, 0));
      break;
    case Syscall.ConsoleRead:
      result = sysConsoleRead(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.PciHost:
      result = sysPciHost(task, frameArg(frame, 0), frameArg(frame, 1));
      break;
    case Syscall.PciRoute:
      result = sysPciRoute(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.Random:
      result = sysRandom(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
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
    case Syscall.MmioMap:
      result = sysMmioMap(task, frameArg(frame, 0), frameArg(frame, 1), frameArg(frame, 2));
      break;
    case Syscall.MemPhys:
      result = sysMemPhys(task, frameArg(frame, 0));
      break;
    default:
      break;
  }
  sweepIfWanted();
  frameSetResult(frame, result);
}
