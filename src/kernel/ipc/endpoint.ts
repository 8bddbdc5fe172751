/**
 * An endpoint: the address IPC goes to. Each has an owner (the task that created
 * it; its death closes the endpoint), a generation (bumped on every close, so the
 * capability subsystem can tell a recycled slot from the one it granted), flags,
 * an optional content-inspection hook, and its asynchronous queue: a ring of
 * QUEUE_DEPTH message slots (MAX_ENDPOINTS * QUEUE_DEPTH slots in all). The queue
 * is shared fairly (roomFor): each sender holds at most SENDER_SHARE of it, and
 * the last KERNEL_RESERVE slots are kept for the kernel's messages.
 *
 * Two tables hold an endpoint (IpcState): Endpoint, the 32 bytes every IPC
 * operation reads (state, generation, flags, the queue's head and count, the
 * receiver FIFO), and EndpointQueue, its message slots and inspector, which only
 * queued sends and inspected endpoints touch. Kept apart, the hot table is 8 KiB
 * near the start of IpcState, where AArch64 reaches a field with one instruction
 * (the slots embedded made a 5,416-byte stride 106 KiB in: five per field).
 *
 * Waiting receivers form a FIFO linked through the tasks (TaskIpc.next):
 * recvHead/recvTail here, managed by IpcState. Callers blocked in call are the
 * senders of the queued FLAG_CALL messages (before a receiver takes them) and
 * then the tasks awaiting their reply token.
 */
import { u32, bool, panic, structs } from "kts";
import { Message } from "./message";
import { NO_TASK, QUEUE_DEPTH, SENDER_SHARE, USER_QUEUE_LIMIT } from "./types";

export enum EndpointState {
  Free = 0,
  Open = 1,
}

/** Flag: messages to this endpoint (and replies to calls through it) go past its inspector. */
export const EP_INSPECT: u32 = 1;

/** The inspector of an endpoint without one: accepts everything. */
export function inspectNothing(msg: Message): bool {
  return true;
}

/** @align 32 — indexed by endpoint on every IPC operation: a shift, not a multiply (32 bytes of fields) */
export class Endpoint {
  state: EndpointState = EndpointState.Free;
  owner: u32 = NO_TASK;
  flags: u32 = 0;
  generation: u32 = 0;
  /** Index in the queue's slots of the oldest queued message, and how many are queued. */
  head: u32 = 0;
  count: u32 = 0;
  /** The FIFO of tasks blocked in receive here (linked through TaskIpc.next). */
  recvHead: u32 = NO_TASK;
  recvTail: u32 = NO_TASK;

  isOpen(): bool {
    return this.state == EndpointState.Open;
  }

  /** Opens a free slot for owner, empty and uninspected (EndpointQueue.open for its queue). */
  open(owner: u32): void {
    if (this.state != EndpointState.Free) panic("open of an endpoint in use");
    this.state = EndpointState.Open;
    this.owner = owner;
    this.flags = 0;
    this.head = 0;
    this.count = 0;
    this.recvHead = NO_TASK;
    this.recvTail = NO_TASK;
  }

  /** Frees the slot; the queue must already be empty and nobody waiting. */
  release(): void {
    if (this.count != 0 || this.recvHead != NO_TASK) panic("release of a busy endpoint");
    this.state = EndpointState.Free;
    this.owner = NO_TASK;
    this.flags = 0;
    this.generation = u32(this.generation + 1);
  }

  full(): bool {
    return this.count == QUEUE_DEPTH;
  }

  /** Makes the filled tailSlot() the newest queued message. */
  commitTail(): void {
    if (this.full()) panic("commitTail of a full queue");
    this.count = u32(this.count + 1);
  }
}

/** An endpoint's message slots and inspector: the part of it only queued sends and inspected endpoints touch. */
export class EndpointQueue {
  slots: Message[] = structs(QUEUE_DEPTH, Message);
  /** Called with the stamped message when the endpoint has EP_INSPECT; false rejects it. */
  inspector: (msg: Message) => bool = inspectNothing;

  /** The queue of an endpoint being opened: uninspected (its slots are clear: every removal clears its slot). */
  open(): void {
    this.inspector = inspectNothing;
  }

  /**
   * Whether sender (NO_TASK: the kernel) may queue one more message: the kernel
   * while a slot is free; a task while it holds fewer than SENDER_SHARE of the
   * queued messages and user messages fill fewer than USER_QUEUE_LIMIT slots.
   */
  roomFor(e: Endpoint, sender: u32): bool {
    if (e.full()) return false;
    if (sender == NO_TASK) return true;
    let user: u32 = 0;
    let own: u32 = 0;
    for (let i: u32 = 0; i < e.count; i++) {
      const from: u32 = this.slots[u32(u32(e.head + i) % QUEUE_DEPTH)].sender;
      if (from == NO_TASK) continue;
      user = u32(user + 1);
      if (from == sender) own = u32(own + 1);
    }
    return user < USER_QUEUE_LIMIT && own < SENDER_SHARE;
  }

  /** The i-th queued message, 0 = the oldest. */
  at(e: Endpoint, i: u32): Message {
    if (i >= e.count) panic("endpoint queue index out of range");
    return this.slots[u32(u32(e.head + i) % QUEUE_DEPTH)];
  }

  /** The free slot after the newest message, to be filled and then committed. */
  tailSlot(e: Endpoint): Message {
    if (e.full()) panic("tailSlot of a full queue");
    return this.slots[u32(u32(e.head + e.count) % QUEUE_DEPTH)];
  }

  /** Moves the oldest message into out (the queue must not be empty). */
  popHead(e: Endpoint, out: Message): void {
    if (e.count == 0) panic("popHead of an empty queue");
    const m = this.slots[e.head];
    out.copyFrom(m);
    m.clear();
    e.head = u32(u32(e.head + 1) % QUEUE_DEPTH);
    e.count = u32(e.count - 1);
  }

  /** Discards the oldest message (the queue must not be empty). */
  dropHead(e: Endpoint): void {
    if (e.count == 0) panic("dropHead of an empty queue");
    this.slots[e.head].clear();
    e.head = u32(u32(e.head + 1) % QUEUE_DEPTH);
    e.count = u32(e.count - 1);
  }

  /** Removes the i-th queued message, keeping the others in order. */
  removeAt(e: Endpoint, i: u32): void {
    if (i >= e.count) panic("removeAt out of range");
    for (let k: u32 = i; k < u32(e.count - 1); k++) this.at(e, k).copyFrom(this.at(e, u32(k + 1)));
    this.at(e, u32(e.count - 1)).clear();
    e.count = u32(e.count - 1);
  }
}
