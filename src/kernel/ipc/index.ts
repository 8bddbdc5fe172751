/**
 * IPC's front door: the kernel's one IPC instance and everything needed to use
 * it. Messages go to endpoints, synchronously (call/reply) or asynchronously
 * (send/receive), and every one of them passes the zero-trust interceptor
 * (capability check, rate limit, content inspection, audit). Pure logic: no
 * hardware and no clock, so it runs the same on the host and in the kernel.
 * docs/ipc.md describes the message layout, the state machine and the interceptor.
 *
 * Wiring left to the kernel (the lead):
 *  - ipc.setCapabilityCheck(...) / ipc.setTransferCheck(...) to src/kernel/cap
 *    (until then both deny everything; policy.ts has a table policy for bring-up),
 *    and ipc.setCapDelivery(...) to capTransfer (moves carried capabilities);
 *  - ipc.taskCreate / ipc.taskDied from the task manager;
 *  - the scheduler blocks a task on IpcResult.Blocked and drains ipc.popWake();
 *  - ipc.setQueueDrained(...): set by task/exit-watch.ts (exit notices a full
 *    queue refused are posted as it drains).
 */
import { Ipc } from "./ipc";

export const ipc = new Ipc();

export { Ipc } from "./ipc";
export {
  IpcResult,
  IpcOp,
  MAX_TASKS,
  MAX_ENDPOINTS,
  QUEUE_DEPTH,
  SENDER_SHARE,
  KERNEL_RESERVE,
  USER_QUEUE_LIMIT,
  NO_TASK,
  NO_ENDPOINT,
} from "./types";
export { queueDrainedNothing } from "./state";
export {
  Message,
  payloadWords,
  PAYLOAD_BYTES,
  PAYLOAD_WORDS,
  MAX_CAPS,
  PRINCIPAL_BYTES,
  MESSAGE_BYTES,
  USER_FLAGS,
  FLAG_CALL,
  FLAG_REPLY,
} from "./message";
export { TaskState } from "./task";
export { EP_INSPECT, inspectNothing } from "./endpoint";
export { AuditKind, AuditRecord, AUDIT_CAPACITY, AUDIT_BURST, AUDIT_RATE, AUDIT_RECENT } from "./audit";
export { RATE_UNLIMITED, DEFAULT_RATE, DEFAULT_BURST, NS_PER_SEC } from "./ratelimit";
export { capabilityCheckNotWired, transferCheckNotWired, capDeliveryNotWired } from "./interceptor";
export {
  tablePolicyCheck,
  tablePolicyTransfer,
  policySet,
  policyRights,
  policySetTransfer,
  policyReset,
  POLICY_SEND,
  POLICY_CALL,
  POLICY_RECEIVE,
  POLICY_REPLY,
  POLICY_ALL,
} from "./policy";
export { ipcInvariantBroken } from "./invariants";
export { ipcSysError } from "./syserror";
