/**
 * The virtio-pci transport (src/lib/virtio/pci-transport.ts) against a model of
 * a modern virtio-pci function attached with mapDevice: Node world only, since
 * the model is TypeScript answering MMIO (this file is plain TS, not KTS). The
 * model keeps a 256-byte configuration header with a capability list and BAR 4
 * with QEMU's windows: common configuration at 0x0 (feature selects, status,
 * queue registers), ISR at 0x1000, device configuration at 0x2000, notify at
 * 0x3000 with multiplier 4.
 */
import { check, checkFailures, print, KtsPanic, type u32 } from "kts";
import { mapDevice, cpuEvents, load16 } from "kts/unsafe";
import { VirtioPci, VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX, VIRTIO_ISR_QUEUE, VIRTIO_ISR_CONFIG } from "../../src/lib/virtio/pci-transport";
import { VirtioPciStatus } from "../../src/lib/virtio/pci-caps";
import { Virtqueue, BufferChain, VqStatus } from "../../src/lib/virtio/virtqueue";

const CFG_VA = 0x8000_0000n;
const BAR_VA = 0x9000_0000n;
const BAR_SIZE = 0x4000n;
const RING_VA = 0x100_0000n; // the rings: plain simulated memory, pa == va so the model can read them
const bars = [0n, 0n, 0n, 0n, BAR_SIZE, 0n];
const barVas = [0n, 0n, 0n, 0n, BAR_VA, 0n];

/** Accesses the model did not expect (wrong width, stray offsets): there must be none. */
const complaints: string[] = [];

interface Queue {
  max: number;
  size: number;
  enable: number;
  notifyOff: number;
  desc: bigint;
  driver: bigint;
  device: bigint;
}

class Model {
  cfg = new Uint8Array(256);
  features: bigint;
  deviceFeatureSelect = 0;
  driverFeatureSelect = 0;
  driverFeatures = [0, 0];
  driverFeatureWrites = 0;
  status = 0;
  statusLog: number[] = [];
  /** Reads of device_status that still show the old value after a reset (Infinity: never resets). */
  resetLag = 0;
  lagLeft = 0;
  refuseFeaturesOk = false;
  queueSelect = 0;
  queues: Queue[];
  isr = 0;
  devCfg = new Uint8Array(16);
  generation = 0;
  /** Bump config_generation at the next this many device-config reads. */
  bumpOnRead = 0;
  devCfgReads = 0;
  notifies: { offset: number; size: number; value: number; fenced: boolean; availIdx: number }[] = [];
  enableFenced = false;

  constructor(features: bigint, queues: { max: number; notifyOff: number }[]) {
    this.features = features;
    this.queues = queues.map((q) => ({ ...q, size: q.max, enable: 0, desc: 0n, driver: 0n, device: 0n }));
    const c = this.cfg;
    const w16 = (at: number, v: number) => ((c[at] = v & 0xff), (c[at + 1] = v >> 8));
    const w32 = (at: number, v: number) => [0, 1, 2, 3].forEach((i) => (c[at + i] = (v >>> (8 * i)) & 0xff));
    const cap = (at: number, next: number, type: number, off: number, len: number, capLen = 16) => {
      c.set([0x09, next, capLen, type, 4], at);
      w32(at + 8, off);
      w32(at + 12, len);
    };
    w16(0, 0x1af4);
    w16(2, 0x1042);
    w16(6, 0x10);
    c[0x34] = 0x40;
    c[0x40] = 0x11; // MSI-X, not ours
    c[0x41] = 0x50;
    cap(0x50, 0x60, 1, 0x0, 0x1000);
    cap(0x60, 0x70, 3, 0x1000, 0x1000);
    cap(0x70, 0x80, 4, 0x2000, 16);
    cap(0x80, 0x00, 2, 0x3000, 0x1000, 20);
    w32(0x90, 4);
    for (let i = 0; i < 16; i++) this.devCfg[i] = 0x10 + i;
  }

  cfgRead(off: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.cfg[off + i] ?? 0xff);
    return v;
  }

  cfgWrite(off: number, size: number, v: bigint): void {
    if (off === 4 && size === 2) {
      this.cfg[4] = Number(v & 0xffn);
      this.cfg[5] = Number(v >> 8n);
      complaints.push(`command ${v}`);
    } else complaints.push(`config write ${off}/${size}`);
  }

  private q(): Queue | undefined {
    return this.queues[this.queueSelect];
  }

  barRead(off: number, size: number): bigint {
    const q = this.q();
    if (off < 0x1000) {
      switch (off) {
        case 0x04:
          return this.deviceFeatureSelect > 1 ? 0n : (this.features >> BigInt(32 * this.deviceFeatureSelect)) & 0xffff_ffffn;
        case 0x12:
          return BigInt(this.queues.length);
        case 0x14:
          if (this.lagLeft > 0) {
            this.lagLeft--;
            return 0x0fn;
          }
          return BigInt(this.status);
        case 0x15:
          return BigInt(this.generation);
        case 0x18:
          return BigInt(q ? q.size : 0);
        case 0x1c:
          return BigInt(q ? q.enable : 0);
        case 0x1e:
          return BigInt(q ? q.notifyOff : 0);
      }
      complaints.push(`common read ${off}/${size}`);
      return 0n;
    }
    if (off === 0x1000 && size === 1) {
      const v = this.isr;
      this.isr = 0;
      return BigInt(v);
    }
    if (off >= 0x2000 && off + size <= 0x2010) {
      if (size === 8 || (off & (size - 1)) !== 0) complaints.push(`bad device config access ${off}/${size}`);
      this.devCfgReads++;
      if (this.bumpOnRead > 0 && --this.bumpOnRead === 0) {
        this.generation++;
        this.devCfg[0] ^= 0xff; // the field changed under the reader
        this.devCfg[4] ^= 0xff;
      }
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.devCfg[off - 0x2000 + i]!);
      return v;
    }
    complaints.push(`stray read ${off}/${size}`);
    return 0n;
  }

  barWrite(off: number, size: number, v: bigint): void {
    const q = this.q();
    let n = Number(v & 0xffff_ffffn);
    if (off >= 0x3000 && off < 0x4000) {
      this.notifies.push({ offset: off, size, value: n, fenced: cpuEvents[cpuEvents.length - 1] === "fence", availIdx: this.queues[n] ? load16(this.queues[n]!.driver + 2n) : -1 });
      return;
    }
    switch (off) {
      case 0x00:
        this.deviceFeatureSelect = n;
        return;
      case 0x08:
        this.driverFeatureSelect = n;
        return;
      case 0x0c:
        if (this.driverFeatureSelect < 2) this.driverFeatures[this.driverFeatureSelect] = n;
        this.driverFeatureWrites++;
        return;
      case 0x14:
        this.statusLog.push(n);
        if (n === 0) {
          this.status = 0;
          this.lagLeft = this.resetLag;
          this.queues.forEach((x) => ((x.enable = 0), (x.size = x.max)));
          return;
        }
        if (n & 8 && !(this.status & 8)) {
          const accepted = (BigInt(this.driverFeatures[1]!) << 32n) | BigInt(this.driverFeatures[0]!);
          if (this.refuseFeaturesOk || (accepted & ~this.features) !== 0n) n &= ~8;
        }
        this.status = n;
        return;
      case 0x16:
        this.queueSelect = n;
        return;
      case 0x18:
        if (q) q.size = n;
        return;
      case 0x1c:
        if (q) q.enable = n;
        this.enableFenced = cpuEvents[cpuEvents.length - 1] === "fence";
        return;
    }
    if (q && off >= 0x20 && off < 0x38 && size === 4) {
      const field = off < 0x28 ? "desc" : off < 0x30 ? "driver" : "device";
      const hi = (off & 4) !== 0;
      const old = q[field];
      q[field] = hi ? (old & 0xffff_ffffn) | (BigInt(n) << 32n) : (old & ~0xffff_ffffn) | BigInt(n);
      return;
    }
    complaints.push(`stray write ${off}/${size}`);
  }
}

let model = new Model(0n, []);
mapDevice(CFG_VA, 0x1000n, { read: (o, s) => model.cfgRead(Number(o), s), write: (o, s, v) => model.cfgWrite(Number(o), s, v) });
mapDevice(BAR_VA, BAR_SIZE, { read: (o, s) => model.barRead(Number(o), s), write: (o, s, v) => model.barWrite(Number(o), s, v) });

const F_VERSION_1 = VIRTIO_F_VERSION_1;
const F_EVENT_IDX = VIRTIO_F_EVENT_IDX;
const hex = (v: bigint | number) => `0x${v.toString(16)}`;

function fresh(features: bigint, queues: { max: number; notifyOff: number }[] = [{ max: 1024, notifyOff: 5 }]): VirtioPci {
  model = new Model(features, queues);
  return new VirtioPci();
}

function probe(pci: VirtioPci): VirtioPciStatus {
  return pci.probe(CFG_VA, bars, barVas);
}

function start(pci: VirtioPci): void {
  check(probe(pci) === VirtioPciStatus.Ok, "probe");
  check(pci.reset(), "reset");
  pci.acknowledge();
  pci.driverLoaded();
}

function panics(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof KtsPanic) return true;
    throw e;
  }
}

export function main(): u32 {
  // Probe: the windows, and memory decoding plus bus mastering turned on.
  let pci = fresh(F_VERSION_1);
  const st = probe(pci);
  print(`probe ${st}: common ${hex(pci.common)} notify ${hex(pci.notifyBase)} isr ${hex(pci.isr)} device ${hex(pci.device)} config ${pci.deviceConfigLength()} command ${model.cfg[4]}`);
  check(st === VirtioPciStatus.Ok && pci.common === BAR_VA && pci.notifyBase === BAR_VA + 0x3000n && pci.isr === BAR_VA + 0x1000n && pci.device === BAR_VA + 0x2000n, "windows");
  // The configuration space is read-only to a driver (the bus service enables decoding): probe never writes it.
  check(model.cfg[4] === 0 && !complaints.some((l) => l.startsWith("command")), "configuration space left alone");

  // Handshake and negotiation: VERSION_1 required and accepted, ring features this library lacks refused.
  pci = fresh(F_VERSION_1 | F_EVENT_IDX | 1n | (1n << 40n));
  start(pci);
  const neg = pci.negotiate(1n | (1n << 5n) | F_EVENT_IDX);
  pci.driverOk();
  print(`negotiate ${neg}: features ${hex(pci.features)} driver words ${hex(model.driverFeatures[0]!)} ${hex(model.driverFeatures[1]!)} status log ${model.statusLog.join(",")}`);
  check(neg === VirtioPciStatus.Ok && pci.features === (F_VERSION_1 | 1n), "accepted: VERSION_1 and the offered wanted bit");
  check(model.statusLog.join(",") === "0,1,3,11,15" && pci.deviceStatus() === 15, "ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK in order");

  pci = fresh(1n | (1n << 33n)); // a legacy-only device
  start(pci);
  const legacy = pci.negotiate(1n);
  print(`no VERSION_1: ${legacy}, status ${hex(pci.deviceStatus())}, driver feature writes ${model.driverFeatureWrites}`);
  check(legacy === VirtioPciStatus.NoVersion1 && (pci.deviceStatus() & 0x80) !== 0 && model.driverFeatureWrites === 0, "refused and FAILED");

  pci = fresh(F_VERSION_1);
  model.refuseFeaturesOk = true;
  start(pci);
  const refused = pci.negotiate(0n);
  print(`FEATURES_OK cleared: ${refused}, status ${hex(pci.deviceStatus())}`);
  check(refused === VirtioPciStatus.FeaturesRefused && (pci.deviceStatus() & 0x88) === 0x80, "refused and FAILED");

  // Reset waits for the status to read 0; a device that never gets there is reported.
  pci = fresh(F_VERSION_1);
  probe(pci);
  model.resetLag = 3;
  const slow = pci.reset();
  model.resetLag = Infinity;
  const never = pci.reset();
  print(`reset after 3 stale reads ${slow}, never ${never}`);
  check(slow && !never, "reset polling");

  // Queues: sizes, setup registers, notify address, refusals.
  pci = fresh(F_VERSION_1, [
    { max: 1024, notifyOff: 5 },
    { max: 100, notifyOff: 1 },
    { max: 0, notifyOff: 0 },
    { max: 256, notifyOff: 0x400 }, // 0x400 * 4 is past the 0x1000-byte window
    { max: 256, notifyOff: 2 },
  ]);
  start(pci);
  check(pci.negotiate(0n) === VirtioPciStatus.Ok, "negotiate");
  print(`queues ${pci.numQueues()}: sizes ${pci.queueSize(0, 256)} ${pci.queueSize(1, 256)} ${pci.queueSize(2, 256)} ${pci.queueSize(0, 200)} ${pci.queueSize(9, 256)}`);
  check(pci.queueSize(0, 256) === 256 && pci.queueSize(1, 256) === 64 && pci.queueSize(2, 256) === 0 && pci.queueSize(0, 200) === 128 && pci.queueSize(9, 256) === 0, "queue sizes");
  const vq = new Virtqueue();
  check(vq.init(256, RING_VA, RING_VA) === VqStatus.Ok, "vq init");
  const q0 = pci.setupQueue(0, vq);
  const m0 = model.queues[0]!;
  print(`queue 0: ${q0} size ${m0.size} desc ${hex(m0.desc)} driver ${hex(m0.driver)} device ${hex(m0.device)} enable ${m0.enable} fenced ${model.enableFenced}`);
  check(q0 === VirtioPciStatus.Ok && m0.size === 256 && m0.desc === vq.descPa() && m0.driver === vq.availPa() && m0.device === vq.usedPa() && m0.enable === 1, "queue registers");
  check(model.enableFenced, "ring memory fenced before the queue is enabled");
  print(`again: ${pci.setupQueue(0, vq)}`);
  check(pci.setupQueue(0, vq) === VirtioPciStatus.QueueInUse, "an enabled queue is not set up twice");
  const big = new Virtqueue();
  big.init(128, RING_VA + 0x10000n, RING_VA + 0x10000n);
  const q1 = pci.setupQueue(1, big);
  const q2 = pci.setupQueue(2, big);
  const q3 = pci.setupQueue(3, big);
  const q9 = pci.setupQueue(9, big);
  print(`queue 1 (128 > 100): ${q1}, queue 2 (size 0): ${q2}, queue 3 (notify off 0x400): ${q3} enable ${model.queues[3]!.enable}, queue 9: ${q9}`);
  check(q1 === VirtioPciStatus.QueueTooBig && q2 === VirtioPciStatus.NoSuchQueue && q3 === VirtioPciStatus.NotifyOutOfRange && model.queues[3]!.enable === 0 && q9 === VirtioPciStatus.NoSuchQueue, "queue refusals");
  check(panics(() => pci.notify(3)), "notify of a queue never set up panics");

  // A request through the queue and a notify: index 0 at notify base + 5 * 4, after the published index.
  const chain = new BufferChain();
  chain.push(0x200_0000n, 64, false);
  check(vq.add(chain) === VqStatus.Ok, "add");
  vq.publish();
  if (vq.needsNotify()) pci.notify(0);
  const n0 = model.notifies[0];
  print(`notify: ${model.notifies.length} write at ${hex(n0?.offset ?? 0)} size ${n0?.size} value ${n0?.value} fenced ${n0?.fenced} avail idx seen ${n0?.availIdx}`);
  check(model.notifies.length === 1 && n0!.offset === 0x3000 + 5 * 4 && n0!.size === 2 && n0!.value === 0 && n0!.fenced && n0!.availIdx === 1, "notify write");
  const q4 = new Virtqueue();
  q4.init(16, RING_VA + 0x20000n, RING_VA + 0x20000n);
  check(pci.setupQueue(4, q4) === VirtioPciStatus.Ok, "queue 4");
  pci.notify(4);
  print(`queue 4 notifies at ${hex(model.notifies[1]!.offset)} with ${model.notifies[1]!.value}`);
  check(model.notifies[1]!.offset === 0x3008 && model.notifies[1]!.value === 4, "queue 4 notify address");

  // ISR: read and clear.
  model.isr = VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG;
  const isr1 = pci.readIsr();
  const isr2 = pci.readIsr();
  print(`isr ${isr1} then ${isr2}`);
  check(isr1 === 3 && isr2 === 0, "ISR read clears it");

  // Device configuration: widths, bounds, a 64-bit field read again when the generation moves.
  print(`config 8/16/32/64: ${hex(pci.configRead8(1))} ${hex(pci.configRead16(2))} ${hex(pci.configRead32(4))} ${hex(pci.configRead64(8))}`);
  check(pci.configRead8(1) === 0x11 && pci.configRead16(2) === 0x1312 && pci.configRead32(4) === 0x17161514 && pci.configRead64(8) === 0x1f1e1d1c1b1a1918n, "config values");
  model.bumpOnRead = 2; // between the low and the high word
  model.devCfgReads = 0;
  const v64 = pci.configRead64(0);
  print(`64-bit read across a generation change: ${hex(v64)} in ${model.devCfgReads} reads`);
  check(v64 === 0x171615eb_131211efn && model.devCfgReads === 4, "read again after the change");
  const out = [panics(() => pci.configRead32(14)), panics(() => pci.configRead64(12)), panics(() => pci.configRead16(3)), panics(() => pci.configRead8(16))];
  print(`config reads outside or unaligned panic: ${out.join(" ")}`);
  check(out.every((x) => x), "bad config reads are the driver's bug");

  // Malformed capability lists through probe: refused, the device left disabled.
  const damage: [string, (c: Uint8Array) => void, VirtioPciStatus][] = [
    ["pointer into the header", (c) => (c[0x34] = 0x20), VirtioPciStatus.BadCapPointer],
    ["loop", (c) => (c[0x81] = 0x50), VirtioPciStatus.CapLoop],
    ["beyond its BAR", (c) => (c[0x5e] = 0x40), VirtioPciStatus.OutsideBar], // common length 0x401000
    ["notify too short", (c) => (c[0x82] = 16), VirtioPciStatus.BadCapLength],
  ];
  for (const [name, hurt, want] of damage) {
    pci = fresh(F_VERSION_1);
    hurt(model.cfg);
    const got = probe(pci);
    print(`malformed (${name}): ${got}, command ${model.cfg[4]}`);
    check(got === want && model.cfg[4] === 0, "refused before enabling the device");
  }
  pci = fresh(F_VERSION_1);
  const unmapped = pci.probe(CFG_VA, bars, [0n, 0n, 0n, 0n, 0n, 0n]);
  print(`BAR 4 not mapped: ${unmapped}`);
  check(unmapped === VirtioPciStatus.BadArgument, "an unmapped BAR is refused");

  print(`model complaints: ${complaints.join("; ") || "none"}`);
  check(complaints.length === 0, "every access as the spec has it");
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
