/**
 * What the PCI bus service needs from the kernel besides capabilities: the
 * host bridge's description (pciHost) and the INTx routing (pciRoute), both from
 * the firmware tables (boot/pci-host.ts). The authority is a DeviceMmio
 * capability inside the ECAM window: whoever may map configuration space may
 * learn how the bridge is wired.
 */
import { u8, u32, u64, usize, bool, array } from "kts";
import { monotonicNanos } from "arch";
import { CapKind, CapView, RIGHT_MAP } from "../cap/index";
import { pciHost, NO_LINE } from "../boot/pci-host";
import { resources } from "../task/table";
import { schedLock, schedUnlock } from "../task/lock";
import { userWrite } from "../task/usermem";
import { capabilityInto, isError, sysError } from "./ipc-calls";
import { SysError, PCI_HOST_BYTES, PCI_HOST_ECAM_BASE, PCI_HOST_ECAM_SIZE, PCI_HOST_BUS_FIRST, PCI_HOST_BUS_LAST, PCI_HOST_MEM_BASE, PCI_HOST_MEM_SIZE, PCI_HOST_IRQ_FIRST, PCI_HOST_IRQ_COUNT } from "./numbers.generated";
import { setLe32, setLe64 } from "../loader/le";

const cap = new CapView();
const record: u8[] = array(PCI_HOST_BYTES, 0);

/** Under the lock: Ok (0) if handle is a mappable capability inside ECAM, else an error. */
function ecamAuthority(task: u32, handle: u64): u64 {
  const r: u64 = capabilityInto(task, handle, CapKind.DeviceMmio, RIGHT_MAP, monotonicNanos(), cap);
  if (isError(r)) return r;
  if (!pciHost.present) return sysError(SysError.Invalid);
  const inside: bool = cap.objA >= pciHost.ecamBase && u64(cap.objA + cap.objB) <= u64(pciHost.ecamBase + pciHost.ecamSize);
  return inside ? 0n : sysError(SysError.Denied);
}

export function sysPciHost(task: u32, handle: u64, buf: usize): u64 {
  schedLock();
  let r: u64 = ecamAuthority(task, handle);
  if (!isError(r)) {
    setLe64(record, PCI_HOST_ECAM_BASE, pciHost.ecamBase);
    setLe64(record, PCI_HOST_ECAM_SIZE, pciHost.ecamSize);
    setLe32(record, PCI_HOST_BUS_FIRST, pciHost.busFirst);
    setLe32(record, PCI_HOST_BUS_LAST, pciHost.busLast);
    setLe64(record, PCI_HOST_MEM_BASE, pciHost.memBase);
    setLe64(record, PCI_HOST_MEM_SIZE, pciHost.memSize);
    setLe32(record, PCI_HOST_IRQ_FIRST, pciHost.irqFirst);
    setLe32(record, PCI_HOST_IRQ_COUNT, pciHost.irqCount);
    if (!userWrite(resources[task].space, buf, record)) r = sysError(SysError.BadAddress);
  }
  schedUnlock();
  return r;
}

export function sysPciRoute(task: u32, handle: u64, slot: u64, pin: u64): u64 {
  schedLock();
  let r: u64 = ecamAuthority(task, handle);
  if (!isError(r)) {
    const line: u32 = pciHost.line(slot, pin);
    r = line == NO_LINE ? sysError(SysError.Invalid) : u64(line);
  }
  schedUnlock();
  return r;
}
