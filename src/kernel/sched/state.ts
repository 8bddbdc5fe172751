/**
 * The scheduler's state and the primitives every policy step is built from:
 * the static task table with its free list, the per-CPU records (current task,
 * idle task, run queue, reschedule flag, accounting), and queueing, load,
 * preemption and placement. SchedCore knows how to move a task between queues
 * but not when: that is the policy (scheduler.ts) and the balancer
 * (balance.ts). Callers serialize access (one scheduler lock in the arch layer).
 */
import { u32, u64, bool, array, structs, ctz32, panic } from "kts";
import { Task, TaskState, BlockReason, MAX_TASKS, MAX_CPUS, BANDS, DEFAULT_SLICE, NO_TASK, NO_CPU, cpuBit } from "./task";
import { RunQueue } from "./runqueue";

/** @align 128 — indexed by CPU on every switch: a shift, not a multiply (104 bytes of fields) */
export class Cpu {
  online: bool = false;
  /** The task this CPU runs: its idle task when nothing else is ready. */
  current: u32 = NO_TASK;
  idle: u32 = NO_TASK;
  /** Set when the CPU must call pickNext at its next chance (tick, syscall exit). */
  needResched: bool = false;
  /** A CPU that pickNext made need a reschedule and that this CPU must poke (takeKick). */
  kick: u32 = NO_CPU;
  queue = new RunQueue();
  /** Accounting: timer ticks, and ticks spent idle. */
  ticks: u64 = 0n;
  idleTicks: u64 = 0n;
}

export class SchedCore {
  // Small and hot first, the task table last: AArch64 reaches a field within 4 KiB
  // (16 KiB for a word) of the structure with one instruction, past it with three.
  cpus: Cpu[] = structs(MAX_CPUS, Cpu);
  /** Bit n set iff CPU n is online. */
  onlineMask: u32 = 0;
  /** Time slice of each band, in ticks. */
  slice: u32[] = array(BANDS, DEFAULT_SLICE);
  /** Free slots released once (linked by next), then slots never used (>= unused). */
  freeHead: u32 = NO_TASK;
  unused: u32 = 0;
  /** Used slots (idle tasks included). */
  used: u32 = 0;
  nextId: u32 = 1;
  tasks: Task[] = structs(MAX_TASKS, Task);

  /** The task in slot t; panics if t is out of range or Free. */
  live(t: u32): Task {
    if (t >= MAX_TASKS) panic(`sched: task index ${t} out of range`);
    const tk = this.tasks[t];
    if (tk.state == TaskState.Free) panic(`sched: task ${t} is free`);
    return tk;
  }

  /** The record of online CPU cpu; panics otherwise. */
  onlineCpu(cpu: u32): Cpu {
    if (cpu >= MAX_CPUS || !this.cpus[cpu].online) panic(`sched: CPU ${cpu} is not online`);
    return this.cpus[cpu];
  }

  /** Takes a free slot (O(1)) and gives it a fresh id; NO_TASK when the table is full. */
  allocSlot(): u32 {
    let t: u32 = this.freeHead;
    if (t != NO_TASK) {
      this.freeHead = this.tasks[t].next;
    } else {
      if (this.unused == MAX_TASKS) return NO_TASK;
      t = this.unused;
      this.unused = u32(this.unused + 1);
    }
    const tk = this.tasks[t];
    tk.next = NO_TASK;
    tk.prev = NO_TASK;
    tk.id = this.nextId;
    this.nextId = this.nextId == 0xffff_ffff ? 1 : u32(this.nextId + 1);
    this.used = u32(this.used + 1);
    return t;
  }

  /** Returns slot t, which the caller has made Free, to the free list. */
  freeSlot(t: u32): void {
    const tk = this.tasks[t];
    tk.id = 0;
    tk.prev = NO_TASK;
    tk.next = this.freeHead;
    this.freeHead = t;
    this.used = u32(this.used - 1);
  }

  /** Whether task t is the current task of its home CPU (running, or blocked/dead but not yet switched away). */
  isCurrent(t: u32): bool {
    return this.cpus[this.tasks[t].homeCpu].current == t;
  }

  /** Queues task t as Ready on cpu, at the tail of its band (or the head, for a preempted task). */
  enqueue(t: u32, cpu: u32, front: bool): void {
    const tk = this.tasks[t];
    tk.state = TaskState.Ready;
    tk.reason = BlockReason.None;
    tk.homeCpu = cpu;
    const q = this.cpus[cpu].queue;
    if (front) q.pushFront(this.tasks, t);
    else q.pushBack(this.tasks, t);
  }

  /** Takes Ready task t off its CPU's queue (its state is the caller's to set). */
  dequeue(t: u32): void {
    this.cpus[this.tasks[t].homeCpu].queue.remove(this.tasks, t);
  }

  /** Tasks wanting cpu: its queue, plus its current task if that is a real task still running. */
  load(cpu: u32): u32 {
    const c = this.cpus[cpu];
    const cur = this.tasks[c.current];
    const running: u32 = c.current != c.idle && cur.state == TaskState.Running ? 1 : 0;
    return u32(c.queue.ready + running);
  }

  /** Sets cpu's reschedule flag; returns cpu if the flag was clear (it must be poked), else NO_CPU. */
  flag(cpu: u32): u32 {
    const c = this.cpus[cpu];
    if (c.needResched) return NO_CPU;
    c.needResched = true;
    return cpu;
  }

  /** Whether Ready task t, queued on cpu, should take the CPU from its current task. */
  preempts(t: u32, cpu: u32): bool {
    const c = this.cpus[cpu];
    if (c.current == c.idle) return true;
    const cur = this.tasks[c.current];
    // A current task that blocked or exited already has a reschedule pending.
    if (cur.state != TaskState.Running) return false;
    return this.tasks[t].band < cur.band;
  }

  /** Queues Ready task t at the tail on cpu; returns cpu if it must now be poked, else NO_CPU. */
  enqueueAndPreempt(t: u32, cpu: u32): u32 {
    this.enqueue(t, cpu, false);
    return this.preempts(t, cpu) ? this.flag(cpu) : NO_CPU;
  }

  /**
   * Where task t should be queued: the least loaded online CPU its affinity
   * allows, preferring its home CPU on a tie (warm caches), then the lowest
   * number. O(MAX_CPUS). Panics if no allowed CPU is online.
   */
  place(t: u32): u32 {
    const tk = this.tasks[t];
    const allowed: u32 = u32(tk.affinity & this.onlineMask);
    if (allowed == 0) panic(`sched: task ${t} may run on no online CPU (affinity ${tk.affinity})`);
    let best: u32 = NO_CPU;
    let bestLoad: u32 = 0xffff_ffff;
    if ((allowed & cpuBit(tk.homeCpu)) != 0) {
      best = tk.homeCpu;
      bestLoad = this.load(best);
    }
    let rest: u32 = allowed;
    while (rest != 0) {
      const c: u32 = ctz32(rest);
      rest = u32(rest & u32(rest - 1));
      const l: u32 = this.load(c);
      if (l < bestLoad) {
        best = c;
        bestLoad = l;
      }
    }
    return best;
  }
}
