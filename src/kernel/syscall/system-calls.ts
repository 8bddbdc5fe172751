/**
 * The system capability's calls (kind System): reading the kernel's state for
 * ps/caps/mem (right RECEIVE) and controlling tasks (right SEND): taskKill and
 * exitWatch, and serviceStart (the boot services themselves: task/services.ts).
 * Plus auditRead, authorized by an audit capability. Records are built in a
 * kernel buffer in the layouts of src/abi/syscalls.json and copied out whole.
 */
import { u8, u32, u64, usize, bool, array, slice } from "kts";
import { monotonicNanos } from "arch";
import { capAt, capCount, capPoolUsed, CapKind, CapView, CapError, RIGHT_RECEIVE, RIGHT_SEND } from "../cap/index";
import { ipc, AuditRecord } from "../ipc/index";
import { scheduler, MAX_TASKS, MAX_CPUS, NO_TASK, TaskState } from "../sched/index";
import { frames, heap } from "../mem/index";
import { resources, TASK_NAME_BYTES } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { killTask } from "../task/lifecycle";
import { setExitWatch } from "../task/exit-watch";
import { servicesKnown, serviceRefused, startService } from "../task/services";
import { userRangeOk, userWrite } from "../task/usermem";
import { capabilityOf, isError, sysError } from "./ipc-calls";
import { wakeReleased } from "./ipc-waits";
import { setLe32, setLe64 } from "../loader/le";
import { idleTotal } from "../task/idle-time";
import {
  SysError,
  TASK_INFO_BYTES, TASK_INFO_ID, TASK_INFO_STATE, TASK_INFO_CPU, TASK_INFO_BAND, TASK_INFO_SERVICE, TASK_INFO_CAPS, TASK_INFO_EXIT_CODE, TASK_INFO_NAME,
  CAP_INFO_BYTES, CAP_INFO_HANDLE, CAP_INFO_KIND, CAP_INFO_RIGHTS, CAP_INFO_USES_LEFT, CAP_INFO_OBJ_A, CAP_INFO_OBJ_B, CAP_INFO_EXPIRY,
  MEM_INFO_BYTES, MEM_INFO_TOTAL_FRAMES, MEM_INFO_FREE_FRAMES, MEM_INFO_HEAP_USED, MEM_INFO_TASKS_LIVE, MEM_INFO_CPUS, MEM_INFO_IDLE_NANOS, MEM_INFO_CAPS_USED, MEM_INFO_ENDPOINTS_USED,
  AUDIT_RECORD_BYTES, AUDIT_RECORD_SEQ, AUDIT_RECORD_TIME, AUDIT_RECORD_KIND, AUDIT_RECORD_SUBJECT, AUDIT_RECORD_OBJECT, AUDIT_RECORD_DETAIL, AUDIT_RECORD_RESULT, AUDIT_RECORD_REPEAT,
} from "./numbers.generated";

/** The staging buffer for one record (the largest is TaskInfo). */
const rec: u8[] = array(TASK_INFO_BYTES, 0);
const view = new CapView();
const audit = new AuditRecord();
/** The most audit records one auditRead copies. */
const AUDIT_READ_MAX: u64 = 64n;

function clearRecord(): void {
  for (let i: u32 = 0; i < rec.length; i++) rec[i] = 0;
}

/**
 * Under the lock: copies the first n bytes of the record to user address va; 0,
 * or BadAddress. The record is shared by every CPU, so it must reach user memory
 * before the lock is released (another CPU's call would refill it).
 */
function recordOut(task: u32, va: usize, n: u32): u64 {
  return userWrite(resources[task].space, va, slice(rec, 0, n)) ? 0n : sysError(SysError.BadAddress);
}

/** Under the lock: the system capability's object check; 0 or an error code. */
function systemRight(task: u32, handle: u64, right: u32): u64 {
  const r: u64 = capabilityOf(task, handle, CapKind.System, right, monotonicNanos());
  return isError(r) ? r : 0n;
}

export function sysTaskKill(task: u32, sys: u64, target: u64): u64 {
  schedLock();
  const ok: u64 = systemRight(task, sys, RIGHT_SEND);
  schedUnlock();
  if (isError(ok)) return ok;
  if (target >= u64(MAX_TASKS) || !killTask(u32(target))) return sysError(SysError.Invalid);
  return 0n;
}

export function sysServiceStart(task: u32, sys: u64, index: u64): u64 {
  schedLock();
  const ok: u64 = systemRight(task, sys, RIGHT_SEND);
  schedUnlock();
  if (isError(ok)) return ok;
  if (index >= u64(servicesKnown())) return sysError(SysError.Invalid);
  if (serviceRefused(u32(index))) return sysError(SysError.Refused);
  const t: u32 = startService(u32(index));
  return t == NO_TASK ? sysError(SysError.NoMemory) : u64(t);
}

export function sysExitWatch(task: u32, sys: u64, endpointHandle: u64): u64 {
  schedLock();
  let r: u64 = systemRight(task, sys, RIGHT_SEND);
  if (!isError(r)) {
    const ep: u64 = capabilityOf(task, endpointHandle, CapKind.Endpoint, RIGHT_SEND, monotonicNanos());
    r = ep;
    if (!isError(ep)) {
      setExitWatch(u32(ep));
      // Exits that waited for a watcher were just posted: a task receiving there wakes.
      wakeReleased();
      r = 0n;
    }
  }
  schedUnlock();
  return r;
}

export function sysTaskInfo(task: u32, sys: u64, target: u64, va: usize): u64 {
  schedLock();
  let r: u64 = systemRight(task, sys, RIGHT_RECEIVE);
  if (!isError(r) && target >= u64(MAX_TASKS)) r = sysError(SysError.Invalid);
  if (!isError(r)) {
    const t: u32 = u32(target);
    const tk = scheduler.task(t);
    const res = resources[t];
    clearRecord();
    setLe32(rec, TASK_INFO_ID, t);
    setLe32(rec, TASK_INFO_STATE, u32(tk.state));
    setLe32(rec, TASK_INFO_CPU, tk.lastCpu);
    setLe32(rec, TASK_INFO_BAND, tk.band);
    setLe32(rec, TASK_INFO_SERVICE, res.service);
    setLe32(rec, TASK_INFO_CAPS, capCount(t));
    setLe64(rec, TASK_INFO_EXIT_CODE, res.exitCode);
    if (tk.state != TaskState.Free) {
      for (let i: u32 = 0; i < TASK_NAME_BYTES; i++) rec[u32(TASK_INFO_NAME + i)] = res.name[i];
    }
  }
  const out: u64 = isError(r) ? r : recordOut(task, va, TASK_INFO_BYTES);
  schedUnlock();
  return out;
}

export function sysCapInfo(task: u32, sys: u64, target: u64, index: u64, va: usize): u64 {
  schedLock();
  let r: u64 = systemRight(task, sys, RIGHT_RECEIVE);
  if (!isError(r) && (target >= u64(MAX_TASKS) || index > 0xffff_ffffn || capAt(u32(target), u32(index), view) != CapError.Ok)) r = sysError(SysError.Invalid);
  if (!isError(r)) {
    clearRecord();
    setLe32(rec, CAP_INFO_HANDLE, view.handle);
    setLe32(rec, CAP_INFO_KIND, u32(view.kind));
    setLe32(rec, CAP_INFO_RIGHTS, view.rights);
    setLe32(rec, CAP_INFO_USES_LEFT, view.limited ? view.uses : 0);
    setLe64(rec, CAP_INFO_OBJ_A, view.objA);
    setLe64(rec, CAP_INFO_OBJ_B, view.objB);
    setLe64(rec, CAP_INFO_EXPIRY, view.expiry);
  }
  const out: u64 = isError(r) ? r : recordOut(task, va, CAP_INFO_BYTES);
  schedUnlock();
  return out;
}

export function sysMemInfo(task: u32, sys: u64, va: usize): u64 {
  schedLock();
  const r: u64 = systemRight(task, sys, RIGHT_RECEIVE);
  if (!isError(r)) {
    let live: u32 = 0;
    for (let t: u32 = 0; t < MAX_TASKS; t++) if (resources[t].live) live = u32(live + 1);
    let cpus: u32 = 0;
    for (let c: u32 = 0; c < MAX_CPUS; c++) if (scheduler.cpu(c).online) cpus = u32(cpus + 1);
    clearRecord();
    setLe64(rec, MEM_INFO_TOTAL_FRAMES, u64(frames.frames));
    setLe64(rec, MEM_INFO_FREE_FRAMES, u64(frames.freeCount));
    setLe64(rec, MEM_INFO_HEAP_USED, heap.used);
    setLe32(rec, MEM_INFO_TASKS_LIVE, live);
    setLe32(rec, MEM_INFO_CPUS, cpus);
    setLe64(rec, MEM_INFO_IDLE_NANOS, idleTotal());
    setLe32(rec, MEM_INFO_CAPS_USED, capPoolUsed());
    setLe32(rec, MEM_INFO_ENDPOINTS_USED, ipc.endpointsOpen());
  }
  const out: u64 = isError(r) ? r : recordOut(task, va, MEM_INFO_BYTES);
  schedUnlock();
  return out;
}

/** auditRead: up to max records with seq >= cursor, oldest first; returns how many. */
export function sysAuditRead(task: u32, auditHandle: u64, cursor: u64, va: usize, max: u64): u64 {
  schedLock();
  const ok: u64 = capabilityOf(task, auditHandle, CapKind.Audit, RIGHT_RECEIVE, monotonicNanos());
  schedUnlock();
  if (isError(ok)) return ok;
  const n: u64 = max < AUDIT_READ_MAX ? max : AUDIT_READ_MAX;
  if (!userRangeOk(resources[task].space, va, u64(n * u64(AUDIT_RECORD_BYTES)), true)) return sysError(SysError.BadAddress);
  let at: u64 = cursor;
  let copied: u64 = 0n;
  while (copied < n) {
    schedLock();
    const next: u64 = ipc.auditRead(at, audit);
    if (next != at) {
      clearRecord();
      setLe64(rec, AUDIT_RECORD_SEQ, audit.seq);
      setLe64(rec, AUDIT_RECORD_TIME, audit.time);
      setLe32(rec, AUDIT_RECORD_KIND, u32(audit.kind));
      setLe32(rec, AUDIT_RECORD_SUBJECT, audit.subject);
      setLe32(rec, AUDIT_RECORD_OBJECT, audit.object);
      setLe32(rec, AUDIT_RECORD_DETAIL, audit.detail);
      setLe32(rec, AUDIT_RECORD_RESULT, u32(audit.result));
      setLe32(rec, AUDIT_RECORD_REPEAT, audit.repeat);
    }
    const out: u64 = next == at ? 0n : recordOut(task, usize(va + u64(copied * u64(AUDIT_RECORD_BYTES))), AUDIT_RECORD_BYTES);
    schedUnlock();
    if (next == at) break;
    if (isError(out)) return out;
    at = next;
    copied = u64(copied + 1n);
  }
  return copied;
}
