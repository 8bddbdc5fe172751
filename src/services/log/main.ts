/**
 * log: prints the lines other tasks send it ("[log <task>] <text>"), answers
 * PING calls, and is the audit sink. It cannot block in receive and watch the
 * audit ring at once, so it drains the ring whenever a message arrives:
 * new noteworthy records (denied, throttled, rejected, module refused, task
 * died; not the summaries of suppressed records, which a typing shell makes
 * too) are summed up as one line per kind, e.g.
 * "audit: 3 denied (last: task 7, object 2, detail 0)".
 * A quiet system is therefore reported late; the shell's `audit` reads the ring itself.
 *
 * Capabilities: [0] endpoint "log" (receive), [1] audit.
 */
import { u8, u32, u64, bool, array, print, text } from "kts";
import { AUDIT_RECORD_SEQ, AUDIT_RECORD_KIND, AUDIT_RECORD_SUBJECT, AUDIT_RECORD_OBJECT, AUDIT_RECORD_DETAIL, AUDIT_RECORD_REPEAT } from "../../lib/sys/syscalls.generated";
import { capAt, receive, replyReceive, msgLabel, msgWord, msgSetWord, msgIsCall, msgSender, msgCopyText, errorOf, PAYLOAD_BYTES } from "../../lib/ipc/message";
import { LABEL_LOG, LABEL_PING } from "../../lib/ipc/protocol";
import { errorText, errorName, ERR_INVALID } from "../../lib/errors";
import { readAudit, auditBatch, auditAt, AUDIT_BATCH } from "../../lib/inspect";
import {
  field32, field64, AUDIT_KIND_NAMES, AUDIT_KIND_COUNT,
  AUDIT_DENIED, AUDIT_THROTTLED, AUDIT_REJECTED, AUDIT_MODULE_REFUSED, AUDIT_TASK_DIED,
} from "../../lib/records";
import { copyName } from "../../lib/names";
import { sleepNanos, NANOS_PER_MILLI } from "../../lib/time";

const lineText: u8[] = array(PAYLOAD_BYTES, 0);
const kindText: u8[] = array(24, 0);

let audit: u64 = 0n;
/** The next audit sequence number to read. */
let cursor: u64 = 0n;
/** A failing auditRead is reported once, not after every message. */
let auditBroken: bool = false;

/** Per audit kind, what the current drain found: occurrences and the last record's fields. */
const counts: u64[] = array(AUDIT_KIND_COUNT, 0n);
const lastSubject: u32[] = array(AUDIT_KIND_COUNT, 0);
const lastObject: u32[] = array(AUDIT_KIND_COUNT, 0);
const lastDetail: u32[] = array(AUDIT_KIND_COUNT, 0);

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  audit = capAt(1n);
  print("log: ready");
  drainAudit();
  let e: u64 = errorOf(receive(endpoint));
  for (;;) {
    if (e != 0n) {
      print(`log: receive failed (${text(errorText, errorName(e))})`);
      sleepNanos(u64(100n * NANOS_PER_MILLI));
      e = errorOf(receive(endpoint));
      continue;
    }
    // Drained before the message is handled: a call's answer then goes out at once, with the next receive
    // (one system call: the IPC fast path's server loop).
    drainAudit();
    handle();
    e = errorOf(replyReceive(endpoint));
  }
}

/** One message: LOG prints its text, PING is answered; a call's answer is left in the buffer (every call gets one). */
function handle(): void {
  const label: u32 = msgLabel();
  if (label == LABEL_LOG) {
    const n: u32 = msgCopyText(lineText);
    print(`[log ${msgSender()}] ${text(lineText, n)}`);
    if (msgIsCall()) msgSetWord(0n);
    return;
  }
  if (!msgIsCall()) return; // an async PING or an unknown label: nothing to answer
  if (label == LABEL_PING) msgSetWord(u64(msgWord() + 1n));
  else msgSetWord(u64(0n - ERR_INVALID));
}

function noteworthy(kind: u32): bool {
  return kind == AUDIT_DENIED || kind == AUDIT_THROTTLED || kind == AUDIT_REJECTED || kind == AUDIT_MODULE_REFUSED || kind == AUDIT_TASK_DIED;
}

/** Reads every audit record since the cursor and prints one line per noteworthy kind found. */
function drainAudit(): void {
  for (let k: u32 = 0; k < AUDIT_KIND_COUNT; k++) counts[k] = 0n;
  let lost: u64 = 0n;
  for (;;) {
    const r: u64 = readAudit(audit, cursor, AUDIT_BATCH);
    const e: u64 = errorOf(r);
    if (e != 0n) {
      if (!auditBroken) print(`log: auditRead failed (${text(errorText, errorName(e))}); audit records are not reported`);
      auditBroken = true;
      return;
    }
    const n: u32 = u32(r);
    for (let i: u32 = 0; i < n; i++) {
      const at: u32 = auditAt(i);
      const seq: u64 = field64(auditBatch, u32(at + AUDIT_RECORD_SEQ));
      if (seq > cursor) lost = u64(lost + (seq - cursor)); // overwritten before we read them
      cursor = u64(seq + 1n);
      const kind: u32 = field32(auditBatch, u32(at + AUDIT_RECORD_KIND));
      if (kind >= AUDIT_KIND_COUNT || !noteworthy(kind)) continue;
      const repeat: u32 = field32(auditBatch, u32(at + AUDIT_RECORD_REPEAT));
      counts[kind] = u64(counts[kind] + u64(repeat > 0 ? repeat : 1));
      lastSubject[kind] = field32(auditBatch, u32(at + AUDIT_RECORD_SUBJECT));
      lastObject[kind] = field32(auditBatch, u32(at + AUDIT_RECORD_OBJECT));
      lastDetail[kind] = field32(auditBatch, u32(at + AUDIT_RECORD_DETAIL));
    }
    if (n < AUDIT_BATCH) break;
  }
  if (lost > 0n) print(`audit: ${lost} records lost (overwritten before they were read)`);
  for (let k: u32 = 0; k < AUDIT_KIND_COUNT; k++) {
    if (counts[k] == 0n) continue;
    const name: u32 = nameOf(k);
    if (k == AUDIT_MODULE_REFUSED) print(`audit: ${counts[k]} ${text(kindText, name)} (last: module ${lastObject[k]})`);
    else if (k == AUDIT_TASK_DIED) print(`audit: ${counts[k]} ${text(kindText, name)} (last: task ${lastSubject[k]})`);
    else print(`audit: ${counts[k]} ${text(kindText, name)} (last: task ${lastSubject[k]}, object ${lastObject[k]}, detail ${lastDetail[k]})`);
  }
}

/** Spells audit kind k into kindText; returns the length. */
function nameOf(kind: u32): u32 {
  return copyName(AUDIT_KIND_NAMES, kind, kindText, 0);
}
