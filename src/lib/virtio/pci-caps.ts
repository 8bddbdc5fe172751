/**
 * Finding the virtio structures of a modern virtio-pci function (virtio 1.x,
 * section 4.1.4) in a snapshot of its 256-byte PCI configuration header: the
 * vendor-specific capabilities (cap_vndr 0x09) for the common configuration,
 * notifications, ISR status and device configuration, each a (bar, offset,
 * length) window. Parsing a copy rather than the live registers means a device
 * cannot change the list while it is being checked. Everything in it comes from
 * the device: pointers that leave the header or loop, and windows outside their
 * BAR, are errors and are never followed.
 */
import { u8, u32, u64, bool, readU16Le, readU32Le, array } from "kts";

/** Bytes of the configuration header the capability list lives in. */
export const PCI_CONFIG_BYTES = 256;
const PCI_STATUS = 0x06;
const PCI_STATUS_CAP_LIST: u32 = 0x10;
const PCI_CAP_PTR = 0x34;
const PCI_HEADER_END: u32 = 0x40;
const PCI_CAP_ID_VNDR: u8 = 0x09;
const PCI_BARS = 6;

export const VIRTIO_PCI_CAP_COMMON_CFG: u8 = 1;
export const VIRTIO_PCI_CAP_NOTIFY_CFG: u8 = 2;
export const VIRTIO_PCI_CAP_ISR_CFG: u8 = 3;
export const VIRTIO_PCI_CAP_DEVICE_CFG: u8 = 4;
/** struct virtio_pci_cap, and virtio_pci_notify_cap (which adds notify_off_multiplier). */
const VIRTIO_CAP_BYTES: u32 = 16;
const VIRTIO_NOTIFY_CAP_BYTES: u32 = 20;
/** struct virtio_pci_common_cfg of virtio 1.0 (through queue_device). */
export const VIRTIO_COMMON_CFG_BYTES: u32 = 0x38;

export enum VirtioPciStatus {
  Ok = 0,
  /** The status register says there is no capability list. */
  NoCapList = 1,
  /** A capability pointer into the standard header (below 0x40). */
  BadCapPointer = 2,
  /** The list comes back to a capability already seen. */
  CapLoop = 3,
  /** A virtio capability shorter than its structure or running past the header. */
  BadCapLength = 4,
  /** A window outside its BAR (or in a BAR the caller has not sized). */
  OutsideBar = 5,
  /** A window not aligned for the accesses made to it. */
  Misaligned = 6,
  /** A window too small for its structure. */
  RegionTooSmall = 7,
  /** notify_off_multiplier neither 0 nor a power of two of at least 2. */
  BadNotifyMultiplier = 8,
  MissingCommon = 9,
  MissingNotify = 10,
  MissingIsr = 11,
  /** The caller's arguments are unusable (BAR not mapped, snapshot too short). */
  BadArgument = 12,
  /** The device does not offer VIRTIO_F_VERSION_1 (a legacy-only device). */
  NoVersion1 = 13,
  /** The device cleared FEATURES_OK: it cannot work with the features accepted. */
  FeaturesRefused = 14,
  /** The device status did not read back 0 after a reset. */
  ResetTimeout = 15,
  /** No such queue (beyond num_queues or VIRTIO_PCI_MAX_QUEUES, or queue_size 0). */
  NoSuchQueue = 16,
  /** The virtqueue is larger than the device's queue_size. */
  QueueTooBig = 17,
  /** queue_enable already set. */
  QueueInUse = 18,
  /** queue_notify_off * notify_off_multiplier lands outside the notification window. */
  NotifyOutOfRange = 19,
}

/** One virtio structure: where it is, if the device has it. */
export class PciRegion {
  found: bool = false;
  bar: u32 = 0;
  offset: u32 = 0;
  length: u32 = 0;
}

export class VirtioPciCaps {
  common = new PciRegion();
  notify = new PciRegion();
  isr = new PciRegion();
  device = new PciRegion();
  notifyMultiplier: u32 = 0;
}

function clearRegion(r: PciRegion): void {
  r.found = false;
  r.bar = 0;
  r.offset = 0;
  r.length = 0;
}

/**
 * Checks one virtio capability's window and records it in r if it is the first
 * of its type (spec: the driver uses the first it can support). A reserved bar
 * number makes the capability one to ignore (spec 4.1.4); every other window must
 * lie inside its BAR, be aligned as align and hold at least minLength bytes.
 */
function takeRegion(cfg: readonly u8[], at: u32, barSizes: readonly u64[], r: PciRegion, align: u32, minLength: u32): VirtioPciStatus {
  const bar: u32 = u32(cfg[u32(at + 4)]);
  if (bar >= PCI_BARS) return VirtioPciStatus.Ok;
  const offset: u32 = readU32Le(cfg, u32(at + 8));
  const length: u32 = readU32Le(cfg, u32(at + 12));
  const barSize: u64 = bar < barSizes.length ? barSizes[bar] : 0n;
  if (u64(u64(offset) + u64(length)) > barSize) return VirtioPciStatus.OutsideBar;
  if (offset % align != 0) return VirtioPciStatus.Misaligned;
  if (length < minLength) return VirtioPciStatus.RegionTooSmall;
  if (!r.found) {
    r.found = true;
    r.bar = bar;
    r.offset = offset;
    r.length = length;
  }
  return VirtioPciStatus.Ok;
}

/**
 * Walks the capability list of cfg (a copy of the function's configuration
 * header, at least PCI_CONFIG_BYTES) and fills out. barSizes[i] is the size of
 * BAR i (0 if absent). Ok only with the common, notify and ISR structures found
 * (the device configuration is optional: out.device.found).
 */
export function parseVirtioCaps(cfg: readonly u8[], barSizes: readonly u64[], out: VirtioPciCaps): VirtioPciStatus {
  clearRegion(out.common);
  clearRegion(out.notify);
  clearRegion(out.isr);
  clearRegion(out.device);
  out.notifyMultiplier = 0;
  if (cfg.length < PCI_CONFIG_BYTES) return VirtioPciStatus.BadArgument;
  if ((u32(readU16Le(cfg, PCI_STATUS)) & PCI_STATUS_CAP_LIST) == 0) return VirtioPciStatus.NoCapList;
  // One mark per dword: any capability seen twice is a loop.
  const seen: bool[] = array(64, false);
  let at: u32 = u32(cfg[PCI_CAP_PTR] & 0xfc); // the low two bits are reserved (PCI 3.0, 6.7)
  while (at != 0) {
    if (at < PCI_HEADER_END) return VirtioPciStatus.BadCapPointer;
    if (seen[at >>> 2]) return VirtioPciStatus.CapLoop;
    seen[at >>> 2] = true;
    if (cfg[at] == PCI_CAP_ID_VNDR) {
      const capLen: u32 = u32(cfg[u32(at + 2)]);
      if (capLen < VIRTIO_CAP_BYTES || u32(at + capLen) > PCI_CONFIG_BYTES) return VirtioPciStatus.BadCapLength;
      const type: u8 = cfg[u32(at + 3)];
      let st = VirtioPciStatus.Ok;
      if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
        st = takeRegion(cfg, at, barSizes, out.common, 4, VIRTIO_COMMON_CFG_BYTES);
      } else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
        if (capLen < VIRTIO_NOTIFY_CAP_BYTES) return VirtioPciStatus.BadCapLength;
        const first = !out.notify.found;
        st = takeRegion(cfg, at, barSizes, out.notify, 2, 2);
        if (st == VirtioPciStatus.Ok && first && out.notify.found) {
          const mult: u32 = readU32Le(cfg, u32(at + 16));
          // Notifications are 16-bit writes: an odd stride would misalign them.
          if (mult != 0 && (mult < 2 || (mult & u32(mult - 1)) != 0)) return VirtioPciStatus.BadNotifyMultiplier;
          out.notifyMultiplier = mult;
        }
      } else if (type == VIRTIO_PCI_CAP_ISR_CFG) {
        st = takeRegion(cfg, at, barSizes, out.isr, 1, 1);
      } else if (type == VIRTIO_PCI_CAP_DEVICE_CFG) {
        st = takeRegion(cfg, at, barSizes, out.device, 4, 0);
      }
      if (st != VirtioPciStatus.Ok) return st;
    }
    at = u32(cfg[u32(at + 1)] & 0xfc);
  }
  if (!out.common.found) return VirtioPciStatus.MissingCommon;
  if (!out.notify.found) return VirtioPciStatus.MissingNotify;
  if (!out.isr.found) return VirtioPciStatus.MissingIsr;
  return VirtioPciStatus.Ok;
}
