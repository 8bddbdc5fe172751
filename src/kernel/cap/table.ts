/**
 * Tasks' capability tables: for each task, CAP_SLOTS slots, each holding a pool
 * node index or CAP_NONE, with the slot's generation and the task's count.
 *
 * resolve() is the one place a user-supplied handle is decoded: every task id and
 * slot number is range-checked before it indexes anything, so a forged handle gets
 * an error code, never an index panic. A slot's generation advances when the slot
 * is emptied, which is what makes old handles stale.
 */
import { u32, bool, array } from "kts";
import {
  CapError,
  CAP_MAX_TASKS,
  CAP_SLOTS,
  CAP_NONE,
  capHandle,
  handleSlot,
  handleGen,
  nextGen,
} from "./types";

const TABLE_ENTRIES = CAP_MAX_TASKS * CAP_SLOTS;

export class CapTables {
  /** Entry task * CAP_SLOTS + slot. */
  node: u32[] = array(TABLE_ENTRIES, CAP_NONE);
  gen: u32[] = array(TABLE_ENTRIES, 1);
  count: u32[] = array(CAP_MAX_TASKS, 0);

  /** Empties every table; generations advance for the slots that were occupied. */
  reset(): void {
    for (let i: u32 = 0; i < TABLE_ENTRIES; i++) {
      if (this.node[i] != CAP_NONE) this.gen[i] = nextGen(this.gen[i]);
      this.node[i] = CAP_NONE;
    }
    for (let t: u32 = 0; t < CAP_MAX_TASKS; t++) this.count[t] = 0;
  }

  /** Why (task, handle) names no capability: BadTask, BadHandle, Stale, Empty; or Ok. */
  check(task: u32, handle: u32): CapError {
    if (task >= CAP_MAX_TASKS) return CapError.BadTask;
    const slot: u32 = handleSlot(handle);
    const gen: u32 = handleGen(handle);
    if (slot >= CAP_SLOTS || gen == 0) return CapError.BadHandle;
    const e: u32 = entry(task, slot);
    if (this.gen[e] != gen) return CapError.Stale;
    if (this.node[e] == CAP_NONE) return CapError.Empty;
    return CapError.Ok;
  }

  /** The node named by a handle that check() accepted. */
  nodeOf(task: u32, handle: u32): u32 {
    return this.node[entry(task, handleSlot(handle))];
  }

  /** The lowest free slot of a valid task, or CAP_NONE when its table is full. */
  freeSlot(task: u32): u32 {
    if (this.count[task] >= CAP_SLOTS) return CAP_NONE;
    for (let s: u32 = 0; s < CAP_SLOTS; s++) {
      if (this.node[entry(task, s)] == CAP_NONE) return s;
    }
    return CAP_NONE;
  }

  hasFree(task: u32): bool {
    return this.count[task] < CAP_SLOTS;
  }

  /** Puts `node` in an empty slot; returns the handle. */
  occupy(task: u32, slot: u32, node: u32): u32 {
    const e: u32 = entry(task, slot);
    this.node[e] = node;
    this.count[task] = u32(this.count[task] + 1);
    return capHandle(slot, this.gen[e]);
  }

  /** Empties an occupied slot and advances its generation. */
  vacate(task: u32, slot: u32): void {
    const e: u32 = entry(task, slot);
    this.node[e] = CAP_NONE;
    this.gen[e] = nextGen(this.gen[e]);
    this.count[task] = u32(this.count[task] - 1);
  }

  /** The node in a slot of a valid task (CAP_NONE if empty). */
  at(task: u32, slot: u32): u32 {
    return this.node[entry(task, slot)];
  }

  /** The current handle of a slot of a valid task. */
  handleOf(task: u32, slot: u32): u32 {
    return capHandle(slot, this.gen[entry(task, slot)]);
  }
}

function entry(task: u32, slot: u32): u32 {
  return u32(task * CAP_SLOTS + slot);
}
