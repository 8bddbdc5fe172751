/**
 * Interrupts for user-space drivers and console input: irqBind, irqAck and
 * consoleRead. An IRQ capability (kind Irq, objA = the line, right RECEIVE) is
 * the authority for all three; consoleRead additionally needs it to name the
 * console's line.
 */
import { u8, u32, u64, usize } from "kts";
import { monotonicNanos, CONSOLE_IRQ, consoleReadByte } from "arch";
import { CapKind, RIGHT_RECEIVE, RIGHT_SEND } from "../cap/index";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { userRangeOk, userStore8 } from "../task/usermem";
import { irqBind, irqAck, irqLineValid } from "../irq/delivery";
import { capabilityOf, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

/** The most bytes one consoleRead returns (the UART FIFO holds 16). */
const CONSOLE_READ_MAX: u64 = 256n;

/** The IRQ line a handle names, or an error code. Under the lock. */
function lineOf(task: u32, handle: u64, now: u64): u64 {
  const line: u64 = capabilityOf(task, handle, CapKind.Irq, RIGHT_RECEIVE, now);
  if (isError(line)) return line;
  return irqLineValid(line) ? line : sysError(SysError.Invalid);
}

export function sysIrqBind(task: u32, irqHandle: u64, endpointHandle: u64): u64 {
  schedLock();
  const now: u64 = monotonicNanos();
  const line: u64 = lineOf(task, irqHandle, now);
  let r: u64 = line;
  if (!isError(line)) {
    const ep: u64 = capabilityOf(task, endpointHandle, CapKind.Endpoint, RIGHT_SEND, now);
    r = ep;
    if (!isError(ep)) {
      irqBind(u32(line), u32(ep));
      r = 0n;
    }
  }
  schedUnlock();
  return r;
}

export function sysIrqAck(task: u32, irqHandle: u64): u64 {
  schedLock();
  const line: u64 = lineOf(task, irqHandle, monotonicNanos());
  if (!isError(line)) irqAck(u32(line));
  schedUnlock();
  return isError(line) ? line : 0n;
}

export function sysConsoleRead(task: u32, irqHandle: u64, buf: usize, max: u64): u64 {
  schedLock();
  const line: u64 = lineOf(task, irqHandle, monotonicNanos());
  schedUnlock();
  if (isError(line)) return line;
  if (line != u64(CONSOLE_IRQ)) return sysError(SysError.Denied);
  const n: u64 = max < CONSOLE_READ_MAX ? max : CONSOLE_READ_MAX;
  const space = resources[task].space;
  if (!userRangeOk(space, buf, n, true)) return sysError(SysError.BadAddress);
  let got: u64 = 0n;
  while (got < n) {
    const c: u32 = consoleReadByte();
    if (c > 0xff) break;
    userStore8(space, usize(buf + got), u8(c));
    got = u64(got + 1n);
  }
  return got;
}
