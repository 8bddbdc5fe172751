/**
 * Interrupts as IPC: a task holding an IRQ capability binds the line to one of
 * its endpoints; each interrupt on the line masks it and becomes a kernel
 * message (label IRQ_LABEL, word 0 = the line) on that endpoint; the task's
 * irqAck unmasks it. So a user-space driver sees at most one message per
 * interrupt it has not yet handled, and a level-triggered device that is still
 * asserting fires again right after the acknowledgement.
 *
 * If the endpoint's queue is full when an interrupt arrives, the line stays
 * masked and the message is sent at the next irqAck (nothing is lost, nothing
 * storms). A binding lasts as long as the capability that made it: once that
 * is gone (revoked, or its task ended), the next interrupt unbinds the line and
 * leaves it masked, so no later receiver on the endpoint gets it. Everything
 * here runs under the scheduler lock.
 */
import { u32, u64, bool, array, log, LOG_WARN } from "kts";
import { deviceIrqSetHandler, deviceIrqValid, deviceIrqMask, deviceIrqUnmask, monotonicNanos } from "arch";
import { ipc, IpcResult, Message, NO_ENDPOINT } from "../ipc/index";
import { schedLock, schedUnlock } from "../task/lock";
import { capNodeAlive } from "../cap/index";

export const IRQ_LABEL: u32 = 0x4952_5100;
/** Lines that can be bound: the interrupt numbers of both arches' devices fit below this. */
export const MAX_IRQ_LINES: u32 = 256;

const boundEndpoint: u32[] = array(MAX_IRQ_LINES, NO_ENDPOINT);
/** The IRQ capability each binding was made through (its pool node and generation). */
const boundNode: u32[] = array(MAX_IRQ_LINES, 0);
const boundNodeGen: u32[] = array(MAX_IRQ_LINES, 0);
/** An interrupt whose message could not be queued yet. */
const undelivered: bool[] = array(MAX_IRQ_LINES, false);
const note = new Message();
/** Called with the tasks each delivery woke (the syscall layer's wake-up policy). */
let wakeHook: () => void = nothing;

function nothing(): void {}

/** Boot: device interrupts come here; wake is run after each delivery (under the lock). */
export function irqInit(wake: () => void): void {
  wakeHook = wake;
  deviceIrqSetHandler(onDeviceIrq);
}

export function irqLineValid(line: u64): bool {
  return line < u64(MAX_IRQ_LINES) && deviceIrqValid(u32(line));
}

/** Interrupt context: mask the line, tell its driver. */
function onDeviceIrq(line: u32): void {
  deviceIrqMask(line);
  if (line >= MAX_IRQ_LINES) return;
  schedLock();
  deliver(line);
  schedUnlock();
}

function deliver(line: u32): void {
  const ep: u32 = boundEndpoint[line];
  if (ep == NO_ENDPOINT) return;
  if (!capNodeAlive(boundNode[line], boundNodeGen[line])) {
    boundEndpoint[line] = NO_ENDPOINT; // its capability is gone: the line stays masked until bound again
    return;
  }
  note.clear();
  note.label = IRQ_LABEL;
  note.len = 8;
  note.payload[0] = u64(line);
  const r = ipc.postFromKernel(ep, note, monotonicNanos());
  undelivered[line] = r == IpcResult.QueueFull;
  if (r != IpcResult.Ok && r != IpcResult.QueueFull) {
    log(LOG_WARN, `irq ${line}: endpoint ${ep} refused the interrupt (result ${u32(r)}); line unbound`);
    boundEndpoint[line] = NO_ENDPOINT;
  }
  wakeHook();
}

/** Under the lock: interrupts on line go to endpoint from now on (while the capability node, gen lives), and the line is unmasked. */
export function irqBind(line: u32, endpoint: u32, node: u32, nodeGen: u32): void {
  boundEndpoint[line] = endpoint;
  boundNode[line] = node;
  boundNodeGen[line] = nodeGen;
  undelivered[line] = false;
  deviceIrqUnmask(line);
}

/** Under the lock: the driver handled the last interrupt; deliver a pending one or unmask. */
export function irqAck(line: u32): void {
  if (boundEndpoint[line] == NO_ENDPOINT) return;
  if (undelivered[line]) deliver(line);
  if (!undelivered[line]) deviceIrqUnmask(line);
}
