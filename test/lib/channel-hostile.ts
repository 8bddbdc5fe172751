"use unsafe";
// A hostile peer against an honest channel endpoint (both worlds, same output).
// The peer writes garbage from a seeded PRNG straight into the shared region:
// producer and consumer indices, entries with wild offsets and lengths, waiting
// flags, and the header before attach. An oracle written here, from the rules in
// docs/channels.md, predicts every result from the region's bytes; each
// operation must match it (every violation reported as Protocol, every valid
// entry accepted intact). Guard bytes around the region and a pattern in the
// data area show that nothing outside was written or read.
import { u8, u32, u64, usize, bool, print, check, checkFailures, array, arrayOf, min } from "kts";
import { load8, load32, load64, store8, store32, store64 } from "kts/unsafe";
import { Channel, Entry, Fault, Side, Status, ringBytes, CHANNEL_MAGIC, CHANNEL_VERSION, ENTRY_BYTES } from "../../src/lib/channel/channel";
import { H_MAGIC, H_VERSION, H_REGION_BYTES, H_ENTRY_BYTES, H_REQ_ENTRIES, H_CMP_ENTRIES, H_REQ_OFFSET, H_CMP_OFFSET, H_DATA_OFFSET, H_DATA_BYTES } from "../../src/lib/channel/channel";
import { H_REQ_PRODUCER, H_REQ_CONSUMER, H_CMP_PRODUCER, H_CMP_CONSUMER } from "../../src/lib/channel/channel";
import { regionBase, fillGuards, guardDamage } from "./channel-world";

/** Header page, two one-page rings (up to 128 entries), three pages of data. */
const REGION: u32 = 6 * 4096;
const DATA_OFF: u32 = 3 * 4096;
const DATA: u32 = 3 * 4096;
const CASES: u32 = 3000;

const honest = new Channel();
const e = new Entry();
const scratch: u8[] = array(64, 0);
let base: usize = 0n;
let seed: u32 = 0x1234_5679;
let mismatches: u32 = 0;

function rand(): u32 {
  seed = u32(u32(seed ^ u32(seed << 13)) ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

function below(n: u32): u32 {
  return u32(rand() % n);
}

function rand64(): u64 {
  return u64(u64(u64(rand()) << 32n) | u64(rand()));
}

/** A value near the edges that break bounds checks, or anything. */
function nasty(limit: u32): u32 {
  switch (below(6)) {
    case 0:
      return rand();
    case 1:
      return below(16);
    case 2:
      return u32(limit - 8 + below(17));
    case 3:
      return u32(0xffff_fff0 + below(16));
    case 4:
      return u32(1 << below(32));
    default:
      return limit == 0xffff_ffff ? rand() : below(u32(limit + 1));
  }
}

function rd(off: u32): u32 {
  return load32(usize(base + usize(off)));
}

function wr(off: u32, v: u32): void {
  store32(usize(base + usize(off)), v);
}

function dataByte(o: u32): u8 {
  return u8(o * 7 + (o >>> 9) + 0x3c);
}

function miss(what: u32, want: Status, got: Status): void {
  mismatches = u32(mismatches + 1);
  if (mismatches <= 10) print(`mismatch in test ${what}: expected ${want} got ${got} fault ${honest.fault}`);
}

/** Reads back what a popped entry names (all of it when short, else its ends) and checks the data pattern. */
function readBack(off: u32, len: u32): bool {
  const n = min(len, 32);
  if (!honest.readData(off, scratch, 0, n) || !honest.readData(u32(off + len - n), scratch, 32, n)) return false;
  for (let i: u32 = 0; i < n; i++) {
    if (scratch[i] != dataByte(u32(off + i))) return false;
    if (scratch[u32(32 + i)] != dataByte(u32(off + len - n + i))) return false;
  }
  return true;
}

/** An entry whose buffer is mostly valid, else on the edge or wild. */
function hostileEntry(at: u32): void {
  let off: u32 = 0;
  let len: u32 = 0;
  const kind = below(10);
  if (kind <= 7) {
    len = below(65);
    off = below(u32(DATA - len + 1));
  } else if (kind == 8) {
    len = nasty(DATA);
    off = nasty(DATA);
  } else {
    len = below(u32(DATA + 1));
    off = u32(DATA - len + below(3));
  }
  wr(at, rand());
  wr(u32(at + 4), rand());
  wr(u32(at + 8), off);
  wr(u32(at + 12), len);
  store64(usize(base + usize(at + 16)), rand64());
  store64(usize(base + usize(at + 24)), rand64());
}

function setupHonest(side: Side, reqEntries: u32, cmpEntries: u32, first: u32): void {
  check(honest.initAt(base, REGION, reqEntries, cmpEntries, side, first) == Status.Ok, "honest init");
}

const counts: u32[] = array(8, 0);
const faults: u32[] = array(8, 0);

/**
 * The peer produces (requests when cmpRing is false, else completions) and the
 * honest side pops. Expected: Protocol for a producer index more than a ring
 * ahead or an entry's buffer outside the data area, else the entry as written.
 */
function hostileProducer(cmpRing: bool): void {
  for (let i: u32 = 0; i < 8; i++) {
    counts[i] = 0;
    faults[i] = 0;
  }
  for (let c: u32 = 0; c < CASES; c++) {
    const entries = u32(1 << below(8));
    const first = below(4) == 0 ? u32(0xffff_ffff - below(8)) : rand();
    setupHonest(cmpRing ? Side.Client : Side.Server, entries, entries, first);
    const prodAt: u32 = cmpRing ? H_CMP_PRODUCER : H_REQ_PRODUCER;
    const consAt: u32 = cmpRing ? H_CMP_CONSUMER : H_REQ_CONSUMER;
    const ring: u32 = cmpRing ? u32(4096 + ringBytes(entries)) : 4096;
    let cons = first;
    let prod = first;
    let seen: u32 = 0;
    let armed = false;
    let broken = false;
    for (let step: u32 = 0; step < 6; step++) {
      if (broken) break;
      const act = below(12);
      if (act <= 7) {
        // Entries, then an honest-looking producer index (possibly too far).
        const k = below(u32(entries + 3));
        for (let j: u32 = 0; j < k; j++) hostileEntry(u32(ring + u32(u32(u32(prod + j) & u32(entries - 1)) * ENTRY_BYTES)));
        prod = u32(prod + k);
        wr(prodAt, prod);
      } else if (act == 8) {
        prod = nasty(u32(cons + entries));
        wr(prodAt, prod);
      } else if (act == 9) {
        prod = u32(cons - 1 - below(4));
        wr(prodAt, prod);
      } else if (act == 10) {
        wr(u32(prodAt + 4), below(3));
      } else {
        // Scribbles over the honest side's own index and flag: it must ignore them.
        wr(consAt, rand());
        wr(u32(consAt + 4), rand());
      }
      const pops = below(u32(entries + 3));
      for (let p: u32 = 0; p < pops; p++) {
        if (broken) break;
        const avail = u32(rd(prodAt) - cons);
        let want = Status.Ok;
        let fault = Fault.None;
        const slot = u32(ring + u32(u32(cons & u32(entries - 1)) * ENTRY_BYTES));
        const off = rd(u32(slot + 8));
        const len = rd(u32(slot + 12));
        if (avail > entries) {
          want = Status.Protocol;
          fault = Fault.ProducerIndex;
        } else if (avail == 0) {
          want = Status.Empty;
        } else if (u64(u64(off) + u64(len)) > u64(DATA)) {
          want = Status.Protocol;
          fault = Fault.Buffer;
        } else {
          const w = rd(u32(prodAt + 4));
          if (w != 0 && w != seen) {
            want = Status.Notify;
            seen = w;
          }
        }
        const id = rd(slot);
        const code = rd(u32(slot + 4));
        const arg = load64(usize(base + usize(slot + 16)));
        const arg2 = load64(usize(base + usize(slot + 24)));
        const got = cmpRing ? honest.popCompletion(e) : honest.popRequest(e);
        counts[u32(got)] = u32(counts[u32(got)] + 1);
        if (got != want || honest.fault != fault) {
          miss(1, want, got);
        } else if (want == Status.Ok || want == Status.Notify) {
          if (e.id != id || e.code != code || e.offset != off || e.length != len || e.arg != arg || e.arg2 != arg2) miss(2, want, got);
          cons = u32(cons + 1);
          if (rd(consAt) != cons || (armed && rd(u32(consAt + 4)) != 0)) miss(3, want, got);
          armed = false;
          if (!readBack(off, len)) miss(4, want, got);
        } else if (want == Status.Empty) {
          if (rd(u32(consAt + 4)) == 0) miss(5, want, got);
          armed = true;
        }
        if (want == Status.Protocol) {
          broken = true;
          faults[u32(fault)] = u32(faults[u32(fault)] + 1);
        }
      }
    }
    if (broken) {
      const again = cmpRing ? honest.popCompletion(e) : honest.popRequest(e);
      const other = cmpRing ? honest.pushRequest(0, 0, 0, 0, 0n, 0n) : honest.pushCompletion(0, 0, 0, 0, 0n, 0n);
      if (again != Status.Broken || other != Status.Broken) miss(6, Status.Broken, again);
    }
  }
  print(`hostile ${u32(cmpRing)} producer: ok ${counts[0]} notify ${counts[1]} empty ${counts[2]} protocol ${counts[5]} (index ${faults[u32(Fault.ProducerIndex)]} buffer ${faults[u32(Fault.Buffer)]}) other ${u32(counts[3] + counts[4] + counts[6] + counts[7])}`);
}

/**
 * The honest side produces and the peer consumes: it moves the consumer index
 * anywhere and writes its waiting flag. Expected: Protocol for a consumer index
 * ahead of ours or more than a ring behind, Full at exactly a ring behind.
 */
function hostileConsumer(cmpRing: bool): void {
  for (let i: u32 = 0; i < 8; i++) {
    counts[i] = 0;
    faults[i] = 0;
  }
  for (let c: u32 = 0; c < CASES; c++) {
    const entries = u32(1 << below(8));
    const first = below(4) == 0 ? u32(0xffff_ffff - below(8)) : rand();
    setupHonest(cmpRing ? Side.Server : Side.Client, entries, entries, first);
    const prodAt: u32 = cmpRing ? H_CMP_PRODUCER : H_REQ_PRODUCER;
    const consAt: u32 = cmpRing ? H_CMP_CONSUMER : H_REQ_CONSUMER;
    const ring: u32 = cmpRing ? u32(4096 + ringBytes(entries)) : 4096;
    let prod = first;
    let seen: u32 = 0;
    let broken = false;
    for (let step: u32 = 0; step < 24; step++) {
      if (broken) break;
      const act = below(10);
      if (act <= 4) wr(consAt, u32(prod - below(u32(entries + 1))));
      else if (act == 5) wr(consAt, nasty(prod));
      else if (act == 6) wr(consAt, u32(prod + 1 + below(4)));
      else if (act == 7) wr(u32(consAt + 4), below(4));
      else if (act == 8) wr(prodAt, rand());
      const off = below(3) == 0 ? nasty(DATA) : below(DATA);
      const len = below(3) == 0 || off > DATA ? nasty(DATA) : below(u32(DATA - off + 1));
      const id = rand();
      const arg = rand64();
      const used = u32(prod - rd(consAt));
      let want = Status.Ok;
      let fault = Fault.None;
      if (u64(u64(off) + u64(len)) > u64(DATA)) want = Status.BadArgument;
      else if (used > entries) {
        want = Status.Protocol;
        fault = Fault.ConsumerIndex;
      } else if (used == entries) want = Status.Full;
      else {
        const w = rd(u32(consAt + 4));
        if (used == 0) want = Status.Notify;
        if (w != 0 && w != seen) {
          want = Status.Notify;
          seen = w;
        }
      }
      const got = cmpRing ? honest.pushCompletion(id, 7, off, len, arg, 0n) : honest.pushRequest(id, 7, off, len, arg, 0n);
      counts[u32(got)] = u32(counts[u32(got)] + 1);
      if (got != want || honest.fault != fault) {
        miss(11, want, got);
      } else if (want == Status.Ok || want == Status.Notify) {
        const slot = u32(ring + u32(u32(prod & u32(entries - 1)) * ENTRY_BYTES));
        if (rd(slot) != id || rd(u32(slot + 4)) != 7 || rd(u32(slot + 8)) != off || rd(u32(slot + 12)) != len || load64(usize(base + usize(slot + 16))) != arg) miss(12, want, got);
        prod = u32(prod + 1);
        if (rd(prodAt) != prod || rd(u32(prodAt + 4)) != 0) miss(13, want, got);
      } else if (want == Status.Full) {
        if (rd(u32(prodAt + 4)) == 0) miss(14, want, got);
      }
      if (want == Status.Protocol) {
        broken = true;
        faults[u32(fault)] = u32(faults[u32(fault)] + 1);
      }
    }
  }
  print(`hostile ${u32(cmpRing)} consumer: ok ${counts[0]} notify ${counts[1]} full ${counts[3]} bad argument ${counts[4]} protocol ${counts[5]} (index ${faults[u32(Fault.ConsumerIndex)]}) other ${u32(counts[2] + counts[6] + counts[7])}`);
}

const FIELDS: readonly u32[] = arrayOf([
  H_MAGIC, H_VERSION, H_REGION_BYTES, H_ENTRY_BYTES, H_REQ_ENTRIES, H_CMP_ENTRIES, H_REQ_OFFSET,
  H_CMP_OFFSET, H_DATA_OFFSET, H_DATA_BYTES, H_REQ_PRODUCER, H_REQ_CONSUMER, H_CMP_PRODUCER, H_CMP_CONSUMER,
]);

function pow2(n: u32): bool {
  return n != 0 && u32(n & u32(n - 1)) == 0;
}

/** Page-rounded ring bytes, computed here in 64 bits. */
function pagesOf(entries: u32): u64 {
  return u64(u64(u64(u64(u64(entries) * 32n) + 4095n) / 4096n) * 4096n);
}

/** The header as the oracle judges it (Fault.None: acceptable). */
function judge(): Fault {
  if (rd(H_MAGIC) != CHANNEL_MAGIC) return Fault.Magic;
  if (rd(H_VERSION) != CHANNEL_VERSION) return Fault.Version;
  const req = rd(H_REQ_ENTRIES);
  const cmp = rd(H_CMP_ENTRIES);
  if (rd(H_REGION_BYTES) != REGION || rd(H_ENTRY_BYTES) != 32 || !pow2(req) || !pow2(cmp) || req > 65536 || cmp > 65536) return Fault.Layout;
  const cmpOff: u64 = u64(4096n + pagesOf(req));
  const dataOff: u64 = u64(cmpOff + pagesOf(cmp));
  if (rd(H_REQ_OFFSET) != 4096 || u64(rd(H_CMP_OFFSET)) != cmpOff || u64(rd(H_DATA_OFFSET)) != dataOff || dataOff > u64(REGION)) return Fault.Layout;
  if (u64(rd(H_DATA_BYTES)) != u64(u64(REGION) - dataOff)) return Fault.Layout;
  if (u32(rd(H_REQ_PRODUCER) - rd(H_REQ_CONSUMER)) > req || u32(rd(H_CMP_PRODUCER) - rd(H_CMP_CONSUMER)) > cmp) return Fault.Indices;
  return Fault.None;
}

/** Re-lays the rings consistently for new sizes (valid if they fit). */
function relayout(req: u32, cmp: u32): void {
  wr(H_REQ_ENTRIES, req);
  wr(H_CMP_ENTRIES, cmp);
  const cmpOff = u32(u64(4096n + pagesOf(req)));
  const dataOff = u32(u64(u64(cmpOff) + pagesOf(cmp)));
  wr(H_CMP_OFFSET, cmpOff);
  wr(H_DATA_OFFSET, dataOff);
  wr(H_DATA_BYTES, u32(REGION - dataOff));
}

/** Owner init, then the peer mangles the header; attach must refuse exactly the bad ones. */
function hostileHeader(): void {
  let accepted: u32 = 0;
  const refused: u32[] = array(8, 0);
  for (let c: u32 = 0; c < u32(CASES * 2); c++) {
    const first = rand();
    setupHonest(Side.Server, u32(1 << below(8)), u32(1 << below(8)), first);
    const kind = below(8);
    if (kind == 0) {
      for (let i: u32 = 0; i < 14; i++) wr(FIELDS[i], rand());
    } else if (kind == 1) {
      relayout(u32(1 << below(12)), u32(1 << below(12)));
    } else if (kind == 2) {
      wr(FIELDS[u32(10 + below(4))], u32(first + below(300)));
    } else {
      const n = u32(1 + below(2));
      for (let i: u32 = 0; i < n; i++) {
        const f = FIELDS[below(14)];
        wr(f, below(2) == 0 ? nasty(rd(f)) : u32(rd(f) ^ u32(1 << below(32))));
      }
    }
    const want = judge();
    const client = new Channel();
    const got = client.attach(base, REGION, Side.Client);
    if (want == Fault.None) {
      if (got != Status.Ok) miss(21, Status.Ok, got);
      accepted = u32(accepted + 1);
      // An accepted header is usable; the client stays inside its data area.
      const s = client.pushRequest(1, 2, 0, client.dataSize(), 0n, 0n);
      if (s == Status.BadArgument || s == Status.Broken) miss(22, Status.Ok, s);
      client.popCompletion(e);
    } else {
      if (got != Status.BadHeader || client.fault != want) miss(23, Status.BadHeader, got);
      refused[u32(want)] = u32(refused[u32(want)] + 1);
      if (client.pushRequest(1, 2, 0, 0, 0n, 0n) != Status.Broken) miss(24, Status.Broken, got);
    }
  }
  print(`hostile header: accepted ${accepted} refused magic ${refused[1]} version ${refused[2]} layout ${refused[3]} indices ${refused[4]}`);
}

export function main(): u32 {
  base = regionBase();
  fillGuards(base, REGION);
  for (let o: u32 = 0; o < DATA; o++) store8(usize(base + usize(DATA_OFF + o)), dataByte(o));
  hostileProducer(false);
  hostileProducer(true);
  hostileConsumer(false);
  hostileConsumer(true);
  let pattern = true;
  for (let o: u32 = 0; o < DATA; o++) if (load8(usize(base + usize(DATA_OFF + o))) != dataByte(o)) pattern = false;
  check(pattern, "data area untouched: no entry is ever written there");
  // Last: an accepted mangled header may place rings over the data area.
  hostileHeader();
  const damage = guardDamage(base, REGION);
  check(damage == 0, "guard bytes untouched");
  check(mismatches == 0, "every result as the oracle predicts");
  print(`mismatches ${mismatches} guard damage ${damage} failures ${checkFailures()}`);
  return checkFailures();
}
