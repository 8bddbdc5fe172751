/**
 * Who may fill a task's capability table. A task's own derivations and the
 * kernel's grants may use every slot; capabilities another task places there
 * (capDerive to it, or carried in a message it receives) may not take the last
 * RESERVED_SLOTS, and one other task may place at most PER_PLACER. So however
 * hard other tasks push, a task can still derive for itself and still receive
 * capabilities from others. The table records who placed each capability
 * (indexed by pool node, checked by the node's generation, so a node freed and
 * reused never counts for its new holder). Everything runs under the scheduler lock.
 */
import { u32, bool, array } from "kts";
import { capInSlot, CapError, CapView, CAP_SLOTS, CAP_POOL_SIZE, CAP_NONE } from "../cap/index";

/** Slots of every table only its task and the kernel may fill. */
export const RESERVED_SLOTS: u32 = 16;
/** The most capabilities one task may have placed in another's table. */
export const PER_PLACER: u32 = 8;

const placer: u32[] = array(CAP_POOL_SIZE, CAP_NONE);
const placerGen: u32[] = array(CAP_POOL_SIZE, 0);
const scan = new CapView();

/** Whether `by` may place one more capability in `target`'s table (always, for itself). */
export function mayPlace(target: u32, by: u32): bool {
  if (target == by) return true;
  let foreign: u32 = 0;
  let mine: u32 = 0;
  for (let s: u32 = 0; s < CAP_SLOTS; s++) {
    if (capInSlot(target, s, scan) != CapError.Ok) continue;
    const who: u32 = placerOf(scan);
    if (who == CAP_NONE || who == target) continue;
    foreign = u32(foreign + 1);
    if (who == by) mine = u32(mine + 1);
  }
  return u32(foreign + RESERVED_SLOTS) < CAP_SLOTS && mine < PER_PLACER;
}

/** Records that `by` placed the capability `v` describes (v.owner holds it now). */
export function placedBy(v: CapView, by: u32): void {
  placer[v.node] = by;
  placerGen[v.node] = v.nodeGen;
}

function placerOf(v: CapView): u32 {
  return placerGen[v.node] == v.nodeGen ? placer[v.node] : CAP_NONE;
}
