"use unsafe";
/**
 * virtio-net: the network driver. Single-threaded and interrupt-driven, like
 * virtio-blk: it waits in receive for its client's calls and its device's
 * interrupts (delivered by the kernel as IPC on the same endpoint).
 *
 * It asks the PCI bus service for its device (the manifest's device capability
 * is its claim), negotiates VERSION_1, MAC and STATUS over the modern
 * virtio-pci transport (src/lib/virtio) and runs queue 0 (receive) and queue 1
 * (transmit). Its client talks src/lib/nic/protocol.ts through a channel in
 * the driver's DMA memory: frames are sent from, and received into, the
 * client's buffers in place.
 *
 * DMA memory (128 pages, pinned by the kernel across restarts):
 *   page 0      the receive queue
 *   page 1      the transmit queue
 *   page 2      the transmit header (12 zero bytes: no offloads), shared by every frame
 *   pages 3..   the channel region the client maps
 *
 * Capabilities: [0] endpoint "pci" (send), [1] endpoint "nic" (send, receive),
 * [2] device 1af4:1041, [3] DMA memory (map, write, grant, dma).
 */
import { u8, u32, u64, usize, bool, array, structs, print, text } from "kts";
import { store8 } from "kts/unsafe";
import { sysIrqBind, sysIrqAck, sysCapDerive, sysCapDeriveRange, sysCapRevoke, sysTaskId } from "../../lib/sys/syscalls.generated";
import { capAt, call, send, receive, reply, msgLabel, msgStart, msgSetWord, msgSetWordAt, msgWordAt, msgIsCall, msgSender, msgCapCount, msgCap, errorOf } from "../../lib/ipc/message";
import { LABEL_IRQ, KERNEL_SENDER } from "../../lib/ipc/protocol";
import { ERR_DENIED, ERR_INVALID, ERR_WOULD_BLOCK, errorText, errorName } from "../../lib/errors";
import { attachVirtio, failureIsSyscall, Attached, ATTACH_FAILURES, DMA_VA } from "../../lib/virtio/attach";
import { VirtioPci } from "../../lib/virtio/pci-transport";
import { VirtioPciStatus } from "../../lib/virtio/pci-caps";
import { Virtqueue, BufferChain, VqStatus } from "../../lib/virtio/virtqueue";
import { Channel, Entry, Side, Status } from "../../lib/channel/channel";
import { Line } from "../../lib/format";
import {
  LABEL_OPEN, LABEL_WAIT, LABEL_STATS, LABEL_NOTIFY, OPEN_REGION, OPEN_BYTES, OPEN_MAC, OPEN_MTU, OPEN_LINK, OPEN_RECEIVE_BUFFERS, LINK_UP,
  STATS_RX_FRAMES, STATS_TX_FRAMES, STATS_RX_BYTES, STATS_TX_BYTES, STATS_ERRORS, STATS_LINK, STATS_CLIENT,
  OP_SEND, OP_RECEIVE, ST_OK, ST_INVALID, ST_IO, FRAME_MIN, FRAME_MAX, RECEIVE_HEADER, RECEIVE_BUFFER,
} from "../../lib/nic/protocol";

const DEVICE_ID: u64 = 0x1af4_1041n;
const RX_QUEUE_OFFSET: u64 = 0n;
const TX_QUEUE_OFFSET: u64 = 4096n;
const TX_HEADER_OFFSET: u64 = 8192n;
const CHANNEL_OFFSET: u64 = 12288n;
const CHANNEL_BYTES: u32 = 512000; // (128 - 3) pages
const RING_ENTRIES: u32 = 128;
const QUEUE_LIMIT: u32 = 64;
const RIGHT_MAP_WRITE: u64 = 24n;
const RIGHT_MAP_WRITE_GRANT: u64 = 28n;

// virtio-net (virtio 1.x section 5.1).
const F_MAC: u64 = 0x20n; // bit 5
const F_STATUS: u64 = 0x1_0000n; // bit 16
const CFG_MAC: u32 = 0;
const CFG_STATUS: u32 = 6;
const NET_S_LINK_UP: u32 = 1;
const ISR_CONFIG: u8 = 2;
const RX: u32 = 0;
const TX: u32 = 1;
const MTU: u32 = 1500;

/** Requests in flight per queue: one descriptor per receive buffer, two per frame sent. */
const SLOTS = 64;
const FREE: u8 = 0;
const BUSY: u8 = 1;
/** Done by the device; its completion waits for room on the ring. */
const DONE: u8 = 2;

/** One queue and the client's requests in flight on it. */
class NetQueue {
  vq = new Virtqueue();
  state: u8[] = array(SLOTS, FREE);
  id: u32[] = array(SLOTS, 0);
  offset: u32[] = array(SLOTS, 0);
  length: u32[] = array(SLOTS, 0);
  status: u32[] = array(SLOTS, 0);
  generation: u32[] = array(SLOTS, 0);
  /** Which slot a descriptor head belongs to. */
  headSlot: u32[] = array(256, 0);

  freeSlot(): u32 {
    for (let s: u32 = 0; s < SLOTS; s++) if (this.state[s] == FREE) return s;
    return SLOTS;
  }

  busy(): bool {
    for (let s: u32 = 0; s < SLOTS; s++) if (this.state[s] == BUSY) return true;
    return false;
  }

  finish(slot: u32, status: u32, offset: u32, length: u32): void {
    this.status[slot] = status;
    this.offset[slot] = offset;
    this.length[slot] = length;
    this.state[slot] = DONE;
  }
}

const pci = new VirtioPci();
const attached = new Attached();
const queues: NetQueue[] = structs(2, NetQueue);
const chain = new BufferChain();
const channel = new Channel();
const request = new Entry();
/** A request taken off the ring whose queue had no room: it goes first next time. */
let held: bool = false;
const row = new Line();

let nic: u64 = 0n;
let irq: u64 = 0n;
let dma: u64 = 0n;
let dmaPa: u64 = 0n;
let mac: u64 = 0n;
let link: u32 = 0;
let deviceOk: bool = false;
let client: u32 = KERNEL_SENDER;
let clientRegion: u64 = 0n;
let generation: u32 = 0;
/** The client's WAIT is pending (its reply token is held). */
let waiting: bool = false;
/** Completions pushed since the last answer to WAIT. */
let posted: u32 = 0;
/** The client's endpoint for notifications (OPEN carried it), or 0. */
let notify: u64 = 0n;
let rxFrames: u64 = 0n;
let txFrames: u64 = 0n;
let rxBytes: u64 = 0n;
let txBytes: u64 = 0n;
let errors: u64 = 0n;

export function main(): u32 {
  nic = capAt(1n);
  dma = capAt(3n);
  deviceOk = start(capAt(0n));
  for (;;) {
    const e: u64 = errorOf(receive(nic));
    if (e != 0n) {
      print(`virtio-net: receive failed (${text(errorText, errorName(e))})`);
      return 1;
    }
    const label: u32 = msgLabel();
    if (msgSender() == KERNEL_SENDER && label == LABEL_IRQ) {
      if (deviceOk) interrupt();
    } else if (msgIsCall()) {
      if (label == LABEL_OPEN) open();
      else if (label == LABEL_WAIT) waitCall();
      else if (label == LABEL_STATS) stats();
      else answer(label, ERR_INVALID);
    } else if (label == LABEL_WAIT && msgSender() == client) {
      // A notified client's kick (a send, not a call): take what it queued.
      takeRequests();
      postDone();
      answerWait();
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
    if (failureIsSyscall(attached.failure)) print(`virtio-net: no usable device: ${text(row.bytes, row.length)} (${text(errorText, errorName(attached.error))})`);
    else print(`virtio-net: no usable device: ${text(row.bytes, row.length)} (status ${attached.error})`);
    return false;
  }
  irq = attached.irq;
  const line: u64 = attached.line;
  dmaPa = attached.dmaPa;
  if (!setUp()) {
    print("virtio-net: no usable device: feature negotiation or queue setup failed");
    return false;
  }
  // The transmit header: no checksum offload, no segmentation.
  for (let i: u32 = 0; i < 16; i++) store8(usize(DMA_VA + TX_HEADER_OFFSET + u64(i)), 0);
  mac = 0n;
  if ((pci.features & F_MAC) != 0n) {
    for (let i: u32 = 0; i < 6; i++) mac = u64(mac | u64(u64(pci.configRead8(u32(CFG_MAC + i))) << u64(8 * i)));
  }
  readLink();
  pci.driverOk();
  const b: u64 = errorOf(sysIrqBind(irq, nic));
  if (b != 0n) {
    print(`virtio-net: no usable device: cannot bind its interrupt (${text(errorText, errorName(b))})`);
    return false;
  }
  row.clear();
  for (let i: u32 = 0; i < 6; i++) {
    if (i > 0) row.byte(0x3a); // :
    row.hexDigits(u64(u64(mac >> u64(8 * i)) & 0xffn), 2);
  }
  print(`virtio-net: MAC ${text(row.bytes, row.length)}, link up ${link == LINK_UP}, queues ${queues[RX].vq.size}/${queues[TX].vq.size}, irq ${line}`);
  return true;
}

function readLink(): void {
  // Without STATUS the link is always up (spec 5.1.4.2).
  if ((pci.features & F_STATUS) == 0n) link = LINK_UP;
  else link = (u32(pci.configRead16(CFG_STATUS)) & NET_S_LINK_UP) != 0 ? LINK_UP : 0;
}

/** OPEN: a fresh channel for the caller; the previous client's region and requests are gone. */
function open(): void {
  const who: u32 = msgSender();
  // A capability carried by OPEN (moved into our table already) is where notifications go.
  const carried: u64 = msgCapCount() > 0 ? msgCap(0) : 0n;
  if (notify != 0n) sysCapRevoke(notify);
  notify = carried;
  if (!deviceOk) return answer(LABEL_OPEN, ERR_INVALID);
  // The device may still write into buffers of requests in flight: not under a new client's data.
  if (queues[RX].busy() || queues[TX].busy()) {
    resetQueues();
    if (!deviceOk) return answer(LABEL_OPEN, ERR_WOULD_BLOCK);
  }
  if (clientRegion != 0n) sysCapRevoke(clientRegion);
  clientRegion = 0n;
  generation = u32(generation + 1);
  held = false;
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
  msgSetWordAt(OPEN_MAC, mac);
  msgSetWordAt(OPEN_MTU, u64(MTU));
  msgSetWordAt(OPEN_LINK, u64(link));
  msgSetWordAt(OPEN_RECEIVE_BUFFERS, u64(receiveCapacity()));
  reply();
}

/**
 * A new client while receive buffers of the old one are with the device: the
 * device is reset (it lets go of every buffer) and set up again.
 */
function resetQueues(): void {
  deviceOk = false;
  if (!pci.reset()) return;
  pci.acknowledge();
  pci.driverLoaded();
  if (!setUp()) return;
  pci.driverOk();
  deviceOk = true;
}

/** Features, then both queues from empty (every slot free): at start and after a reset. */
function setUp(): bool {
  if (pci.negotiate(u64(F_MAC | F_STATUS)) != VirtioPciStatus.Ok) return false;
  for (let q: u32 = 0; q < 2; q++) {
    const off: u64 = q == RX ? RX_QUEUE_OFFSET : TX_QUEUE_OFFSET;
    const size: u32 = pci.queueSize(q, QUEUE_LIMIT);
    if (size == 0 || queues[q].vq.init(size, usize(DMA_VA + off), usize(dmaPa + off)) != VqStatus.Ok || pci.setupQueue(q, queues[q].vq) != VirtioPciStatus.Ok) return false;
    for (let s: u32 = 0; s < SLOTS; s++) queues[q].state[s] = FREE;
  }
  return true;
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
  if (!waiting && posted > 0 && notify != 0n) {
    // A full queue already holds a notification for the client: nothing is lost by skipping.
    posted = 0;
    msgStart(LABEL_NOTIFY);
    send(notify);
    return;
  }
  if (!waiting || (posted == 0 && !channel.broken)) return;
  waiting = false;
  posted = 0;
  msgStart(LABEL_WAIT);
  msgSetWord(channel.broken ? u64(0n - ERR_INVALID) : 0n);
  reply();
}

function stats(): void {
  msgStart(LABEL_STATS);
  msgSetWordAt(0, 0n);
  msgSetWordAt(STATS_RX_FRAMES, rxFrames);
  msgSetWordAt(STATS_TX_FRAMES, txFrames);
  msgSetWordAt(STATS_RX_BYTES, rxBytes);
  msgSetWordAt(STATS_TX_BYTES, txBytes);
  msgSetWordAt(STATS_ERRORS, errors);
  msgSetWordAt(STATS_LINK, u64(link));
  msgSetWordAt(STATS_CLIENT, msgSender() == client && clientRegion != 0n ? 1n : 0n);
  reply();
}

/** The device's interrupt: collect both queues, post, acknowledge (the line stays masked until then). */
function interrupt(): void {
  const isr: u8 = pci.readIsr(); // also lowers the level-triggered line
  if ((isr & ISR_CONFIG) != 0) readLink();
  collect(RX);
  collect(TX);
  postDone();
  sysIrqAck(irq);
  takeRequests(); // slots freed up may take requests that waited
  answerWait();
}

/** Moves requests from the channel to the device while slots and descriptors last. */
function takeRequests(): void {
  let added: u32 = 0;
  for (;;) {
    if (channel.broken || !deviceOk) break;
    if (!held && channel.popRequest(request) != Status.Ok) break;
    held = false;
    const q: u32 = request.code == OP_RECEIVE ? RX : TX;
    const nq: NetQueue = queues[q];
    // No room on its queue: it waits here, first in line (a client posting more receive buffers than OPEN_RECEIVE_BUFFERS holds up its own sends).
    if (!roomFor(q)) {
      held = true;
      break;
    }
    const slot: u32 = nq.freeSlot();
    nq.id[slot] = request.id;
    nq.generation[slot] = generation;
    if (!valid(request)) {
      errors = u64(errors + 1n);
      nq.finish(slot, ST_INVALID, request.offset, request.length);
      continue;
    }
    const dataPa: u64 = u64(dmaPa + CHANNEL_OFFSET + u64(channel.dataOff) + u64(request.offset));
    chain.clear();
    if (q == TX) {
      chain.push(u64(dmaPa + TX_HEADER_OFFSET), RECEIVE_HEADER, false);
      chain.push(dataPa, request.length, false);
    } else chain.push(dataPa, request.length, true);
    if (nq.vq.add(chain) != VqStatus.Ok) {
      nq.finish(slot, ST_IO, request.offset, request.length);
      continue;
    }
    nq.headSlot[nq.vq.addedHead] = slot;
    nq.offset[slot] = request.offset;
    nq.length[slot] = request.length;
    nq.state[slot] = BUSY;
    added = u32(added | u32(1 << q));
  }
  for (let q: u32 = 0; q < 2; q++) {
    if ((added & u32(1 << q)) == 0) continue;
    queues[q].vq.publish();
    if (queues[q].vq.needsNotify()) pci.notify(q);
  }
}

/** Receive buffers the device can hold at once (one descriptor and one slot each). */
function receiveCapacity(): u32 {
  return queues[RX].vq.size < SLOTS ? queues[RX].vq.size : SLOTS;
}

function roomFor(q: u32): bool {
  return queues[q].freeSlot() < SLOTS && !queues[q].vq.broken && queues[q].vq.numFree >= 2;
}

function valid(r: Entry): bool {
  if (!channel.inData(r.offset, r.length)) return false;
  if (r.code == OP_SEND) return r.length >= FRAME_MIN && r.length <= FRAME_MAX;
  if (r.code == OP_RECEIVE) return r.length >= RECEIVE_BUFFER;
  return false;
}

/** Takes a queue's completions; a device that breaks the ring protocol fails everything in flight on it. */
function collect(q: u32): void {
  const nq: NetQueue = queues[q];
  for (;;) {
    const r: VqStatus = nq.vq.collect();
    if (r == VqStatus.Empty) return;
    if (r != VqStatus.Ok) {
      print(`virtio-net: the device broke queue ${q}'s protocol; failing what is in flight`);
      for (let s: u32 = 0; s < SLOTS; s++) if (nq.state[s] == BUSY) nq.finish(s, ST_IO, nq.offset[s], nq.length[s]);
      return;
    }
    const slot: u32 = nq.headSlot[nq.vq.usedId & 0xff];
    if (slot >= SLOTS || nq.state[slot] != BUSY) continue;
    if (q == TX) {
      txFrames = u64(txFrames + 1n);
      txBytes = u64(txBytes + u64(nq.length[slot]));
      nq.finish(slot, ST_OK, nq.offset[slot], nq.length[slot]);
      continue;
    }
    // The device wrote its header, then the frame: the client gets the frame alone.
    const used: u32 = nq.vq.usedLen;
    if (used < u32(RECEIVE_HEADER + FRAME_MIN) || used > nq.length[slot]) {
      errors = u64(errors + 1n);
      nq.finish(slot, ST_IO, nq.offset[slot], 0);
      continue;
    }
    rxFrames = u64(rxFrames + 1n);
    rxBytes = u64(rxBytes + u64(used - RECEIVE_HEADER));
    nq.finish(slot, ST_OK, u32(nq.offset[slot] + RECEIVE_HEADER), u32(used - RECEIVE_HEADER));
  }
}

/** Pushes done slots' completions while the ring has room; the rest wait for the next WAIT or interrupt. */
function postDone(): void {
  for (let q: u32 = 0; q < 2; q++) {
    const nq: NetQueue = queues[q];
    for (let s: u32 = 0; s < SLOTS; s++) {
      if (nq.state[s] != DONE) continue;
      if (nq.generation[s] != generation) {
        nq.state[s] = FREE; // an earlier client's: nobody to tell
        continue;
      }
      const r: Status = channel.pushCompletion(nq.id[s], nq.status[s], nq.offset[s], nq.length[s], u64(q == RX ? OP_RECEIVE : OP_SEND), 0n);
      if (r != Status.Ok && r != Status.Notify) return;
      nq.state[s] = FREE;
      posted = u32(posted + 1);
    }
  }
}
