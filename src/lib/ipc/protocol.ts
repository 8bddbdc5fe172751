/**
 * The services' IPC protocol: message labels (four ASCII letters, so they read
 * in a hex dump) and the boot manifests' service indices. Payload word 0 is
 * word 0 of message.ts (msgWord); results travel as syscall results do: 0 or
 * -error (errorOf() reads them).
 */
import { u8, arrayOf } from "kts";

/** Async to log: payload = text bytes (length <= 256); log prints "[log <sender>] <text>". A call gets word 0 = 0. */
export const LABEL_LOG = 0x4c4f4721; // "LOG!"
/** Call to log or init: reply word 0 = word 0 + 1 (ipc-ping). Sent async, it is ignored. */
export const LABEL_PING = 0x50494e47; // "PING"
/** Call to init: word 0 = service index; reply word 0 = 0 (its task was killed; init restarts it) or -error. */
export const LABEL_RESTART = 0x52535452; // "RSTR"
/** Shell -> sysfuzz (call, the fuzz tier): word 0 = seed, word 1 = calls in all; reply word 0 = 0 (started; word 1 = calls per fuzzer) or -Invalid (a run is going, or no calls). */
export const LABEL_FUZZ = 0x46555a5a; // "FUZZ"
/** From the kernel to init's endpoint (exitWatch): words task, exit code, service index, faulted (1), restart wanted by the manifest (1). */
export const LABEL_EXIT = 0x45584954; // "EXIT"
/** From the kernel to an IRQ's endpoint (irqBind): word 0 = the interrupt line. */
export const LABEL_IRQ = 0x49525100; // "IRQ\0"
/** From the kernel to a task's own endpoint when its timer is due (timerSet): word 0 = the deadline. */
export const LABEL_TIMER = 0x54494d45; // "TIME"

/**
 * The sender id of messages the kernel posts (exit notices, IRQs). No task has
 * it, and the kernel stamps every sender, so a task cannot forge such a message.
 */
export const KERNEL_SENDER = 0xffff_ffff;

/** Service indices in the boot manifests (images/): init first, then the others in this order. */
export const SERVICE_INIT = 0;
export const SERVICE_LOG = 1;
export const SERVICE_SHELL = 2;
export const SERVICE_HOSTILE = 3;

/** The services' names, by index (for a shell's "restart log"). */
export const SERVICE_NAMES: u8[] = arrayOf([
  0x69, 0x6e, 0x69, 0x74, 0, // init
  0x6c, 0x6f, 0x67, 0, // log
  0x73, 0x68, 0x65, 0x6c, 0x6c, 0, // shell
  0x68, 0x6f, 0x73, 0x74, 0x69, 0x6c, 0x65, 0, // hostile
]);
