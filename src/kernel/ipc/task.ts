/**
 * What IPC knows about a task: its IPC state (the scheduler-visible transitions),
 * its principal (stamped on everything it sends), the result of its last
 * blocking operation, and the generation of its reply token. Its inbox (where a
 * received message or a reply lands, for the syscall layer to copy out) is
 * IpcState.inboxes[task].
 *
 *   Free ──taskCreate──> Ready ──receive, queue empty──> Receiving ──message──> Ready
 *                          │ ──call, queued────────────> Calling ──received──> AwaitingReply
 *                          │ ──call, receiver waiting──────────────────────────> AwaitingReply
 *                          │                                  AwaitingReply ──reply──> Ready
 *                          └──taskDied (from any state)──> Dead ──taskCreate──> Ready
 *
 * Every transition out of a blocked state (Receiving, Calling, AwaitingReply)
 * puts the task on the wake list with its result (Ok, or PeerDied / Closed /
 * Rejected): no blocked task is ever forgotten.
 */
import { u32, u64, bool, array } from "kts";
import { PRINCIPAL_WORDS } from "./message";
import { IpcResult, NO_ENDPOINT, NO_TASK } from "./types";

export enum TaskState {
  Free = 0,
  Ready = 1,
  /** Blocked in receive on `endpoint`, linked in its receiver FIFO. */
  Receiving = 2,
  /** Blocked in call; its message is queued on `endpoint`. */
  Calling = 3,
  /** Blocked in call; `server` took the message and holds the reply token. */
  AwaitingReply = 4,
  Dead = 5,
}

/** @align 64 — indexed by task on every IPC operation: a shift, not a multiply (64 bytes of fields; its inbox is IpcState.inboxes) */
export class TaskIpc {
  state: TaskState = TaskState.Free;
  /** The endpoint blocked on (Receiving, Calling) or called through (AwaitingReply). */
  endpoint: u32 = NO_ENDPOINT;
  /** That endpoint's generation when the call was made (a recycled slot is not the same endpoint). */
  endpointGen: u32 = 0;
  /** AwaitingReply: the task that received the call and may reply. */
  server: u32 = NO_TASK;
  /** Generation of the reply token; bumped when a token is consumed or voided. */
  tokenGen: u32 = 0;
  /** Next task in the receiver FIFO of `endpoint`. */
  next: u32 = NO_TASK;
  /** True while the task is on the wake list (it is never on it twice). */
  onWakeList: bool = false;
  /** The result of the last blocking operation, valid once the task is woken. */
  result: IpcResult = IpcResult.Ok;
  /** The task's principal, as the words stamped on every message it sends. */
  principalWords: u64[] = array(PRINCIPAL_WORDS, 0n);

  isLive(): bool {
    return this.state != TaskState.Free && this.state != TaskState.Dead;
  }

  isBlocked(): bool {
    return this.state == TaskState.Receiving || this.state == TaskState.Calling || this.state == TaskState.AwaitingReply;
  }

  /** The token answering this task's current call: generation in the high half, id in the low. */
  token(id: u32): u64 {
    return u64(u64(u64(this.tokenGen) << 32n) | u64(id));
  }

  /** Voids any outstanding token (0 is never a generation, so never a valid token). */
  bumpToken(): void {
    this.tokenGen = u32(this.tokenGen + 1);
    if (this.tokenGen == 0) this.tokenGen = 1;
  }
}
