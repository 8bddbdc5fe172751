/**
 * Node world entry (not KTS): maps the ECAM device models of each scenario with
 * mapDevice, runs test/lib/pci-ecam-driver.ts, then prints the models' final
 * state as one `MODEL <json>` line for the test to check independently of what
 * the library reports. Standard input picks the run: empty for the scenarios,
 * "outside" or "past" for a refused access (a panic).
 */
import { readFileSync } from "node:fs";
import { mapDevice } from "kts/unsafe";
import { EcamModel, name, type FnSpec } from "./pci-model";
import * as driver from "./pci-ecam-driver";

const MiB = 0x10_0000n;
const KiB = 0x400n;

/** Direct boot: nothing assigned. */
const A: FnSpec[] = [
  { bus: 0, dev: 0, fn: 0, vendor: 0x1b36, device: 0x0008, cls: 0x06, sub: 0x00 },
  { bus: 0, dev: 1, fn: 0, vendor: 0x8086, device: 0x2918, cls: 0x06, sub: 0x01, header: 0x80, rev: 2 },
  {
    bus: 0, dev: 1, fn: 2, vendor: 0x8086, device: 0x2922, cls: 0x01, sub: 0x06, progIf: 1, rev: 2, pin: 1,
    bars: [{ slot: 4, kind: "io", size: 32n }, { slot: 5, kind: "mem32", size: 4n * KiB }],
  },
  { bus: 0, dev: 1, fn: 3, vendor: 0x8086, device: 0x2930, cls: 0x0c, sub: 0x05, rev: 2, pin: 1, bars: [{ slot: 4, kind: "io", size: 64n }] },
  { bus: 0, dev: 1, fn: 7, vendor: 0x8086, device: 0x29c4, cls: 0x07, sub: 0x80 },
  // No multifunction bit, and it answers at every function number.
  { bus: 0, dev: 2, fn: 0, vendor: 0x1af4, device: 0x1005, cls: 0x00, sub: 0xff, ghost: true, bars: [{ slot: 0, kind: "mem32", size: 256n }] },
  {
    bus: 0, dev: 3, fn: 0, vendor: 0x8086, device: 0x10d3, cls: 0x02, sub: 0x00, pin: 1,
    bars: [
      { slot: 0, kind: "mem64", size: MiB, prefetch: true },
      { slot: 2, kind: "mem32", size: 128n * KiB },
      { slot: 3, kind: "io", size: 32n },
    ],
    capPtr: 0x40,
    caps: [[0x40, 0x01, 0x50], [0x50, 0x05, 0x70], [0x70, 0x11, 0x00]],
  },
  // A bridge with a BAR of its own: the library must leave it alone.
  { bus: 0, dev: 4, fn: 0, vendor: 0x1b36, device: 0x000c, cls: 0x06, sub: 0x04, header: 1, busNumbers: [0, 0, 0], bars: [{ slot: 0, kind: "mem32", size: 4n * KiB }] },
  {
    bus: 0, dev: 5, fn: 0, vendor: 0x1af4, device: 0x1044, cls: 0x07, sub: 0x80,
    bars: [{ slot: 0, kind: "mem64", size: 8n * 1024n * MiB, prefetch: true }, { slot: 2, kind: "mem64", size: 16n * KiB }],
    capPtr: 0x40,
    caps: [[0x40, 0x09, 0x48], [0x48, 0x05, 0x40]],
  },
  {
    bus: 0, dev: 6, fn: 0, vendor: 0x1234, device: 0x1111, cls: 0x03, sub: 0x00,
    bars: [{ slot: 0, kind: "mem32", size: 16n * MiB, prefetch: true }, { slot: 2, kind: "mem32", size: 4n * KiB }],
    capPtr: 0x40,
    caps: [[0x40, 0x10, 0x30]],
  },
  { bus: 0, dev: 7, fn: 0, vendor: 0x1b36, device: 0x0010, cls: 0x01, sub: 0x08, progIf: 2, bars: [{ slot: 0, kind: "mem64", size: 16n * KiB }], capPtr: 0x42 },
  {
    bus: 0, dev: 8, fn: 0, vendor: 0x1b36, device: 0x000d, cls: 0x0c, sub: 0x03, progIf: 0x30, capPtrWithoutStatus: 0x40,
    bars: [{ slot: 0, kind: "mem32", size: 4n * KiB }, { slot: 5, kind: "mem64", size: 4n * KiB }],
  },
  { bus: 1, dev: 31, fn: 0, vendor: 0x8086, device: 0x293e, cls: 0x04, sub: 0x03, pin: 2, bars: [{ slot: 0, kind: "mem32", size: 16n * KiB }] },
];

/** SeaBIOS: firmware addresses, some sound and some not; decode already on. */
const B: FnSpec[] = [
  { bus: 0, dev: 0, fn: 0, vendor: 0x8086, device: 0x29c0, cls: 0x06, sub: 0x00 },
  {
    bus: 0, dev: 1, fn: 0, vendor: 0x8086, device: 0x10d3, cls: 0x02, sub: 0x00, command: 7,
    bars: [
      { slot: 0, kind: "mem32", size: 128n * KiB, fw: 0xfeb8_0000n },
      { slot: 1, kind: "io", size: 32n, fw: 0xc000n },
      { slot: 3, kind: "mem32", size: 16n * KiB, fw: 0xfebd_0000n },
    ],
  },
  // Overlaps 01.0's BAR3.
  {
    bus: 0, dev: 2, fn: 0, vendor: 0x1af4, device: 0x1004, cls: 0x01, sub: 0x00, command: 3,
    bars: [{ slot: 0, kind: "mem32", size: 4n * KiB, fw: 0xfebd_0000n }, { slot: 1, kind: "io", size: 64n, fw: 0xc040n }],
  },
  // Outside the window; a small BAR not on a page of its own.
  {
    bus: 0, dev: 3, fn: 0, vendor: 0x1b36, device: 0x0010, cls: 0x01, sub: 0x08, command: 6,
    bars: [{ slot: 0, kind: "mem64", size: 16n * KiB, prefetch: true, fw: 0x8_0000_0000n }, { slot: 2, kind: "mem32", size: 256n, fw: 0xfebd_5100n }],
  },
  {
    bus: 0, dev: 4, fn: 0, vendor: 0x1234, device: 0x1111, cls: 0x03, sub: 0x00, command: 3,
    bars: [{ slot: 0, kind: "mem32", size: 16n * MiB, prefetch: true, fw: 0xfd00_0000n }, { slot: 2, kind: "mem32", size: 4n * KiB }],
  },
  { bus: 0, dev: 5, fn: 0, vendor: 0x8086, device: 0x2922, cls: 0x01, sub: 0x06, command: 2, bars: [{ slot: 5, kind: "mem32", size: 4n * KiB, fw: 0xfebd_4000n }] },
  // At the window's end (the IOAPIC), and on its last page.
  { bus: 0, dev: 6, fn: 0, vendor: 0x1af4, device: 0x1005, cls: 0x00, sub: 0xff, command: 2, bars: [{ slot: 0, kind: "mem32", size: 8n * KiB, fw: 0xfec0_0000n }] },
  { bus: 0, dev: 7, fn: 0, vendor: 0x1af4, device: 0x1005, cls: 0x00, sub: 0xff, command: 2, bars: [{ slot: 0, kind: "mem32", size: 4n * KiB, fw: 0xfebf_f000n }] },
];

/** A 1 MiB window: two BARs find no room. */
const C: FnSpec[] = [
  { bus: 0, dev: 0, fn: 0, vendor: 0x1af4, device: 0x1000, cls: 0x02, sub: 0x00, bars: [{ slot: 0, kind: "mem32", size: 512n * KiB }] },
  {
    bus: 0, dev: 1, fn: 0, vendor: 0x1af4, device: 0x1001, cls: 0x01, sub: 0x00,
    bars: [{ slot: 0, kind: "mem32", size: 512n * KiB }, { slot: 1, kind: "mem32", size: 4n * KiB }],
  },
  { bus: 0, dev: 2, fn: 0, vendor: 0x1af4, device: 0x1002, cls: 0x03, sub: 0x00, command: 2, bars: [{ slot: 0, kind: "mem32", size: 2n * MiB }] },
  { bus: 0, dev: 3, fn: 0, vendor: 0x8086, device: 0x2930, cls: 0x0c, sub: 0x05, command: 1, bars: [{ slot: 4, kind: "io", size: 16n, fw: 0x700n }] },
];

/** 5 multifunction devices of 8 functions. */
const D: FnSpec[] = [];
for (let dev = 0; dev < 5; dev++) {
  for (let fn = 0; fn < 8; fn++) D.push({ bus: 0, dev, fn, vendor: 0x1af4, device: 0x1000 + fn, cls: 0x02, sub: 0x00, header: 0x80 });
}

const models = {
  A: new EcamModel(A),
  B: new EcamModel(B),
  C: new EcamModel(C),
  D: new EcamModel(D),
};
mapDevice(driver.ECAM_A, 2n * MiB, models.A);
mapDevice(driver.ECAM_B, MiB, models.B);
mapDevice(driver.ECAM_C, MiB, models.C);
mapDevice(driver.ECAM_D, MiB, models.D);

function dump(m: EcamModel): unknown {
  return {
    violations: m.violations,
    ghostReads: m.ghostReads,
    functions: m.functions.map((f) => ({
      name: name(f.spec),
      command: f.command(),
      bars: (f.spec.bars ?? []).map((b) => ({ slot: b.slot, kind: b.kind, size: `0x${b.size.toString(16)}`, fw: `0x${(b.fw ?? 0n).toString(16)}`, now: `0x${f.barValue(b.slot).toString(16)}` })),
    })),
  };
}

export function main(): number {
  const mode = readFileSync(0, "utf8").trim();
  if (mode === "outside") return driver.outside();
  if (mode === "past") return driver.pastSpace();
  const status = driver.main();
  const out: Record<string, unknown> = {};
  for (const [k, m] of Object.entries(models)) out[k] = dump(m);
  process.stdout.write(`MODEL ${JSON.stringify(out)}\n`);
  return status;
}
