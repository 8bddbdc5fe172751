"use unsafe";
// libFuzzer target: the split virtqueue's driver side (src/lib/virtio/virtqueue.ts)
// against a device whose writes come from the input. The queue lives in a heap
// block of exactly Virtqueue.bytesNeeded(size) bytes (fuzz_alloc: AddressSanitizer
// reports any access outside it). The script adds chains (sizes, lengths and
// directions from the input) and publishes them; the device writes used-ring
// entries (any id and length), the used index (anything), the used flags, and
// scribbles anywhere in the queue's memory (descriptors and available ring,
// which the driver must never read back), or completes a chain honestly; the
// driver collects. A model of the chains in flight checks every answer: a
// collected id is a published head, its length at most its chain's writable
// bytes, free descriptors plus chained ones are the queue's size, and a queue
// that reported a device error refuses everything until it is set up again.
import { u8, u16, u32, u64, usize, bool, array, panic } from "kts";
import { store8, store16, store32 } from "kts/unsafe";
import { Virtqueue, BufferChain, VqStatus, VQ_MAX_SIZE, VQ_MAX_CHAIN } from "../../src/lib/virtio/virtqueue";
import { Input } from "./input";

declare function fuzz_alloc(bytes: u32, align: u32): usize;
declare function fuzz_free(addr: usize): void;

const PA: usize = 0x4000_0000n;
const MAX_OPS: u32 = 512;

const I = new Input();
const vq = new Virtqueue();
const chain = new BufferChain();
// The model: per head, 0 free, 1 added (not published), 2 published; its chain's descriptors and writable bytes.
const state: u8[] = array(VQ_MAX_SIZE, 0);
const chainLen: u32[] = array(VQ_MAX_SIZE, 0);
const writable: u64[] = array(VQ_MAX_SIZE, 0n);
const order: u32[] = array(VQ_MAX_SIZE, 0);
let orderHead: u32 = 0;
let orderTail: u32 = 0;
let mem: usize = 0n;
let bytes: u32 = 0;
let size: u32 = 0;
let broken: bool = true;
let deviceUsed: u16 = 0;

function setUp(sizeLog: u32): void {
  if (mem != 0n) fuzz_free(mem);
  size = u32(1 << u32(sizeLog % 9));
  bytes = Virtqueue.bytesNeeded(size);
  mem = fuzz_alloc(bytes, 16);
  if (vq.init(size, mem, PA) != VqStatus.Ok) panic(`init ${size}`);
  for (let i: u32 = 0; i < VQ_MAX_SIZE; i++) state[i] = 0;
  orderHead = 0;
  orderTail = 0;
  broken = false;
  deviceUsed = 0;
}

function consistent(): void {
  if (broken) return;
  let chained: u32 = 0;
  let published: u32 = 0;
  for (let i: u32 = 0; i < size; i++) {
    if (state[i] != 0) chained = u32(chained + chainLen[i]);
    if (state[i] == 2) published = u32(published + 1);
  }
  if (u32(vq.numFree + chained) != size) panic(`free ${vq.numFree} + chained ${chained} != size ${size}`);
  if (vq.inFlight != published) panic(`in flight ${vq.inFlight}, published ${published}`);
}

function usedAt(): usize {
  return usize(mem + u64(vq.usedOff));
}

function add(b: u8[]): void {
  const n: u32 = u32(1 + u32(u32(I.u8(b)) % VQ_MAX_CHAIN));
  const dirs: u32 = u32(I.u16(b));
  chain.clear();
  let sawWritable = false;
  let ordered = true;
  let w: u64 = 0n;
  for (let i: u32 = 0; i < n; i++) {
    const wr: bool = ((dirs >>> i) & 1) != 0;
    const len: u32 = u32(I.u16(b));
    if (wr) {
      sawWritable = true;
      w = u64(w + u64(len));
    } else if (sawWritable) ordered = false;
    chain.push(u64(PA + 0x10_0000n + u64(i * 0x1_0000)), len, wr);
  }
  const free: u32 = vq.numFree;
  const s: VqStatus = vq.add(chain);
  if (broken) {
    if (s != VqStatus.DeviceError) panic(`add on a broken queue: ${u32(s)}`);
    return;
  }
  if (!ordered || n > size) {
    if (s != VqStatus.BadArgument) panic(`misordered or oversized chain: ${u32(s)}`);
    return;
  }
  if (n > free) {
    if (s != VqStatus.NoRoom) panic(`chain of ${n} with ${free} free: ${u32(s)}`);
    return;
  }
  if (s != VqStatus.Ok) panic(`add refused: ${u32(s)}`);
  const head: u32 = vq.addedHead;
  if (head >= size || state[head] != 0) panic(`add gave head ${head} (state ${state[head]})`);
  state[head] = 1;
  chainLen[head] = n;
  writable[head] = w;
}

function publish(): void {
  vq.publish();
  if (broken) return;
  for (let i: u32 = 0; i < size; i++) {
    if (state[i] == 1) {
      state[i] = 2;
      order[u32(orderTail % VQ_MAX_SIZE)] = i;
      orderTail = u32(orderTail + 1);
    }
  }
}

function collect(): void {
  const s: VqStatus = vq.collect();
  if (broken) {
    if (s != VqStatus.DeviceError) panic(`collect on a broken queue: ${u32(s)}`);
    return;
  }
  if (s == VqStatus.DeviceError) {
    broken = true;
    return;
  }
  if (s == VqStatus.Empty) return;
  if (s != VqStatus.Ok) panic(`collect: ${u32(s)}`);
  const id: u32 = vq.usedId;
  if (id >= size || state[id] != 2) panic(`collected id ${id}, not a published head`);
  if (u64(vq.usedLen) > writable[id]) panic(`collected ${vq.usedLen} bytes written into ${writable[id]}`);
  state[id] = 0;
}

/** The device completes its oldest published chain as the protocol says. */
function honestCompletion(b: u8[]): void {
  while (orderHead != orderTail && state[order[u32(orderHead % VQ_MAX_SIZE)]] != 2) orderHead = u32(orderHead + 1);
  if (orderHead == orderTail || broken) return;
  const id: u32 = order[u32(orderHead % VQ_MAX_SIZE)];
  orderHead = u32(orderHead + 1);
  const slot: u32 = u32(u32(deviceUsed) & vq.mask);
  const e: usize = usize(usedAt() + u64(u32(4 + u32(8 * slot))));
  store32(e, id);
  store32(usize(e + 4n), u32(u32(u64(writable[id] & 0xffff_ffffn)) & I.u32(b)));
  deviceUsed = u16(deviceUsed + 1);
  store16(usize(usedAt() + 2n), deviceUsed);
}

export function fuzzOne(b: u8[]): u32 {
  I.start(b.length);
  setUp(u32(I.u8(b)));
  for (let op: u32 = 0; op < MAX_OPS; op = u32(op + 1)) {
    if (I.done()) break;
    const kind: u32 = u32(u32(I.u8(b)) % 10);
    if (kind == 0) add(b);
    else if (kind == 1) publish();
    else if (kind == 2) {
      // a used-ring entry, anything
      const slot: u32 = u32(u32(I.u8(b)) % size);
      const e: usize = usize(usedAt() + u64(u32(4 + u32(8 * slot))));
      store32(e, I.u32(b));
      store32(usize(e + 4n), I.u32(b));
    } else if (kind == 3) {
      deviceUsed = I.u16(b);
      store16(usize(usedAt() + 2n), deviceUsed);
    } else if (kind == 4) honestCompletion(b);
    else if (kind == 5) {
      const n: u32 = u32(1 + u32(u32(I.u8(b)) & 7));
      for (let i: u32 = 0; i < n; i++) collect();
    } else if (kind == 6) {
      // the device scribbles anywhere in the queue's memory
      const at: u32 = u32(u32(I.u16(b)) % bytes);
      store8(usize(mem + u64(at)), I.u8(b));
    } else if (kind == 7) {
      store16(usedAt(), I.u16(b));
      if (vq.needsNotify() && broken) panic("a broken queue asks for a notification");
    } else if (kind == 8) vq.setInterrupts((I.u8(b) & 1) != 0);
    else if ((I.u8(b) & 15) == 0) setUp(u32(I.u8(b)));
    consistent();
  }
  return 0;
}
