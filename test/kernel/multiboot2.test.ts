/**
 * The Multiboot2 information parser (src/kernel/boot/multiboot2.ts) in both worlds (the
 * native build of the generated C with ASan+UBSan, and Node), through
 * test/kernel/multiboot2-driver.ts:
 *  - real structures GRUB 2.06 (Debian) handed the kernel when booting a `cambi image`
 *    disk in QEMU under OVMF and under SeaBIOS, captured from guest memory with
 *    scripts/capture-boot-info.mjs (test/kernel/fixtures/multiboot2-*.bin);
 *  - synthesized structures for what those do not show (several modules, long command
 *    lines, both ACPI tags, zero-length and wrapping map entries, too many regions);
 *  - every truncation of the real ones, corrupted total sizes and tag sizes, and seeded
 *    random byte flips: each must give the reference reader's error code or parse,
 *    never a panic, and an error must leave the BootInfo untouched.
 * Both worlds must print exactly what the independent reference reader here predicts.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bundleForNode } from "../harness/node-world";
import { buildHost } from "../harness/host-world";
import { prng } from "../harness/prng.js";
import { expectParserBatch } from "../harness/parser-batch.js";

const DRIVER = path.join(import.meta.dirname, "multiboot2-driver.ts");
const FIXTURES = path.join(import.meta.dirname, "fixtures");

const E = {
  Ok: 0,
  TooSmall: 1,
  Truncated: 2,
  BadSize: 3,
  BadTag: 4,
  NoEnd: 5,
  BadCmdline: 6,
  BadModule: 7,
  BadMmap: 8,
  BadAcpi: 9,
  NoMemoryMap: 10,
  TooManyRegions: 11,
} as const;
const MAX_REGIONS = 64;
const CMDLINE_MAX = 256;
const MAX_SIZE = 1 << 20;
const USABLE = 1;
const RESERVED = 2;
const MAX_U64 = (1n << 64n) - 1n;

// ---- An independent reference reader ---------------------------------------------
interface Info {
  regions: { base: bigint; size: bigint; kind: number }[];
  initrdBase: bigint;
  initrdSize: bigint;
  rsdp: bigint;
  valid: boolean;
  cmdline: Buffer;
}
interface Parsed {
  err: number;
  info: Info;
}
const emptyInfo = (): Info => ({ regions: [], initrdBase: 0n, initrdSize: 0n, rsdp: 0n, valid: false, cmdline: Buffer.alloc(0) });

function refParse(b: Buffer, phys: bigint): Parsed {
  const fail = (err: number): Parsed => ({ err, info: emptyInfo() });
  if (b.length < 8) return fail(E.TooSmall);
  const total = b.readUInt32LE(0);
  if (total < 16 || total > MAX_SIZE) return fail(E.BadSize);
  if (total > b.length) return fail(E.Truncated);
  const hasNul = (from: number, end: number) => b.subarray(from, end).includes(0);
  let cmdline = -1;
  let module = -1;
  let mmap = -1;
  let acpiOld = -1;
  let acpiNew = -1;
  let usable = 0;
  let off = 8;
  for (;;) {
    if (total - off < 8) return fail(E.NoEnd);
    const type = b.readUInt32LE(off);
    const size = b.readUInt32LE(off + 4);
    if (size < 8 || size > total - off) return fail(E.BadTag);
    if (type === 0) break;
    const end = off + size;
    if (type === 1) {
      if (!hasNul(off + 8, end)) return fail(E.BadCmdline);
      if (cmdline < 0) cmdline = off;
    } else if (type === 3) {
      if (size < 17 || b.readUInt32LE(off + 12) < b.readUInt32LE(off + 8) || !hasNul(off + 16, end)) return fail(E.BadModule);
      if (module < 0) module = off;
    } else if (type === 6) {
      if (size < 16) return fail(E.BadMmap);
      const es = b.readUInt32LE(off + 8);
      if (es < 24 || es % 8 !== 0 || (size - 16) % es !== 0) return fail(E.BadMmap);
      if (mmap < 0) {
        mmap = off;
        for (let e = off + 16; e < end; e += es) {
          const base = b.readBigUInt64LE(e);
          const len = b.readBigUInt64LE(e + 8);
          if (len !== 0n && base + len - 1n > MAX_U64) return fail(E.BadMmap);
          if (len !== 0n && b.readUInt32LE(e + 16) === 1) usable++;
        }
      }
    } else if (type === 14) {
      if (size < 28) return fail(E.BadAcpi);
      if (acpiOld < 0) acpiOld = off;
    } else if (type === 15) {
      if (size < 44) return fail(E.BadAcpi);
      if (acpiNew < 0) acpiNew = off;
    }
    off = (off + size + 7) & ~7;
    if (off >= total) return fail(E.NoEnd);
  }
  if (mmap < 0) return fail(E.NoMemoryMap);
  if (usable + 1 > MAX_REGIONS) return fail(E.TooManyRegions);
  const info = emptyInfo();
  const es = b.readUInt32LE(mmap + 8);
  const mend = mmap + b.readUInt32LE(mmap + 4);
  const entries: { base: bigint; size: bigint; type: number }[] = [];
  for (let e = mmap + 16; e < mend; e += es) entries.push({ base: b.readBigUInt64LE(e), size: b.readBigUInt64LE(e + 8), type: b.readUInt32LE(e + 16) });
  for (const e of entries) if (e.size !== 0n && e.type === 1) info.regions.push({ base: e.base, size: e.size, kind: USABLE });
  info.regions.push({ base: phys, size: BigInt(total), kind: RESERVED });
  for (const e of entries) if (e.size !== 0n && e.type !== 1 && info.regions.length < MAX_REGIONS) info.regions.push({ base: e.base, size: e.size, kind: RESERVED });
  if (module >= 0) {
    const start = b.readUInt32LE(module + 8);
    info.initrdBase = BigInt(start);
    info.initrdSize = BigInt(b.readUInt32LE(module + 12) - start);
  }
  if (cmdline >= 0) {
    const s = b.subarray(cmdline + 8);
    info.cmdline = Buffer.from(s.subarray(0, Math.min(s.indexOf(0), CMDLINE_MAX - 1)));
  }
  if (acpiNew >= 0) info.rsdp = (phys + BigInt(acpiNew + 8)) & MAX_U64;
  else if (acpiOld >= 0) info.rsdp = (phys + BigInt(acpiOld + 8)) & MAX_U64;
  info.valid = true;
  return { err: E.Ok, info };
}

const refTotalSize = (b: Buffer): number => (b.length < 8 ? 0 : b.readUInt32LE(0));

function formatResult(index: number, r: Parsed, blob: Buffer): string {
  const hx = (x: bigint) => "0x" + x.toString(16);
  const lines = [`mb2 ${index} err ${r.err} size ${refTotalSize(blob)}`, `regions ${r.info.regions.length}`];
  for (const g of r.info.regions) lines.push(`region ${hx(g.base)} ${hx(g.size)} ${g.kind}`);
  lines.push(`initrd ${hx(r.info.initrdBase)} ${hx(r.info.initrdSize)}`);
  lines.push(`rsdp ${hx(r.info.rsdp)} valid ${r.info.valid ? 1 : 0}`);
  lines.push(`cmdline ${r.info.cmdline.length}`);
  for (let o = 0; o < r.info.cmdline.length; o += 16) {
    const row: number[] = [];
    for (let i = o; i < o + 16; i++) row.push(i < r.info.cmdline.length ? r.info.cmdline[i]! : 0);
    lines.push(`c ${row.join(" ")}`);
  }
  return lines.map((l) => l + "\n").join("");
}


// ---- Building structures ----------------------------------------------------------
type Tag = { type: number; payload: Buffer; size?: number };
function mbi(tags: Tag[], opts: { noEnd?: boolean; total?: number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.alloc(8)];
  const all = opts.noEnd ? tags : [...tags, { type: 0, payload: Buffer.alloc(0) }];
  for (const t of all) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(t.type, 0);
    h.writeUInt32LE(t.size ?? 8 + t.payload.length, 4);
    const body = Buffer.concat([h, t.payload]);
    parts.push(body, Buffer.alloc((8 - (body.length % 8)) % 8));
  }
  const b = Buffer.concat(parts);
  b.writeUInt32LE(opts.total ?? b.length, 0);
  return b;
}
const str = (s: string) => Buffer.from(s + "\0", "latin1");
const u32s = (...xs: number[]) => {
  const b = Buffer.alloc(4 * xs.length);
  xs.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
};
function mmapTag(entries: [bigint, bigint, number][], entrySize = 24): Tag {
  const body = Buffer.alloc(8 + entries.length * entrySize);
  body.writeUInt32LE(entrySize, 0);
  entries.forEach(([base, len, type], i) => {
    const o = 8 + i * entrySize;
    body.writeBigUInt64LE(base, o);
    body.writeBigUInt64LE(len, o + 8);
    body.writeUInt32LE(type, o + 16);
  });
  return { type: 6, payload: body };
}
const moduleTag = (start: number, end: number, name = "bundle"): Tag => ({ type: 3, payload: Buffer.concat([u32s(start, end), str(name)]) });
const rsdpTag = (type: 14 | 15, len: number): Tag => ({ type, payload: Buffer.alloc(len, 0x52) });
const basicMap = (): Tag =>
  mmapTag([
    [0n, 0x9fc00n, 1],
    [0x9fc00n, 0x400n, 2],
    [0x100000n, 0x7ee0000n, 1],
    [0xb0000000n, 0x10000000n, 2],
  ]);


// ---- Running the driver in both worlds ------------------------------------------
let hostExe: string;
let nodeBundle: string;
let ovmf: Buffer;
let seabios: Buffer;
const OVMF_PHYS = 0x16000n;
const SEABIOS_PHYS = 0x10b068n;

function batch(items: { blob: Buffer; phys: bigint }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { blob, phys } of items) {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(blob.length, 0);
    h.writeBigUInt64LE(phys, 4);
    parts.push(h, blob);
  }
  return Buffer.concat(parts);
}

async function expectBatch(items: { blob: Buffer; phys: bigint; label: string }[]): Promise<Parsed[]> {
  const refs = items.map((i) => refParse(i.blob, i.phys));
  const expected = refs.map((r, i) => formatResult(i, r, items[i]!.blob));
  await expectParserBatch(hostExe, nodeBundle, batch(items), expected, items.map((i) => i.label), "mb2");
  return refs;
}

beforeAll(async () => {
  ovmf = readFileSync(path.join(FIXTURES, "multiboot2-ovmf.bin"));
  seabios = readFileSync(path.join(FIXTURES, "multiboot2-seabios.bin"));
  hostExe = buildHost(DRIVER);
  nodeBundle = await bundleForNode(DRIVER);
}, 600_000);

describe("Multiboot2 information parser (src/kernel/boot/multiboot2.ts)", () => {
  it("parses what GRUB handed the kernel under OVMF and SeaBIOS, identically in both worlds", async () => {
    const refs = await expectBatch([
      { blob: ovmf, phys: OVMF_PHYS, label: "OVMF" },
      { blob: seabios, phys: SEABIOS_PHYS, label: "SeaBIOS" },
    ]);
    for (const [r, label] of [[refs[0]!, "OVMF"], [refs[1]!, "SeaBIOS"]] as const) {
      expect(r.err, label).toBe(E.Ok);
      // The module is the signed bundle: page-aligned (the header's module alignment tag), "CBND"-sized.
      expect(r.info.initrdSize > 1024n, label).toBe(true);
      expect(r.info.initrdBase % 4096n, label).toBe(0n);
      // ACPI: the RSDP copy inside the structure starts with "RSD PTR ".
      const blob = label === "OVMF" ? ovmf : seabios;
      const phys = label === "OVMF" ? OVMF_PHYS : SEABIOS_PHYS;
      expect(blob.subarray(Number(r.info.rsdp - phys), Number(r.info.rsdp - phys) + 8).toString("latin1"), label).toBe("RSD PTR ");
      // 128 MiB guest: between 100 and 128 MiB usable, the structure itself reserved.
      const usable = r.info.regions.filter((g) => g.kind === USABLE).reduce((a, g) => a + g.size, 0n);
      expect(usable > 100n << 20n && usable <= 128n << 20n, label).toBe(true);
      expect(r.info.regions).toContainEqual({ base: phys, size: BigInt(blob.length), kind: RESERVED });
    }
  });

  it("parses synthesized structures: modules, command lines, ACPI tags, map entries, limits", async () => {
    const long = "loglevel=3 " + "x".repeat(300);
    const many: [bigint, bigint, number][] = Array.from({ length: 63 }, (_, i) => [BigInt(i) << 24n, 0x1000n, 1]);
    const tooMany: [bigint, bigint, number][] = Array.from({ length: 64 }, (_, i) => [BigInt(i) << 24n, 0x1000n, 1]);
    const lotsReserved: [bigint, bigint, number][] = Array.from({ length: 80 }, (_, i) => [BigInt(i) << 24n, 0x1000n, i % 3 === 0 ? 1 : 2]);
    const cases: { label: string; blob: Buffer; err: number }[] = [
      { label: "minimal", blob: mbi([basicMap()]), err: E.Ok },
      { label: "everything", blob: mbi([{ type: 1, payload: str("loglevel=2 quiet") }, { type: 2, payload: str("GRUB") }, moduleTag(0x200000, 0x280000), moduleTag(0x300000, 0x300010, "second"), basicMap(), rsdpTag(14, 20), rsdpTag(15, 36)]), err: E.Ok },
      { label: "old ACPI only", blob: mbi([basicMap(), rsdpTag(14, 20)]), err: E.Ok },
      { label: "long command line cut", blob: mbi([{ type: 1, payload: str(long) }, basicMap()]), err: E.Ok },
      { label: "empty module", blob: mbi([moduleTag(0x200000, 0x200000), basicMap()]), err: E.Ok },
      { label: "entry size 32, zero-length entries", blob: mbi([mmapTag([[0n, 0n, 1], [0x100000n, 0x100000n, 1], [0x300000n, 0n, 2]], 32)]), err: E.Ok },
      { label: "entry ending at 2^64", blob: mbi([mmapTag([[0xffff_ffff_ffff_f000n, 0x1000n, 2], [0x100000n, 0x100000n, 1]])]), err: E.Ok },
      { label: "63 usable regions", blob: mbi([mmapTag(many)]), err: E.Ok },
      { label: "reserved entries beyond room dropped", blob: mbi([mmapTag(lotsReserved)]), err: E.Ok },
      { label: "64 usable regions", blob: mbi([mmapTag(tooMany)]), err: E.TooManyRegions },
      { label: "entry wrapping 2^64", blob: mbi([mmapTag([[0xffff_ffff_ffff_f000n, 0x1001n, 1]])]), err: E.BadMmap },
      { label: "entry size 20", blob: mbi([mmapTag([[0n, 0x1000n, 1]], 20)]), err: E.BadMmap },
      { label: "entry size 28", blob: mbi([mmapTag([[0n, 0x1000n, 1]], 28)]), err: E.BadMmap },
      { label: "map tag of 12 bytes", blob: mbi([{ type: 6, payload: u32s(24) }]), err: E.BadMmap },
      { label: "partial entry", blob: mbi([{ type: 6, payload: Buffer.concat([u32s(24, 0), Buffer.alloc(30)]) }]), err: E.BadMmap },
      { label: "no map", blob: mbi([{ type: 1, payload: str("") }]), err: E.NoMemoryMap },
      { label: "module end before start", blob: mbi([moduleTag(0x200000, 0x1ff000), basicMap()]), err: E.BadModule },
      { label: "module string unterminated", blob: mbi([{ type: 3, payload: Buffer.concat([u32s(1, 2), Buffer.from("abc")]) }, basicMap()]), err: E.BadModule },
      { label: "module tag of 16 bytes", blob: mbi([{ type: 3, payload: u32s(1, 2) }, basicMap()]), err: E.BadModule },
      { label: "command line unterminated", blob: mbi([{ type: 1, payload: Buffer.from("loglevel=3") }, basicMap()]), err: E.BadCmdline },
      { label: "old RSDP short", blob: mbi([basicMap(), rsdpTag(14, 19)]), err: E.BadAcpi },
      { label: "new RSDP short", blob: mbi([basicMap(), rsdpTag(15, 35)]), err: E.BadAcpi },
      { label: "no end tag", blob: mbi([basicMap()], { noEnd: true }), err: E.NoEnd },
      { label: "tag size 4", blob: mbi([{ type: 2, payload: Buffer.alloc(8), size: 4 }, basicMap()]), err: E.BadTag },
      { label: "tag past the end", blob: mbi([basicMap(), { type: 2, payload: Buffer.alloc(8), size: 1000 }]), err: E.BadTag },
      { label: "total 8", blob: mbi([basicMap()], { total: 8 }), err: E.BadSize },
      { label: "total 2 MiB", blob: mbi([basicMap()], { total: 2 << 20 }), err: E.BadSize },
      { label: "total past the bytes", blob: mbi([basicMap()], { total: 4096 }), err: E.Truncated },
      { label: "4 bytes", blob: Buffer.from([16, 0, 0, 0]), err: E.TooSmall },
      { label: "nothing", blob: Buffer.alloc(0), err: E.TooSmall },
    ];
    const refs = await expectBatch(cases.map((c) => ({ blob: c.blob, phys: 0x9000n, label: c.label })));
    cases.forEach((c, i) => expect(refs[i]!.err, c.label).toBe(c.err));
    // What the cases show, beyond the codes.
    const all = refs[1]!.info;
    expect([all.initrdBase, all.initrdSize, all.cmdline.toString()]).toEqual([0x200000n, 0x80000n, "loglevel=2 quiet"]);
    expect(all.rsdp).toBe(0x9000n + BigInt(cases[1]!.blob.indexOf(Buffer.alloc(36, 0x52), cases[1]!.blob.indexOf(Buffer.alloc(20, 0x52)) + 24)));
    expect(refs[3]!.info.cmdline.length).toBe(CMDLINE_MAX - 1);
    expect(refs[8]!.info.regions.length).toBe(MAX_REGIONS);
  });

  it("gives an error or the reference's parse for every truncation, bad size and random flip, never a panic", async () => {
    const items: { blob: Buffer; phys: bigint; label: string }[] = [];
    for (const [name, blob, phys] of [["SeaBIOS", seabios, SEABIOS_PHYS], ["OVMF", ovmf, OVMF_PHYS]] as const) {
      // Truncations: every length (SeaBIOS), every 8th (OVMF), with total_size kept and with it rewritten.
      const step = name === "OVMF" ? 8 : 1;
      for (let n = 0; n < blob.length; n += step) {
        items.push({ blob: blob.subarray(0, n), phys, label: `${name} cut at ${n}` });
        if (n >= 8) {
          const c = Buffer.from(blob.subarray(0, n));
          c.writeUInt32LE(n, 0);
          items.push({ blob: c, phys, label: `${name} cut at ${n}, total rewritten` });
        }
      }
      // Each tag's size field: 0, 7, 8, one less, one more, huge.
      for (let off = 8; off + 8 <= blob.length; ) {
        const size = blob.readUInt32LE(off + 4);
        for (const v of [0, 7, 8, size - 1, size + 1, 0xffffffff]) {
          const c = Buffer.from(blob);
          c.writeUInt32LE(v >>> 0, off + 4);
          items.push({ blob: c, phys, label: `${name} tag at ${off} size ${v}` });
        }
        if (blob.readUInt32LE(off) === 0 || size < 8) break;
        off = (off + size + 7) & ~7;
      }
      // Seeded random flips and word overwrites.
      const rnd = prng(name === "OVMF" ? 0x0f0f : 0x5eab);
      for (let k = 0; k < 400; k++) {
        const c = Buffer.from(blob);
        const flips = 1 + Math.floor(rnd() * 3);
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(rnd() * c.length);
          if (rnd() < 0.5) c[at] = c[at]! ^ (1 << Math.floor(rnd() * 8));
          else if (at + 4 <= c.length) c.writeUInt32LE(Math.floor(rnd() * 0x100000000), at & ~3);
        }
        items.push({ blob: c, phys, label: `${name} random ${k}` });
      }
    }
    const refs = await expectBatch(items);
    // The corpus reaches every error the real structures can show.
    const seen = new Set(refs.map((r) => r.err));
    for (const e of [E.Ok, E.TooSmall, E.Truncated, E.BadSize, E.BadTag, E.NoEnd, E.BadModule, E.BadMmap]) expect(seen.has(e), `error ${e} reached`).toBe(true);
  }, 300_000);
});
