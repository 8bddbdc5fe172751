"use unsafe";
/**
 * The console and interrupts for user-space drivers: write, consoleRead,
 * irqBind and irqAck. An IRQ capability for one line (kind Irq, objA = the
 * line, objB = 1, right RECEIVE) is the authority for the last three; consoleRead additionally needs
 * it to name the console's line.
 *
 * write is every task's output, but only a holder of a Console capability (the
 * console's owners: log, shell, init) writes bytes as they are. Anyone else's
 * output is attributed and inspected: each of its lines starts with
 * "[task N] ", and bytes outside printable ASCII, tab and newline become '?',
 * so it can neither forge another task's line (or log's "[log N]") nor send
 * the terminal escape sequences. Every write is audited.
 *
 * No write holds interrupts masked for long: its bytes are copied (under the
 * lock, through a page-table walk each time: a mapping revoked mid-write ends
 * the write) and printed a chunk at a time, and between chunks interrupts are
 * let in (ticks, cross-calls, wake-ups; the task may even be preempted there).
 */
import { u8, u32, u64, usize, bool, array, arrayOf, slice } from "kts";
import { irqEnable, irqDisable, cpuRelax } from "kts/unsafe";
import { cpuIndex, monotonicNanos, CONSOLE_IRQ, consoleReadByte, consoleReleaseLine } from "arch";
import { CapKind, CapError, CapView, CAP_SLOTS, capInSlot, RIGHT_RECEIVE, RIGHT_SEND } from "../cap/index";
import { ipc, AuditKind, IpcResult, NO_ENDPOINT } from "../ipc/index";
import { MAX_CPUS, MAX_TASKS } from "../sched/index";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { userRangeOk, userRead, userWrite } from "../task/usermem";
import { irqBind, irqAck, irqLineValid } from "../irq/delivery";
import { capabilityOf, capabilityInto, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

/** The most bytes one consoleRead returns (the UART FIFO holds 16). */
const CONSOLE_READ_MAX: u32 = 256;
/** The largest single console write. */
const WRITE_MAX: u64 = 4096n;
/** Bytes copied and printed with interrupts masked: a user print() line (its runtime buffers 256) is one chunk. */
const WRITE_CHUNK = 256;

/** Per CPU: the chunk being printed (filled and printed with interrupts masked, so never shared). */
const writeStage: u8[] = array(MAX_CPUS * WRITE_CHUNK, 0);
/** Per task: its last write ended in the middle of a line (its next byte gets no "[task N] " prefix). */
const midLine: bool[] = array(MAX_TASKS, false);
const readStage: u8[] = array(CONSOLE_READ_MAX, 0);
/** "[task " */
const PREFIX: u8[] = arrayOf([0x5b, 0x74, 0x61, 0x73, 0x6b, 0x20]);
const scan = new CapView();
const irqCap = new CapView();

declare function kts_putc(c: u8): void;

/** The IRQ line a handle names, or an error code: a capability for several lines (the PCI service's) is Invalid. Under the lock. */
function lineOf(task: u32, handle: u64, now: u64): u64 {
  const line: u64 = capabilityInto(task, handle, CapKind.Irq, RIGHT_RECEIVE, now, irqCap);
  if (isError(line)) return line;
  return irqCap.objB == 1n && irqLineValid(line) ? line : sysError(SysError.Invalid);
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
      irqBind(u32(line), u32(ep), irqCap.node, irqCap.nodeGen);
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
  let r: u64 = line;
  if (!isError(line) && line != u64(CONSOLE_IRQ)) r = sysError(SysError.Denied);
  if (!isError(r)) {
    const n: u32 = max < u64(CONSOLE_READ_MAX) ? u32(max) : CONSOLE_READ_MAX;
    // Checked first, so that no byte leaves the UART for a buffer that cannot take it.
    if (!userRangeOk(resources[task].space, buf, u64(n), true)) r = sysError(SysError.BadAddress);
    else {
      let got: u32 = 0;
      while (got < n) {
        const c: u32 = consoleReadByte();
        if (c > 0xff) break;
        readStage[got] = u8(c);
        got = u32(got + 1);
      }
      r = userWrite(resources[task].space, buf, slice(readStage, 0, got)) ? u64(got) : sysError(SysError.BadAddress);
    }
  }
  schedUnlock();
  return r;
}

/** A new task starts its output at the beginning of a line. */
export function consoleTaskStarted(t: u32): void {
  midLine[t] = false;
}

/** write(buf, len): console output of user bytes; returns how many were written. */
export function sysWrite(task: u32, buf: usize, len: u64): u64 {
  if (len > WRITE_MAX) return sysError(SysError.Invalid);
  schedLock();
  const ok: bool = userRangeOk(resources[task].space, buf, len, false);
  const raw: bool = ok && holdsConsole(task);
  // One record per task and outcome (detail 0, not the length): a task's writes coalesce into it (its repeat count).
  ipc.audit(AuditKind.ConsoleWrite, task, NO_ENDPOINT, 0, ok ? IpcResult.Ok : IpcResult.Denied, monotonicNanos());
  schedUnlock();
  if (!ok) return sysError(SysError.BadAddress);
  let done: u64 = 0n;
  while (done < len) {
    const n: u32 = u64(len - done) < u64(WRITE_CHUNK) ? u32(len - done) : WRITE_CHUNK;
    const at: u32 = u32(cpuIndex() * WRITE_CHUNK);
    const chunk: u8[] = slice(writeStage, at, u32(at + n));
    schedLock();
    const copied: bool = userRead(resources[task].space, usize(buf + done), chunk);
    schedUnlock();
    // The mapping went away mid-write: what was printed stays printed.
    if (!copied) return done == 0n ? sysError(SysError.BadAddress) : done;
    for (let i: u32 = 0; i < n; i++) putFor(task, raw, chunk[i]);
    // A write is not a line: a prompt must not hold the console until its newline.
    consoleReleaseLine();
    done = u64(done + u64(n));
    if (done < len) interruptWindow();
  }
  return len;
}

function putFor(task: u32, raw: bool, c: u8): void {
  if (raw) {
    kts_putc(c);
    return;
  }
  if (!midLine[task]) {
    for (let i: u32 = 0; i < PREFIX.length; i++) kts_putc(PREFIX[i]);
    putNumber(task);
    kts_putc(0x5d);
    kts_putc(0x20);
    midLine[task] = true;
  }
  const plain: bool = (c >= 0x20 && c <= 0x7e) || c == 0x09 || c == 0x0a;
  kts_putc(plain ? c : 0x3f);
  if (c == 0x0a) midLine[task] = false;
}

function putNumber(v: u32): void {
  let scale: u32 = 1;
  while (u32(v / scale) >= 10) scale = u32(scale * 10);
  for (; scale > 0; scale = u32(scale / 10)) kts_putc(u8(u32(0x30 + u32(u32(v / scale) % 10))));
}

/** Under the lock: whether the task holds a Console capability. */
function holdsConsole(task: u32): bool {
  for (let s: u32 = 0; s < CAP_SLOTS; s++) if (capInSlot(task, s, scan) == CapError.Ok && scan.kind == CapKind.Console) return true;
  return false;
}

/** Lets pending interrupts in (a system call otherwise runs with them masked). */
export function interruptWindow(): void {
  irqEnable();
  cpuRelax();
  irqDisable();
}
