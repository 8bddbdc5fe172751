/**
 * One CPU's run queue: a FIFO per priority band, intrusive doubly linked lists
 * threaded through the tasks' next/prev fields by task index (no allocation),
 * plus a bitmask of non-empty bands so the highest ready band is one ctz away.
 * Every operation is O(1). The queue only links and unlinks; task states are
 * the caller's (SchedCore's) business.
 */
import { u32, bool, array, ctz32, panic } from "kts";
import { Task, BANDS, NO_TASK } from "./task";

export class RunQueue {
  head: u32[] = array(BANDS, NO_TASK);
  tail: u32[] = array(BANDS, NO_TASK);
  count: u32[] = array(BANDS, 0);
  /** Tasks queued, all bands together. */
  ready: u32 = 0;
  /** Bit b set iff band b's FIFO is non-empty. */
  mask: u32 = 0;

  /** Appends task t (band `tasks[t].band`) at the tail of its band. */
  pushBack(tasks: Task[], t: u32): void {
    const tk = tasks[t];
    const b: u32 = tk.band;
    tk.next = NO_TASK;
    tk.prev = this.tail[b];
    if (this.tail[b] == NO_TASK) this.head[b] = t;
    else tasks[this.tail[b]].next = t;
    this.tail[b] = t;
    this.added(b);
  }

  /** Puts task t at the head of its band (a preempted task resumes first). */
  pushFront(tasks: Task[], t: u32): void {
    const tk = tasks[t];
    const b: u32 = tk.band;
    tk.prev = NO_TASK;
    tk.next = this.head[b];
    if (this.head[b] == NO_TASK) this.tail[b] = t;
    else tasks[this.head[b]].prev = t;
    this.head[b] = t;
    this.added(b);
  }

  /** Unlinks task t, which must be queued here in band `tasks[t].band`. */
  remove(tasks: Task[], t: u32): void {
    const tk = tasks[t];
    const b: u32 = tk.band;
    if (this.count[b] == 0) panic(`run queue: remove of task ${t} from empty band ${b}`);
    if (tk.prev == NO_TASK) this.head[b] = tk.next;
    else tasks[tk.prev].next = tk.next;
    if (tk.next == NO_TASK) this.tail[b] = tk.prev;
    else tasks[tk.next].prev = tk.prev;
    tk.next = NO_TASK;
    tk.prev = NO_TASK;
    this.count[b] = u32(this.count[b] - 1);
    this.ready = u32(this.ready - 1);
    if (this.count[b] == 0) this.mask = u32(this.mask & u32(~(1 << b)));
  }

  /** Removes and returns the head of the highest non-empty band; NO_TASK if empty. */
  popHighest(tasks: Task[]): u32 {
    if (this.mask == 0) return NO_TASK;
    const t: u32 = this.head[ctz32(this.mask)];
    this.remove(tasks, t);
    return t;
  }

  /** The highest non-empty band, or BANDS when the queue is empty. */
  highestBand(): u32 {
    return this.mask == 0 ? BANDS : ctz32(this.mask);
  }

  /** Whether some queued task's band is strictly higher in priority than `band`. */
  hasAbove(band: u32): bool {
    return band != 0 && (this.mask & u32(u32(1 << band) - 1)) != 0;
  }

  private added(b: u32): void {
    this.count[b] = u32(this.count[b] + 1);
    this.ready = u32(this.ready + 1);
    this.mask = u32(this.mask | u32(1 << b));
  }
}
