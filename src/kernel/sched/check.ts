/**
 * The scheduler's invariants, checked by walking everything (O(MAX_TASKS +
 * MAX_CPUS * BANDS)); for tests and debug builds, never on a hot path.
 *  - Each online CPU's band lists are well linked (prev/next agree, heads and
 *    tails right, no cycles), their counts, total and band mask match, and
 *    every task on them is a Ready, non-idle task of that band homed on that
 *    CPU and allowed there.
 *  - Every Ready non-idle task is in exactly one queue; no other task is in any.
 *  - Each online CPU's current task is homed there and queued nowhere: its idle
 *    task (Running), or a Running task, or one that blocked or exited with a
 *    reschedule pending. Idle tasks are Running exactly when current. No
 *    wakeup is lost: if a queued task outranks the running one (any task
 *    outranks idle), a reschedule is pending.
 *  - Blocked tasks have a reason, others none; bands and affinities are valid.
 *  - The free list holds exactly the Free slots below `unused`; the used count
 *    matches.
 * On the first violation it prints what is wrong and returns false.
 */
import { u32, bool, array, print } from "kts";
import { TaskState, BlockReason, MAX_TASKS, MAX_CPUS, BANDS, NO_TASK, NO_CPU, ALL_CPUS, cpuBit } from "./task";
import { SchedCore } from "./state";

export function checkConsistent(core: SchedCore): bool {
  const seen: bool[] = array(MAX_TASKS, false);
  for (let cpu: u32 = 0; cpu < MAX_CPUS; cpu++) {
    const c = core.cpus[cpu];
    if (c.online != ((core.onlineMask & cpuBit(cpu)) != 0)) {
      print(`sched: CPU ${cpu} online flag disagrees with the online mask`);
      return false;
    }
    if (!c.online) {
      if (c.queue.ready != 0 || c.current != NO_TASK) {
        print(`sched: offline CPU ${cpu} has tasks`);
        return false;
      }
      continue;
    }
    if (!checkQueue(core, cpu, seen) || !checkCurrent(core, cpu, seen)) return false;
  }
  let used: u32 = 0;
  for (let t: u32 = 0; t < MAX_TASKS; t++) {
    const tk = core.tasks[t];
    if (tk.state == TaskState.Free) continue;
    used = u32(used + 1);
    if (!checkTask(core, t, seen[t])) return false;
  }
  if (used != core.used) {
    print(`sched: ${used} used slots, counted ${core.used}`);
    return false;
  }
  return checkFreeList(core);
}

function checkQueue(core: SchedCore, cpu: u32, seen: bool[]): bool {
  const q = core.cpus[cpu].queue;
  let total: u32 = 0;
  for (let b: u32 = 0; b < BANDS; b++) {
    let n: u32 = 0;
    let prev: u32 = NO_TASK;
    let t: u32 = q.head[b];
    while (t != NO_TASK) {
      if (t >= MAX_TASKS || n >= MAX_TASKS || seen[t]) {
        print(`sched: CPU ${cpu} band ${b}: bad link ${t} (or a cycle, or a task queued twice)`);
        return false;
      }
      const tk = core.tasks[t];
      if (tk.state != TaskState.Ready || tk.idle || tk.band != b || tk.homeCpu != cpu || tk.prev != prev) {
        print(`sched: CPU ${cpu} band ${b}: task ${t} (state ${u32(tk.state)} band ${tk.band} home ${tk.homeCpu}) does not belong`);
        return false;
      }
      if ((tk.affinity & cpuBit(cpu)) == 0) {
        print(`sched: task ${t} queued on CPU ${cpu} outside its affinity ${tk.affinity}`);
        return false;
      }
      seen[t] = true;
      n = u32(n + 1);
      prev = t;
      t = tk.next;
    }
    const bit: bool = (q.mask & cpuBit(b)) != 0;
    if (q.tail[b] != prev || q.count[b] != n || bit != (n != 0)) {
      print(`sched: CPU ${cpu} band ${b}: tail, count ${q.count[b]} (walked ${n}) or mask wrong`);
      return false;
    }
    total = u32(total + n);
  }
  if (total != q.ready || (q.mask >>> BANDS) != 0) {
    print(`sched: CPU ${cpu}: ready ${q.ready}, walked ${total}, mask ${q.mask}`);
    return false;
  }
  return true;
}

function checkCurrent(core: SchedCore, cpu: u32, seen: bool[]): bool {
  const c = core.cpus[cpu];
  if (c.idle >= MAX_TASKS || c.current >= MAX_TASKS || (c.kick != NO_CPU && c.kick >= MAX_CPUS)) {
    print(`sched: CPU ${cpu}: bad idle ${c.idle}, current ${c.current} or kick ${c.kick}`);
    return false;
  }
  const idle = core.tasks[c.idle];
  const idleRunning: bool = idle.state == TaskState.Running;
  if (!idle.idle || idle.homeCpu != cpu || idle.affinity != cpuBit(cpu) || idleRunning != (c.current == c.idle)) {
    print(`sched: CPU ${cpu}: idle task ${c.idle} wrong (state ${u32(idle.state)})`);
    return false;
  }
  if (idle.state != TaskState.Running && idle.state != TaskState.Ready) {
    print(`sched: CPU ${cpu}: idle task in state ${u32(idle.state)}`);
    return false;
  }
  const curBand: u32 = core.tasks[c.current].band;
  if (core.tasks[c.current].state == TaskState.Running && c.queue.hasAbove(curBand) && !c.needResched) {
    print(`sched: CPU ${cpu}: a task above band ${curBand} waits but no reschedule is pending`);
    return false;
  }
  if (c.current == c.idle) return true;
  const cur = core.tasks[c.current];
  const pending: bool = cur.state == TaskState.Blocked || cur.state == TaskState.Dead;
  if (seen[c.current] || cur.idle || cur.homeCpu != cpu || (cur.state != TaskState.Running && !pending)) {
    print(`sched: CPU ${cpu}: current task ${c.current} (state ${u32(cur.state)} home ${cur.homeCpu}) wrong`);
    return false;
  }
  const misplaced: bool = (cur.affinity & cpuBit(cpu)) == 0;
  if ((pending || misplaced) && !c.needResched) {
    print(`sched: CPU ${cpu}: current task ${c.current} must go but no reschedule is pending`);
    return false;
  }
  return true;
}

function checkTask(core: SchedCore, t: u32, queued: bool): bool {
  const tk = core.tasks[t];
  if (tk.id == 0 || tk.homeCpu >= MAX_CPUS) {
    print(`sched: task ${t}: id ${tk.id} home ${tk.homeCpu}`);
    return false;
  }
  if (tk.idle) {
    if (!core.cpus[tk.homeCpu].online || core.cpus[tk.homeCpu].idle != t || queued) {
      print(`sched: idle task ${t} is not its CPU's idle task, or is queued`);
      return false;
    }
    return true;
  }
  if (tk.band >= BANDS || tk.affinity == 0 || (tk.affinity & u32(~ALL_CPUS)) != 0) {
    print(`sched: task ${t}: band ${tk.band} affinity ${tk.affinity}`);
    return false;
  }
  if ((tk.state == TaskState.Blocked) != (tk.reason != BlockReason.None)) {
    print(`sched: task ${t}: state ${u32(tk.state)} with block reason ${u32(tk.reason)}`);
    return false;
  }
  if ((tk.state == TaskState.Ready) != queued) {
    print(`sched: task ${t}: state ${u32(tk.state)} but queued ${queued}`);
    return false;
  }
  if (!queued && (tk.next != NO_TASK || tk.prev != NO_TASK)) {
    print(`sched: task ${t} is linked but not queued`);
    return false;
  }
  if (tk.state == TaskState.Running && core.cpus[tk.homeCpu].current != t) {
    print(`sched: task ${t} is Running but not the current task of CPU ${tk.homeCpu}`);
    return false;
  }
  return true;
}

function checkFreeList(core: SchedCore): bool {
  const inList: bool[] = array(MAX_TASKS, false);
  let n: u32 = 0;
  let t: u32 = core.freeHead;
  while (t != NO_TASK) {
    if (t >= core.unused || inList[t] || core.tasks[t].state != TaskState.Free || core.tasks[t].id != 0) {
      print(`sched: free list entry ${t} bad (or a cycle)`);
      return false;
    }
    inList[t] = true;
    n = u32(n + 1);
    t = core.tasks[t].next;
  }
  for (let i: u32 = 0; i < MAX_TASKS; i++) {
    const free: bool = core.tasks[i].state == TaskState.Free;
    if (free && i < core.unused && !inList[i]) {
      print(`sched: free slot ${i} missing from the free list`);
      return false;
    }
    if (!free && i >= core.unused) {
      print(`sched: slot ${i} used beyond the high-water mark ${core.unused}`);
      return false;
    }
  }
  if (u32(n + u32(MAX_TASKS - core.unused)) != u32(MAX_TASKS - core.used)) {
    print(`sched: ${n} listed free slots, ${core.unused} ever used, ${core.used} used`);
    return false;
  }
  return true;
}
