// Seeded random stress for the scheduler (used by sched-driver.ts): random
// creates, wakes, blocks, exits, releases, priority and affinity changes, ticks,
// yields, picks and balancing over several CPUs, with consistent() after every
// step and the rescheduling protocol checked on every return value.
import { u32, bool, print, check } from "kts";
import { Scheduler, TaskState, BlockReason, MAX_TASKS, BANDS, NO_TASK, NO_CPU } from "../../src/kernel/sched/index";

const s = new Scheduler();
let seed: u32 = 1;
let picks: u32 = 0;
let switches: u32 = 0;

function rand(): u32 {
  seed = u32(seed ^ u32(seed << 13));
  seed = u32(seed ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

/** A random non-empty affinity mask over CPUs 0..cpus-1. */
function randomMask(cpus: u32): u32 {
  const m: u32 = u32(rand() & u32(u32(1 << cpus) - 1));
  return m != 0 ? m : u32(1 << u32(rand() % cpus));
}

function randomReason(): BlockReason {
  const r: u32 = u32(rand() % 4);
  if (r == 0) return BlockReason.Receive;
  if (r == 1) return BlockReason.Call;
  if (r == 2) return BlockReason.Reply;
  return BlockReason.Sleep;
}

/** A returned CPU must be NO_CPU or one whose reschedule flag is now set. */
function poked(r: u32): bool {
  return r == NO_CPU || s.needsResched(r);
}

function pick(cpu: u32): void {
  const prev: u32 = s.current(cpu);
  const t: u32 = s.pickNext(cpu);
  const c = s.cpu(cpu);
  picks = u32(picks + 1);
  if (t != prev) switches = u32(switches + 1);
  if (t == c.idle) check(c.queue.ready == 0, "idle only when the queue is empty");
  else check(c.queue.highestBand() >= s.task(t).band && s.task(t).state == TaskState.Running, "pickNext takes the highest ready band");
  check(!s.needsResched(cpu), "pickNext clears the flag");
  check(poked(s.takeKick(cpu)), "a kick names a flagged CPU");
}

/** Runs `steps` random operations on `cpus` CPUs from `seed0`; prints a summary. */
export function stress(steps: u32, cpus: u32, seed0: u32): void {
  seed = seed0;
  for (let c: u32 = 0; c < cpus; c++) s.addCpu(c);
  let ops: u32 = 0;
  let made: u32 = 0;
  let balances: u32 = 0;
  let done: u32 = 0;
  for (let step: u32 = 0; step < steps; step++) {
    const op: u32 = u32(rand() % 16);
    const t: u32 = u32(rand() % MAX_TASKS);
    const cpu: u32 = u32(rand() % cpus);
    const tk = s.task(t);
    const usable: bool = tk.state != TaskState.Free && !tk.idle;
    if (op <= 1) {
      const n: u32 = s.create(u32(rand() % BANDS), randomMask(cpus));
      if (n != NO_TASK) {
        made = u32(made + 1);
        if (rand() % 4 != 0) check(poked(s.wake(n)), "wake of a new task");
      }
    } else if (op <= 3) {
      if (usable) check(poked(s.wake(t)), "wake");
    } else if (op == 4) {
      if (usable && (tk.state == TaskState.Ready || tk.state == TaskState.Running)) {
        check(poked(s.block(t, randomReason())), "block");
      }
    } else if (op == 5) {
      if (usable && tk.state != TaskState.Dead) check(poked(s.exit(t)), "exit");
    } else if (op == 6) {
      if (usable && tk.state == TaskState.Dead) s.release(t);
    } else if (op == 7) {
      if (usable) check(poked(s.setPriority(t, u32(rand() % BANDS))), "setPriority");
    } else if (op == 8) {
      if (usable) check(poked(s.setAffinity(t, randomMask(cpus))), "setAffinity");
    } else if (op <= 11) {
      const want: bool = s.tick(cpu);
      check(want == s.needsResched(cpu), "tick reports the flag");
      if (want) pick(cpu);
    } else if (op == 12) {
      s.yield(cpu);
      pick(cpu);
    } else if (op == 13) {
      if (s.needsResched(cpu)) pick(cpu);
    } else if (op == 14) {
      if (rand() % 4 == 0) {
        const kicks: u32 = s.balance();
        balances = u32(balances + 1);
        for (let c: u32 = 0; c < cpus; c++) {
          if ((kicks & u32(1 << c)) != 0) check(s.needsResched(c), "balance kicks flagged CPUs");
        }
      }
    } else {
      for (let c: u32 = 0; c < cpus; c++) if (s.needsResched(c)) pick(c);
    }
    ops = u32(ops + 1);
    if (!s.consistent()) {
      check(false, "consistent after a random operation");
      print(`stress: inconsistent after step ${step}, op ${op}, task ${t}, cpu ${cpu}`);
      break;
    }
    done = u32(done + 1);
  }
  // Wind down: everything exits, every CPU switches away, every slot is released.
  for (let t: u32 = 0; t < MAX_TASKS; t++) {
    const tk = s.task(t);
    if (tk.state != TaskState.Free && !tk.idle) s.exit(t);
  }
  for (let c: u32 = 0; c < cpus; c++) if (s.needsResched(c)) pick(c);
  for (let t: u32 = 0; t < MAX_TASKS; t++) {
    if (s.task(t).state == TaskState.Dead) check(s.release(t), "dead task released");
  }
  check(s.core.used == cpus && s.consistent(), "only the idle tasks are left");
  for (let c: u32 = 0; c < cpus; c++) check(s.current(c) == s.cpu(c).idle && !s.tick(c), "every CPU idles");
  print(`stress: ${done}/${ops} steps consistent, ${made} tasks made, ${picks} picks, ${switches} switches, ${balances} balances`);
}
