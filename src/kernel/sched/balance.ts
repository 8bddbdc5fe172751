/**
 * Load balancing across CPUs, run periodically by the arch layer (say every
 * few dozen ticks from one CPU). Load is tasks wanting a CPU: its queue plus a
 * running non-idle task. While some online pair of CPUs differs in load by
 * more than BALANCE_THRESHOLD and the busier one has a queued task allowed on
 * the other, one such task moves across, from the pair with the largest
 * imbalance first. Each move shrinks the sum of squared loads, so the loop
 * ends; it is also capped at MAX_TASKS moves. Running tasks never move here.
 * Cost per move: O(MAX_TASKS + MAX_CPUS^2).
 */
import { u32, bool, array } from "kts";
import { TaskState, MAX_TASKS, MAX_CPUS, BANDS, NO_TASK, NO_CPU, cpuBit } from "./task";
import { SchedCore } from "./state";

/** Largest tolerated difference in load between two CPUs. */
export const BALANCE_THRESHOLD: u32 = 1;

/** Balances the run queues; returns the mask of CPUs that must be poked to reschedule. */
export function balanceLoad(core: SchedCore): u32 {
  const loads: u32[] = array(MAX_CPUS, 0);
  /** Per CPU, the union of the affinities of the tasks queued there: where they could go. */
  const reach: u32[] = array(MAX_CPUS, 0);
  let kicks: u32 = 0;
  for (let round: u32 = 0; round < MAX_TASKS; round++) {
    for (let c: u32 = 0; c < MAX_CPUS; c++) {
      loads[c] = core.cpus[c].online ? core.load(c) : 0;
      reach[c] = 0;
    }
    for (let t: u32 = 0; t < MAX_TASKS; t++) {
      const tk = core.tasks[t];
      if (tk.state == TaskState.Ready && !tk.idle) reach[tk.homeCpu] = u32(reach[tk.homeCpu] | tk.affinity);
    }
    let src: u32 = NO_CPU;
    let dst: u32 = NO_CPU;
    let worst: u32 = BALANCE_THRESHOLD;
    for (let s: u32 = 0; s < MAX_CPUS; s++) {
      if (!core.cpus[s].online) continue;
      for (let d: u32 = 0; d < MAX_CPUS; d++) {
        if (!core.cpus[d].online || loads[s] <= loads[d] || (reach[s] & cpuBit(d)) == 0) continue;
        const diff: u32 = u32(loads[s] - loads[d]);
        if (diff > worst) {
          src = s;
          dst = d;
          worst = diff;
        }
      }
    }
    if (src == NO_CPU) break;
    const t: u32 = victim(core, src, dst);
    if (t == NO_TASK) break;
    core.dequeue(t);
    const poke: u32 = core.enqueueAndPreempt(t, dst);
    if (poke != NO_CPU) kicks = u32(kicks | cpuBit(poke));
  }
  return kicks;
}

/**
 * The task to move from src to dst: the lowest band first (it waits longest
 * behind src's higher bands), and within it the newest (tail), whose cache is
 * coldest. NO_TASK if no queued task of src may run on dst.
 */
function victim(core: SchedCore, src: u32, dst: u32): u32 {
  const q = core.cpus[src].queue;
  for (let b: u32 = BANDS; b > 0; b--) {
    let t: u32 = q.tail[u32(b - 1)];
    while (t != NO_TASK) {
      if (allowedOn(core, t, dst)) return t;
      t = core.tasks[t].prev;
    }
  }
  return NO_TASK;
}

function allowedOn(core: SchedCore, t: u32, cpu: u32): bool {
  return (core.tasks[t].affinity & cpuBit(cpu)) != 0;
}
