/**
 * The capability subsystem's front door. Capabilities are kernel-held,
 * unforgeable grants of rights to an object (an endpoint, a memory region, an
 * interrupt, device registers or ports, a reply, the audit ring); user space
 * names them by handles into its task's table (types.ts).
 *
 *  - create and use:  capInsertRoot, capLookup, capDerive, capDeriveRange,
 *                     capTransfer, capNodeAlive, capNodeOwner    (grant.ts)
 *  - end:             capDelete, capRevoke, capRevokeDescendants, capRevokeObject,
 *                     capReleaseTask, capReapExpired, capLastRemoved (revoke.ts)
 *  - read:            capCount, capFreeSlots, capAt, capInSlot, capPoolUsed, capPoolFree,
 *                     capCheckConsistency, capReset, capCountInRange (query.ts)
 *
 * Pure logic, no hardware; every operation returns a CapError instead of
 * panicking on bad input. The caller serializes all calls (one lock).
 */
export {
  CAP_MAX_TASKS,
  CAP_SLOTS,
  CAP_POOL_SIZE,
  CAP_NONE,
  CAP_KIND_MAX,
  HANDLE_SLOT_BITS,
  HANDLE_SLOT_MASK,
  HANDLE_GEN_MASK,
  CapKind,
  CapError,
  CapView,
  RIGHT_SEND,
  RIGHT_RECEIVE,
  RIGHT_GRANT,
  RIGHT_MAP,
  RIGHT_WRITE,
  RIGHT_DMA,
  RIGHTS_ALL,
  capHandle,
  handleSlot,
  handleGen,
  kindHasRange,
} from "./types";
export { capInsertRoot, capLookup, capExerciseLean, capEndpointPeek, CAP_NO_OBJECT, capDerive, capDeriveRange, capTransfer, capNodeAlive, capNodeOwner } from "./grant";
export {
  capDelete,
  capRevoke,
  capRevokeDescendants,
  capRevokeObject,
  capReleaseTask,
  capReapExpired,
  capLastRemoved,
} from "./revoke";
export {
  capCount,
  capFreeSlots,
  capAt,
  capInSlot,
  capPoolUsed,
  capPoolFree,
  capReset,
  capCheckConsistency,
  capCountInRange,
} from "./query";
