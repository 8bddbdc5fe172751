// Host driver for the scheduler: priority order, round-robin fairness, preemption
// on wake, block/wake cycles, exit and release, idle, per-CPU independence,
// wake-time migration and balancing, affinity, priority changes, and a seeded
// random stress run checked against consistent() after every operation.
import { u32, u64, print, check, checkFailures, array, arrayOf } from "kts";
import { Scheduler, TaskState, BlockReason, MAX_TASKS, NO_TASK, NO_CPU, ALL_CPUS } from "../../src/kernel/sched/index";
import { stress } from "./sched-stress";

/** Ticks cpu `n` times, switching whenever tick() asks for it. */
function run(s: Scheduler, cpu: u32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    if (s.tick(cpu)) s.pickNext(cpu);
  }
}

/** Ticks CPUs 0..cpus-1 in lockstep `n` times. */
function runAll(s: Scheduler, cpus: u32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    for (let c: u32 = 0; c < cpus; c++) {
      if (s.tick(c)) s.pickNext(c);
    }
  }
}

/** A started task of band `band` allowed on `mask`. */
function spawn(s: Scheduler, band: u32, mask: u32): u32 {
  const t: u32 = s.create(band, mask);
  s.wake(t);
  return t;
}

function idleWhenEmpty(): void {
  const s = new Scheduler();
  const idle: u32 = s.addCpu(0);
  check(s.pickNext(0) == idle && s.current(0) == idle, "idle runs when nothing is ready");
  check(!s.tick(0) && !s.tick(0), "idle keeps the CPU while nothing is ready");
  const t: u32 = s.create(2, 1);
  check(s.task(t).state == TaskState.Blocked && s.task(t).reason == BlockReason.Start, "created tasks wait for their start");
  check(s.wake(t) == 0 && s.needsResched(0), "a wake onto an idle CPU pokes it");
  check(s.pickNext(0) == t && s.task(t).state == TaskState.Running, "the woken task runs");
  check(s.block(t, BlockReason.Sleep) == 0 && s.pickNext(0) == idle, "back to idle when it blocks");
  check(s.task(idle).state == TaskState.Running && s.load(0) == 0, "idle is running, load 0");
  check(s.cpu(0).idleTicks == 2n && s.consistent(), "idle ticks counted; consistent");
  print(`idle: idle task ${idle}, task ${t}, last on CPU ${s.task(t).lastCpu}`);
}

function priorityOrder(): void {
  const s = new Scheduler();
  s.addCpu(0);
  const bands: u32[] = arrayOf([3, 1, 2, 0, 1]);
  const ts: u32[] = array(5, 0);
  for (let i: u32 = 0; i < 5; i++) ts[i] = spawn(s, bands[i], 1);
  const expect: u32[] = arrayOf([3, 1, 4, 2, 0]);
  let order: u32 = 1;
  for (let i: u32 = 0; i < 5; i++) {
    const t: u32 = s.pickNext(0);
    check(t == ts[expect[i]], "highest band first, FIFO within a band");
    order = u32(order * 10 + s.task(t).band);
    s.block(t, BlockReason.Receive);
  }
  check(s.pickNext(0) == s.cpu(0).idle && s.consistent(), "idle after all blocked");
  print(`priority: bands in pick order (after a leading 1) ${order}`);
}

function fairness(count: u32, band: u32, slice: u32, ticks: u32): void {
  const s = new Scheduler();
  s.addCpu(0);
  s.setSlice(band, slice);
  const ts: u32[] = array(8, 0);
  for (let i: u32 = 0; i < count; i++) ts[i] = spawn(s, band, 1);
  const low: u32 = spawn(s, 3, 1);
  s.pickNext(0);
  run(s, 0, ticks);
  const share: u32 = u32(ticks / count);
  let lo: u64 = 0xffff_ffffn;
  let hi: u64 = 0n;
  for (let i: u32 = 0; i < count; i++) {
    const r: u64 = s.task(ts[i]).ticksRun;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
    check(u64(r + u64(slice)) >= u64(share) && r <= u64(u32(share + slice)), "each task gets its share within one slice");
  }
  check(s.task(low).ticksRun == 0n && s.task(low).lastCpu == NO_CPU, "a lower band starves (never picked) while a higher one is busy");
  check(s.consistent(), "consistent after round-robin");
  print(`fairness: ${count} tasks, slice ${slice}, ${ticks} ticks: ${lo}..${hi} each`);
}

function preemption(): void {
  const s = new Scheduler();
  s.addCpu(0);
  const a: u32 = spawn(s, 2, 1);
  check(s.pickNext(0) == a, "a runs");
  run(s, 0, 1);
  const same: u32 = spawn(s, 2, 1);
  check(!s.needsResched(0) && !s.tick(0), "an equal band does not preempt");
  const low: u32 = spawn(s, 3, 1);
  check(!s.needsResched(0), "a lower band does not preempt");
  const hi: u32 = s.create(0, 1);
  check(s.wake(hi) == 0 && s.needsResched(0) && s.tick(0), "a higher band preempts on wake");
  const left: u32 = s.task(a).sliceLeft;
  check(s.pickNext(0) == hi, "the higher band runs at once");
  check(s.wake(hi) == NO_CPU, "waking a running task does nothing");
  s.block(hi, BlockReason.Call);
  check(s.pickNext(0) == a && s.task(a).sliceLeft == left && left != 0, "the preempted task resumes first with its slice left");
  run(s, 0, s.task(a).sliceLeft);
  check(s.current(0) == same, "then round-robin goes on");
  check(s.setPriority(low, 0) == 0 && s.pickNext(0) == low, "raising a queued task above the current preempts");
  check(s.setPriority(low, 3) == 0 && s.pickNext(0) == same, "lowering the current below a queued task reschedules");
  check(s.consistent(), "consistent after preemption");
  print(`preemption: a ${a} same ${same} low ${low} hi ${hi}`);
}

function blockWake(): void {
  const s = new Scheduler();
  s.addCpu(0);
  const client: u32 = spawn(s, 1, 1);
  const server: u32 = spawn(s, 1, 1);
  let rounds: u32 = 0;
  for (let i: u32 = 0; i < 1000; i++) {
    const cur: u32 = s.pickNext(0);
    const other: u32 = cur == client ? server : client;
    check(cur == client || cur == server, "one of the pair runs");
    s.wake(other);
    check(s.block(cur, cur == client ? BlockReason.Reply : BlockReason.Receive) == 0, "blocking the current task reschedules its CPU");
    run(s, 0, u32(i % 3));
    if (!s.consistent()) break;
    rounds = u32(rounds + 1);
  }
  // Woken before its CPU switched away: it just carries on.
  const cur: u32 = s.pickNext(0);
  s.block(cur, BlockReason.Receive);
  check(s.wake(cur) == NO_CPU && s.task(cur).state == TaskState.Running, "a wake before the switch cancels the block");
  check(s.pickNext(0) == cur && s.consistent(), "and the task keeps its CPU");
  print(`block/wake: ${rounds} rounds, client ran ${s.task(client).ticksRun} ticks, server ${s.task(server).ticksRun}`);
}

function exitRelease(): void {
  const s = new Scheduler();
  const idle: u32 = s.addCpu(0);
  const a: u32 = spawn(s, 1, 1);
  const b: u32 = spawn(s, 1, 1);
  const c: u32 = s.create(1, 1);
  check(s.pickNext(0) == a, "a runs");
  check(s.exit(b) == NO_CPU && s.task(b).state == TaskState.Dead && s.load(0) == 1, "exiting a queued task dequeues it");
  check(s.exit(c) == NO_CPU && s.release(c), "a never-started task exits and is released");
  check(s.exit(a) == 0 && !s.release(a), "a running task exits but cannot be released before the switch");
  check(s.pickNext(0) == idle && s.release(a) && s.release(b), "after the switch both are released");
  check(s.task(a).state == TaskState.Free && s.task(b).state == TaskState.Free, "released slots are free");
  let made: u32 = 0;
  while (s.create(2, 1) != NO_TASK) made = u32(made + 1);
  check(made == u32(MAX_TASKS - 1), "every slot but the idle task's can be reused");
  check(s.consistent(), "consistent after exit and release");
  print(`exit: made ${made} tasks after releases, next id ${s.core.nextId}`);
}

function perCpu(): void {
  const s = new Scheduler();
  s.addCpu(0);
  s.addCpu(1);
  const a: u32 = spawn(s, 2, 1);
  const b: u32 = spawn(s, 2, 1);
  const c: u32 = spawn(s, 2, 2);
  check(s.needsResched(0) && s.needsResched(1), "both CPUs poked");
  s.pickNext(0);
  s.pickNext(1);
  run(s, 0, 40);
  check(s.current(1) == c && s.task(c).ticksRun == 0n && !s.needsResched(1), "ticks on CPU 0 leave CPU 1 alone");
  check(s.task(a).ticksRun == 20n && s.task(b).ticksRun == 20n, "CPU 0 shares between its two tasks");
  check(s.block(c, BlockReason.Sleep) == 1 && !s.needsResched(0), "blocking on CPU 1 flags only CPU 1");
  s.pickNext(1);
  check(s.wake(c) == 1, "the wake names CPU 1 for the IPI");
  check(s.consistent(), "consistent across CPUs");
  print(`per-cpu: CPU 0 ${s.cpu(0).ticks} ticks, CPU 1 ${s.cpu(1).ticks} ticks`);
}

function migration(): void {
  const s = new Scheduler();
  for (let c: u32 = 0; c < 4; c++) s.addCpu(c);
  // Wake-time placement: unpinned tasks go to the least loaded CPU.
  const ts: u32[] = array(12, 0);
  for (let i: u32 = 0; i < 8; i++) ts[i] = spawn(s, 2, ALL_CPUS);
  check(s.load(0) == 2 && s.load(1) == 2 && s.load(2) == 2 && s.load(3) == 2, "wakes spread over 4 CPUs");
  for (let c: u32 = 0; c < 4; c++) s.pickNext(c);
  // Pinned to CPU 0, then unpinned: everything piles up on CPU 0 until balance().
  for (let i: u32 = 8; i < 12; i++) ts[i] = spawn(s, 3, 1);
  for (let i: u32 = 8; i < 12; i++) s.setAffinity(ts[i], ALL_CPUS);
  for (let i: u32 = 0; i < 8; i++) s.block(ts[i], BlockReason.Receive);
  for (let c: u32 = 0; c < 4; c++) s.pickNext(c);
  check(s.load(0) == 4 && s.load(1) == 0, "4 tasks on CPU 0, none elsewhere");
  const kicks: u32 = s.balance();
  check(kicks == 0xe, "balance pokes the 3 idle CPUs");
  check(s.load(0) == 1 && s.load(1) == 1 && s.load(2) == 1 && s.load(3) == 1, "one task per CPU after balance");
  check(s.balance() == 0, "a balanced system stays put");
  for (let i: u32 = 0; i < 8; i++) s.wake(ts[i]);
  check(s.load(0) == 3 && s.load(3) == 3, "wakes fill the CPUs evenly");
  for (let c: u32 = 0; c < 4; c++) s.pickNext(c);
  runAll(s, 4, 600);
  let lo: u64 = 0xffff_ffffn;
  let hi: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    const r: u64 = s.task(ts[i]).ticksRun;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  check(lo >= 296n && hi <= 304n, "band-2 tasks share their CPUs fairly");
  check(s.consistent(), "consistent after migration");
  print(`migration: kicks ${kicks}, band-2 ticks ${lo}..${hi}`);
}

function affinity(): void {
  const s = new Scheduler();
  for (let c: u32 = 0; c < 4; c++) s.addCpu(c);
  const ts: u32[] = array(6, 0);
  for (let i: u32 = 0; i < 6; i++) ts[i] = spawn(s, 2, 1);
  for (let i: u32 = 0; i < 6; i++) s.setAffinity(ts[i], 3);
  s.pickNext(0);
  check(s.balance() == 2, "balance pokes only CPU 1");
  check(s.load(0) == 3 && s.load(1) == 3 && s.load(2) == 0 && s.load(3) == 0, "tasks stay inside their affinity");
  s.pickNext(1);
  // Moving a running task: it leaves at its next pick, and the receiving CPU is poked.
  const r: u32 = s.current(1);
  check(s.setAffinity(r, 8) == 1, "re-pinning a running task reschedules its CPU");
  check(s.pickNext(1) != r && s.takeKick(1) == 3 && s.takeKick(1) == NO_CPU, "it moves to CPU 3, which is poked");
  check(s.task(r).homeCpu == 3 && s.pickNext(3) == r, "and runs there");
  // Moving a queued task.
  const q: u32 = s.cpu(0).queue.head[2];
  check(s.setAffinity(q, 4) == 2 && s.task(q).homeCpu == 2, "re-pinning a queued task moves it at once");
  runAll(s, 4, 200);
  for (let i: u32 = 0; i < 6; i++) {
    const tk = s.task(ts[i]);
    check((tk.affinity & u32(1 << tk.homeCpu)) != 0 && (tk.affinity & u32(1 << tk.lastCpu)) != 0, "every task ran inside its affinity");
  }
  check(s.consistent(), "consistent after affinity changes");
  print(`affinity: loads ${s.load(0)} ${s.load(1)} ${s.load(2)} ${s.load(3)}`);
}

/** The IPC fast path's direct switch: only when it is what wake + block + pickNext would do, and then the same state. */
function handoff(): void {
  const s = new Scheduler();
  s.addCpu(0);
  s.addCpu(1);
  const client: u32 = spawn(s, 1, 1);
  const server: u32 = spawn(s, 1, 1);
  check(s.pickNext(0) == client, "the client runs first");
  // The server waits (blocked, not current anywhere); the client hands the CPU to it.
  s.block(server, BlockReason.Receive);
  let rounds: u32 = 0;
  for (let i: u32 = 0; i < 500; i++) {
    const from: u32 = s.current(0);
    const to: u32 = from == client ? server : client;
    if (!s.handoff(0, from, to, from == client ? BlockReason.Reply : BlockReason.Receive)) break;
    if (s.current(0) != to || s.task(to).state != TaskState.Running || s.task(from).state != TaskState.Blocked || !s.consistent()) break;
    rounds = u32(rounds + 1);
  }
  check(rounds == 500, "500 handoffs, each leaving the table consistent");
  const cur: u32 = s.current(0);
  const other: u32 = cur == client ? server : client;
  check(!s.handoff(0, other, cur, BlockReason.Receive), "refused: not the CPU's current task");
  check(!s.handoff(1, cur, other, BlockReason.Receive), "refused: not current on that CPU");
  const high: u32 = spawn(s, 0, 1);
  check(!s.handoff(0, cur, other, BlockReason.Receive) && s.current(0) == cur, "refused while a higher band waits (nothing changed)");
  s.block(high, BlockReason.Receive);
  check(s.pickNext(0) == cur, "the current task keeps running");
  s.setAffinity(other, 2);
  check(!s.handoff(0, cur, other, BlockReason.Receive), "refused: its affinity excludes the CPU");
  s.setAffinity(other, ALL_CPUS);
  s.yield(0);
  check(!s.handoff(0, cur, other, BlockReason.Receive), "refused while a reschedule is pending");
  check(s.consistent(), "consistent after the refusals");
  print(`handoff: ${rounds} direct switches, client on CPU ${s.task(client).lastCpu}, server on CPU ${s.task(server).lastCpu}`);
}

export function main(): u32 {
  idleWhenEmpty();
  priorityOrder();
  fairness(3, 2, 4, 1200);
  fairness(5, 1, 3, 1000);
  fairness(7, 0, 1, 700);
  preemption();
  blockWake();
  handoff();
  exitRelease();
  perCpu();
  migration();
  affinity();
  stress(20000, 4, 0x5eed);
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
