/**
 * Memory for user space: memMap and memUnmap over MemoryRegion capabilities,
 * mmioMap over DeviceMmio ones (task/user-memory.ts keeps the regions and
 * mappings), memPhys for DMA. Region memory and device registers are data, so
 * an executable mapping is refused outright (W^X: code comes only from signed
 * modules), whatever the capability's rights. Each mapping uses up one use of a
 * use-limited capability; a time-limited one is refused (nothing would take the
 * mapping away when it expires).
 */
import { u32, u64, usize, bool } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, CapView, RIGHT_MAP, RIGHT_WRITE, RIGHT_DMA } from "../cap/index";
import { schedLock, schedUnlock } from "../task/lock";
import { mappingAdd, mappingRemove, userMemorySweep, MapResult, MMIO_MAP_MAX } from "../task/user-memory";
import { capabilityInto, isError, sysError } from "./ipc-calls";
import { SysError } from "./numbers.generated";

const MEM_WRITE: u64 = 1n;
const MEM_EXEC: u64 = 2n;

const cap = new CapView();

export function sysMemMap(task: u32, handle: u64, va: usize, flags: u64): u64 {
  return mapCapability(task, handle, va, flags, CapKind.MemoryRegion);
}

/** Device registers: uncached / Device-nGnRE, at most MMIO_MAP_MAX bytes (a bigger window is mapped in parts). */
export function sysMmioMap(task: u32, handle: u64, va: usize, flags: u64): u64 {
  return mapCapability(task, handle, va, flags, CapKind.DeviceMmio);
}

function mapCapability(task: u32, handle: u64, va: usize, flags: u64, kind: CapKind): u64 {
  if ((flags & u64(~u64(MEM_WRITE | MEM_EXEC))) != 0n) return sysError(SysError.Invalid);
  if ((flags & MEM_EXEC) != 0n) return sysError(SysError.WriteExec);
  const writable: bool = (flags & MEM_WRITE) != 0n;
  const rights: u32 = writable ? u32(RIGHT_MAP | RIGHT_WRITE) : RIGHT_MAP;
  const device: bool = kind == CapKind.DeviceMmio;
  schedLock();
  const found: u64 = capabilityInto(task, handle, kind, rights, monotonicNanos(), cap);
  let r: u64 = found;
  // A mapping cannot expire by itself: a time-limited capability is not mappable.
  if (!isError(found)) {
    if (cap.expiry != 0n) r = sysError(SysError.Denied);
    else if (device && cap.objB > MMIO_MAP_MAX) r = sysError(SysError.Invalid);
    else r = mapResult(mappingAdd(task, cap, va, writable, device));
  }
  schedUnlock();
  return r;
}

/** The physical base of a region (right DMA): what a driver tells its device. */
export function sysMemPhys(task: u32, handle: u64): u64 {
  schedLock();
  const r: u64 = capabilityInto(task, handle, CapKind.MemoryRegion, RIGHT_DMA, monotonicNanos(), cap);
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
