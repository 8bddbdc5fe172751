/**
 * The capability subsystem's vocabulary: sizes, capability kinds, rights bits,
 * error codes, the user-visible handle format and CapView, the record through
 * which every operation reports a capability to its caller.
 *
 * A handle is what user space names a capability by: slot | generation << 8.
 * The slot (low 8 bits) indexes the task's table; the 24-bit generation must
 * equal the slot's current generation, which changes every time the slot is
 * emptied, so a handle kept after its capability was deleted, revoked or moved
 * away never names whatever later occupies the slot. Generations start at 1 and
 * skip 0, so handle 0 is never valid ("no capability").
 */
import { u32, u64, bool } from "kts";

/** Tasks that can hold capabilities: ids 0 .. CAP_MAX_TASKS - 1. */
export const CAP_MAX_TASKS = 64;
/** Slots in each task's table. */
export const CAP_SLOTS = 64;
/** Capability nodes in the global pool (CAP_MAX_TASKS * CAP_SLOTS: every table can be full at once). */
export const CAP_POOL_SIZE = CAP_MAX_TASKS * CAP_SLOTS;
/** "No node" / "no task" in node links and CapView. */
export const CAP_NONE: u32 = 0xffffffff;

/** Handle layout. */
export const HANDLE_SLOT_BITS: u32 = 8;
export const HANDLE_SLOT_MASK: u32 = 0xff;
export const HANDLE_GEN_MASK: u32 = 0xffffff;

export enum CapKind {
  /** Only as a lookup filter: any kind. No capability has this kind. */
  Any = 0,
  /** objA = endpoint index. */
  Endpoint = 1,
  /** objA = physical base, objB = size in bytes (nonzero). */
  MemoryRegion = 2,
  /** objA = the first interrupt line, objB = how many (nonzero; a driver's is one line). */
  Irq = 3,
  /** objA = physical base of device registers, objB = size in bytes (nonzero). */
  DeviceMmio = 4,
  /** objA = first I/O port, objB = port count (nonzero, ending at or below 0x10000). */
  DevicePorts = 5,
  /** One-shot reply to a call: objA = the caller task, objB = the call's token (the IPC layer's). */
  Reply = 6,
  /** May read the audit ring. */
  Audit = 7,
  /** The system's task control: RIGHT_RECEIVE reads task, capability and memory
   * information; RIGHT_SEND starts boot services, ends tasks, watches exits. */
  System = 8,
  /** Raw console output: write's bytes go out as they are (others' are attributed and filtered). */
  Console = 9,
  /** A claim on a device, from the manifest: objA = PCI vendor << 16 | device id. The
   * PCI bus service hands such a device's registers and interrupt only to a holder. */
  Device = 10,
  /** May draw random bytes from the kernel's generator (the random system call, right RECEIVE). */
  Random = 11,
  /** May set the wall clock (the clockSet system call, right SEND). */
  Clock = 12,
}
/** The largest valid CapKind. */
export const CAP_KIND_MAX: u32 = 12;

/*
 * Rights bits. Untyped constants, so that `RIGHT_SEND | RIGHT_GRANT` is a constant
 * needing no conversion.
 */
/** Send to an endpoint / use a reply. */
export const RIGHT_SEND = 1;
/** Receive from an endpoint / an IRQ / the audit ring. */
export const RIGHT_RECEIVE = 2;
/** Delegate: derive a weaker copy for a task, or move the capability to another task. */
export const RIGHT_GRANT = 4;
/** Map the memory region or device registers. */
export const RIGHT_MAP = 8;
/** Map writable (with RIGHT_MAP); without it mappings are read-only. */
export const RIGHT_WRITE = 16;
/** Learn the physical address of a memory region (memPhys): a device may be told to reach it (DMA). */
export const RIGHT_DMA = 32;
export const RIGHTS_ALL = 63;

export enum CapError {
  Ok = 0,
  /** 1: a task id is not below CAP_MAX_TASKS. */
  BadTask,
  /** 2: the handle's slot is not below CAP_SLOTS, or its generation is 0. */
  BadHandle,
  /** 3: the handle's generation is not the slot's: its capability is gone. */
  Stale,
  /** 4: the handle names an empty slot. */
  Empty,
  /** 5: the capability is not of the required kind. */
  WrongKind,
  /** 6: the capability lacks a required right. */
  Rights,
  /** 7: derive or transfer of a capability without RIGHT_GRANT. */
  NoGrant,
  /** 8: the capability's expiry time has passed. */
  Expired,
  /** 9: the capability's uses are spent. */
  Exhausted,
  /** 10: derive asked for rights the source does not have. */
  NotSubset,
  /** 11: derive asked for looser limits than the source has (more uses, a later expiry, unlimited uses). */
  Limits,
  /** 12: insert: an object range that is empty or wraps; derive: a sub-range outside the source, or of a kind without a range. */
  BadRange,
  /** 13: insert of kind Any or an unknown kind. */
  BadKind,
  /** 14: insert with rights bits outside RIGHTS_ALL. */
  BadRights,
  /** 15: the receiving task's table has no free slot. */
  TableFull,
  /** 16: the global pool has no free node. */
  PoolFull,
  /** 17: capAt past the task's last capability. */
  NotFound,
}

/**
 * A capability as reported to a caller. Operations fill it on success (and lookups
 * also when they fail for a reason of the capability itself: WrongKind, Rights,
 * Expired, Exhausted); it is a copy, changing it changes nothing.
 */
export class CapView {
  /** The owner's handle for it. */
  handle: u32 = 0;
  owner: u32 = CAP_NONE;
  slot: u32 = 0;
  kind: CapKind = CapKind.Any;
  rights: u32 = 0;
  objA: u64 = 0n;
  objB: u64 = 0n;
  /** Whether uses are counted; `uses` is then what remains (0: exhausted). */
  limited: bool = false;
  uses: u32 = 0;
  /** Monotonic nanoseconds at which it stops working; 0: never. */
  expiry: u64 = 0n;
  /** Its pool node and the node's generation (see capNodeAlive). */
  node: u32 = CAP_NONE;
  nodeGen: u32 = 0;
  /** The node it was derived from (CAP_NONE for a root) and that node's owner. */
  parent: u32 = CAP_NONE;
  parentOwner: u32 = CAP_NONE;

  clear(): void {
    this.handle = 0;
    this.owner = CAP_NONE;
    this.slot = 0;
    this.kind = CapKind.Any;
    this.rights = 0;
    this.objA = 0n;
    this.objB = 0n;
    this.limited = false;
    this.uses = 0;
    this.expiry = 0n;
    this.node = CAP_NONE;
    this.nodeGen = 0;
    this.parent = CAP_NONE;
    this.parentOwner = CAP_NONE;
  }
}

/** The handle for `slot` at generation `gen`. */
export function capHandle(slot: u32, gen: u32): u32 {
  return u32(u32(slot & HANDLE_SLOT_MASK) | u32(u32(gen & HANDLE_GEN_MASK) << HANDLE_SLOT_BITS));
}

export function handleSlot(handle: u32): u32 {
  return handle & HANDLE_SLOT_MASK;
}

export function handleGen(handle: u32): u32 {
  return handle >>> HANDLE_SLOT_BITS;
}

/** The generation after `gen` (24 bits, never 0). */
export function nextGen(gen: u32): u32 {
  const g: u32 = u32(u32(gen + 1) & HANDLE_GEN_MASK);
  return g == 0 ? 1 : g;
}

/** Whether capabilities of this kind name a range (objA, objB) that derive may narrow. */
export function kindHasRange(kind: CapKind): bool {
  return kind == CapKind.MemoryRegion || kind == CapKind.DeviceMmio || kind == CapKind.DevicePorts || kind == CapKind.Irq;
}
