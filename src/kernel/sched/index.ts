/**
 * The scheduler's front door. Policy and task states live in scheduler.ts
 * (class Scheduler); the data and its primitives in state.ts and runqueue.ts;
 * the balancer in balance.ts; the invariant checker in check.ts. The kernel
 * uses the one static `scheduler` below; tests make their own Scheduler.
 *
 * How the arch layer drives it (under one scheduler lock):
 *   boot, per CPU:    addCpu(cpu) -> idle task, which is the CPU's boot stack
 *   new task:         create(band, affinity), set task(t).context, wake(t)
 *   timer interrupt:  if (tick(cpu)) switch to pickNext(cpu)
 *   kernel exit:      if (needsResched(cpu)) switch to pickNext(cpu)
 *   after pickNext:   k = takeKick(cpu); IPI k unless NO_CPU
 *   wake/block/exit/setPriority/setAffinity: r = call(...); IPI r unless it is
 *                     NO_CPU or this CPU (which sees its own flag)
 *   periodically:     IPI every CPU of the mask balance() returns
 *   after a switch away from a Dead task: release(t)
 */
import { Scheduler } from "./scheduler";

export { Scheduler } from "./scheduler";
export { Cpu, SchedCore } from "./state";
export { RunQueue } from "./runqueue";
export { BALANCE_THRESHOLD } from "./balance";
export { Task, TaskState, BlockReason, MAX_TASKS, MAX_CPUS, BANDS, IDLE_BAND, DEFAULT_SLICE, NO_TASK, NO_CPU, ALL_CPUS, cpuBit } from "./task";

/** The kernel's scheduler. */
export const scheduler = new Scheduler();
