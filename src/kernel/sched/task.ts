/**
 * The scheduler's view of a task: one slot of the static task table. A slot is
 * Free, or holds a task that is Ready (queued on exactly one CPU's run queue),
 * Running (the current task of exactly one CPU, in no queue), Blocked (with a
 * reason, in no queue) or Dead (exited, in no queue, waiting to be released).
 * Tasks are named by their slot index everywhere; `id` is unique over the life
 * of the system and tells a reused slot apart. Pure data: no hardware.
 */
import { u32, u64, usize, bool } from "kts";

export { MAX_CPUS } from "../boot/bootinfo";
/** Slots in the task table, idle tasks (one per online CPU) included. */
export const MAX_TASKS = 64;
/** Priority bands: 0 is the highest (drivers), BANDS - 1 the lowest. */
export const BANDS = 4;
/** The band of idle tasks: below every real band, never queued. */
export const IDLE_BAND: u32 = 4;
/** Time slice of every band unless changed (Scheduler.setSlice), in ticks. */
export const DEFAULT_SLICE: u32 = 4;
/** "No task" in a task index (empty list links, no current task). */
export const NO_TASK: u32 = 0xffff_ffff;
/** "No CPU": nothing to reschedule, no IPI to send. */
export const NO_CPU: u32 = 0xffff_ffff;
/** Every CPU the scheduler can manage, as an affinity mask (bit n = CPU n). */
export const ALL_CPUS: u32 = 0xffff;

export enum TaskState {
  Free = 0,
  Ready = 1,
  Running = 2,
  Blocked = 3,
  Dead = 4,
}

/** Why a Blocked task waits; None whenever the task is not Blocked. */
export enum BlockReason {
  None = 0,
  /** Waiting on an endpoint for a message. */
  Receive = 1,
  /** Sent a call, waiting for the server to take it. */
  Call = 2,
  /** Call taken, waiting for the reply. */
  Reply = 3,
  /** Waiting for a timer. */
  Sleep = 4,
  /** Created and never started: the first wake() starts it. */
  Start = 5,
}

export class Task {
  /** Unique over the system's life (never 0 for a used slot); 0 when Free. */
  id: u32 = 0;
  state: TaskState = TaskState.Free;
  reason: BlockReason = BlockReason.None;
  /** Priority band, 0..BANDS-1 (IDLE_BAND for idle tasks). */
  band: u32 = 0;
  /** One of the per-CPU idle tasks: never queued, never blocked or exited. */
  idle: bool = false;
  /**
   * The CPU whose queue holds the task (Ready), that runs it (Running), or that
   * ran it last / will be tried first when it is woken (otherwise).
   */
  homeCpu: u32 = 0;
  /** CPUs the task may run on, bit n = CPU n. */
  affinity: u32 = 0;
  /** Ticks left of the current time slice; 0 means "take a fresh one". */
  sliceLeft: u32 = 0;
  /** Accounting: timer ticks spent running. */
  ticksRun: u64 = 0n;
  /** The CPU that last picked the task; NO_CPU if it never ran. */
  lastCpu: u32 = NO_CPU;
  /** CPUs the task has run on, bit n = CPU n (tests check that work spreads); kept after it exits, until its slot is reused. */
  cpusUsed: u32 = 0;
  /** Owned by the arch layer: where the task's saved register context lives. */
  context: usize = 0n;
  /** Intrusive links: the run queue (doubly linked) or the free list (next only). */
  next: u32 = NO_TASK;
  prev: u32 = NO_TASK;
}

/** The affinity bit of cpu. */
export function cpuBit(cpu: u32): u32 {
  return u32(1 << cpu);
}
