/**
 * The scheduling policy and the task state machine: preemptive priority bands,
 * round-robin with a time slice inside a band, one run queue per CPU and an
 * idle task per CPU; wake-time placement on the least loaded allowed CPU and
 * periodic balancing (balance.ts). Pure logic: the arch layer calls tick() from
 * the timer, pickNext() when a reschedule is due, and performs the context
 * switch itself.
 *
 * Rescheduling protocol. Any call that makes a CPU need a new pickNext sets that
 * CPU's needResched flag. The calls that can affect another CPU (wake, block,
 * exit, setPriority, setAffinity) return that CPU when its flag went from clear
 * to set, NO_CPU otherwise: the caller pokes it with an IPI unless it is the
 * caller's own CPU, which notices its flag on the way out of the kernel.
 * balance() returns a mask of such CPUs. pickNext may itself move a task off
 * the CPU (affinity changed under it); the CPU to poke is then left for
 * takeKick(). Every call is O(BANDS) or O(MAX_CPUS) except balance().
 */
import { u32, u64, bool, ctz32, panic } from "kts";
import { Task, TaskState, BlockReason, MAX_TASKS, MAX_CPUS, BANDS, IDLE_BAND, NO_TASK, NO_CPU, ALL_CPUS, cpuBit } from "./task";
import { SchedCore, Cpu } from "./state";
import { balanceLoad } from "./balance";
import { checkConsistent } from "./check";

export class Scheduler {
  core = new SchedCore();

  /** The task in slot t (for the arch layer's context field and for accounting). */
  task(t: u32): Task {
    if (t >= MAX_TASKS) panic(`sched: task index ${t} out of range`);
    return this.core.tasks[t];
  }

  cpu(cpu: u32): Cpu {
    if (cpu >= MAX_CPUS) panic(`sched: CPU ${cpu} out of range`);
    return this.core.cpus[cpu];
  }

  /** Tasks wanting cpu (queued, plus a running non-idle current). */
  load(cpu: u32): u32 {
    this.core.onlineCpu(cpu);
    return this.core.load(cpu);
  }

  needsResched(cpu: u32): bool {
    return this.core.onlineCpu(cpu).needResched;
  }

  /** The current task of cpu (its idle task when nothing else runs). */
  current(cpu: u32): u32 {
    return this.core.onlineCpu(cpu).current;
  }

  /** current() for the calling CPU's own index (online, since it runs this): the system-call path's lookup, without the check. */
  currentHere(cpu: u32): u32 {
    return this.core.cpus[cpu].current;
  }

  /** Sets the time slice of a band, in ticks (at least 1); taken at the next fresh slice. */
  setSlice(band: u32, ticks: u32): void {
    if (band >= BANDS || ticks == 0) panic(`sched: bad slice ${ticks} for band ${band}`);
    this.core.slice[band] = ticks;
  }

  /**
   * Brings cpu online with a new idle task, which becomes its current task (the
   * arch layer turns the CPU's boot stack into that task's context). Returns the
   * idle task's index; panics if the CPU is already online or the table is full.
   */
  addCpu(cpu: u32): u32 {
    if (cpu >= MAX_CPUS) panic(`sched: CPU ${cpu} out of range`);
    const c = this.core.cpus[cpu];
    if (c.online) panic(`sched: CPU ${cpu} is already online`);
    const t: u32 = this.core.allocSlot();
    if (t == NO_TASK) panic("sched: no task slot for an idle task");
    const tk = this.core.tasks[t];
    tk.state = TaskState.Running;
    tk.reason = BlockReason.None;
    tk.band = IDLE_BAND;
    tk.idle = true;
    tk.homeCpu = cpu;
    tk.lastCpu = cpu;
    tk.cpusUsed = cpuBit(cpu);
    tk.affinity = cpuBit(cpu);
    tk.sliceLeft = 0;
    tk.ticksRun = 0n;
    tk.context = 0n;
    c.online = true;
    c.idle = t;
    c.current = t;
    c.needResched = false;
    c.kick = NO_CPU;
    this.core.onlineMask = u32(this.core.onlineMask | cpuBit(cpu));
    return t;
  }

  /**
   * A new task in band `band` allowed on the CPUs of `affinity` (bit n = CPU n),
   * Blocked with reason Start: wake() starts it. Returns its index, or NO_TASK
   * when the table is full. Panics on a bad band or an empty affinity.
   */
  create(band: u32, affinity: u32): u32 {
    if (band >= BANDS) panic(`sched: bad band ${band}`);
    const mask: u32 = u32(affinity & ALL_CPUS);
    if (mask == 0) panic("sched: empty affinity mask");
    const t: u32 = this.core.allocSlot();
    if (t == NO_TASK) return NO_TASK;
    const tk = this.core.tasks[t];
    tk.state = TaskState.Blocked;
    tk.reason = BlockReason.Start;
    tk.band = band;
    tk.idle = false;
    tk.affinity = mask;
    tk.homeCpu = ctz32(mask);
    tk.lastCpu = NO_CPU;
    tk.cpusUsed = 0;
    tk.sliceLeft = this.core.slice[band];
    tk.ticksRun = 0n;
    tk.context = 0n;
    return t;
  }

  /**
   * Makes Blocked task t Ready on its home CPU, or on the least loaded CPU its
   * affinity allows (see SchedCore.place). A task woken before its CPU switched
   * away from it simply carries on running there. No effect on a task that is
   * not Blocked. Returns the CPU to poke, or NO_CPU.
   */
  wake(t: u32): u32 {
    const tk = this.real(t);
    if (tk.state != TaskState.Blocked) return NO_CPU;
    if (this.core.isCurrent(t)) {
      tk.state = TaskState.Running;
      tk.reason = BlockReason.None;
      // Its reschedule is already pending; pickNext keeps it or moves it off a CPU it may no longer use.
      return NO_CPU;
    }
    return this.core.enqueueAndPreempt(t, this.core.place(t));
  }

  /**
   * Blocks task t (Running or Ready) for `reason`. A Ready task leaves its queue;
   * a Running one stays its CPU's current task until pickNext. Returns the CPU
   * that must reschedule (t's, if t was running there), or NO_CPU.
   */
  block(t: u32, reason: BlockReason): u32 {
    const tk = this.real(t);
    if (reason == BlockReason.None || reason == BlockReason.Start) panic(`sched: bad block reason ${u32(reason)}`);
    if (tk.state == TaskState.Ready) {
      this.core.dequeue(t);
      tk.state = TaskState.Blocked;
      tk.reason = reason;
      return NO_CPU;
    }
    if (tk.state != TaskState.Running) panic(`sched: block of task ${t} in state ${u32(tk.state)}`);
    tk.state = TaskState.Blocked;
    tk.reason = reason;
    return this.core.flag(tk.homeCpu);
  }

  /**
   * The IPC fast path's direct switch: cpu's current task `from` blocks for
   * `reason` and Blocked task `to` (which the same IPC operation released) runs
   * on cpu in its place, with no trip through the run queue: what wake(to),
   * block(from) and pickNext(cpu) would do when no queued task outranks `to`.
   * False, and nothing changed, when it is not that simple: a reschedule is
   * pending on cpu, `from` is not its running current task, `to` is not Blocked
   * or is still some CPU's current task (switching away), its affinity excludes
   * cpu, or a queued task of a higher band waits. The caller then wakes `to`
   * and blocks `from` the ordinary way.
   */
  handoff(cpu: u32, from: u32, to: u32, reason: BlockReason): bool {
    // The caller's own CPU, online since it runs this (no onlineCpu check on the fast path).
    const c = this.core.cpus[cpu];
    if (c.needResched || c.current != from || from == c.idle || to >= MAX_TASKS) return false;
    // from is cpu's current task (so a used slot); to is checked here rather than by real(): a refusal, not a panic.
    const ft = this.core.tasks[from];
    const tt = this.core.tasks[to];
    if (ft.state != TaskState.Running || tt.state != TaskState.Blocked || tt.idle) return false;
    // Still some CPU's current task (switching away from it): SchedCore.isCurrent, written out because
    // ThinLTO does not inline that call here (50 instructions per IPC round trip).
    if (this.core.cpus[tt.homeCpu].current == to) return false;
    if ((tt.affinity & cpuBit(cpu)) == 0 || c.queue.hasAbove(tt.band)) return false;
    if (reason == BlockReason.None || reason == BlockReason.Start) panic("sched: bad block reason for a handoff");
    ft.state = TaskState.Blocked;
    ft.reason = reason;
    tt.state = TaskState.Running;
    tt.reason = BlockReason.None;
    tt.homeCpu = cpu;
    tt.lastCpu = cpu;
    tt.cpusUsed = u32(tt.cpusUsed | cpuBit(cpu));
    if (tt.sliceLeft == 0) tt.sliceLeft = this.core.slice[tt.band];
    c.current = to;
    return true;
  }

  /** The current task of cpu gives up the rest of its slice (it goes behind its band's other tasks). */
  yield(cpu: u32): void {
    const c = this.core.onlineCpu(cpu);
    const tk = this.core.tasks[c.current];
    if (c.current == c.idle || tk.state != TaskState.Running) return;
    tk.sliceLeft = 0;
    this.core.flag(cpu);
  }

  /**
   * Task t exits: Dead, out of any queue. A running task stays its CPU's current
   * task until pickNext; release() then frees the slot. Returns the CPU that
   * must reschedule, or NO_CPU. Exiting a Dead task does nothing.
   */
  exit(t: u32): u32 {
    const tk = this.real(t);
    if (tk.state == TaskState.Dead) return NO_CPU;
    if (tk.state == TaskState.Ready) this.core.dequeue(t);
    tk.state = TaskState.Dead;
    tk.reason = BlockReason.None;
    return this.core.isCurrent(t) ? this.core.flag(tk.homeCpu) : NO_CPU;
  }

  /** Frees Dead task t's slot once no CPU runs it any more; false if it cannot be freed yet. */
  release(t: u32): bool {
    const tk = this.real(t);
    if (tk.state != TaskState.Dead || this.core.isCurrent(t)) return false;
    tk.state = TaskState.Free;
    tk.reason = BlockReason.None;
    tk.affinity = 0;
    tk.lastCpu = NO_CPU;
    tk.context = 0n;
    this.core.freeSlot(t);
    return true;
  }

  /** Moves task t to band `band` (behind that band's queued tasks if Ready). Returns the CPU to poke, or NO_CPU. */
  setPriority(t: u32, band: u32): u32 {
    const tk = this.real(t);
    if (band >= BANDS) panic(`sched: bad band ${band}`);
    if (tk.band == band) return NO_CPU;
    if (tk.state == TaskState.Ready) {
      const cpu: u32 = tk.homeCpu;
      this.core.dequeue(t);
      tk.band = band;
      return this.core.enqueueAndPreempt(t, cpu);
    }
    tk.band = band;
    if (tk.state == TaskState.Running && this.core.cpus[tk.homeCpu].queue.hasAbove(band)) return this.core.flag(tk.homeCpu);
    return NO_CPU;
  }

  /**
   * Restricts task t to the CPUs of `affinity`. A Ready task on a CPU now
   * forbidden moves to an allowed one; a Running one is rescheduled (pickNext
   * moves it). Returns the CPU to poke, or NO_CPU. Panics on an empty mask.
   */
  setAffinity(t: u32, affinity: u32): u32 {
    const tk = this.real(t);
    const mask: u32 = u32(affinity & ALL_CPUS);
    if (mask == 0) panic("sched: empty affinity mask");
    tk.affinity = mask;
    if ((mask & cpuBit(tk.homeCpu)) != 0) return NO_CPU;
    if (tk.state == TaskState.Ready) {
      this.core.dequeue(t);
      return this.core.enqueueAndPreempt(t, this.core.place(t));
    }
    if (tk.state == TaskState.Running) return this.core.flag(tk.homeCpu);
    // Blocked or Dead: placement at the next wake honours the mask.
    if (!this.core.isCurrent(t)) tk.homeCpu = ctz32(mask);
    return NO_CPU;
  }

  /**
   * A timer tick on cpu: accounts it to the current task and counts down its
   * slice. Returns whether cpu must call pickNext: its slice ran out and another
   * task of its band (or a higher one) is ready, a higher band is ready, or a
   * reschedule was already pending. A task alone at its priority keeps the CPU
   * with a fresh slice.
   */
  tick(cpu: u32): bool {
    const c = this.core.onlineCpu(cpu);
    const tk = this.core.tasks[c.current];
    c.ticks = u64(c.ticks + 1n);
    tk.ticksRun = u64(tk.ticksRun + 1n);
    if (c.current == c.idle) {
      c.idleTicks = u64(c.idleTicks + 1n);
      if (c.queue.ready != 0) this.core.flag(cpu);
      return c.needResched;
    }
    if (tk.state != TaskState.Running) {
      this.core.flag(cpu);
      return true;
    }
    if (tk.sliceLeft > 0) tk.sliceLeft = u32(tk.sliceLeft - 1);
    if (tk.sliceLeft == 0) {
      if (c.queue.hasAbove(u32(tk.band + 1))) this.core.flag(cpu);
      else tk.sliceLeft = this.core.slice[tk.band];
    }
    if (c.queue.hasAbove(tk.band)) this.core.flag(cpu);
    return c.needResched;
  }

  /**
   * Chooses what cpu runs next and makes it the current task: the head of the
   * highest non-empty band, or the idle task. A still-running current task goes
   * back first: behind its band if its slice is used up (or it yielded), in
   * front if it was preempted with slice left; to another CPU if its affinity no
   * longer allows this one (see takeKick). Clears cpu's reschedule flag.
   * O(BANDS) (O(MAX_CPUS) in the affinity case).
   */
  pickNext(cpu: u32): u32 {
    const core = this.core;
    const c = core.onlineCpu(cpu);
    const prev: u32 = c.current;
    const pt = core.tasks[prev];
    if (prev == c.idle) {
      pt.state = TaskState.Ready;
    } else if (pt.state == TaskState.Running) {
      if ((pt.affinity & cpuBit(cpu)) == 0) {
        const d: u32 = core.place(prev);
        const poke: u32 = core.enqueueAndPreempt(prev, d);
        if (poke != NO_CPU) c.kick = poke;
      } else if (pt.sliceLeft == 0) {
        pt.sliceLeft = core.slice[pt.band];
        core.enqueue(prev, cpu, false);
      } else {
        core.enqueue(prev, cpu, true);
      }
    }
    let next: u32 = c.queue.popHighest(core.tasks);
    if (next == NO_TASK) next = c.idle;
    const nt = core.tasks[next];
    nt.state = TaskState.Running;
    nt.homeCpu = cpu;
    nt.lastCpu = cpu;
    nt.cpusUsed = u32(nt.cpusUsed | cpuBit(cpu));
    if (nt.sliceLeft == 0 && !nt.idle) nt.sliceLeft = core.slice[nt.band];
    c.current = next;
    c.needResched = false;
    return next;
  }

  /** After pickNext on cpu: a CPU that must be poked (it received cpu's previous task), or NO_CPU. Clears it. */
  takeKick(cpu: u32): u32 {
    const c = this.core.onlineCpu(cpu);
    const k: u32 = c.kick;
    c.kick = NO_CPU;
    return k;
  }

  /** Spreads ready tasks from busy CPUs to idle ones (see balance.ts); returns the mask of CPUs to poke. */
  balance(): u32 {
    return balanceLoad(this.core);
  }

  /** Checks every invariant of the task table and the queues; prints the first violation. */
  consistent(): bool {
    return checkConsistent(this.core);
  }

  /** Task t, which must be a used, non-idle slot. */
  private real(t: u32): Task {
    const tk = this.core.live(t);
    if (tk.idle) panic(`sched: task ${t} is an idle task`);
    return tk;
  }
}
