"use unsafe";
/**
 * virtio-blk: the block driver. Single-threaded and interrupt-driven: it waits
 * in receive for its client's calls and its device's interrupts (delivered by
 * the kernel as IPC on the same endpoint) and never polls.
 *
 * It asks the PCI bus service for its device (the manifest's device capability
 * is its claim), maps the function's configuration space (read-only) and BARs,
 * negotiates VERSION_1 (and BLK_SIZE, FLUSH when offered) over the modern
 * virtio-pci transport (src/lib/virtio) and runs one request queue. Its client
 * talks the protocol of src/lib/blk/protocol.ts through a channel that lives in
 * the driver's DMA memory, so the device moves the client's data in place.
 *
 * DMA memory (256 pages, pinned by the kernel across restarts):
 *   page 0      the virtqueue
 *   page 1      per-slot request headers (16 bytes) and status bytes
 *   pages 2..   the channel region the client maps
 *
 * Capabilities: [0] endpoint "pci" (send), [1] endpoint "blk" (send, receive),
 * [2] device 1af4:1042, [3] DMA memory (map, write, grant, dma).
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { load8, store8, store32, store64 } from "kts/unsafe";
import { sysIrqBind, sysIrqAck, sysCapDerive, sysCapDeriveRange, sysCapRevoke, sysTaskId } from "../../lib/sys/syscalls.generated";
import { capAt, call, receive, reply, msgLabel, msgStart, msgSetWord, msgSetWordAt, msgWordAt, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { LABEL_IRQ, KERNEL_SENDER } from "../../lib/ipc/protocol";
import { ERR_DENIED, ERR_INVALID, ERR_WOULD_BLOCK, errorText, errorName } from "../../lib/errors";
import { attachVirtio, failureIsSyscall, Attached, ATTACH_FAILURES, DMA_VA } from "../../lib/virtio/attach";
import { VirtioPci } from "../../lib/virtio/pci-transport";
import { VirtioPciStatus } from "../../lib/virtio/pci-caps";
import { Virtqueue, BufferChain, VqStatus } from "../../lib/virtio/virtqueue";
import { Channel, Entry, Side, Status } from "../../lib/channel/channel";
import { Line } from "../../lib/format";
import {
  LABEL_OPEN, LABEL_WAIT, OPEN_REGION, OPEN_BYTES, OPEN_BLOCKS, OPEN_BLOCK_SIZE, OPEN_FLAGS, FLAG_FLUSH,
  OP_READ, OP_WRITE, OP_FLUSH, ST_OK, ST_RANGE, ST_INVALID, ST_IO,
} from "../../lib/blk/protocol";

const DEVICE_ID: u64 = 0x1af4_1042n;
const SLOTS_OFFSET: u64 = 4096n;
const CHANNEL_OFFSET: u64 = 8192n;
const CHANNEL_BYTES: u32 = 1040384; // (256 - 2) pages
const RING_ENTRIES: u32 = 64;
const QUEUE_LIMIT: u32 = 64;
/** Requests in flight at once (each takes three descriptors). */
const SLOTS = 21;
const SECTOR: u64 = 512n;
const RIGHT_MAP_WRITE: u64 = 24n;
const RIGHT_MAP_WRITE_GRANT: u64 = 28n;

// virtio-blk (virtio 1.x section 5.2).
const F_BLK_SIZE: u64 = 0x40n; // bit 6
const F_FLUSH: u64 = 0x200n; // bit 9
const T_IN: u32 = 0;
const T_OUT: u32 = 1;
const T_FLUSH: u32 = 4;
const CFG_CAPACITY: u32 = 0;
const CFG_BLK_SIZE: u32 = 20;

const SLOT_FREE: u8 = 0;
const SLOT_BUSY: u8 = 1;
/** Done by the device; its completion waits for room on the ring. */
const SLOT_DONE: u8 = 2;

const pci = new VirtioPci();
const attached = new Attached();
const vq = new Virtqueue();
const chain = new BufferChain();
const row = new Line();
const channel = new Channel();
const request = new Entry();

/** Per slot: state, the client's request, and its result. */
const slotState: u8[] = array(SLOTS, SLOT_FREE);
const slotId: u32[] = array(SLOTS, 0);
const slotOffset: u32[] = array(SLOTS, 0);
const slotLength: u32[] = array(SLOTS, 0);
const slotStatus: u32[] = array(SLOTS, 0);
/** The channel generation the slot's request came from (an older one's completion is dropped). */
const slotGeneration: u32[] = array(SLOTS, 0);
/** Which slot a descriptor head belongs to. */
const headSlot: u32[] = array(256, 0);

let blk: u64 = 0n;
let irq: u64 = 0n;
let dma: u64 = 0n;
let dmaPa: u64 = 0n;
let blocks: u64 = 0n;
let blockSize: u32 = 512;
let flushable: bool = false;
let deviceOk: bool = false;
let client: u32 = KERNEL_SENDER;
/** What the client holds of the channel region, through pci-style parent kept here. */
let clientRegion: u64 = 0n;
let generation: u32 = 0;
/** The client's WAIT is pending (its reply token is held). */
let waiting: bool = false;
/** Completions pushed since the last answer to WAIT. */
let posted: u32 = 0;

export function main(): u32 {
  blk = capAt(1n);
  dma = capAt(3n);
  deviceOk = start(capAt(0n));
  for (;;) {
    const e: u64 = errorOf(receive(blk));
    if (e != 0n) {
      print(`virtio-blk: receive failed (${text(errorText, errorName(e))})`);
      return 1;
    }
    const label: u32 = msgLabel();
    if (msgSender() == KERNEL_SENDER && label == LABEL_IRQ) {
      if (deviceOk) interrupt();
    } else if (msgIsCall()) {
      if (label == LABEL_OPEN) open();
      else if (label == LABEL_WAIT) waitCall();
      else answer(label, ERR_INVALID);
    }
  }
}

function answer(label: u32, err: u64): void {
  msgStart(label);
  msgSetWord(u64(0n - err));
  reply();
}

/** Device bring-up; false (said why) if there is no usable device: every OPEN then fails. */
function start(pciEndpoint: u64): bool {
  if (!attachVirtio(pci, pciEndpoint, DEVICE_ID, dma, attached)) {
    row.clear();
    row.name(ATTACH_FAILURES, u32(attached.failure));
    if (failureIsSyscall(attached.failure)) print(`virtio-blk: no usable device: ${text(row.bytes, row.length)} (${text(errorText, errorName(attached.error))})`);
    else print(`virtio-blk: no usable device: ${text(row.bytes, row.length)} (status ${attached.error})`);
    return false;
  }
  irq = attached.irq;
  const line: u64 = attached.line;
  dmaPa = attached.dmaPa;
  if (pci.negotiate(u64(F_BLK_SIZE | F_FLUSH)) != VirtioPciStatus.Ok) {
    print("virtio-blk: no usable device: feature negotiation failed");
    return false;
  }
  const size: u32 = pci.queueSize(0, QUEUE_LIMIT);
  if (size == 0 || vq.init(size, DMA_VA, usize(dmaPa)) != VqStatus.Ok) {
    print("virtio-blk: no usable device: no request queue");
    return false;
  }
  if (pci.setupQueue(0, vq) != VirtioPciStatus.Ok) {
    print("virtio-blk: no usable device: queue setup failed");
    return false;
  }
  blocks = pci.configRead64(CFG_CAPACITY);
  if ((pci.features & F_BLK_SIZE) != 0n) {
    const b: u32 = pci.configRead32(CFG_BLK_SIZE);
    if (b >= 512 && b <= 4096 && (b & u32(b - 1)) == 0) blockSize = b;
  }
  blocks = u64(u64(blocks * SECTOR) / u64(blockSize));
  flushable = (pci.features & F_FLUSH) != 0n;
  pci.driverOk();
  const b: u64 = errorOf(sysIrqBind(irq, blk));
  if (b != 0n) {
    print(`virtio-blk: no usable device: cannot bind its interrupt (${text(errorText, errorName(b))})`);
    return false;
  }
  print(`virtio-blk: ${blocks} blocks of ${blockSize} bytes (${u64(u64(blocks * u64(blockSize)) >> 20n)} MiB), queue ${size}, irq ${line}, write cache ${flushable}`);
  return true;
}

/** OPEN: a fresh channel for the caller; the previous client's region and requests are gone. */
function open(): void {
  const who: u32 = msgSender();
  if (!deviceOk) return answer(LABEL_OPEN, ERR_INVALID);
  // The device may still write into the channel for requests in flight: not under a new client's data.
  for (let s: u32 = 0; s < SLOTS; s++) if (slotState[s] == SLOT_BUSY) return answer(LABEL_OPEN, ERR_WOULD_BLOCK);
  if (clientRegion != 0n) sysCapRevoke(clientRegion);
  clientRegion = 0n;
  generation = u32(generation + 1);
  waiting = false;
  posted = 0;
  if (channel.init(usize(DMA_VA + CHANNEL_OFFSET), CHANNEL_BYTES, RING_ENTRIES, RING_ENTRIES, Side.Server) != Status.Ok) return answer(LABEL_OPEN, ERR_INVALID);
  const mine: u64 = sysCapDeriveRange(dma, u64(sysTaskId()), RIGHT_MAP_WRITE_GRANT, CHANNEL_OFFSET, u64(CHANNEL_BYTES));
  const theirs: u64 = errorOf(mine) == 0n ? sysCapDerive(mine, u64(who), RIGHT_MAP_WRITE, 0n, 0n) : mine;
  if (errorOf(theirs) != 0n) {
    if (errorOf(mine) == 0n) sysCapRevoke(mine);
    return answer(LABEL_OPEN, errorOf(theirs));
  }
  clientRegion = mine;
  client = who;
  msgStart(LABEL_OPEN);
  msgSetWordAt(0, 0n);
  msgSetWordAt(OPEN_REGION, theirs);
  msgSetWordAt(OPEN_BYTES, u64(CHANNEL_BYTES));
  msgSetWordAt(OPEN_BLOCKS, blocks);
  msgSetWordAt(OPEN_BLOCK_SIZE, u64(blockSize));
  msgSetWordAt(OPEN_FLAGS, u64(flushable ? FLAG_FLUSH : 0));
  reply();
}

/** WAIT: start what the client queued; answer now if a completion is ready, else after the interrupt. */
function waitCall(): void {
  if (msgSender() != client) return answer(LABEL_WAIT, ERR_DENIED);
  takeRequests();
  postDone();
  waiting = true;
  answerWait();
}

function answerWait(): void {
  if (!waiting || (posted == 0 && !channel.broken)) return;
  waiting = false;
  posted = 0;
  msgStart(LABEL_WAIT);
  msgSetWord(channel.broken ? u64(0n - ERR_INVALID) : 0n);
  reply();
}

/** The device's interrupt: collect, post, acknowledge (the line stays masked until then). */
function interrupt(): void {
  pci.readIsr(); // also lowers the level-triggered line
  collect();
  postDone();
  sysIrqAck(irq);
  takeRequests(); // slots freed up may take requests that waited
  answerWait();
}

/** Moves requests from the channel to the device while slots and descriptors last. */
function takeRequests(): void {
  let added: bool = false;
  for (;;) {
    if (channel.broken || vq.broken) break;
    const slot: u32 = freeSlot();
    if (slot == SLOTS || vq.numFree < 3) break;
    if (channel.popRequest(request) != Status.Ok) break;
    slotId[slot] = request.id;
    slotOffset[slot] = request.offset;
    slotLength[slot] = request.length;
    slotGeneration[slot] = generation;
    const st: u32 = check(request);
    if (st != ST_OK) {
      finish(slot, st);
      continue;
    }
    if (submit(slot)) added = true;
  }
  if (added) {
    vq.publish();
    if (vq.needsNotify()) pci.notify(0);
  }
}

function freeSlot(): u32 {
  for (let s: u32 = 0; s < SLOTS; s++) if (slotState[s] == SLOT_FREE) return s;
  return SLOTS;
}

/** ST_OK, or why the request cannot go to the device. */
function check(r: Entry): u32 {
  if (r.code == OP_FLUSH) return ST_OK;
  if (r.code != OP_READ && r.code != OP_WRITE) return ST_INVALID;
  if (r.length == 0 || u32(r.length % blockSize) != 0 || !channel.inData(r.offset, r.length)) return ST_INVALID;
  const count: u64 = u64(r.length / blockSize);
  if (r.arg >= blocks || count > u64(blocks - r.arg)) return ST_RANGE;
  return ST_OK;
}

/** Builds the slot's header and chain and adds it to the queue; false (and finishes it) on a queue error. */
function submit(slot: u32): bool {
  const header: usize = usize(DMA_VA + SLOTS_OFFSET + u64(slot) * 32n);
  const headerPa: u64 = u64(dmaPa + SLOTS_OFFSET + u64(slot) * 32n);
  const op: u32 = request.code;
  const type: u32 = op == OP_READ ? T_IN : op == OP_WRITE ? T_OUT : T_FLUSH;
  store32(header, type);
  store32(usize(header + 4n), 0);
  store64(usize(header + 8n), op == OP_FLUSH ? 0n : u64(request.arg * u64(u64(blockSize) / SECTOR)));
  store8(usize(header + 16n), 0xff); // the status byte: the device overwrites it
  chain.clear();
  chain.push(headerPa, 16, false);
  if (op != OP_FLUSH) {
    const dataPa: u64 = u64(dmaPa + CHANNEL_OFFSET + u64(channel.dataOff) + u64(request.offset));
    chain.push(dataPa, request.length, op == OP_READ);
  }
  chain.push(u64(headerPa + 16n), 1, true);
  if (op == OP_FLUSH && !flushable) {
    finish(slot, ST_OK); // write-through: nothing to flush
    return false;
  }
  if (vq.add(chain) != VqStatus.Ok) {
    finish(slot, ST_IO);
    return false;
  }
  headSlot[vq.addedHead] = slot;
  slotState[slot] = SLOT_BUSY;
  return true;
}

/** Takes the device's completions; a device that breaks the ring protocol fails everything in flight. */
function collect(): void {
  for (;;) {
    const r: VqStatus = vq.collect();
    if (r == VqStatus.Empty) return;
    if (r != VqStatus.Ok) {
      print("virtio-blk: the device broke the queue protocol; failing what is in flight");
      for (let s: u32 = 0; s < SLOTS; s++) if (slotState[s] == SLOT_BUSY) finish(s, ST_IO);
      return;
    }
    const slot: u32 = headSlot[vq.usedId & 0xff];
    if (slot >= SLOTS || slotState[slot] != SLOT_BUSY) continue;
    const status: u8 = load8(usize(DMA_VA + SLOTS_OFFSET + u64(slot) * 32n + 16n));
    finish(slot, status == 0 ? ST_OK : ST_IO);
  }
}

function finish(slot: u32, status: u32): void {
  slotStatus[slot] = status;
  slotState[slot] = SLOT_DONE;
}

/** Pushes done slots' completions while the ring has room; the rest wait for the next WAIT or interrupt. */
function postDone(): void {
  for (let s: u32 = 0; s < SLOTS; s++) {
    if (slotState[s] != SLOT_DONE) continue;
    if (slotGeneration[s] != generation) {
      slotState[s] = SLOT_FREE; // an earlier client's: nobody to tell
      continue;
    }
    const r: Status = channel.pushCompletion(slotId[s], slotStatus[s], slotOffset[s], slotLength[s], 0n, 0n);
    if (r != Status.Ok && r != Status.Notify) return;
    slotState[s] = SLOT_FREE;
    posted = u32(posted + 1);
  }
}
