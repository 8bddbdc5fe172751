// Host driver for the PCI library's pure logic (src/lib/pci/bars.ts, names.ts),
// the same in the C world (ASan+UBSan) and under Node: BAR decoding and sizes,
// the window allocator, the placement policy, and probing/programming against a
// config space simulated here in KTS (so the C world runs them too).
import { u8, u32, u64, usize, bool, print, check, checkFailures, text, hex, array, slice, structs } from "kts";
import {
  Bar, BarKind, BarPlace, BarWindow, decodeBarKind, isPrefetchable, barAddress, barSize, slotSize, probeBars, placeBars, programBars,
  NO_ADDRESS, MAX_WINDOW_RANGES,
} from "../../src/lib/pci/bars";
import { className, barKindName, barPlaceName } from "../../src/lib/pci/names";

const name: u8[] = array(32, 0);

function kindText(k: BarKind): u32 {
  return barKindName(k, name, 0);
}

function decode(v: u32): void {
  const k: BarKind = decodeBarKind(v);
  const n: u32 = kindText(k);
  print(`decode ${hex(v)}: ${text(name, n)} prefetchable ${isPrefetchable(v)}`);
}

function size(kind: BarKind, lo: u32, hi: u32, expect: u64): void {
  const s: u64 = barSize(kind, lo, hi);
  const n: u32 = kindText(kind);
  print(`size ${text(name, n)} ${hex(lo)} ${hex(hi)}: ${hex(s)}`);
  check(s == expect, "BAR size");
  check(s == 0n || (s & u64(s - 1n)) == 0n, "sizes are powers of two");
}

function decoding(): void {
  decode(0x0000_0000);
  decode(0x0000_0001);
  decode(0x0000_0002);
  decode(0x0000_0004);
  decode(0x0000_0006);
  decode(0x0000_0008);
  decode(0x0000_000c);
  decode(0xfebd_5101);
  check(decodeBarKind(0x0c) == BarKind.Mem64 && isPrefetchable(0x0c), "64-bit prefetchable");
  check(decodeBarKind(0x09) == BarKind.Io && !isPrefetchable(0x09), "IO is never prefetchable");
  check(decodeBarKind(0x06) == BarKind.Bad, "reserved memory type");
  check(barAddress(BarKind.Mem32, 0xfebd_510f, 0) == 0xfebd_5100n, "32-bit address without the flag bits, no sign extension");
  check(barAddress(BarKind.Mem64, 0xfeb0_000c, 0x80) == 0x80_feb0_0000n, "64-bit address joins the halves");
  check(barAddress(BarKind.Io, 0xc041, 0xffff_ffff) == 0xc040n, "IO address");
  check(barAddress(BarKind.Unused, 0x1000, 0) == 0n, "unused has no address");

  size(BarKind.Mem32, 0xffff_f000, 0, 0x1000n);
  size(BarKind.Mem32, 0xffff_ff08, 0, 0x100n);
  size(BarKind.Mem32, 0x8000_0000, 0, 0x8000_0000n);
  size(BarKind.Mem32, 0x0000_0000, 0, 0n);
  size(BarKind.Mem32, 0x0000_0008, 0, 0n);
  size(BarKind.Io, 0x0000_ffe1, 0, 0x20n); // upper 16 bits hard-wired to 0
  size(BarKind.Io, 0xffff_ff01, 0, 0x100n);
  size(BarKind.Io, 0xffff_fffd, 0, 0x4n);
  size(BarKind.Mem64, 0xfff0_000c, 0xffff_ffff, 0x10_0000n);
  size(BarKind.Mem64, 0x0000_000c, 0xffff_ffff, 0x1_0000_0000n);
  size(BarKind.Mem64, 0x0000_000c, 0xffff_fffe, 0x2_0000_0000n);
  size(BarKind.Mem64, 0x0000_0004, 0x8000_0000, 0x8000_0000_0000_0000n);
  size(BarKind.Mem64, 0x0000_0004, 0x0000_0000, 0n);
  size(BarKind.Mem64, 0xffff_c004, 0x0000_000f, 0x4000n);
  check(slotSize(0x10n) == 0x1000n && slotSize(0x1000n) == 0x1000n && slotSize(0x2_0000n) == 0x2_0000n, "slots are at least a page");
}

function allocator(): void {
  const w = new BarWindow();
  check(!w.init(0x1000n, 0n), "empty window refused");
  check(w.alloc(0x1000n, NO_ADDRESS) == NO_ADDRESS, "an empty window hands out nothing");
  check(!w.init(0xffff_ffff_ffff_f000n, 0x2000n), "window past 2^64 refused");
  check(w.init(0x1000_0000n, 0x10_0000n), "1 MiB window");
  const a: u64 = w.alloc(0x1000n, NO_ADDRESS);
  const b: u64 = w.alloc(0x4000n, NO_ADDRESS);
  const c: u64 = w.alloc(0x1000n, NO_ADDRESS);
  const d: u64 = w.alloc(0x8_0000n, NO_ADDRESS);
  const e: u64 = w.alloc(0x8_0000n, NO_ADDRESS);
  print(`alloc ${hex(a)} ${hex(b)} ${hex(c)} ${hex(d)} ${e == NO_ADDRESS}`);
  check(a == 0x1000_0000n && b == 0x1000_4000n && c == 0x1000_1000n && d == 0x1008_0000n && e == NO_ADDRESS, "first fit, naturally aligned");
  check(w.alloc(0x3000n, NO_ADDRESS) == NO_ADDRESS && w.alloc(0n, NO_ADDRESS) == NO_ADDRESS, "sizes must be powers of two");
  check(w.alloc(0x1000n, 0x1000_1fffn) == NO_ADDRESS, "nothing free below the limit");
  const f: u64 = w.alloc(0x1000n, 0x1000_3fffn);
  const g: u64 = w.alloc(0x1000n, 0x1000_3fffn);
  check(f == 0x1000_2000n && g == 0x1000_3000n && w.alloc(0x1000n, 0x1000_3fffn) == NO_ADDRESS, "the limit is respected");
  check(!w.reserve(0x1000_4000n, 0x1000n), "reserve refuses a used range");
  check(!w.reserve(0x0fff_f000n, 0x2000n), "reserve refuses a range leaving the window");
  check(!w.reserve(0x1010_0000n, 0x1000n), "reserve refuses a range past the window");
  check(w.reserve(0x1000_8000n, 0x8000n), "reserve takes a free range");
  check(w.overlaps(0x1000_f000n, 0x1000n) && !w.overlaps(0x1001_0000n, 0x1000n), "overlap test");
  // Fill the rest with pages: every one distinct, then refusal.
  let n: u32 = 0;
  let lo: u64 = NO_ADDRESS;
  let hi: u64 = 0n;
  for (;;) {
    const p: u64 = w.alloc(0x1000n, NO_ADDRESS);
    if (p == NO_ADDRESS) break;
    check((p & 0xfffn) == 0n && w.contains(p, 0x1000n), "page inside the window");
    if (p < lo) lo = p;
    if (p > hi) hi = p;
    n = u32(n + 1);
  }
  print(`pages ${n} from ${hex(lo)} to ${hex(hi)} ranges ${w.count}`);
  check(n == 256 - 1 - 4 - 1 - 128 - 2 - 8, "every free page handed out once");
  for (let i: u32 = 0; i < w.count; i++) {
    for (let j: u32 = u32(i + 1); j < w.count; j++) {
      check(w.lasts[i] < w.starts[j] || w.lasts[j] < w.starts[i], "ranges disjoint");
    }
  }

  // A window ending at 2^64: no address arithmetic wraps.
  check(w.init(0xffff_ffff_ffff_0000n, 0x1_0000n), "window at the top");
  check(w.alloc(0x1_0000n, NO_ADDRESS) == 0xffff_ffff_ffff_0000n, "the whole top window");
  check(w.alloc(0x1000n, NO_ADDRESS) == NO_ADDRESS, "then nothing, no wrap");
  check(w.init(0xffff_ffff_ffff_0000n, 0x1_0000n) && w.alloc(0x2_0000n, NO_ADDRESS) == NO_ADDRESS, "alignment past 2^64 refused");

  // The record of ranges is bounded: it refuses rather than overflows.
  check(w.init(0x1_0000_0000n, 0x1_0000_0000n), "4 GiB window");
  let got: u32 = 0;
  for (let i: u32 = 0; i < 200; i++) {
    if (w.alloc(0x1000n, NO_ADDRESS) != NO_ADDRESS) got = u32(got + 1);
  }
  check(got == MAX_WINDOW_RANGES && w.count == MAX_WINDOW_RANGES, "record full: refused");
}

const bars: Bar[] = structs(12, Bar);

function setBar(i: u32, kind: BarKind, size: u64, firmware: u64, maxAddress: u64): void {
  const b: Bar = bars[i];
  b.reset(usize(u64(i / 6) << 12n), u32(i % 6));
  b.kind = kind;
  b.size = size;
  b.firmware = firmware;
  b.maxAddress = maxAddress;
  if (kind == BarKind.Mem32 || kind == BarKind.Mem64) b.place = BarPlace.Pending;
}

function showBars(count: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const b: Bar = bars[i];
    const n: u32 = kindText(b.kind);
    const p: u32 = barPlaceName(b.place, name, 16);
    print(`bar ${i}: ${text(name, n)} ${hex(b.size)} fw ${hex(b.firmware)} -> ${hex(b.base)} ${text(slice(name, 16, 32), u32(p - 16))}`);
  }
}

function policy(): void {
  const low = new BarWindow();
  const high = new BarWindow();
  check(low.init(0xc000_0000n, 0x100_0000n), "low window");
  check(high.init(0x80_0000_0000n, 0x10_0000_0000n), "high window");
  const m32: u64 = 0xffff_ffffn;
  const m64: u64 = NO_ADDRESS;
  setBar(0, BarKind.Mem32, 0x2_0000n, 0xc000_0000n, m32); // kept
  setBar(1, BarKind.Mem32, 0x1000n, 0xc000_0000n, m32); // overlaps 0: moved
  setBar(2, BarKind.Mem32, 0x100n, 0xc010_0100n, m32); // not on a page of its own: moved
  setBar(3, BarKind.Mem64, 0x4000n, 0x80_0001_0000n, m64); // in the high window: kept
  setBar(4, BarKind.Mem64, 0x10_0000n, 0x4_0000_0000n, m64); // outside both: moved, to high
  setBar(5, BarKind.Mem64, 0x1000n, 0n, 0xf_ffff_ffffn); // 36 address bits: high is out of reach
  setBar(6, BarKind.Io, 0x20n, 0xc000n, 0xffffn); // never placed
  setBar(7, BarKind.Mem32, 0x100_0000n, 0n, m32); // as large as the low window: no room
  setBar(8, BarKind.Mem32, 0x8000n, 0xc0ff_8000n, m32); // last pages of the window: kept
  setBar(9, BarKind.Mem32, 0x1000n, 0xc100_0000n, m32); // just past the end: moved
  const failed: u32 = placeBars(bars, 10, low, high);
  showBars(10);
  print(`failed ${failed}`);
  check(failed == 1 && bars[7].place == BarPlace.NoRoom && bars[7].base == 0n, "no room reported");
  check(bars[0].place == BarPlace.Kept && bars[3].place == BarPlace.Kept && bars[8].place == BarPlace.Kept, "sound firmware BARs kept");
  check(bars[1].place == BarPlace.Assigned && bars[2].place == BarPlace.Assigned && bars[4].place == BarPlace.Assigned && bars[9].place == BarPlace.Assigned, "unsound ones moved");
  check(bars[4].base >= 0x80_0000_0000n, "64-bit BAR prefers the high window");
  check(bars[5].place == BarPlace.Assigned && bars[5].base < 0x1_0000_0000n, "a BAR that cannot reach the high window goes low");
  check(bars[6].place == BarPlace.None && bars[6].base == 0n, "IO untouched");
  for (let i: u32 = 0; i < 10; i++) {
    const a: Bar = bars[i];
    if (a.place != BarPlace.Kept && a.place != BarPlace.Assigned) continue;
    const s: u64 = slotSize(a.size);
    check((a.base & u64(s - 1n)) == 0n, "aligned to the slot");
    check(low.contains(a.base, s) || high.contains(a.base, s), "inside a window");
    check(u64(a.base + a.size - 1n) <= a.maxAddress, "reachable by the BAR");
    for (let j: u32 = u32(i + 1); j < 10; j++) {
      const b: Bar = bars[j];
      if (b.place != BarPlace.Kept && b.place != BarPlace.Assigned) continue;
      check(u64(a.base + s) <= b.base || u64(b.base + slotSize(b.size)) <= a.base, "no two BARs share a page");
    }
  }
}

// A config space simulated in KTS: 2 functions of 64 dwords, a write mask per dword.
const val: u32[] = array(128, 0);
const wmask: u32[] = array(128, 0);
let violations: u32 = 0;
let accesses: u32 = 0;

function index(fa: usize, offset: u32): u32 {
  check((offset & 3) == 0 && offset < 256, "fake config access in range");
  return u32(u32(fa >> 12n) * 64 + (offset >>> 2));
}

function read32(fa: usize, offset: u32): u32 {
  accesses = u32(accesses + 1);
  return val[index(fa, offset)];
}

/** Whether the BAR dword at i decodes IO (its own bit 0, or the lower half's for a 64-bit upper half). */
function ioBar(i: u32, slot: u32): bool {
  if (slot > 0 && (val[u32(i - 1)] & 7) == 4) return false;
  return (val[i] & 1) != 0;
}

function write32(fa: usize, offset: u32, v: u32): void {
  accesses = u32(accesses + 1);
  const i: u32 = index(fa, offset);
  if (offset >= 0x10 && offset < 0x28) {
    const cmd: u32 = val[u32(i - (offset >>> 2) + 1)];
    const bit: u32 = ioBar(i, u32((offset - 0x10) >>> 2)) ? 1 : 2;
    if ((cmd & bit) != 0) violations = u32(violations + 1);
  }
  val[i] = u32((val[i] & ~wmask[i]) | (v & wmask[i]));
}

function fakeBar(fn: u32, slot: u32, value: u32, mask: u32): void {
  val[u32(fn * 64 + 4 + slot)] = value;
  wmask[u32(fn * 64 + 4 + slot)] = mask;
}

function probing(): void {
  // Function 0: 8 GiB 64-bit prefetchable, 256-port IO (upper 16 bits hard-wired), 16-byte Mem32, reserved type, 64-bit in the last slot.
  val[1] = 0x0010_0007; // status: capability list; command: IO, MEM, BUS_MASTER
  wmask[1] = 0x0000_0407;
  fakeBar(0, 0, 0x0000_000c, 0x0000_0000);
  fakeBar(0, 1, 0x0000_0000, 0xffff_fffe);
  fakeBar(0, 2, 0x0000_c001, 0x0000_ff00);
  fakeBar(0, 3, 0x0000_0000, 0xffff_fff0);
  fakeBar(0, 4, 0x0000_0006, 0xffff_f000);
  fakeBar(0, 5, 0x0000_0004, 0xffff_f000);
  // Function 1: 64 KiB Mem32 at a firmware address, a 4 KiB 64-bit BAR with 36 address bits.
  val[65] = 0x0000_0002;
  wmask[65] = 0x0000_0407;
  fakeBar(1, 0, 0x2000_0000, 0xffff_0000);
  fakeBar(1, 1, 0x0000_0004, 0xffff_f000);
  fakeBar(1, 2, 0x0000_0000, 0x0000_000f);

  probeBars(0n, bars, 0, read32, write32);
  probeBars(0x1000n, bars, 6, read32, write32);
  print(`probe accesses ${accesses} violations ${violations}`);
  check(violations == 0, "no BAR written while its decode is on");
  check(val[1] == 0x0010_0007 && val[65] == 0x0000_0002, "command restored");
  check(val[4] == 0x0c && val[5] == 0 && val[6] == 0xc001 && val[7] == 0 && val[68] == 0x2000_0000, "BARs restored");
  check(bars[0].kind == BarKind.Mem64 && bars[0].prefetchable && bars[0].size == 0x2_0000_0000n && bars[1].kind == BarKind.Upper, "8 GiB 64-bit prefetchable");
  check(bars[2].kind == BarKind.Io && bars[2].size == 0x100n && bars[2].firmware == 0xc000n && bars[2].base == 0xc000n, "IO BAR, 16-bit decoder");
  check(bars[3].kind == BarKind.Mem32 && bars[3].size == 0x10n && !bars[3].prefetchable, "16-byte Mem32");
  check(bars[4].kind == BarKind.Bad && bars[5].kind == BarKind.Bad, "reserved type and 64-bit in the last slot are bad");
  check(bars[6].firmware == 0x2000_0000n && bars[6].size == 0x1_0000n, "firmware address and size");
  check(bars[7].kind == BarKind.Mem64 && bars[7].maxAddress == 0xf_ffff_ffffn, "36 address bits");
  check(bars[8].kind == BarKind.Upper && bars[9].kind == BarKind.Unused && bars[11].kind == BarKind.Unused, "upper half and unused slots");
  showBars(12);

  const low = new BarWindow();
  const high = new BarWindow();
  check(low.init(0x2000_0000n, 0x10_0000n) && high.init(0x10_0000_0000n, 0x10_0000_0000n), "windows");
  const failed: u32 = placeBars(bars, 12, low, high);
  const off: u32 = programBars(bars, 12, read32, write32);
  showBars(12);
  print(`placed: failed ${failed}, functions off ${off}, violations ${violations}`);
  check(failed == 0 && off == 1 && violations == 0, "function 0 stays off (bad BARs), function 1 on");
  check(bars[0].base == 0x10_0000_0000n && val[4] == 0x0c && val[5] == 0x10, "8 GiB BAR written to both halves");
  check(bars[3].place == BarPlace.Assigned && val[7] == u32(bars[3].base), "small BAR written");
  check((val[1] & 2) == 0 && (val[1] & 1) == 1, "function 0: memory decode off, IO decode as it was");
  check(bars[6].place == BarPlace.Kept && val[68] == 0x2000_0000, "kept BAR not rewritten");
  check(bars[7].place == BarPlace.Assigned && bars[7].base < 0x1_0000_0000n, "36-bit BAR placed low");
  check(val[69] == u32(bars[7].base | 4n) && val[70] == 0, "64-bit BAR below 4 GiB written with a zero upper half");
  check((val[65] & 0xffff) == 0x0006, "function 1: memory decode and bus mastering on");
}

function names(): void {
  const buf: u8[] = array(12, 0);
  let n: u32 = className(0x01, 0x06, buf, 0);
  print(`class 0106 ${text(buf, n)}`);
  check(n == 4 && buf[0] == 0x53, "SATA");
  n = className(0x06, 0x00, buf, 0);
  print(`class 0600 ${text(buf, n)}`);
  n = className(0x00, 0x00, buf, 0);
  print(`class 0000 ${text(buf, n)}`);
  check(n == 12, "unclassified fills the buffer exactly");
  n = className(0x12, 0xab, buf, 0);
  print(`class 12ab ${text(buf, n)}`);
  check(n == 11 && buf[6] == 0x31 && buf[7] == 0x32 && buf[8] == 0x2e && buf[9] == 0x61 && buf[10] == 0x62, "class xx.yy");
  n = className(0x01, 0x00, buf, 4);
  print(`truncated ${n} ${text(buf, n)}`);
  check(n == 12, "a full buffer truncates, never overruns");
  n = barKindName(BarKind.Bad, buf, 0);
  check(n == 3, "kind name");
  n = barPlaceName(BarPlace.NoRoom, buf, 0);
  print(`place ${text(buf, n)}`);
}

export function main(): u32 {
  decoding();
  allocator();
  policy();
  probing();
  names();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
