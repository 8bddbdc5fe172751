// Host driver for the frame allocator: builds it from a synthetic memory map and
// exercises allocation, reservation, exhaustion and contiguous runs. With a
// misuse number on stdin (1..5) it then does one thing the ownership checker
// must stop with a panic naming both owners (the test expects each panic line).
import { u8, u32, u64, usize, print, check, checkFailures, array } from "kts";
import { readStdin } from "kts/host";
import { BootInfo, RegionKind } from "../../src/kernel/boot/bootinfo";
import { FrameAllocator, FrameUse, frameOwner } from "../../src/kernel/mem/frames";

const A: u32 = frameOwner(FrameUse.PageTable, 5);
const B: u32 = frameOwner(FrameUse.Region, 3);
const input: u8[] = array(4, 0);

const info = new BootInfo();
const fa = new FrameAllocator();

export function main(): u32 {
  // 1 MiB..9 MiB usable, a hole, 16 MiB..18 MiB usable, 17 MiB..17.5 MiB reserved.
  info.addRegion(0x10_0000n, 0x80_0000n, RegionKind.Usable);
  info.addRegion(0x100_0000n, 0x20_0000n, RegionKind.Usable);
  info.addRegion(0x110_0000n, 0x8_0000n, RegionKind.Reserved);
  info.kernelPhysStart = 0x20_0000n;
  info.kernelPhysEnd = 0x28_0000n;
  info.initrdBase = 0x30_0800n;
  info.initrdSize = 0x1000n;
  const free0: u32 = fa.initFromBootInfo(info);
  print(`base ${fa.base} frames ${fa.frames} free ${free0}`);
  // 2048+512 usable frames, minus kernel (128), initrd (2 partial frames), reserved (128).
  check(free0 == 2048 + 512 - 128 - 2 - 128, "free frames after reservations");
  check(!fa.isFree(0x20_0000n) && !fa.isFree(0x30_0000n) && !fa.isFree(0x30_1000n), "kernel and initrd reserved");
  check(!fa.isFree(0x110_0000n) && fa.isFree(0x118_0000n), "reserved region honoured");
  check(!fa.isFree(0x90_0000n), "the hole is never free");
  let lo: usize = 0xffff_ffff_ffff_ffffn;
  let hi: usize = 0n;
  let n: u32 = 0;
  for (;;) {
    const pa = fa.alloc(A);
    if (pa == 0n) break;
    check((pa & 0xfffn) == 0n, "aligned");
    if (pa < lo) lo = pa;
    if (pa > hi) hi = pa;
    n = u32(n + 1);
  }
  print(`allocated ${n} frames from ${lo} to ${hi}`);
  check(n == free0 && fa.freeCount == 0, "every free frame handed out exactly once");
  fa.free(0x40_0000n, A);
  fa.free(0x40_1000n, A);
  fa.free(0x40_2000n, A);
  check(fa.allocContiguous(4, B) == 0n, "no run of 4");
  check(fa.allocContiguous(3, B) == 0x40_0000n, "the run of 3");
  check(fa.ownerOf(0x40_1000n) == B && fa.ownerOf(0x40_3000n) == A, "owners recorded");
  check(fa.alloc(A) == 0n, "exhausted again");
  print(`failures ${checkFailures()}`);
  if (readStdin(input) > 0) misuse(u32(input[0] - 0x30));
  return checkFailures();
}

/** One misuse of the allocator (each ends in the checker's panic). */
function misuse(which: u32): void {
  if (which == 1) {
    // Corruption: the bitmap says free while region 3 holds the frame; the next allocation must not hand it out silently.
    fa.bitmap[u32(u64(u64(0x40_1000n - fa.base) / 4096n) >> 6n)] = 0n;
    fa.freeCount = 64;
    for (let k: u32 = 0; k < 64; k++) fa.alloc(A);
  } else if (which == 2) {
    fa.free(0x40_0000n, B);
    fa.free(0x40_0000n, B);
  } else if (which == 3) {
    fa.free(0x40_1000n, A);
  } else if (which == 4) {
    fa.free(0x20_0000n, A);
  }
  print("misuse went unnoticed");
}

