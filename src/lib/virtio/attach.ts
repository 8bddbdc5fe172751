/**
 * The first half of every virtio-pci driver's bring-up: its DMA memory mapped
 * (and its physical address learned), its function asked of the PCI bus
 * service (ATTACH, which checks the driver's device claim), the function's
 * configuration space (read-only) and BARs mapped, the function probed as a
 * modern virtio-pci device, reset, acknowledged and told a driver is loaded.
 * Features and queues, which differ per device, are the driver's own.
 */
import { u8, u32, u64, usize, bool, array, arrayOf } from "kts";
import { sysMemMap, sysMemPhys, sysMmioMap } from "../sys/syscalls.generated";
import { call, msgStart, msgSetWord, msgWordAt, errorOf } from "../ipc/message";
import { LABEL_ATTACH, ATTACH_CONFIG, ATTACH_IRQ, ATTACH_LINE, ATTACH_BAR, ATTACH_BAR_SIZE } from "../pci/protocol";
import { VirtioPci } from "./pci-transport";
import { VirtioPciStatus } from "./pci-caps";

/** Where a driver maps what it attaches: its DMA memory, the function's configuration space, and BAR i at barVa + i * barStride. */
export const DMA_VA: usize = 0x2_0000_0000n;
export const CONFIG_VA: usize = 0x1_0000_0000n;
export const BAR_VA: usize = 0x1_0010_0000n;
export const BAR_STRIDE: u64 = 0x10_0000n;

/** Why a device could not be attached (names in ATTACH_FAILURES, for "no usable device: ..."). */
export enum AttachFailure {
  None = 0,
  DmaMemory = 1,
  NoDevice = 2,
  ConfigSpace = 3,
  Bar = 4,
  NotVirtio = 5,
  NoReset = 6,
}

export const ATTACH_FAILURES: u8[] = arrayOf([
  0x6f, 0x6b, 0, // ok
  0x63, 0x61, 0x6e, 0x6e, 0x6f, 0x74, 0x20, 0x6d, 0x61, 0x70, 0x20, 0x69, 0x74, 0x73, 0x20, 0x44, 0x4d, 0x41, 0x20, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0, // cannot map its DMA memory
  0x6e, 0x6f, 0x20, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20, 0x70, 0x63, 0x69, 0, // no device from pci
  0x63, 0x61, 0x6e, 0x6e, 0x6f, 0x74, 0x20, 0x6d, 0x61, 0x70, 0x20, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x75, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x20, 0x73, 0x70, 0x61, 0x63, 0x65, 0, // cannot map configuration space
  0x63, 0x61, 0x6e, 0x6e, 0x6f, 0x74, 0x20, 0x6d, 0x61, 0x70, 0x20, 0x61, 0x20, 0x42, 0x41, 0x52, 0, // cannot map a BAR
  0x6e, 0x6f, 0x74, 0x20, 0x61, 0x20, 0x6d, 0x6f, 0x64, 0x65, 0x72, 0x6e, 0x20, 0x76, 0x69, 0x72, 0x74, 0x69, 0x6f, 0x2d, 0x70, 0x63, 0x69, 0x20, 0x66, 0x75, 0x6e, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0, // not a modern virtio-pci function
  0x74, 0x68, 0x65, 0x20, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x20, 0x64, 0x69, 0x64, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x72, 0x65, 0x73, 0x65, 0x74, 0, // the device did not reset
]);

export class Attached {
  failure: AttachFailure = AttachFailure.None;
  /** The system call's error (or the probe's status) behind the failure. */
  error: u64 = 0n;
  /** The function's IRQ capability, and the interrupt line it names. */
  irq: u64 = 0n;
  line: u64 = 0n;
  /** Physical address of the DMA memory's first byte (its pages are contiguous). */
  dmaPa: u64 = 0n;
}

const barSizes: u64[] = array(6, 0n);
const barVas: usize[] = array(6, 0n);

function fail(out: Attached, why: AttachFailure, error: u64): bool {
  out.failure = why;
  out.error = error;
  return false;
}

/**
 * Attaches PCI function vendor << 16 | device through the bus service's
 * endpoint, maps dma (a MemoryRegion capability with map, write and DMA) at
 * DMA_VA, and leaves pci probed, reset and acknowledged. False with
 * out.failure and out.error when there is no usable device.
 */
export function attachVirtio(pci: VirtioPci, pciEndpoint: u64, deviceId: u64, dma: u64, out: Attached): bool {
  out.failure = AttachFailure.None;
  out.dmaPa = sysMemPhys(dma);
  const m: u64 = errorOf(out.dmaPa) == 0n ? errorOf(sysMemMap(dma, DMA_VA, 1n)) : errorOf(out.dmaPa);
  if (m != 0n) return fail(out, AttachFailure.DmaMemory, m);
  msgStart(LABEL_ATTACH);
  msgSetWord(deviceId);
  const c: u64 = errorOf(call(pciEndpoint));
  const a: u64 = c != 0n ? c : errorOf(msgWordAt(0));
  if (a != 0n) return fail(out, AttachFailure.NoDevice, a);
  out.irq = msgWordAt(ATTACH_IRQ);
  out.line = msgWordAt(ATTACH_LINE);
  const cm: u64 = errorOf(sysMmioMap(msgWordAt(ATTACH_CONFIG), CONFIG_VA, 0n));
  if (cm != 0n) return fail(out, AttachFailure.ConfigSpace, cm);
  for (let i: u32 = 0; i < 6; i++) {
    const h: u64 = msgWordAt(u32(ATTACH_BAR + i));
    barSizes[i] = msgWordAt(u32(ATTACH_BAR_SIZE + i));
    barVas[i] = 0n;
    if (h == 0n) continue;
    const va: usize = usize(BAR_VA + u64(i) * BAR_STRIDE);
    const bm: u64 = errorOf(sysMmioMap(h, va, 1n));
    if (bm != 0n) return fail(out, AttachFailure.Bar, bm);
    barVas[i] = va;
  }
  const st: VirtioPciStatus = pci.probe(CONFIG_VA, barSizes, barVas);
  if (st != VirtioPciStatus.Ok) return fail(out, AttachFailure.NotVirtio, u64(u32(st)));
  if (!pci.reset()) return fail(out, AttachFailure.NoReset, 0n);
  pci.acknowledge();
  pci.driverLoaded();
  return true;
}

/** Whether the failure's error is a system call's (printed by name) rather than a probe status. */
export function failureIsSyscall(f: AttachFailure): bool {
  return f == AttachFailure.DmaMemory || f == AttachFailure.NoDevice || f == AttachFailure.ConfigSpace || f == AttachFailure.Bar;
}
