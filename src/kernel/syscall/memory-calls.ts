/**
 * Memory for user space: memMap and memUnmap over MemoryRegion capabilities
 * (task/user-memory.ts keeps the regions and mappings). Region memory is data,
 * so an executable mapping is refused outright (W^X: code comes only from
 * signed modules), whatever the capability's rights. Each mapping uses up one
 * use of a use-limited capability; a time-limited one is refused (nothing would
 * take the mapping away when it expires).
 */
import { u32, u64, usize, bool } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, CapView, RIGHT_MAP, RIGHT_WRITE } from "../cap/index";
import { schedLock, schedUnlock } from "../task/lock";
import { mappingAdd, mappingRemove, userMemorySweep, MapResult } from "../task/user-memory";
import { capabilityInto, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

const MEM_WRITE: u64 = 1n;
const MEM_EXEC: u64 = 2n;

const cap = new CapView();

export function sysMemMap(task: u32, handle: u64, va: usize, flags: u64): u64 {
  if ((flags & u64(~u64(MEM_WRITE | MEM_EXEC))) != 0n) return sysError(SysError.Invalid);
  if ((flags & MEM_EXEC) != 0n) return sysError(SysError.WriteExec);
  const writable: bool = (flags & MEM_WRITE) != 0n;
  const rights: u32 = writable ? u32(RIGHT_MAP | RIGHT_WRITE) : RIGHT_MAP;
  schedLock();
  const found: u64 = capabilityInto(task, handle, CapKind.MemoryRegion, rights, monotonicNanos(), cap);
  let r: u64 = found;
  // A mapping cannot expire by itself: a time-limited capability is not mappable.
  if (!isError(found)) r = cap.expiry != 0n ? sysError(SysError.Denied) : mapResult(mappingAdd(task, cap, va, writable));
  schedUnlock();
  return r;
}

export function sysMemUnmap(task: u32, va: usize): u64 {
  schedLock();
  const had: bool = mappingRemove(task, va);
  schedUnlock();
  if (!had) return sysError(SysError.Invalid);
  userMemorySweep();
  return 0n;
}

function mapResult(r: MapResult): u64 {
  switch (r) {
    case MapResult.Ok:
      return 0n;
    case MapResult.BadAddress:
      return sysError(SysError.BadAddress);
    case MapResult.Misaligned:
      return sysError(SysError.Invalid);
    case MapResult.InUse:
      return sysError(SysError.AddressInUse);
    default:
      return sysError(SysError.NoMemory);
  }
}
