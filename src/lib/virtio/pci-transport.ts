"use unsafe";
/**
 * The modern virtio-pci transport (virtio 1.x, section 4.1) over mapped memory:
 * the function's configuration space (for the capability list) and its BARs.
 * Every device access is an mmioRead/mmioWrite; what the device returns is
 * checked before it steers an address (queue_notify_off, the windows).
 *
 * A driver: probe(), reset(), acknowledge(), driverLoaded(), negotiate(),
 * queueSize() + Virtqueue.init() + setupQueue() per queue, driverOk(); then
 * notify(), readIsr(), configRead*(). On a failure it calls fail().
 */
import { u8, u16, u32, u64, usize, bool, array, spinWait, min, clz32, panic } from "kts";
import { mmioRead8, mmioRead16, mmioRead32, mmioWrite8, mmioWrite16, mmioWrite32, fence } from "kts/unsafe";
import { PCI_CONFIG_BYTES, VirtioPciCaps, VirtioPciStatus, parseVirtioCaps } from "./pci-caps";
import { Virtqueue } from "./virtqueue";

// Device status bits (spec 2.1).
export const VIRTIO_STATUS_ACKNOWLEDGE: u8 = 1;
export const VIRTIO_STATUS_DRIVER: u8 = 2;
export const VIRTIO_STATUS_DRIVER_OK: u8 = 4;
export const VIRTIO_STATUS_FEATURES_OK: u8 = 8;
export const VIRTIO_STATUS_DEVICE_NEEDS_RESET: u8 = 0x40;
export const VIRTIO_STATUS_FAILED: u8 = 0x80;

export const VIRTIO_F_INDIRECT_DESC: u64 = 1n << 28n;
export const VIRTIO_F_EVENT_IDX: u64 = 1n << 29n;
export const VIRTIO_F_VERSION_1: u64 = 1n << 32n;
export const VIRTIO_F_RING_PACKED: u64 = 1n << 34n;
/** Ring layouts and notification schemes Virtqueue does not implement: never accepted. */
const UNSUPPORTED_FEATURES: u64 = VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX | VIRTIO_F_RING_PACKED;

/** ISR status bits (spec 4.1.4.5). */
export const VIRTIO_ISR_QUEUE: u8 = 1;
export const VIRTIO_ISR_CONFIG: u8 = 2;

/** Queues a VirtioPci can set up (their notification addresses are kept here). */
export const VIRTIO_PCI_MAX_QUEUES = 16;

// struct virtio_pci_common_cfg (spec 4.1.4.3).
const DEVICE_FEATURE_SELECT = 0x00;
const DEVICE_FEATURE = 0x04;
const DRIVER_FEATURE_SELECT = 0x08;
const DRIVER_FEATURE = 0x0c;
const NUM_QUEUES = 0x12;
const DEVICE_STATUS = 0x14;
const CONFIG_GENERATION = 0x15;
const QUEUE_SELECT = 0x16;
const QUEUE_SIZE = 0x18;
const QUEUE_ENABLE = 0x1c;
const QUEUE_NOTIFY_OFF = 0x1e;
const QUEUE_DESC = 0x20;
const QUEUE_DRIVER = 0x28;
const QUEUE_DEVICE = 0x30;


/** Status reads after a reset before giving up on the device. */
const RESET_POLLS: u32 = 1_000_000;
/** Attempts at a consistent multi-word device-config read. */
const GENERATION_TRIES: u32 = 64;

/** Copies the 256-byte configuration header at cfgVa into out, in 32-bit reads. */
export function readConfigSpace(cfgVa: usize, out: u8[]): void {
  for (let i: u32 = 0; i < PCI_CONFIG_BYTES; i = u32(i + 4)) {
    const w: u32 = mmioRead32(usize(cfgVa + u64(i)));
    out[i] = u8(w);
    out[u32(i + 1)] = u8(w >>> 8);
    out[u32(i + 2)] = u8(w >>> 16);
    out[u32(i + 3)] = u8(w >>> 24);
  }
}

export class VirtioPci {
  caps = new VirtioPciCaps();
  config: u8[] = array(PCI_CONFIG_BYTES, 0);
  common: usize = 0n;
  notifyBase: usize = 0n;
  isr: usize = 0n;
  device: usize = 0n;
  /** Accepted by negotiate(). */
  features: u64 = 0n;
  queueNotify: u64[] = array(VIRTIO_PCI_MAX_QUEUES, 0n);

  /**
   * Finds the virtio structures in the function's configuration space (mapped
   * at cfgVa, read-only is enough), checks them against barSizes and locates the
   * structures in the BARs mapped at barVas. Memory decoding and bus mastering
   * are the bus service's to turn on (it does when it hands the device over).
   */
  probe(cfgVa: usize, barSizes: readonly u64[], barVas: readonly usize[]): VirtioPciStatus {
    this.common = 0n;
    readConfigSpace(cfgVa, this.config);
    const st = parseVirtioCaps(this.config, barSizes, this.caps);
    if (st != VirtioPciStatus.Ok) return st;
    const c = this.caps;
    if (!mapped(barVas, c.common.bar) || !mapped(barVas, c.notify.bar) || !mapped(barVas, c.isr.bar)) return VirtioPciStatus.BadArgument;
    if (c.device.found && !mapped(barVas, c.device.bar)) return VirtioPciStatus.BadArgument;
    this.common = usize(barVas[c.common.bar] + u64(c.common.offset));
    this.notifyBase = usize(barVas[c.notify.bar] + u64(c.notify.offset));
    this.isr = usize(barVas[c.isr.bar] + u64(c.isr.offset));
    this.device = c.device.found ? usize(barVas[c.device.bar] + u64(c.device.offset)) : 0n;
    for (let i: u32 = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) this.queueNotify[i] = 0n;
    return VirtioPciStatus.Ok;
  }

  deviceStatus(): u8 {
    return mmioRead8(usize(this.common + u64(DEVICE_STATUS)));
  }

  private addStatus(bit: u8): void {
    mmioWrite8(usize(this.common + u64(DEVICE_STATUS)), this.deviceStatus() | bit);
  }

  /** Writes 0 to device_status and waits until it reads back 0 (spec 4.1.4.3.2); false if it never does. */
  reset(): bool {
    mmioWrite8(usize(this.common + u64(DEVICE_STATUS)), 0);
    for (let i: u32 = 0; i < RESET_POLLS; i++) {
      if (this.deviceStatus() == 0) {
        for (let q: u32 = 0; q < VIRTIO_PCI_MAX_QUEUES; q++) this.queueNotify[q] = 0n;
        this.features = 0n;
        return true;
      }
      spinWait();
    }
    return false;
  }

  acknowledge(): void {
    this.addStatus(VIRTIO_STATUS_ACKNOWLEDGE);
  }

  driverLoaded(): void {
    this.addStatus(VIRTIO_STATUS_DRIVER);
  }

  driverOk(): void {
    this.addStatus(VIRTIO_STATUS_DRIVER_OK);
  }

  /** Tells the device the driver gave up on it. */
  fail(): void {
    this.addStatus(VIRTIO_STATUS_FAILED);
  }

  deviceFeatures(): u64 {
    const c = this.common;
    mmioWrite32(usize(c + u64(DEVICE_FEATURE_SELECT)), 0);
    const lo: u32 = mmioRead32(usize(c + u64(DEVICE_FEATURE)));
    mmioWrite32(usize(c + u64(DEVICE_FEATURE_SELECT)), 1);
    const hi: u32 = mmioRead32(usize(c + u64(DEVICE_FEATURE)));
    return u64(u64(u64(hi) << 32n) | u64(lo));
  }

  /**
   * Accepts the features of wanted the device offers (never ring features this
   * library lacks), plus VIRTIO_F_VERSION_1, which the device must offer; sets
   * FEATURES_OK and checks the device kept it. On a refusal the device is marked
   * FAILED. Ok: the accepted set is in features.
   */
  negotiate(wanted: u64): VirtioPciStatus {
    const offered: u64 = this.deviceFeatures();
    if ((offered & VIRTIO_F_VERSION_1) == 0n) {
      this.fail();
      return VirtioPciStatus.NoVersion1;
    }
    const accepted: u64 = u64(u64(offered & wanted & u64(~UNSUPPORTED_FEATURES)) | VIRTIO_F_VERSION_1);
    const c = this.common;
    mmioWrite32(usize(c + u64(DRIVER_FEATURE_SELECT)), 0);
    mmioWrite32(usize(c + u64(DRIVER_FEATURE)), u32(accepted));
    mmioWrite32(usize(c + u64(DRIVER_FEATURE_SELECT)), 1);
    mmioWrite32(usize(c + u64(DRIVER_FEATURE)), u32(accepted >> 32n));
    this.addStatus(VIRTIO_STATUS_FEATURES_OK);
    if ((this.deviceStatus() & VIRTIO_STATUS_FEATURES_OK) == 0) {
      this.fail();
      return VirtioPciStatus.FeaturesRefused;
    }
    this.features = accepted;
    return VirtioPciStatus.Ok;
  }

  numQueues(): u32 {
    return u32(mmioRead16(usize(this.common + u64(NUM_QUEUES))));
  }

  /** The size to give queue index: the largest power of two within both the device's queue_size and limit; 0 if the queue does not exist. */
  queueSize(index: u32, limit: u32): u32 {
    if (index >= VIRTIO_PCI_MAX_QUEUES || index >= this.numQueues()) return 0;
    mmioWrite16(usize(this.common + u64(QUEUE_SELECT)), u16(index));
    const most: u32 = min(u32(mmioRead16(usize(this.common + u64(QUEUE_SIZE)))), limit);
    if (most == 0) return 0;
    const top: u32 = 0x8000_0000;
    return u32(top >>> clz32(most));
  }

  /**
   * Tells the device where queue index lives (vq, already init()ed with a size
   * no larger than queueSize gave), finds its notification address and enables it.
   */
  setupQueue(index: u32, vq: Virtqueue): VirtioPciStatus {
    const c = this.common;
    if (index >= VIRTIO_PCI_MAX_QUEUES || index >= this.numQueues()) return VirtioPciStatus.NoSuchQueue;
    mmioWrite16(usize(c + u64(QUEUE_SELECT)), u16(index));
    const most: u32 = u32(mmioRead16(usize(c + u64(QUEUE_SIZE))));
    if (most == 0) return VirtioPciStatus.NoSuchQueue;
    if (vq.size == 0) return VirtioPciStatus.BadArgument;
    if (vq.size > most) return VirtioPciStatus.QueueTooBig;
    if (mmioRead16(usize(c + u64(QUEUE_ENABLE))) != 0) return VirtioPciStatus.QueueInUse;
    const off: u64 = u64(u64(mmioRead16(usize(c + u64(QUEUE_NOTIFY_OFF)))) * u64(this.caps.notifyMultiplier));
    if (u64(off + 2n) > u64(this.caps.notify.length)) return VirtioPciStatus.NotifyOutOfRange;
    mmioWrite16(usize(c + u64(QUEUE_SIZE)), u16(vq.size));
    write64(usize(c + u64(QUEUE_DESC)), vq.descPa());
    write64(usize(c + u64(QUEUE_DRIVER)), vq.availPa());
    write64(usize(c + u64(QUEUE_DEVICE)), vq.usedPa());
    this.queueNotify[index] = usize(this.notifyBase + off);
    fence(); // the ring's zeroed memory before the device may use it
    mmioWrite16(usize(c + u64(QUEUE_ENABLE)), 1);
    return VirtioPciStatus.Ok;
  }

  /** Tells the device queue index has new buffers (after Virtqueue.publish() and needsNotify()). */
  notify(index: u32): void {
    const at: u64 = this.queueNotify[index];
    if (at == 0n) panicNotSetUp();
    fence(); // the published index before the device is told to look
    mmioWrite16(at, u16(index));
  }

  /** Reads the ISR status, which also clears it (and lowers an INTx line): VIRTIO_ISR_QUEUE, VIRTIO_ISR_CONFIG. */
  readIsr(): u8 {
    return mmioRead8(this.isr);
  }

  configGeneration(): u8 {
    return mmioRead8(usize(this.common + u64(CONFIG_GENERATION)));
  }

  /** Bytes of device configuration the device has (0 if none); check it before reading fields. */
  deviceConfigLength(): u32 {
    return this.caps.device.found ? this.caps.device.length : 0;
  }

  configRead8(offset: u32): u8 {
    return mmioRead8(this.configAt(offset, 1));
  }

  configRead16(offset: u32): u16 {
    return mmioRead16(this.configAt(offset, 2));
  }

  configRead32(offset: u32): u32 {
    return mmioRead32(this.configAt(offset, 4));
  }

  /** A 64-bit field as two 32-bit reads (spec 4.1.3.1), read again while config_generation changes under it. */
  configRead64(offset: u32): u64 {
    const lo: usize = this.configAt(offset, 8);
    let v: u64 = 0n;
    for (let i: u32 = 0; i < GENERATION_TRIES; i++) {
      const g: u8 = this.configGeneration();
      v = u64(u64(mmioRead32(lo)) | u64(u64(mmioRead32(usize(lo + 4n))) << 32n));
      if (this.configGeneration() == g) break;
    }
    return v;
  }

  /** The address of a device-config field; reading outside the window or unaligned is the driver's bug. */
  private configAt(offset: u32, width: u32): usize {
    const align: u32 = width > 4 ? 4 : width;
    if (u64(u64(offset) + u64(width)) > u64(this.deviceConfigLength()) || offset % align != 0) {
      panicConfig(offset, width);
    }
    return usize(this.device + u64(offset));
  }
}

function mapped(barVas: readonly usize[], bar: u32): bool {
  return bar < barVas.length && barVas[bar] != 0n;
}

function write64(at: usize, v: u64): void {
  mmioWrite32(at, u32(v));
  mmioWrite32(usize(at + 4n), u32(v >> 32n));
}

function panicNotSetUp(): never {
  panic("virtio-pci: notify of a queue that was not set up");
}

function panicConfig(offset: u32, width: u32): never {
  panic(`virtio-pci: device config read of ${width} bytes at ${offset} outside its window or unaligned`);
}
