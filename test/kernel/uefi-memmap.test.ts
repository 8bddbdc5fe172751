/**
 * The UEFI memory map parser (src/kernel/boot/uefi-memmap.ts) in both worlds (the
 * native build of the generated C with ASan+UBSan, and Node), through
 * test/kernel/uefi-memmap-driver.ts, against an independent reference reader:
 *  - real maps: AAVMF's, as the AArch64 kernel read it before ExitBootServices when
 *    booted from a `cambi image` disk (captured from guest memory with
 *    scripts/capture-boot-info.mjs: test/kernel/fixtures/uefi-memmap-aavmf.bin), and
 *    OVMF's, as GRUB passed it in the Multiboot2 EFI memory map tag (tag 17 of
 *    test/kernel/fixtures/multiboot2-ovmf.bin);
 *  - synthesized maps (merging, limits, every type);
 *  - every truncation, bad descriptor sizes and seeded random flips: an error code or
 *    the reference's regions, never a panic; an error leaves BootInfo untouched.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { bundleForNode } from "../harness/node-world";
import { buildHost } from "../harness/host-world";
import { prng } from "../harness/prng.js";
import { expectParserBatch } from "../harness/parser-batch.js";

const DRIVER = path.join(import.meta.dirname, "uefi-memmap-driver.ts");
const FIXTURES = path.join(import.meta.dirname, "fixtures");
const E = { Ok: 0, BadDescriptorSize: 1, Truncated: 2, Empty: 3, BadDescriptor: 4, NoUsable: 5, TooManyRegions: 6 } as const;
const MAX_REGIONS = 64;
const USABLE = 1;
const RESERVED = 2;
const MAX_U64 = (1n << 64n) - 1n;

type Region = { base: bigint; size: bigint; kind: number };
interface Parsed {
  err: number;
  regions: Region[];
}

const usableType = (t: number) => t === 1 || t === 2 || t === 3 || t === 4 || t === 7;

function refParse(b: Buffer, ds: number): Parsed {
  const fail = (err: number): Parsed => ({ err, regions: [] });
  if (ds < 40 || ds % 8 !== 0 || ds > 4096) return fail(E.BadDescriptorSize);
  if (b.length % ds !== 0) return fail(E.Truncated);
  if (b.length === 0) return fail(E.Empty);
  const descs: { type: number; start: bigint; pages: bigint }[] = [];
  for (let d = 0; d < b.length; d += ds) descs.push({ type: b.readUInt32LE(d), start: b.readBigUInt64LE(d + 8), pages: b.readBigUInt64LE(d + 24) });
  for (const d of descs) {
    if (d.pages === 0n) continue;
    if (d.start % 4096n !== 0n || d.start + d.pages * 4096n - 1n > MAX_U64) return fail(E.BadDescriptor);
  }
  const regions: Region[] = [];
  const add = (start: bigint, size: bigint, kind: number, first: number) => {
    const last = regions[regions.length - 1];
    if (regions.length > first && last && last.kind === kind && last.base + last.size === start) {
      last.size += size;
      return;
    }
    if (regions.length < MAX_REGIONS) regions.push({ base: start, size, kind });
  };
  // Usable runs first (counted as the parser does, before it writes anything).
  let runs = 0;
  let end: bigint | undefined;
  for (const d of descs) {
    if (d.pages === 0n || !usableType(d.type)) continue;
    if (end === undefined || d.start !== end) runs++;
    end = d.start + d.pages * 4096n;
  }
  if (runs === 0) return fail(E.NoUsable);
  if (runs > MAX_REGIONS) return fail(E.TooManyRegions);
  for (const d of descs) if (d.pages !== 0n && usableType(d.type)) add(d.start, d.pages * 4096n, USABLE, 0);
  const firstReserved = regions.length;
  for (const d of descs) if (d.pages !== 0n && !usableType(d.type)) add(d.start, d.pages * 4096n, RESERVED, firstReserved);
  return { err: E.Ok, regions };
}

function formatResult(i: number, r: Parsed): string {
  const hx = (x: bigint) => "0x" + x.toString(16);
  return [`map ${i} err ${r.err}`, `regions ${r.regions.length}`, ...r.regions.map((g) => `region ${hx(g.base)} ${hx(g.size)} ${g.kind}`)].map((l) => l + "\n").join("");
}

function mapOf(descs: [number, bigint, bigint][], ds = 48): Buffer {
  const b = Buffer.alloc(descs.length * ds);
  descs.forEach(([type, start, pages], i) => {
    b.writeUInt32LE(type, i * ds);
    b.writeBigUInt64LE(start, i * ds + 8);
    b.writeBigUInt64LE(pages, i * ds + 24);
    b.writeBigUInt64LE(0xfn, i * ds + 32);
  });
  return b;
}

/** The EFI memory map tag (17) of a Multiboot2 information structure: descriptor size and the descriptors. */
function efiMapFromMultiboot2(mbi: Buffer): { map: Buffer; ds: number } {
  const total = mbi.readUInt32LE(0);
  for (let off = 8; off + 8 <= total; ) {
    const type = mbi.readUInt32LE(off);
    const size = mbi.readUInt32LE(off + 4);
    if (type === 17) return { ds: mbi.readUInt32LE(off + 8), map: Buffer.from(mbi.subarray(off + 16, off + size)) };
    if (type === 0) break;
    off = (off + size + 7) & ~7;
  }
  throw new Error("no EFI memory map tag");
}


let hostExe: string;
let nodeBundle: string;
const real: { label: string; map: Buffer; ds: number }[] = [];

async function expectBatch(items: { map: Buffer; ds: number; label: string }[]): Promise<Parsed[]> {
  const refs = items.map((i) => refParse(i.map, i.ds));
  const parts: Buffer[] = [];
  for (const i of items) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(i.map.length, 0);
    h.writeUInt32LE(i.ds >>> 0, 4);
    parts.push(h, i.map);
  }
  const stdin = Buffer.concat(parts);
  await expectParserBatch(hostExe, nodeBundle, stdin, refs.map((ref, k) => formatResult(k, ref)), items.map((it) => it.label), "map");
  return refs;
}

beforeAll(async () => {
  const aavmf = path.join(FIXTURES, "uefi-memmap-aavmf.bin");
  if (existsSync(aavmf)) real.push({ label: "AAVMF", map: readFileSync(aavmf), ds: 48 });
  real.push({ label: "OVMF (through GRUB)", ...efiMapFromMultiboot2(readFileSync(path.join(FIXTURES, "multiboot2-ovmf.bin"))) });
  hostExe = buildHost(DRIVER);
  nodeBundle = await bundleForNode(DRIVER);
}, 600_000);

describe("UEFI memory map parser (src/kernel/boot/uefi-memmap.ts)", () => {
  it("parses the maps AAVMF and OVMF gave, identically in both worlds, merged to fit BootInfo", async () => {
    expect(real.length).toBe(2);
    const refs = await expectBatch(real);
    refs.forEach((r, i) => {
      const label = real[i]!.label;
      expect(r.err, label).toBe(E.Ok);
      // 128 MiB guests: most of it usable after ExitBootServices; the firmware's runtime regions reserved.
      const usable = r.regions.filter((g) => g.kind === USABLE).reduce((a, g) => a + g.size, 0n);
      expect(usable > 100n << 20n && usable <= 128n << 20n, label).toBe(true);
      expect(r.regions.some((g) => g.kind === RESERVED), label).toBe(true);
      expect(real[i]!.map.length / real[i]!.ds > r.regions.filter((g) => g.kind === USABLE).length, label).toBe(true);
    });
  });

  it("synthesized maps: merging, every type, descriptor sizes, limits", async () => {
    const P = 4096n;
    const cases: { label: string; map: Buffer; ds: number; err: number }[] = [
      { label: "every type", map: mapOf(Array.from({ length: 16 }, (_, t) => [t, BigInt(t) * 0x100000n, 16n] as [number, bigint, bigint])), ds: 48, err: E.Ok },
      { label: "adjacent usable merge", map: mapOf([[7, 0x40000000n, 16n], [4, 0x40000000n + 16n * P, 4n], [3, 0x40000000n + 20n * P, 1n], [5, 0x40000000n + 21n * P, 2n], [7, 0x40000000n + 23n * P, 9n]]), ds: 48, err: E.Ok },
      { label: "descriptor size 40", map: mapOf([[7, 0x1000n, 1n]], 40), ds: 40, err: E.Ok },
      { label: "descriptor size 64", map: mapOf([[7, 0x1000n, 1n], [0, 0x2000n, 1n]], 64), ds: 64, err: E.Ok },
      { label: "zero-page entries skipped (even unaligned)", map: mapOf([[7, 0x1001n, 0n], [7, 0x2000n, 1n]]), ds: 48, err: E.Ok },
      { label: "ends at 2^64", map: mapOf([[0, 0xffff_ffff_ffff_f000n, 1n], [7, 0x1000n, 1n]]), ds: 48, err: E.Ok },
      { label: "64 usable runs", map: mapOf(Array.from({ length: 64 }, (_, i) => [7, BigInt(i) * 0x200000n, 1n] as [number, bigint, bigint])), ds: 48, err: E.Ok },
      { label: "200 reserved beyond room", map: mapOf(Array.from({ length: 200 }, (_, i) => [i % 4 === 0 ? 7 : 0, BigInt(i) * 0x200000n, 1n] as [number, bigint, bigint])), ds: 48, err: E.Ok },
      { label: "65 usable runs", map: mapOf(Array.from({ length: 65 }, (_, i) => [7, BigInt(i) * 0x200000n, 1n] as [number, bigint, bigint])), ds: 48, err: E.TooManyRegions },
      { label: "past 2^64", map: mapOf([[7, 0xffff_ffff_ffff_f000n, 2n]]), ds: 48, err: E.BadDescriptor },
      { label: "huge page count", map: mapOf([[7, 0n, 1n << 60n]]), ds: 48, err: E.BadDescriptor },
      { label: "unaligned start", map: mapOf([[7, 0x1800n, 1n]]), ds: 48, err: E.BadDescriptor },
      { label: "only reserved", map: mapOf([[0, 0x1000n, 1n], [11, 0x9000000n, 16n]]), ds: 48, err: E.NoUsable },
      { label: "empty", map: Buffer.alloc(0), ds: 48, err: E.Empty },
      { label: "partial descriptor", map: Buffer.alloc(50), ds: 48, err: E.Truncated },
      { label: "descriptor size 36", map: Buffer.alloc(72), ds: 36, err: E.BadDescriptorSize },
      { label: "descriptor size 44", map: Buffer.alloc(88), ds: 44, err: E.BadDescriptorSize },
      { label: "descriptor size 0", map: Buffer.alloc(0), ds: 0, err: E.BadDescriptorSize },
      { label: "descriptor size 8192", map: Buffer.alloc(8192), ds: 8192, err: E.BadDescriptorSize },
    ];
    const refs = await expectBatch(cases);
    cases.forEach((c, i) => expect(refs[i]!.err, c.label).toBe(c.err));
    expect(refs[1]!.regions).toEqual([
      { base: 0x40000000n, size: 21n * P, kind: USABLE },
      { base: 0x40000000n + 23n * P, size: 9n * P, kind: USABLE },
      { base: 0x40000000n + 21n * P, size: 2n * P, kind: RESERVED },
    ]);
    expect(refs[7]!.regions.length).toBe(MAX_REGIONS);
  });

  it("gives an error or the reference's regions for every truncation, size and random flip, never a panic", async () => {
    const items: { map: Buffer; ds: number; label: string }[] = [];
    for (const r of real) {
      for (let n = 0; n <= r.map.length; n += 8) items.push({ map: r.map.subarray(0, n), ds: r.ds, label: `${r.label} cut at ${n}` });
      for (const ds of [0, 8, 24, 40, 47, 56, 96, 4096, 4104, 0xffffffff]) items.push({ map: r.map, ds, label: `${r.label} descriptor size ${ds}` });
      const rnd = prng(r.label.length * 977);
      for (let k = 0; k < 400; k++) {
        const c = Buffer.from(r.map);
        const flips = 1 + Math.floor(rnd() * 3);
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(rnd() * c.length);
          if (rnd() < 0.5) c[at] = c[at]! ^ (1 << Math.floor(rnd() * 8));
          else if (at + 8 <= c.length) c.writeBigUInt64LE((BigInt(Math.floor(rnd() * 2 ** 32)) << BigInt(Math.floor(rnd() * 33))) & MAX_U64, at & ~7);
        }
        items.push({ map: c, ds: r.ds, label: `${r.label} random ${k}` });
      }
    }
    const refs = await expectBatch(items);
    const seen = new Set(refs.map((r) => r.err));
    for (const e of [E.Ok, E.BadDescriptorSize, E.Truncated, E.Empty, E.BadDescriptor]) expect(seen.has(e), `error ${e} reached`).toBe(true);
  }, 300_000);
});
