"use unsafe";
/**
 * The system-inspection calls (taskInfo, capInfo, memInfo, auditRead) into
 * static record buffers, read with records.ts: e.g. readTaskInfo(system, 3),
 * then field32(taskRecord, TASK_INFO_STATE). Each returns the system call's
 * result (errorOf() tells a failure).
 */
import { u8, u32, u64, bool, array } from "kts";
import { field32, field64 } from "./records";
import { addressOf } from "kts/unsafe";
import {
  sysTaskInfo, sysCapInfo, sysMemInfo, sysAuditRead,
  TASK_INFO_BYTES, CAP_INFO_BYTES, MEM_INFO_BYTES, AUDIT_RECORD_BYTES, CAP_INFO_KIND, CAP_INFO_OBJ_A,
} from "./sys/syscalls.generated";

/** Audit records one auditBatch holds. */
export const AUDIT_BATCH = 32;

export const taskRecord: u8[] = array(TASK_INFO_BYTES, 0);
export const capRecord: u8[] = array(CAP_INFO_BYTES, 0);
export const memRecord: u8[] = array(MEM_INFO_BYTES, 0);
export const auditBatch: u8[] = array(AUDIT_BATCH * AUDIT_RECORD_BYTES, 0);

export function readTaskInfo(system: u64, task: u64): u64 {
  return sysTaskInfo(system, task, addressOf(taskRecord));
}

export function readCapInfo(system: u64, task: u64, index: u64): u64 {
  return sysCapInfo(system, task, index, addressOf(capRecord));
}

export function readMemInfo(system: u64): u64 {
  return sysMemInfo(system, addressOf(memRecord));
}

/** Up to max (<= AUDIT_BATCH) records with seq >= cursor into auditBatch; returns how many (or -error). */
export function readAudit(audit: u64, cursor: u64, max: u32): u64 {
  const n: u32 = max < AUDIT_BATCH ? max : AUDIT_BATCH;
  return sysAuditRead(audit, cursor, addressOf(auditBatch), u64(n));
}

/** Offset of record i of auditBatch. */
export function auditAt(i: u32): u32 {
  return u32(i * AUDIT_RECORD_BYTES);
}

/** A task's capability slots, as capInfo counts them. */
const TASK_CAPS: u64 = 64n;

/**
 * Whether task holds a capability of kind (CapInfo kinds, docs/SYSCALLS.md)
 * naming objA: how a service checks a caller's authority (a device claim, the
 * vault endpoint). Leaves the last record read in capRecord.
 */
export function taskHolds(system: u64, task: u32, kind: u32, objA: u64): bool {
  for (let i: u64 = 0n; i < TASK_CAPS; i++) {
    if (readCapInfo(system, u64(task), i) >= 0xffff_ffff_ffff_0000n) return false;
    if (field32(capRecord, CAP_INFO_KIND) == kind && field64(capRecord, CAP_INFO_OBJ_A) == objA) return true;
  }
  return false;
}
