"use unsafe";
/**
 * Host tests of src/lib/virtio/virtqueue.ts against the device model in
 * virtio-device.ts, on memory given by the entry (virtqueue-native.ts: real
 * arrays under ASan; virtqueue-node.ts: the Node world's simulated memory). Only
 * counts and statuses are printed, never addresses, so both worlds print the
 * same text.
 */
import { u8, u16, u32, u64, usize, bool, array, print, check, checkFailures } from "kts";
import { load8, store32 } from "kts/unsafe";
import { Virtqueue, BufferChain, VqStatus, VQ_MAX_CHAIN } from "../../src/lib/virtio/virtqueue";
import { RingDevice, NONE } from "./virtio-device";

/** Device addresses of the test memory: deliberately unlike its virtual addresses. */
const RING256_PA: usize = 0x4000_0000n;
const RING8_PA: usize = 0x4001_0000n;
const DATA_PA: usize = 0x5000_0000n;
/** Each request slot has three 64-byte buffers. */
const SLOT_BYTES: u32 = 192;
export const DATA_BYTES: u32 = 256 * 192;
export const RING256_BYTES: u32 = 6670;
export const RING8_BYTES: u32 = 222;

const vq = new Virtqueue();
const untouched = new Virtqueue();
const dev = new RingDevice();
const chain = new BufferChain();
let ring256: usize = 0n;
let ring8: usize = 0n;
let data: usize = 0n;
let seed: u32 = 0x2545_f491;

function rand(): u32 {
  seed = u32(seed ^ u32(seed << 13));
  seed = u32(seed ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

// What the test knows of each head it has in flight (independently of the library).
const inFlight: bool[] = array(256, false);
const slotOf: u32[] = array(256, 0);
const tagOf: u32[] = array(256, 0);
const lenOf: u32[] = array(256, 0);
const countOf: u32[] = array(256, 0);
const bufLen: u32[] = array(256 * 3, 0);
const bufWritable: bool[] = array(256 * 3, false);
const freeSlots: u32[] = array(256, 0);
let freeSlotCount: u32 = 0;
let nextTag: u32 = 1000;
let testInFlight: u32 = 0;

function resetTracking(): void {
  for (let i: u32 = 0; i < 256; i++) {
    inFlight[i] = false;
    freeSlots[i] = i;
  }
  freeSlotCount = 256;
  testInFlight = 0;
}

/**
 * Adds a chain of n buffers (the first readable with a tag unless allWritable;
 * after the first writable one, all writable). Checks NoRoom comes exactly when
 * the queue has fewer than n free descriptors and changes nothing.
 */
function submit(n: u32, allWritable: bool): VqStatus {
  const before: u32 = vq.numFree;
  chain.clear();
  // With every slot in use every descriptor is too: the chain (on slot 0, tag
  // not written) must be refused.
  const spare = freeSlotCount > 0;
  const slot: u32 = spare ? freeSlots[u32(freeSlotCount - 1)] : 0;
  const tag: u32 = nextTag;
  let writing = allWritable;
  let expect: u32 = 0;
  for (let j: u32 = 0; j < n; j++) {
    if (j > 0 && rand() % 2 == 0) writing = true;
    const len: u32 = writing ? u32(1 + u32(rand() % 64)) : u32(4 + u32(rand() % 61));
    const off: u32 = u32(u32(slot * SLOT_BYTES) + u32(j * 64));
    if (!writing && j == 0 && spare) store32(usize(data + u64(off)), tag);
    check(chain.push(u64(DATA_PA + u64(off)), len, writing), "chain has room");
    bufLen[u32(u32(slot * 3) + j)] = len;
    bufWritable[u32(u32(slot * 3) + j)] = writing;
    if (writing) expect = u32(expect + len);
  }
  const st = vq.add(chain);
  if (before < n || !spare) {
    check(st == VqStatus.NoRoom && vq.numFree == before, "a chain larger than the free descriptors is refused, nothing taken");
    return st;
  }
  if (!check(st == VqStatus.Ok && vq.numFree == u32(before - n), "a chain that fits is added")) return st;
  const head: u32 = vq.addedHead;
  check(head < vq.size && !inFlight[head], "the head is a descriptor not in flight");
  inFlight[head] = true;
  slotOf[head] = slot;
  tagOf[head] = allWritable ? head : tag;
  lenOf[head] = expect;
  countOf[head] = n;
  freeSlotCount = u32(freeSlotCount - 1);
  nextTag = u32(nextTag + 1);
  testInFlight = u32(testInFlight + 1);
  return st;
}

/** Checks a completion the library returned: a head in flight, its length, the bytes the device wrote. */
function completed(id: u32, len: u32): void {
  if (!check(id < 256 && inFlight[id], "collected a head that is in flight")) return;
  check(len == lenOf[id], "used length is what the device wrote");
  const slot: u32 = slotOf[id];
  let k: u32 = 0;
  let bad: u32 = 0;
  for (let j: u32 = 0; j < countOf[id]; j++) {
    if (!bufWritable[u32(u32(slot * 3) + j)]) continue;
    const at: usize = usize(data + u64(u32(u32(slot * SLOT_BYTES) + u32(j * 64))));
    const n: u32 = bufLen[u32(u32(slot * 3) + j)];
    for (let i: u32 = 0; i < n; i++) {
      if (load8(usize(at + u64(i))) != u8(u32(tagOf[id] + u32(k + i)))) bad = u32(bad + 1);
    }
    k = u32(k + n);
  }
  check(bad == 0, "the device's bytes arrived in the request's own buffers");
  inFlight[id] = false;
  freeSlots[freeSlotCount] = slot;
  freeSlotCount = u32(freeSlotCount + 1);
  testInFlight = u32(testInFlight - 1);
}

function collectAll(): u32 {
  let n: u32 = 0;
  for (;;) {
    const st = vq.collect();
    if (st != VqStatus.Ok) {
      check(st == VqStatus.Empty, "collect ends with Empty");
      return n;
    }
    completed(vq.usedId, vq.usedLen);
    n = u32(n + 1);
  }
}

/**
 * Heavy traffic on a 256-entry queue: bursts of chains of 1..3 buffers, a device
 * that alternates slow and fast phases (so the queue fills and NoRoom comes),
 * completions in random order, NO_NOTIFY toggled, until `target` requests have
 * completed (past 65536, so the 16-bit indices wrap).
 */
function traffic(target: u32): void {
  check(vq.init(256, ring256, RING256_PA) == VqStatus.Ok, "init 256");
  dev.init(256, ring256, RING256_PA, data, DATA_PA, u64(DATA_BYTES));
  check(vq.descPa() == RING256_PA && vq.availPa() == u64(RING256_PA + u64(dev.availOff)) && vq.usedPa() == u64(RING256_PA + u64(dev.usedOff)), "ring addresses as the spec lays them out");
  resetTracking();
  let done: u32 = 0;
  let added: u32 = 0;
  let noRoom: u32 = 0;
  let kicks: u32 = 0;
  let maxInFlight: u32 = 0;
  let minFree: u32 = 256;
  let noNotify = false;
  let rounds: u32 = 0;
  let wraps: u32 = 0;
  while (done < target) {
    rounds = u32(rounds + 1);
    const slow = u32(rounds / 200) % 4 == 3;
    const waiting: u32 = dev.waiting();
    const availBefore: u16 = vq.availIdx;
    const burst: u32 = u32(rand() % 12);
    let addedNow: u32 = 0;
    for (let b: u32 = 0; b < burst; b++) {
      const st = submit(u32(1 + u32(rand() % 3)), rand() % 8 == 0);
      if (st == VqStatus.Ok) addedNow = u32(addedNow + 1);
      if (st == VqStatus.NoRoom) noRoom = u32(noRoom + 1);
    }
    check(dev.waiting() == waiting, "nothing is visible to the device before publish");
    if (rand() % 5 == 0) {
      noNotify = !noNotify;
      dev.setNoNotify(noNotify);
    }
    vq.publish();
    check(dev.waiting() == u32(waiting + addedNow), "publish shows exactly what was added");
    if (vq.availIdx < availBefore) wraps = u32(wraps + 1);
    const kick = vq.needsNotify();
    check(kick == (addedNow > 0 && !noNotify), "notify exactly when something was published and NO_NOTIFY is clear");
    check(!vq.needsNotify(), "no second notify for the same publish");
    if (kick) kicks = u32(kicks + 1);
    added = u32(added + addedNow);
    if (vq.inFlight > maxInFlight) maxInFlight = vq.inFlight;
    if (vq.numFree < minFree) minFree = vq.numFree;
    check(vq.inFlight == testInFlight, "the library and the test agree on what is in flight");
    const take: u32 = slow ? u32(rand() % 3) : u32(rand() % 40);
    for (let t: u32 = 0; t < take; t++) if (dev.takeOne() == NONE) break;
    const finish: u32 = u32(rand() % u32(dev.pendCount + 1));
    for (let f: u32 = 0; f < finish; f++) dev.complete(u32(rand() % dev.pendCount));
    done = u32(done + collectAll());
  }
  while (dev.takeOne() != NONE) {}
  while (dev.pendCount > 0) dev.complete(u32(rand() % dev.pendCount));
  done = u32(done + collectAll());
  check(vq.numFree == 256 && vq.inFlight == 0 && testInFlight == 0, "every descriptor free at the end");
  check(dev.errors == 0, "the device saw a well-formed ring");
  print(`traffic: ${done} completed of ${added} added, ${rounds} rounds, ${noRoom} refused as full, max ${maxInFlight} chains in flight, min ${minFree} free, ${kicks} notifies`);
  print(`traffic: chains of 1/2/3 descriptors ${dev.chains[0]}/${dev.chains[1]}/${dev.chains[2]}, index wraps ${wraps}, device errors ${dev.errors}`);
  check(wraps >= 2 && noRoom > 100 && maxInFlight >= 120 && minFree == 0 && dev.chains[0] > 1000 && dev.chains[1] > 1000 && dev.chains[2] > 1000, "the run covered wraps, full queues, deep queues and every chain length");
}

function push(pa: u64, len: u32, writable: bool): void {
  check(chain.push(pa, len, writable), "push");
}

function chainOf(n: u32, slot: u32): void {
  chain.clear();
  for (let j: u32 = 0; j < n; j++) push(u64(DATA_PA + u64(u32(u32(slot * SLOT_BYTES) + u32(j * 64)))), 8, j > 0);
}

/** Argument checks and the full queue, step by step on an 8-entry queue. */
function edges(): void {
  print(`bytes for 1/8/256 entries: ${Virtqueue.bytesNeeded(1)} ${Virtqueue.bytesNeeded(8)} ${Virtqueue.bytesNeeded(256)}`);
  check(Virtqueue.bytesNeeded(256) == RING256_BYTES && Virtqueue.bytesNeeded(8) == RING8_BYTES, "arena sizes match");
  print(`init size 0/3/512: ${vq.init(0, ring8, RING8_PA)} ${vq.init(3, ring8, RING8_PA)} ${vq.init(512, ring8, RING8_PA)}`);
  print(`init misaligned va/pa: ${vq.init(8, usize(ring8 + 8n), RING8_PA)} ${vq.init(8, ring8, usize(RING8_PA + 4n))} ${vq.init(8, ring8, 0xffff_ffff_ffff_fff0n)}`);
  chainOf(1, 0);
  print(`never initialised: add ${untouched.add(chain)} collect ${untouched.collect()} notify ${untouched.needsNotify()}`);
  check(vq.init(8, ring8, RING8_PA) == VqStatus.Ok, "init 8");
  dev.init(8, ring8, RING8_PA, data, DATA_PA, u64(DATA_BYTES));
  chain.clear();
  const empty = vq.add(chain);
  push(DATA_PA, 8, true);
  push(DATA_PA, 8, false);
  const misordered = vq.add(chain);
  chain.clear();
  for (let i: u32 = 0; i < 9; i++) push(DATA_PA, 1, false);
  const longer = vq.add(chain);
  chain.clear();
  push(0xffff_ffff_ffff_fff0n, 0x20, false);
  const wrapping = vq.add(chain);
  chain.clear();
  for (let i: u32 = 0; i < VQ_MAX_CHAIN; i++) push(DATA_PA, 1, false);
  const full = chain.push(DATA_PA, 1, false);
  print(`empty ${empty}, writable before readable ${misordered}, longer than the queue ${longer}, address wraps ${wrapping}, chain of ${VQ_MAX_CHAIN} takes another ${full}; free ${vq.numFree}`);
  chainOf(3, 0);
  const a = vq.add(chain);
  const ha: u32 = vq.addedHead;
  chainOf(3, 1);
  const b = vq.add(chain);
  const hb: u32 = vq.addedHead;
  chainOf(3, 2);
  const c = vq.add(chain);
  const freeAfterRefusal: u32 = vq.numFree;
  chainOf(2, 2);
  const d = vq.add(chain);
  const hd: u32 = vq.addedHead;
  chainOf(1, 3);
  const e = vq.add(chain);
  print(`fill 8: 3+3 ${a} ${b}, 3 more ${c} (free ${freeAfterRefusal}), 2 more ${d}, 1 more ${e}; heads ${ha} ${hb} ${hd}`);
  vq.publish();
  check(vq.needsNotify(), "notify");
  const t0: u32 = dev.takeOne();
  const t1: u32 = dev.takeOne();
  const t2: u32 = dev.takeOne();
  print(`device took ${t0} ${t1} ${t2}, then nothing: ${dev.takeOne() == NONE}`);
  dev.complete(2);
  dev.complete(1);
  dev.complete(0);
  let order: u32 = 0;
  for (let i: u32 = 0; i < 3; i++) {
    check(vq.collect() == VqStatus.Ok, "collect");
    order = u32(u32(order * 10) + vq.usedId);
  }
  print(`collected heads (as digits) ${order}, then ${vq.collect()}, free ${vq.numFree}, device errors ${dev.errors}`);
  vq.setInterrupts(false);
  const off: u16 = dev.availFlags();
  vq.setInterrupts(true);
  print(`avail flags with interrupts off/on: ${off} ${dev.availFlags()}`);
  // A one-entry queue: one chain of one buffer at a time.
  check(vq.init(1, ring8, RING8_PA) == VqStatus.Ok, "init 1");
  dev.init(1, ring8, RING8_PA, data, DATA_PA, u64(DATA_BYTES));
  chainOf(1, 0);
  const one = vq.add(chain);
  const two = vq.add(chain);
  vq.publish();
  dev.takeOne();
  dev.complete(0);
  const got = vq.collect();
  print(`size 1: ${one} ${two}, collect ${got} head ${vq.usedId}, again ${vq.add(chain)}`);
}

// A hostile device: an 8-entry queue with three chains (1, 2 and 3 buffers:
// heads 0, 1 and 3) published and taken by the device.
function fresh(): void {
  check(vq.init(8, ring8, RING8_PA) == VqStatus.Ok, "init 8");
  dev.init(8, ring8, RING8_PA, data, DATA_PA, u64(DATA_BYTES));
  resetTracking();
  for (let n: u32 = 1; n < 4; n++) {
    chainOf(n, n);
    check(vq.add(chain) == VqStatus.Ok, "add");
  }
  vq.publish();
  for (let i: u32 = 0; i < 3; i++) dev.takeOne();
}

/** After a device error nothing more happens: no frees, no adds, no notifies. */
function afterError(name: u32, st: VqStatus, freeBefore: u32): void {
  chainOf(1, 7);
  const add = vq.add(chain);
  vq.publish();
  const again = vq.collect();
  print(`hostile ${name}: ${st}, then add ${add} collect ${again} notify ${vq.needsNotify()}, free ${vq.numFree} (was ${freeBefore})`);
  check(st == VqStatus.DeviceError && add == VqStatus.DeviceError && again == VqStatus.DeviceError && vq.numFree == freeBefore, "a device error is reported and sticks");
}

function hostileCase(name: u32): void {
  fresh();
  const free: u32 = vq.numFree;
  if (name == 1) dev.forceUsed(8, 0); // id just past the table
  if (name == 2) dev.forceUsed(0xffff_ffff, 0);
  if (name == 3) dev.forceUsed(2, 0); // the second descriptor of a chain
  if (name == 4) dev.forceUsed(7, 0); // a free descriptor
  if (name == 5) dev.setUsedIdx(9); // ahead by more than the queue size
  if (name == 6) dev.setUsedIdx(4); // ahead of the three in flight
  if (name == 7) dev.setUsedIdx(0xffff); // backwards
  if (name == 8) dev.forceUsed(1, 9); // more than the 8 writable bytes of head 1
  if (name == 9) {
    chainOf(1, 5);
    vq.add(chain); // added, not published
    dev.forceUsed(vq.addedHead, 0);
  }
  afterError(name, vq.collect(), vq.numFree);
  check(vq.numFree == free || name == 9, "nothing freed");
}

/** A used id repeated: the first completion is good, the second is an error. */
function repeatedId(): void {
  fresh();
  dev.complete(0);
  const first = vq.collect();
  const head: u32 = vq.usedId;
  const free: u32 = vq.numFree;
  dev.forceUsed(head, 0);
  print(`repeated id: first ${first} (head ${head})`);
  afterError(10, vq.collect(), free);
}

/** A device may overwrite the descriptor table and the available ring: the driver never reads them back. */
function scribbled(): void {
  fresh();
  dev.scribble(0x1234_5678);
  while (dev.pendCount > 0) dev.complete(0);
  let ok: u32 = 0;
  while (vq.collect() == VqStatus.Ok) ok = u32(ok + 1);
  const free: u32 = vq.numFree;
  let added: u32 = 0;
  for (let i: u32 = 0; i < 8; i++) {
    chainOf(1, i);
    if (vq.add(chain) == VqStatus.Ok) added = u32(added + 1);
  }
  print(`scribbled ring: ${ok} completions collected, free ${free}, then ${added} single chains fit`);
  check(ok == 3 && free == 8 && added == 8, "shadow state survives a scribbled ring");
}

/**
 * Random hostility: after some honest traffic the device writes random used
 * entries and indexes (or scribbles the ring). Whatever the library returns,
 * an Ok must be a head in flight with a plausible length, nothing is freed
 * twice, and the free count always matches what the test has in flight.
 */
function fuzz(rounds: u32): void {
  let oks: u32 = 0;
  let errors: u32 = 0;
  let empties: u32 = 0;
  let bad: u32 = 0;
  for (let r: u32 = 0; r < rounds; r++) {
    check(vq.init(8, ring8, RING8_PA) == VqStatus.Ok, "init");
    dev.init(8, ring8, RING8_PA, data, DATA_PA, u64(DATA_BYTES));
    resetTracking();
    const chains: u32 = u32(1 + u32(rand() % 5));
    for (let i: u32 = 0; i < chains; i++) submit(u32(1 + u32(rand() % 3)), rand() % 4 == 0);
    vq.publish();
    const take: u32 = u32(rand() % 6);
    for (let t: u32 = 0; t < take; t++) dev.takeOne();
    const honest: u32 = u32(rand() % u32(dev.pendCount + 1));
    for (let f: u32 = 0; f < honest; f++) dev.complete(0);
    const lies: u32 = u32(1 + u32(rand() % 4));
    for (let l: u32 = 0; l < lies; l++) {
      const kind: u32 = u32(rand() % 5);
      const id: u32 = kind == 0 ? rand() : u32(rand() % 16);
      const len: u32 = rand() % 2 == 0 ? u32(rand() % 80) : rand();
      if (kind <= 2) dev.forceUsed(id, len);
      else if (kind == 3) dev.setUsedIdx(u16(rand()));
      else dev.scribble(rand());
    }
    for (let i: u32 = 0; i < 20; i++) {
      const st = vq.collect();
      if (st == VqStatus.Empty) {
        empties = u32(empties + 1);
        break;
      }
      if (st == VqStatus.DeviceError) {
        errors = u32(errors + 1);
        if (vq.collect() != VqStatus.DeviceError) bad = u32(bad + 1);
        break;
      }
      oks = u32(oks + 1);
      const id: u32 = vq.usedId;
      if (id >= 8 || !inFlight[id] || vq.usedLen > lenOf[id]) {
        bad = u32(bad + 1);
        break;
      }
      inFlight[id] = false;
      testInFlight = u32(testInFlight - 1);
    }
    let held: u32 = 0;
    for (let h: u32 = 0; h < 8; h++) if (inFlight[h]) held = u32(held + countOf[h]);
    if (u32(vq.numFree + held) != 8) bad = u32(bad + 1);
  }
  print(`fuzz: ${rounds} rounds, ${oks} completions accepted, ${errors} device errors, ${empties} empty, ${bad} inconsistencies`);
  check(bad == 0 && errors > u32(rounds / 2), "random hostility is caught and never corrupts the free list");
}

export function runVirtqueueTests(ring256Va: usize, ring8Va: usize, dataVa: usize, target: u32): u32 {
  ring256 = ring256Va;
  ring8 = ring8Va;
  data = dataVa;
  edges();
  for (let c: u32 = 1; c < 10; c++) hostileCase(c);
  repeatedId();
  scribbled();
  fuzz(3000);
  traffic(target);
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
