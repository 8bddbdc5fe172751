"use unsafe";
/**
 * Task lifecycle: making a user task from an ELF image (through the ELF gate,
 * then a stack, a kernel stack and an initial context),
 * ending one (exit or fault: its memory and capabilities are released, the
 * scheduler forgets it once no CPU runs on its stack), and the fault hook the
 * arch layer calls for a fault in user mode.
 */
import { u8, u32, u64, usize, bool, log, hex, array, LOG_ERROR, LOG_INFO, LOG_WARN } from "kts";
import { store8 } from "kts/unsafe";
import { physToVirt, userSpaceInit, contextInitUser, cpuIndex, flushTlbAll } from "arch";
import { frames, FrameUse, frameOwner } from "../mem/index";
import { MapError, PAGE_SIZE } from "../mem/paging";
import { MAP_USER, MAP_WRITE } from "../mem/flags";
import { scheduler, NO_TASK, ALL_CPUS, MAX_TASKS, MAX_CPUS, TaskState, BlockReason } from "../sched/index";
import { capReleaseTask, capCount } from "../cap/index";
import { resources, setSavedSp, isSwitching, KSTACK_FRAMES, KSTACK_SIZE } from "./table";
import { notifyExit } from "./exit-watch";
import { schedLock, schedUnlock } from "./lock";
import { schedule, poke } from "./schedule";
import { USER_STACK_TOP, USER_STACK_PAGES } from "./usermem";
import { checkElf, ElfError, ElfImage } from "../loader/elf";
import { mapElf } from "../loader/elf-map";
import { ELF_MACHINE, monotonicNanos } from "arch";
import { blake3Hash } from "../../lib/crypto/blake3";
import { ipc } from "../ipc/index";
import { ipcTaskEnded } from "../syscall/ipc-calls";
import { mappingsDropTask, userMemorySweep, memoryCapabilityMoved } from "./user-memory";
import { consoleTaskStarted } from "../syscall/device-calls";
import { timerDisarm } from "../time/timers";

/** Bytes of memory one program image may occupy (its segments; the stack comes on top). */
export const IMAGE_BUDGET: u64 = 0x100_0000n;

/**
 * Makes a user task from an ELF image in priority band `band`: the ELF gate
 * checks everything before anything is mapped. Returns the task, not yet
 * running (startTask), or NO_TASK with the refusal in `why` (an ElfError;
 * NoMemory for tables and stacks). One at a time (its scratch is shared):
 * startService serializes its callers, boot code runs alone.
 */
export function spawnElf(image: u8[], band: u32, why: ElfResult): u32 {
  why.error = checkElf(image, ELF_MACHINE, IMAGE_BUDGET, checked);
  if (why.error != ElfError.Ok) return NO_TASK;
  schedLock();
  const t: u32 = scheduler.create(band, ALL_CPUS);
  // A new task starts with an empty table, whatever its slot held before.
  if (t != NO_TASK && capCount(t) != 0) {
    log(LOG_WARN, `task slot ${t} held ${capReleaseTask(t)} capabilities: released`);
    memoryCapabilityMoved();
  }
  schedUnlock();
  why.error = ElfError.NoMemory;
  if (t == NO_TASK) return NO_TASK;
  const r = resources[t];
  if (!r.space.create(frames, t)) return failSpawn(t);
  userSpaceInit(r.space.root, r.space.asid());
  why.error = mapElf(image, checked, r.space, frames);
  if (why.error != ElfError.Ok) return failSpawn(t);
  why.error = ElfError.NoMemory;
  // Stack: zeroed, read-write, never executable.
  for (let p: u32 = 1; p <= USER_STACK_PAGES; p = u32(p + 1)) {
    const pa: usize = frames.alloc(frameOwner(FrameUse.UserPage, t));
    if (pa == 0n) return failSpawn(t);
    const va: usize = physToVirt(pa);
    for (let i: u32 = 0; i < 4096; i++) store8(usize(va + u64(i)), 0);
    if (r.space.map(frames, usize(USER_STACK_TOP - u64(p) * PAGE_SIZE), pa, PAGE_SIZE, u32(MAP_USER | MAP_WRITE), false) != MapError.Ok) return failSpawn(t);
  }
  const kstack: usize = frames.allocContiguous(KSTACK_FRAMES, frameOwner(FrameUse.KernelStack, t));
  if (kstack == 0n) return failSpawn(t);
  r.kstackBase = physToVirt(kstack);
  r.user = true;
  r.live = true;
  r.exitCode = 0n;
  r.faults = 0;
  why.error = ElfError.Ok;
  // The task's principal, until signed modules name their signer: the BLAKE3 hash of its image.
  blake3Hash(image, principal);
  consoleTaskStarted(t);
  schedLock();
  ipc.taskCreate(t, principal, monotonicNanos());
  schedUnlock();
  setSavedSp(t, contextInitUser(usize(r.kstackBase + KSTACK_SIZE), checked.entry, USER_STACK_TOP, u64(t)));
  return t;
}

/** Lets a task made by spawnElf run (after its capabilities are in place). */
export function startTask(t: u32): void {
  schedLock();
  const cpu: u32 = scheduler.wake(t);
  schedUnlock();
  poke(cpu);
}

/** Why spawnElf refused an image. */
export class ElfResult {
  error: ElfError = ElfError.Ok;
}

const checked = new ElfImage();
const principal: u8[] = array(32, 0);

function failSpawn(t: u32): u32 {
  releaseMemory(t);
  schedLock();
  scheduler.exit(t);
  scheduler.release(t);
  schedUnlock();
  return NO_TASK;
}

/** Frees a task's user memory and kernel stack (called once no CPU runs on it). */
export function releaseMemory(t: u32): void {
  const r = resources[t];
  if (r.space.root != 0n) {
    // Region frames are not the task's: their mappings leave before its tables and pages are freed.
    schedLock();
    mappingsDropTask(t);
    schedUnlock();
    r.space.destroyUserHalf(frames);
    r.space.root = 0n;
  }
  if (r.kstackBase != 0n) {
    for (let i: u32 = 0; i < KSTACK_FRAMES; i++) frames.free(usize(r.kstackBase - physToVirt(0n) + u64(i) * PAGE_SIZE), frameOwner(FrameUse.KernelStack, t));
    r.kstackBase = 0n;
  }
  r.live = false;
  r.user = false;
  // Its capabilities are gone: other tasks' mappings through them, and regions nobody names, go too.
  userMemorySweep();
}

/** Exit code of a task ended by taskKill. */
export const KILLED_EXIT_CODE: u64 = 0xdeadn;

/** Under the lock: t is over. Its capabilities go; IPC peers waiting on it get PeerDied; its watcher hears. */
function endTask(t: u32, code: u64, abnormal: bool): void {
  resources[t].exitCode = code;
  resources[t].killPending = false;
  scheduler.exit(t);
  capReleaseTask(t);
  timerDisarm(t);
  notifyExit(t, code, abnormal);
  ipcTaskEnded(t);
}

/** Ends the calling task (exit syscall or fault) and switches away for good. */
export function exitCurrent(code: u64): void {
  endCurrent(code);
  schedule();
}

/** Ends the calling task; the caller then switches away for good (schedule() never returns to a dead task). */
function endCurrent(code: u64): void {
  schedLock();
  const t: u32 = scheduler.current(cpuIndex());
  endTask(t, code, resources[t].faults != 0);
  schedUnlock();
  log(LOG_INFO, `task ${t} exited with ${code}`);
}

/**
 * Ends user task t from outside. A task running on another CPU is marked and
 * ends itself at its next interrupt (every CPU ticks, so within a tick); one
 * that is ready or blocked ends now. Returns false if t is no live user task,
 * or one still being made (spawnElf, then its capabilities, until startTask):
 * its maker is using its stack and table, which a kill would free under it.
 */
export function killTask(t: u32): bool {
  if (t >= MAX_TASKS) return false;
  schedLock();
  const r = resources[t];
  const state = scheduler.task(t).state;
  const starting: bool = state == TaskState.Blocked && scheduler.task(t).reason == BlockReason.Start;
  if (!r.live || !r.user || state == TaskState.Dead || state == TaskState.Free || starting) {
    schedUnlock();
    return false;
  }
  r.faults = u32(r.faults + 1);
  if (state == TaskState.Running) {
    r.killPending = true;
    schedUnlock();
    return true;
  }
  endTask(t, KILLED_EXIT_CODE, true);
  // A CPU still switching away from it reaps it when it arrives (schedule.ts arrived()).
  const reapHere: bool = claimReap(t);
  schedUnlock();
  if (reapHere) reap(t);
  log(LOG_INFO, `task ${t} killed`);
  return true;
}

/** A killed task that was running ends itself: at its next interrupt, or when it next switches away. */
export function killIfPending(t: u32): void {
  if (endIfKilled(t)) schedule();
}

/**
 * killIfPending without the switch: ends t, the calling task, if it was
 * killed, and says whether it did. schedule() calls this and then switches
 * away itself (a call back into schedule() would make the two recursive).
 */
export function endIfKilled(t: u32): bool {
  if (!resources[t].killPending || !resources[t].user) return false;
  log(LOG_INFO, `task ${t} killed`);
  endCurrent(KILLED_EXIT_CODE);
  return true;
}

/**
 * Under the lock: whether the caller is the one to free dead task t (then nobody
 * else will). Not while a CPU still runs on its kernel stack and address space:
 * it is that CPU's current task until its schedule() picks another (a task that
 * blocked, then was killed before its CPU switched away, is Dead but still
 * there), and switching until the switch is done; that CPU reaps it on arrival.
 */
export function claimReap(t: u32): bool {
  if (scheduler.task(t).state != TaskState.Dead || !resources[t].live || isSwitching(t) || currentSomewhere(t)) return false;
  resources[t].live = false;
  return true;
}

/** Under the lock: whether t is some CPU's current task. */
function currentSomewhere(t: u32): bool {
  for (let c: u32 = 0; c < MAX_CPUS; c++) {
    const cpu = scheduler.cpu(c);
    if (cpu.online && cpu.current == t) return true;
  }
  return false;
}

/** Frees a dead task claimed with claimReap, outside the lock. */
export function reap(t: u32): void {
  releaseMemory(t);
  schedLock();
  scheduler.release(t);
  schedUnlock();
}

/** The arch calls this for a fault in user mode; the task ends, the kernel goes on. */
export function onUserFault(kind: u32, addr: usize, pc: usize): void {
  const t: u32 = scheduler.current(cpuIndex());
  resources[t].faults = u32(resources[t].faults + 1);
  log(LOG_ERROR, `task ${t} faulted (kind ${kind}, address ${hex(addr)}, pc ${hex(pc)}): ended`);
  flushTlbAll();
  exitCurrent(0xffff_ffff_ffff_ffffn);
}
