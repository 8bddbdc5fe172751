/**
 * Host tests of src/lib/virtio/pci-caps.ts (both worlds, same output): a
 * configuration header laid out as QEMU's virtio-pci functions are, then one
 * kind of damage at a time, then random damage. Whatever the bytes, the parser
 * returns a status (an out-of-bounds read would be a panic here and an ASan
 * report natively), and every window it accepts lies inside its BAR.
 */
import { u8, u32, u64, bool, array, arrayOf, print, check, checkFailures, slice, writeU16Le, writeU32Le } from "kts";
import { VirtioPciCaps, VirtioPciStatus, PciRegion, parseVirtioCaps } from "../../src/lib/virtio/pci-caps";

const cfg: u8[] = array(256, 0);
const caps = new VirtioPciCaps();
/** BAR 4: 16 KiB holding common (0x0), ISR (0x1000), device (0x2000) and notify (0x3000) windows. */
const bars: u64[] = arrayOf([0n, 0n, 0n, 0n, 0x4000n, 0n]);
const twoBars: u64[] = arrayOf([0x4000n, 0x4000n]);
let seed: u32 = 0x9e37_79b9;

function rand(): u32 {
  seed = u32(seed ^ u32(seed << 13));
  seed = u32(seed ^ (seed >>> 17));
  seed = u32(seed ^ u32(seed << 5));
  return seed;
}

function vcap(at: u32, next: u32, type: u8, bar: u8, offset: u32, length: u32, capLen: u8): void {
  cfg[at] = 0x09;
  cfg[u32(at + 1)] = u8(next);
  cfg[u32(at + 2)] = capLen;
  cfg[u32(at + 3)] = type;
  cfg[u32(at + 4)] = bar;
  writeU32Le(cfg, u32(at + 8), offset);
  writeU32Le(cfg, u32(at + 12), length);
}

/**
 * The good header: 0x40 MSI-X (not ours) -> 0x50 common -> 0x60 ISR -> 0x70
 * device -> 0x80 notify (multiplier 4) -> 0x94 PCI_CFG access (type 5) -> end.
 */
function good(): void {
  for (let i: u32 = 0; i < 256; i++) cfg[i] = 0;
  writeU16Le(cfg, 0, 0x1af4);
  writeU16Le(cfg, 2, 0x1042);
  writeU16Le(cfg, 6, 0x10);
  cfg[0x34] = 0x40;
  cfg[0x40] = 0x11;
  cfg[0x41] = 0x50;
  vcap(0x50, 0x60, 1, 4, 0x0, 0x1000, 16);
  vcap(0x60, 0x70, 3, 4, 0x1000, 0x1000, 16);
  vcap(0x70, 0x80, 4, 4, 0x2000, 0x1000, 16);
  vcap(0x80, 0x94, 2, 4, 0x3000, 0x1000, 20);
  writeU32Le(cfg, 0x90, 4);
  vcap(0x94, 0x00, 5, 0, 0, 0, 20);
}

function parse(): VirtioPciStatus {
  return parseVirtioCaps(cfg, bars, caps);
}

function region(r: PciRegion): u32 {
  return r.found ? r.offset : 0xdead;
}

function expect(name: u32, got: VirtioPciStatus, want: VirtioPciStatus): void {
  print(`case ${name}: ${got}`);
  check(got == want, "status as expected");
}

function inside(r: PciRegion, sizes: readonly u64[]): bool {
  if (!r.found) return true;
  return r.bar < sizes.length && u64(u64(r.offset) + u64(r.length)) <= sizes[r.bar];
}

export function main(): u32 {
  good();
  const st = parse();
  print(`good: ${st} common ${region(caps.common)} isr ${region(caps.isr)} device ${region(caps.device)} notify ${region(caps.notify)} x${caps.notifyMultiplier} bar ${caps.notify.bar} len ${caps.notify.length}`);
  check(st == VirtioPciStatus.Ok && caps.common.bar == 4 && caps.isr.offset == 0x1000 && caps.device.found && caps.notify.offset == 0x3000 && caps.notifyMultiplier == 4, "the good header");

  good();
  writeU16Le(cfg, 6, 0);
  expect(1, parse(), VirtioPciStatus.NoCapList);
  good();
  cfg[0x34] = 0x10; // into the standard header
  expect(2, parse(), VirtioPciStatus.BadCapPointer);
  good();
  cfg[0x61] = 0x3c; // a next pointer into the standard header
  expect(3, parse(), VirtioPciStatus.BadCapPointer);
  good();
  cfg[0x81] = 0x50; // notify -> common again
  expect(4, parse(), VirtioPciStatus.CapLoop);
  good();
  cfg[0x41] = 0x40; // MSI-X -> itself
  expect(5, parse(), VirtioPciStatus.CapLoop);
  good();
  cfg[0x34] = 0x43; // reserved low bits are ignored (PCI 3.0)
  expect(6, parse(), VirtioPciStatus.Ok);
  good();
  cfg[0x52] = 12; // shorter than virtio_pci_cap
  expect(7, parse(), VirtioPciStatus.BadCapLength);
  good();
  cfg[0x95] = 0xf8; // PCI_CFG -> a capability at 0xf8 ...
  cfg[0xf8] = 0x09; // ... whose 16 bytes would run past the header
  cfg[0xfa] = 16;
  cfg[0xfb] = 3;
  cfg[0xfc] = 4;
  expect(8, parse(), VirtioPciStatus.BadCapLength);
  good();
  cfg[0x82] = 16; // notify without its multiplier
  expect(9, parse(), VirtioPciStatus.BadCapLength);
  good();
  vcap(0x50, 0x60, 1, 4, 0x3f00, 0x200, 16); // past the end of BAR 4
  expect(10, parse(), VirtioPciStatus.OutsideBar);
  good();
  vcap(0x60, 0x70, 3, 4, 0xffff_ff00, 0x200, 16); // wraps in 32 bits
  expect(11, parse(), VirtioPciStatus.OutsideBar);
  good();
  vcap(0x70, 0x80, 4, 2, 0, 0x10, 16); // in BAR 2, which has no size
  expect(12, parse(), VirtioPciStatus.OutsideBar);
  good();
  expect(13, parseVirtioCaps(cfg, twoBars, caps), VirtioPciStatus.OutsideBar); // BAR 4 not given
  good();
  cfg[0x54] = 6; // a reserved bar number: the capability is ignored
  expect(14, parse(), VirtioPciStatus.MissingCommon);
  good();
  cfg[0x54] = 6;
  vcap(0x94, 0, 1, 4, 0x0, 0x100, 16); // a later common structure is used instead
  expect(15, parse(), VirtioPciStatus.Ok);
  check(caps.common.length == 0x100, "the usable common structure");
  good();
  vcap(0x94, 0, 1, 4, 0x100, 0x100, 16); // a second common: the first wins
  expect(16, parse(), VirtioPciStatus.Ok);
  check(caps.common.offset == 0 && caps.common.length == 0x1000, "the first common structure");
  good();
  cfg[0x51] = 0x70; // common -> device: no ISR
  expect(17, parse(), VirtioPciStatus.MissingIsr);
  good();
  cfg[0x71] = 0x94; // device -> PCI_CFG: no notify
  expect(18, parse(), VirtioPciStatus.MissingNotify);
  good();
  cfg[0x61] = 0x80; // ISR -> notify: no device configuration, which is optional
  expect(19, parse(), VirtioPciStatus.Ok);
  check(!caps.device.found, "no device configuration");
  good();
  writeU32Le(cfg, 0x5c, 0x30); // common shorter than virtio_pci_common_cfg
  expect(20, parse(), VirtioPciStatus.RegionTooSmall);
  good();
  writeU32Le(cfg, 0x58, 2); // common at an odd dword
  expect(21, parse(), VirtioPciStatus.Misaligned);
  good();
  writeU32Le(cfg, 0x90, 3);
  expect(22, parse(), VirtioPciStatus.BadNotifyMultiplier);
  good();
  writeU32Le(cfg, 0x90, 1);
  expect(23, parse(), VirtioPciStatus.BadNotifyMultiplier);
  good();
  writeU32Le(cfg, 0x90, 0); // every queue notifies at one address
  expect(24, parse(), VirtioPciStatus.Ok);
  good();
  expect(25, parseVirtioCaps(slice(cfg, 0, 128), bars, caps), VirtioPciStatus.BadArgument);

  // Random damage to the good header, and random headers.
  const counts: u32[] = array(20, 0);
  let outside: u32 = 0;
  for (let r: u32 = 0; r < 20000; r++) {
    if (r % 4 == 0) {
      for (let i: u32 = 0; i < 256; i++) cfg[i] = u8(rand());
      cfg[6] = u8(cfg[6] | 0x10);
    } else {
      good();
      const flips: u32 = u32(1 + u32(rand() % 4));
      for (let f: u32 = 0; f < flips; f++) {
        const at: u32 = u32(0x34 + u32(rand() % u32(256 - 0x34)));
        cfg[at] = rand() % 2 == 0 ? u8(rand()) : u8(cfg[at] ^ u8(1 << u32(rand() % 8)));
      }
    }
    const s = parse();
    counts[u32(s)] = u32(counts[u32(s)] + 1);
    if (s == VirtioPciStatus.Ok && !(inside(caps.common, bars) && inside(caps.notify, bars) && inside(caps.isr, bars) && inside(caps.device, bars))) outside = u32(outside + 1);
  }
  print(`random: ok ${counts[0]} nocap ${counts[1]} pointer ${counts[2]} loop ${counts[3]} caplen ${counts[4]} outside ${counts[5]} misaligned ${counts[6]} small ${counts[7]} mult ${counts[8]} missing ${counts[9]}/${counts[10]}/${counts[11]}; accepted outside a BAR ${outside}`);
  check(outside == 0, "no accepted window outside its BAR");
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
