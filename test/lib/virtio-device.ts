"use unsafe";
/**
 * The device side of a split virtqueue (virtio 1.x, 2.7) for host tests, on the
 * same memory as the driver's Virtqueue. It computes the layout itself from the
 * spec rather than asking the library, sees only physical addresses (and
 * translates them to the test's memory, so a virtual address written into a
 * descriptor is caught), and checks everything the driver wrote: a bad index,
 * descriptor, flag or address counts in `errors`.
 *
 * Data convention of the tests: the first buffer of a chain, if readable, starts
 * with a u32 tag; otherwise the tag is the head id. The device fills the
 * writable buffers with bytes tag, tag+1, ... and reports their total length.
 * It can also misbehave on purpose (forceUsed, setUsedIdx, scribble).
 */
import { u8, u16, u32, u64, usize, bool, array } from "kts";
import { load16, load32, load64, store8, store16, store32, fence } from "kts/unsafe";

export const NONE: u32 = 0xffff_ffff;

export class RingDevice {
  size: u32 = 0;
  mask: u32 = 0;
  ringVa: usize = 0n;
  ringPa: usize = 0n;
  dataVa: usize = 0n;
  dataPa: usize = 0n;
  dataBytes: u64 = 0n;
  availOff: u32 = 0;
  usedOff: u32 = 0;
  lastAvail: u16 = 0;
  usedIdx: u16 = 0;
  /** Protocol violations by the driver seen so far. */
  errors: u32 = 0;
  /** Chains of 1, 2, 3 and more descriptors taken. */
  chains: u32[] = array(4, 0);
  /** Taken and not yet completed: head and bytes written. */
  pendHead: u32[] = array(256, 0);
  pendLen: u32[] = array(256, 0);
  pendCount: u32 = 0;

  init(size: u32, ringVa: usize, ringPa: usize, dataVa: usize, dataPa: usize, dataBytes: u64): void {
    this.size = size;
    this.mask = u32(size - 1);
    this.ringVa = ringVa;
    this.ringPa = ringPa;
    this.dataVa = dataVa;
    this.dataPa = dataPa;
    this.dataBytes = dataBytes;
    this.availOff = u32(16 * size);
    const availEnd: u32 = u32(this.availOff + 6 + u32(2 * size));
    this.usedOff = u32(u32(availEnd + 3) & 0xffff_fffc);
    this.lastAvail = 0;
    this.usedIdx = 0;
    this.errors = 0;
    this.pendCount = 0;
    for (let i: u32 = 0; i < 4; i++) this.chains[i] = 0;
  }

  private error(): void {
    this.errors = u32(this.errors + 1);
  }

  /** The test-memory address of a buffer the driver gave as [pa, pa + len); 0 (an error) if it is not in the data area. */
  private dataAt(pa: u64, len: u32): usize {
    if (pa < this.dataPa || u64(pa - this.dataPa) > this.dataBytes || u64(len) > u64(this.dataBytes - u64(pa - this.dataPa))) {
      this.error();
      return 0n;
    }
    return usize(this.dataVa + u64(pa - this.dataPa));
  }

  availIdx(): u16 {
    return load16(usize(this.ringVa + u64(u32(this.availOff + 2))));
  }

  availFlags(): u16 {
    return load16(usize(this.ringVa + u64(this.availOff)));
  }

  /** Chains published and not yet taken. */
  waiting(): u32 {
    return u32(u16(this.availIdx() - this.lastAvail));
  }

  /**
   * Takes the next published chain, reads its readable buffers and fills its
   * writable ones; the completion waits in the pending list. NONE if nothing is
   * published; otherwise the head.
   */
  takeOne(): u32 {
    const avail: u16 = this.availIdx();
    const ahead: u32 = u32(u16(avail - this.lastAvail));
    if (ahead == 0) return NONE;
    if (ahead > this.size) {
      this.error();
      return NONE;
    }
    fence();
    const slot: u32 = u32(u32(this.lastAvail) & this.mask);
    const head: u32 = u32(load16(usize(this.ringVa + u64(u32(this.availOff + 4 + u32(2 * slot))))));
    this.lastAvail = u16(this.lastAvail + 1);
    if (head >= this.size) {
      this.error();
      return NONE;
    }
    let id: u32 = head;
    let n: u32 = 0;
    let tag: u32 = head;
    let k: u32 = 0;
    let written: u32 = 0;
    let sawWritable = false;
    for (;;) {
      n = u32(n + 1);
      if (n > this.size) {
        this.error(); // a loop in the chain
        return NONE;
      }
      const d: usize = usize(this.ringVa + u64(u32(16 * id)));
      const addr: u64 = load64(d);
      const len: u32 = load32(usize(d + 8n));
      const flags: u16 = load16(usize(d + 12n));
      const next: u16 = load16(usize(d + 14n));
      if ((flags & 0xfffc) != 0) this.error();
      const at: usize = this.dataAt(addr, len);
      if ((flags & 2) != 0) {
        sawWritable = true;
        if (at != 0n) for (let i: u32 = 0; i < len; i++) store8(usize(at + u64(i)), u8(u32(tag + u32(k + i))));
        k = u32(k + len);
        written = u32(written + len);
      } else {
        if (sawWritable) this.error(); // readable after writable
        if (n == 1 && len >= 4 && at != 0n) tag = load32(at);
      }
      if ((flags & 1) == 0) break;
      if (u32(next) >= this.size) {
        this.error();
        return NONE;
      }
      id = u32(next);
    }
    this.chains[n > 3 ? 3 : u32(n - 1)] = u32(this.chains[n > 3 ? 3 : u32(n - 1)] + 1);
    this.pendHead[this.pendCount] = head;
    this.pendLen[this.pendCount] = written;
    this.pendCount = u32(this.pendCount + 1);
    return head;
  }

  /** Returns pending completion k (any order) through the used ring. */
  complete(k: u32): void {
    const head: u32 = this.pendHead[k];
    const len: u32 = this.pendLen[k];
    this.pendCount = u32(this.pendCount - 1);
    this.pendHead[k] = this.pendHead[this.pendCount];
    this.pendLen[k] = this.pendLen[this.pendCount];
    this.forceUsed(head, len);
  }

  /** Writes a used entry (whatever the values) and advances the used index over it. */
  forceUsed(id: u32, len: u32): void {
    const slot: u32 = u32(u32(this.usedIdx) & this.mask);
    const e: usize = usize(this.ringVa + u64(u32(this.usedOff + 4 + u32(8 * slot))));
    store32(e, id);
    store32(usize(e + 4n), len);
    fence();
    this.setUsedIdx(u16(this.usedIdx + 1));
  }

  /** Publishes v as the used index. */
  setUsedIdx(v: u16): void {
    this.usedIdx = v;
    store16(usize(this.ringVa + u64(u32(this.usedOff + 2))), v);
  }

  setNoNotify(on: bool): void {
    store16(usize(this.ringVa + u64(this.usedOff)), on ? 1 : 0);
  }

  /** Overwrites the descriptor table and the available ring with bytes from seed (a device may write them). */
  scribble(seed: u32): void {
    let x: u32 = seed == 0 ? 1 : seed;
    const end: u32 = u32(this.availOff + 6 + u32(2 * this.size));
    for (let i: u32 = 0; i < end; i++) {
      x = u32(x ^ u32(x << 13));
      x = u32(x ^ (x >>> 17));
      x = u32(x ^ u32(x << 5));
      store8(usize(this.ringVa + u64(i)), u8(x));
    }
  }
}
