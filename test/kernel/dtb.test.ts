/**
 * The device tree parser (src/kernel/boot/dtb.ts) in both worlds (the native build of
 * the generated C with ASan+UBSan, and Node), through test/kernel/dtb-driver.ts:
 *  - real device trees dumped by QEMU's `virt` machine (`dumpdtb=`) for several memory
 *    sizes, CPU counts, initrds and command lines, checked against the values QEMU was
 *    given and against an independent reader written here;
 *  - synthesized trees (built here) for what QEMU does not produce: 32-bit cells,
 *    reservation entries, several memory nodes, version 16, NOPs, limits;
 *  - corrupt inputs (truncations, bad header fields, broken properties and strings,
 *    deep nesting, seeded random byte flips and word overwrites), each of which must
 *    give the reference reader's error code (or its parse), never a panic.
 * Every batch runs in both worlds; both must print exactly what the reference predicts.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleForNode, runBundle, type RunResult } from "../harness/node-world";
import { buildHost, runExe } from "../harness/host-world";
import { prng } from "../harness/prng.js";
import { expectParserBatch } from "../harness/parser-batch.js";

const DRIVER = path.join(import.meta.dirname, "dtb-driver.ts");

// ---- DtbError codes and BootInfo limits (src/kernel/boot/dtb.ts, bootinfo.ts) ----
const E = {
  Ok: 0,
  TooSmall: 1,
  BadMagic: 2,
  BadVersion: 3,
  Truncated: 4,
  BadHeader: 5,
  BadStructure: 6,
  BadStrings: 7,
  TooDeep: 8,
  BadProperty: 9,
  BadCells: 10,
  BadReg: 11,
  BadInitrd: 12,
  BadRsvmap: 13,
  TooManyRegions: 14,
} as const;
const MAX_REGIONS = 64;
const MAX_CPUS = 16;
const CMDLINE_MAX = 256;
const MAX_DEPTH = 16;
const USABLE = 1;
const RESERVED = 2;

// ---- An independent reference reader ---------------------------------------------
interface Info {
  regions: { base: bigint; size: bigint; kind: number }[];
  cpus: bigint[];
  initrdBase: bigint;
  initrdSize: bigint;
  cmdline: Buffer;
}
interface Parsed {
  err: number;
  info: Info;
}

function emptyInfo(): Info {
  return { regions: [], cpus: [], initrdBase: 0n, initrdSize: 0n, cmdline: Buffer.alloc(0) };
}

class Fail extends Error {
  constructor(readonly code: number) {
    super(`dtb error ${code}`);
  }
}

const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

/** The base name of a node ("memory" for "memory@40000000"). */
function baseName(name: string): string {
  const at = name.indexOf("@");
  return at < 0 ? name : name.slice(0, at);
}

/** A property value that is the string s, with or without its terminating NUL. */
function isString(v: Buffer, s: string): boolean {
  const t = Buffer.from(s, "latin1");
  return v.equals(t) || v.equals(Buffer.concat([t, Buffer.from([0])]));
}

function readCells(v: Buffer, at: number, n: number): bigint {
  let x = 0n;
  for (let i = 0; i < n; i++) x = (x << 32n) | BigInt(v.readUInt32BE(at + 4 * i));
  return x;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * What parseDtb must do with blob (the rules documented in dtb.ts), written
 * independently: a single pass that throws Fail(code) at the first problem.
 */
function refParse(b: Buffer): Parsed {
  try {
    return { err: E.Ok, info: refScan(b) };
  } catch (e) {
    if (e instanceof Fail) return { err: e.code, info: emptyInfo() };
    throw e;
  }
}

function refScan(b: Buffer): Info {
  if (b.length < 40) throw new Fail(E.TooSmall);
  const h = (i: number) => b.readUInt32BE(4 * i);
  if (h(0) !== 0xd00dfeed) throw new Fail(E.BadMagic);
  const [total, offStruct, offStrings, offRsv, version, lastComp] = [h(1), h(2), h(3), h(4), h(5), h(6)];
  const sizeStrings = h(8);
  if (total > b.length) throw new Fail(E.Truncated);
  if (version < 16 || lastComp > 17) throw new Fail(E.BadVersion);
  const hdr = version === 16 ? 36 : 40;
  if (total < 40) throw new Fail(E.BadHeader);
  if (offStruct % 4 !== 0 || offStruct < hdr || offStruct > total) throw new Fail(E.BadHeader);
  const sizeStruct = version >= 17 ? h(9) : total - offStruct;
  if (offStruct + sizeStruct > total) throw new Fail(E.BadHeader);
  if (offStrings < hdr || offStrings + sizeStrings > total) throw new Fail(E.BadHeader);
  if (offRsv % 8 !== 0 || offRsv < hdr || offRsv > total) throw new Fail(E.BadHeader);

  const struct = b.subarray(offStruct, offStruct + sizeStruct);
  const strings = b.subarray(offStrings, offStrings + sizeStrings);
  const usable: { base: bigint; size: bigint; kind: number }[] = [];
  const cpus: bigint[] = [];
  let initrdStart: bigint | undefined;
  let initrdEnd: bigint | undefined;
  let cmdline: Buffer | undefined;

  interface Open {
    name: string;
    addrCells: number;
    sizeCells: number;
    deviceType?: Buffer;
    reg?: Buffer;
  }
  const stack: Open[] = [];
  const addRegion = (base: bigint, size: bigint, kind: number) => {
    if (size === 0n) return;
    if (base + size - 1n > U64_MAX) throw new Fail(kind === USABLE ? E.BadReg : E.BadRsvmap);
    if (usable.length === MAX_REGIONS) throw new Fail(E.TooManyRegions);
    usable.push({ base, size, kind });
  };
  const isChosen = () => stack.length === 2 && baseName(stack[1]!.name) === "chosen";
  const isCpusChild = () => stack.length === 3 && baseName(stack[1]!.name) === "cpus";

  // Absolute positions: alignment is relative to the blob's start.
  let p = 0;
  let rootDone = false;
  const align = (x: number) => (offStruct + x + 3) & ~3;
  for (;;) {
    if (p + 4 > struct.length) throw new Fail(E.BadStructure);
    const token = struct.readUInt32BE(p);
    p += 4;
    if (token === FDT_BEGIN_NODE) {
      if (rootDone) throw new Fail(E.BadStructure);
      if (stack.length === MAX_DEPTH) throw new Fail(E.TooDeep);
      const nul = struct.indexOf(0, p);
      if (nul < 0) throw new Fail(E.BadStructure);
      const name = struct.subarray(p, nul).toString("latin1");
      p = align(nul + 1) - offStruct;
      stack.push({ name, addrCells: 2, sizeCells: 1 });
    } else if (token === FDT_END_NODE) {
      const node = stack.at(-1);
      if (!node) throw new Fail(E.BadStructure);
      const depth = stack.length;
      const dev = node.deviceType;
      if (depth === 2 && (baseName(node.name) === "memory" || (dev && isString(dev, "memory")))) {
        if (node.reg) {
          const ac = stack[0]!.addrCells;
          const sc = stack[0]!.sizeCells;
          if (ac < 1 || ac > 2 || sc < 1 || sc > 2) throw new Fail(E.BadCells);
          const entry = 4 * (ac + sc);
          if (node.reg.length % entry !== 0) throw new Fail(E.BadReg);
          for (let q = 0; q < node.reg.length; q += entry) {
            addRegion(readCells(node.reg, q, ac), readCells(node.reg, q + 4 * ac, sc), USABLE);
          }
        }
      } else if (isCpusChild() && (baseName(node.name) === "cpu" || (dev && isString(dev, "cpu")))) {
        const ac = stack[1]!.addrCells;
        const sc = stack[1]!.sizeCells;
        if (ac < 1 || ac > 2 || sc > 2) throw new Fail(E.BadCells);
        const entry = 4 * (ac + sc);
        if (!node.reg || node.reg.length === 0 || node.reg.length % entry !== 0) throw new Fail(E.BadReg);
        if (cpus.length < MAX_CPUS) cpus.push(readCells(node.reg, 0, ac));
      }
      stack.pop();
      if (stack.length === 0) rootDone = true;
    } else if (token === FDT_PROP) {
      const node = stack.at(-1);
      if (!node) throw new Fail(E.BadStructure);
      if (p + 8 > struct.length) throw new Fail(E.BadStructure);
      const len = struct.readUInt32BE(p);
      const nameOff = struct.readUInt32BE(p + 4);
      p += 8;
      if (p + len > struct.length) throw new Fail(E.BadStructure);
      const value = struct.subarray(p, p + len);
      p = align(p + len) - offStruct;
      if (nameOff >= strings.length) throw new Fail(E.BadStrings);
      const nul = strings.indexOf(0, nameOff);
      if (nul < 0) throw new Fail(E.BadStrings);
      const name = strings.subarray(nameOff, nul).toString("latin1");
      if (name === "#address-cells" || name === "#size-cells") {
        if (len !== 4) throw new Fail(E.BadProperty);
        if (name === "#address-cells") node.addrCells = value.readUInt32BE(0);
        else node.sizeCells = value.readUInt32BE(0);
      } else if (name === "reg") {
        node.reg = value;
      } else if (name === "device_type") {
        node.deviceType = value;
      } else if (isChosen()) {
        if (name === "linux,initrd-start" || name === "linux,initrd-end") {
          if (len !== 4 && len !== 8) throw new Fail(E.BadProperty);
          const v = readCells(value, 0, len / 4);
          if (name === "linux,initrd-start") initrdStart = v;
          else initrdEnd = v;
        } else if (name === "bootargs") {
          const nul = value.indexOf(0);
          cmdline = Buffer.from(value.subarray(0, Math.min(nul < 0 ? len : nul, CMDLINE_MAX - 1)));
        }
      }
    } else if (token === FDT_NOP) {
      // skip
    } else if (token === FDT_END) {
      if (stack.length !== 0 || !rootDone) throw new Fail(E.BadStructure);
      break;
    } else {
      throw new Fail(E.BadStructure);
    }
  }
  const haveInitrd = initrdStart !== undefined && initrdEnd !== undefined;
  if (haveInitrd && initrdEnd! < initrdStart!) throw new Fail(E.BadInitrd);

  for (let q = offRsv; ; q += 16) {
    if (q + 16 > total) throw new Fail(E.BadRsvmap);
    const addr = b.readBigUInt64BE(q);
    const size = b.readBigUInt64BE(q + 8);
    if (addr === 0n && size === 0n) break;
    addRegion(addr, size, RESERVED);
  }
  return {
    regions: usable,
    cpus,
    initrdBase: haveInitrd ? initrdStart! : 0n,
    initrdSize: haveInitrd ? initrdEnd! - initrdStart! : 0n,
    cmdline: cmdline ?? Buffer.alloc(0),
  };
}

/** What dtbTotalSize must return for a blob's first 40 bytes. */
function refTotalSize(b: Buffer): number {
  if (b.length < 40 || b.readUInt32BE(0) !== 0xd00dfeed) return 0;
  const total = b.readUInt32BE(4);
  return total >= 40 && total <= 2 * 1024 * 1024 ? total : 0;
}

/** The driver's text for one blob. */
function formatResult(index: number, r: Parsed, blob: Buffer): string {
  const hx = (x: bigint) => "0x" + x.toString(16);
  const lines = [`dtb ${index} err ${r.err} size ${refTotalSize(blob)}`, `regions ${r.info.regions.length}`];
  for (const g of r.info.regions) lines.push(`region ${hx(g.base)} ${hx(g.size)} ${g.kind}`);
  lines.push(`cpus ${r.info.cpus.length}`);
  for (const c of r.info.cpus) lines.push(`cpu ${hx(c)}`);
  lines.push(`initrd ${hx(r.info.initrdBase)} ${hx(r.info.initrdSize)}`);
  lines.push(`cmdline ${r.info.cmdline.length}`);
  for (let o = 0; o < r.info.cmdline.length; o += 16) {
    const row: number[] = [];
    for (let i = o; i < o + 16; i++) row.push(i < r.info.cmdline.length ? r.info.cmdline[i]! : 0);
    lines.push(`c ${row.join(" ")}`);
  }
  return lines.map((l) => l + "\n").join("");
}

/** Splits driver output into per-blob texts. */
// ---- Building device trees ----------------------------------------------------
interface DtNode {
  name: string;
  props: [string, Buffer][];
  children: DtNode[];
}
const node = (name: string, props: [string, Buffer][] = [], children: DtNode[] = []): DtNode => ({ name, props, children });
const cellsBuf = (...xs: (number | bigint)[]): Buffer => {
  const out = Buffer.alloc(4 * xs.length);
  xs.forEach((x, i) => out.writeUInt32BE(Number(BigInt(x) & 0xffffffffn), 4 * i));
  return out;
};
const strBuf = (s: string): Buffer => Buffer.from(s + "\0", "latin1");

interface BuildOpts {
  rsv?: [bigint, bigint][];
  version?: number;
  lastComp?: number;
  /** Put an FDT_NOP before every token. */
  nops?: boolean;
  /** Extra tokens after the root (before FDT_END). */
  tail?: number[];
  /** Omit the final FDT_END. */
  noEnd?: boolean;
}

/** Serializes a tree in dtc's layout: header, reservation block, structure, strings. */
function buildDtb(root: DtNode, opts: BuildOpts = {}): Buffer {
  const names = new Map<string, number>();
  const strParts: Buffer[] = [];
  let strLen = 0;
  const nameOff = (n: string) => {
    let o = names.get(n);
    if (o === undefined) {
      o = strLen;
      names.set(n, o);
      strParts.push(strBuf(n));
      strLen += n.length + 1;
    }
    return o;
  };
  const words: Buffer[] = [];
  const tok = (t: number) => {
    if (opts.nops) words.push(cellsBuf(FDT_NOP));
    words.push(cellsBuf(t));
  };
  const pad = (buf: Buffer) => Buffer.concat([buf, Buffer.alloc((4 - (buf.length % 4)) % 4)]);
  const emit = (n: DtNode) => {
    tok(FDT_BEGIN_NODE);
    words.push(pad(strBuf(n.name)));
    for (const [k, v] of n.props) {
      tok(FDT_PROP);
      words.push(cellsBuf(v.length, nameOff(k)), pad(v));
    }
    for (const c of n.children) emit(c);
    tok(FDT_END_NODE);
  };
  emit(root);
  for (const t of opts.tail ?? []) words.push(cellsBuf(t));
  if (!opts.noEnd) tok(FDT_END);
  const struct = Buffer.concat(words);
  const strings = Buffer.concat(strParts);
  const rsvEntries = [...(opts.rsv ?? []), [0n, 0n] as [bigint, bigint]];
  const rsv = Buffer.alloc(16 * rsvEntries.length);
  rsvEntries.forEach(([a, s], i) => {
    rsv.writeBigUInt64BE(a, 16 * i);
    rsv.writeBigUInt64BE(s, 16 * i + 8);
  });
  const offRsv = 40;
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const hdr = Buffer.alloc(40);
  [0xd00dfeed, total, offStruct, offStrings, offRsv, opts.version ?? 17, opts.lastComp ?? 16, 0, strings.length, struct.length].forEach(
    (v, i) => hdr.writeUInt32BE(v, 4 * i),
  );
  return Buffer.concat([hdr, rsv, struct, strings]);
}

/** A copy of blob with header word i (0..9) set to v. */
function withHeader(blob: Buffer, i: number, v: number): Buffer {
  const out = Buffer.from(blob);
  out.writeUInt32BE(v >>> 0, 4 * i);
  return out;
}

/** QEMU pads its blob to 1 MiB; the same tree with totalsize cut to the end of the strings block. */
function compact(blob: Buffer): Buffer {
  const end = blob.readUInt32BE(12) + blob.readUInt32BE(32);
  expect(blob.readUInt32BE(8) + blob.readUInt32BE(36)).toBeLessThanOrEqual(end);
  return withHeader(blob.subarray(0, end), 1, end);
}

/** Absolute offsets of the PROP tokens of a well-formed blob, with their name. */
function propTokens(blob: Buffer): { at: number; name: string }[] {
  const offStruct = blob.readUInt32BE(8);
  const offStrings = blob.readUInt32BE(12);
  const end = offStruct + blob.readUInt32BE(36);
  const out: { at: number; name: string }[] = [];
  let p = offStruct;
  while (p < end) {
    const t = blob.readUInt32BE(p);
    if (t === FDT_BEGIN_NODE) p = (blob.indexOf(0, p + 4) + 1 + 3) & ~3;
    else if (t === FDT_PROP) {
      const len = blob.readUInt32BE(p + 4);
      const no = blob.readUInt32BE(p + 8);
      out.push({ at: p, name: blob.subarray(offStrings + no, blob.indexOf(0, offStrings + no)).toString() });
      p = (p + 12 + len + 3) & ~3;
    } else if (t === FDT_END) break;
    else p += 4;
  }
  return out;
}


// ---- Running the driver in both worlds ------------------------------------------
let hostExe: string;
let nodeBundle: string;

function batch(blobs: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const b of blobs) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

async function runBoth(stdin: Buffer): Promise<{ host: RunResult; node: RunResult }> {
  const [host, node] = await Promise.all([runExe(hostExe, stdin), runBundle(nodeBundle, stdin)]);
  return { host, node };
}

/**
 * Runs blobs as one batch in both worlds; both must exit 0 with no stderr and print
 * exactly what the reference reader predicts. Returns the reference results.
 */
async function expectBatch(blobs: Buffer[], labels: string[]): Promise<Parsed[]> {
  const refs = blobs.map(refParse);
  const expected = refs.map((r, i) => formatResult(i, r, blobs[i]!));
  await expectParserBatch(hostExe, nodeBundle, batch(blobs), expected, labels, "dtb");
  return refs;
}

// ---- QEMU device trees --------------------------------------------------------
interface QemuConfig {
  label: string;
  memMiB: number;
  smp: number;
  initrdSize?: number;
  append?: string;
}
const QEMU_CONFIGS: QemuConfig[] = [
  { label: "-m 128 -smp 1", memMiB: 128, smp: 1 },
  { label: "-m 512 -smp 4 + initrd + bootargs", memMiB: 512, smp: 4, initrdSize: 12345, append: "console=ttyAMA0 foo" },
  { label: "-m 2048 -smp 8", memMiB: 2048, smp: 8 },
  {
    label: "-m 4096 -smp 16 + initrd + 300-byte bootargs",
    memMiB: 4096,
    smp: 16,
    initrdSize: 3 * 1024 * 1024 + 7,
    append: "root=/dev/vda " + "abcdefghij".repeat(29),
  },
];
const qemuBlobs: Buffer[] = [];

function dumpQemuDtb(dir: string, c: QemuConfig, i: number): Buffer {
  const out = path.join(dir, `virt-${i}.dtb`);
  const args = ["-machine", `virt,gic-version=3,dumpdtb=${out}`, "-cpu", "max", "-m", String(c.memMiB), "-smp", String(c.smp)];
  args.push("-nographic");
  if (c.initrdSize !== undefined || c.append !== undefined) {
    // QEMU only passes an initrd and a command line along with a kernel.
    const kernel = path.join(dir, "kernel.bin");
    writeFileSync(kernel, Buffer.alloc(4096));
    args.push("-kernel", kernel);
  }
  if (c.initrdSize !== undefined) {
    const initrd = path.join(dir, `initrd-${i}.bin`);
    writeFileSync(initrd, Buffer.alloc(c.initrdSize, 0x5a));
    args.push("-initrd", initrd);
  }
  if (c.append !== undefined) args.push("-append", c.append);
  const r = spawnSync("qemu-system-aarch64", args, { stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`qemu ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return readFileSync(out);
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-dtb-"));
  QEMU_CONFIGS.forEach((c, i) => qemuBlobs.push(dumpQemuDtb(dir, c, i)));
  hostExe = buildHost(DRIVER);
  nodeBundle = await bundleForNode(DRIVER);
}, 600_000);

describe("device tree parser (src/kernel/boot/dtb.ts)", () => {
  it("the reference reader decodes QEMU's trees to the values QEMU was given", async () => {
    QEMU_CONFIGS.forEach((c, i) => {
      const r = refParse(qemuBlobs[i]!);
      expect(r.err, c.label).toBe(E.Ok);
      expect(r.info.regions, c.label).toEqual([{ base: 0x4000_0000n, size: BigInt(c.memMiB) << 20n, kind: USABLE }]);
      expect(r.info.cpus, c.label).toEqual(Array.from({ length: c.smp }, (_, k) => BigInt(k)));
      if (c.initrdSize !== undefined) {
        expect(r.info.initrdSize, c.label).toBe(BigInt(c.initrdSize));
        expect(r.info.initrdBase >= 0x4000_0000n, c.label).toBe(true);
        expect(r.info.initrdBase + r.info.initrdSize <= 0x4000_0000n + (BigInt(c.memMiB) << 20n), c.label).toBe(true);
      } else {
        expect([r.info.initrdBase, r.info.initrdSize], c.label).toEqual([0n, 0n]);
      }
      expect(r.info.cmdline.toString("latin1"), c.label).toBe((c.append ?? "").slice(0, CMDLINE_MAX - 1));
      // And the compacted copy parses the same.
      expect(refParse(compact(qemuBlobs[i]!)), c.label).toEqual(r);
    });
  });

  it("parses QEMU virt trees given raw (1 MiB, as dumped), identically in both worlds", async () => {
    for (const [i, c] of QEMU_CONFIGS.entries()) {
      const blob = qemuBlobs[i]!;
      expect(blob.readUInt32BE(4), c.label).toBe(blob.length);
      const { host, node } = await runBoth(blob);
      const expected = formatResult(0, refParse(blob), blob);
      expect(expected.split("\n")[0], c.label).toBe(`dtb 0 err 0 size ${blob.length}`);
      for (const r of [host, node]) {
        expect(r.stderr, c.label).toBe("");
        expect(r.status, c.label).toBe(0);
        expect(r.stdout, c.label).toBe(expected);
      }
    }
  });

  it("parses QEMU virt trees compacted to their used size, in one batch", async () => {
    const blobs = qemuBlobs.map(compact);
    const refs = await expectBatch(blobs, QEMU_CONFIGS.map((c) => c.label));
    for (const r of refs) expect(r.err).toBe(E.Ok);
  });

  it("parses synthesized trees: 32-bit cells, reservations, several memory nodes, v16, NOPs, limits", async () => {
    const cases: { label: string; blob: Buffer; err: number; check?: (info: Info) => void }[] = [];
    const add = (label: string, blob: Buffer, err: number, check?: (info: Info) => void) => cases.push({ label, blob, err, check });

    const cpus32 = node("cpus", [["#address-cells", cellsBuf(1)], ["#size-cells", cellsBuf(0)]], [
      node("cpu-map", [], [node("cluster0", [], [node("core0", [["cpu", cellsBuf(1)]])])]),
      node("cpu@0", [["device_type", strBuf("cpu")], ["reg", cellsBuf(0)]]),
      node("cpu@100", [["reg", cellsBuf(0x100)]]), // by name, no device_type
      node("core@1", [["device_type", strBuf("cpu")], ["reg", cellsBuf(0x101)]]), // by device_type
      node("l2-cache", [["reg", cellsBuf(0x7)]]), // neither
    ]);
    const small = node("", [["#address-cells", cellsBuf(1)], ["#size-cells", cellsBuf(1)]], [
      node("chosen", [
        ["bootargs", strBuf("earlycon quiet")],
        ["linux,initrd-start", cellsBuf(0x8100_0000)],
        ["linux,initrd-end", cellsBuf(0x8120_0000)],
      ]),
      cpus32,
      // reg before device_type, a zero-sized entry (skipped) and two entries.
      node("memory@80000000", [["reg", cellsBuf(0x8000_0000, 0x1000_0000, 0x9000_0000, 0, 0xa000_0000, 0x1000)]]),
      node("ram", [["reg", cellsBuf(0xc000_0000, 0x100)], ["device_type", strBuf("memory")]]),
      node("memory", [["reg", cellsBuf(0xd000_0000, 0x200)]]),
      node("memoryx@0", [["reg", cellsBuf(0xe000_0000, 0x300)]]), // not a memory node
      node("soc", [["#address-cells", cellsBuf(2)], ["#size-cells", cellsBuf(2)]], [
        node("memory@0", [["device_type", strBuf("memory")], ["reg", cellsBuf(0, 0xf000_0000, 0, 0x10)]]), // not a child of /
      ]),
    ]);
    const rsv: [bigint, bigint][] = [
      [0x8000_0000n, 0x1000n],
      [0x1234n, 0n], // zero size: skipped
      [0xffff_ffff_ffff_f000n, 0x1000n], // ends exactly at 2^64
    ];
    add("32-bit cells, reservations", buildDtb(small, { rsv }), E.Ok, (info) => {
      expect(info.regions).toEqual([
        { base: 0x8000_0000n, size: 0x1000_0000n, kind: USABLE },
        { base: 0xa000_0000n, size: 0x1000n, kind: USABLE },
        { base: 0xc000_0000n, size: 0x100n, kind: USABLE },
        { base: 0xd000_0000n, size: 0x200n, kind: USABLE },
        { base: 0x8000_0000n, size: 0x1000n, kind: RESERVED },
        { base: 0xffff_ffff_ffff_f000n, size: 0x1000n, kind: RESERVED },
      ]);
      expect(info.cpus).toEqual([0n, 0x100n, 0x101n]);
      expect([info.initrdBase, info.initrdSize]).toEqual([0x8100_0000n, 0x20_0000n]);
      expect(info.cmdline.toString()).toBe("earlycon quiet");
    });
    add("the same with NOPs before every token", buildDtb(small, { rsv, nops: true }), E.Ok, (info) =>
      expect(info.regions.length).toBe(6),
    );
    add("the same as version 16", buildDtb(small, { rsv, version: 16 }), E.Ok, (info) => expect(info.cpus.length).toBe(3));

    // 64-bit MPIDRs with #address-cells = 2 under /cpus, 64-bit initrd cells, no bootargs NUL.
    const big = node("", [], [
      node("cpus", [["#address-cells", cellsBuf(2)], ["#size-cells", cellsBuf(0)]], [
        node("cpu@0", [["reg", cellsBuf(0, 0)]]),
        node("cpu@100000000", [["reg", cellsBuf(1, 0)]]),
      ]),
      node("chosen@0", [
        ["linux,initrd-start", cellsBuf(0x1, 0x0)],
        ["linux,initrd-end", cellsBuf(0x1, 0x1000)],
        ["bootargs", Buffer.from("no-terminator")],
      ]),
      node("memory@100000000", [["reg", cellsBuf(1, 0, 0x2000_0000)]]), // default cells 2/1
    ]);
    add("two-cell MPIDRs and initrd, default root cells", buildDtb(big), E.Ok, (info) => {
      expect(info.cpus).toEqual([0n, 0x1_0000_0000n]);
      expect(info.regions).toEqual([{ base: 0x1_0000_0000n, size: 0x2000_0000n, kind: USABLE }]);
      expect([info.initrdBase, info.initrdSize]).toEqual([0x1_0000_0000n, 0x1000n]);
      expect(info.cmdline.toString()).toBe("no-terminator");
    });
    // The last bootargs wins; an initrd with only a start is ignored.
    add(
      "two chosen nodes",
      buildDtb(node("", [], [
        node("chosen", [["bootargs", strBuf("first one is longer")], ["linux,initrd-start", cellsBuf(5)]]),
        node("chosen", [["bootargs", strBuf("second")]]),
      ])),
      E.Ok,
      (info) => {
        expect(info.cmdline.toString()).toBe("second");
        expect([info.initrdBase, info.initrdSize]).toEqual([0n, 0n]);
      },
    );
    add(
      "bootargs longer than CMDLINE_MAX",
      buildDtb(node("", [], [node("chosen", [["bootargs", strBuf("y".repeat(1000))]])])),
      E.Ok,
      (info) => expect(info.cmdline.toString()).toBe("y".repeat(CMDLINE_MAX - 1)),
    );
    const manyCpus = node("", [], [
      node("cpus", [["#address-cells", cellsBuf(1)], ["#size-cells", cellsBuf(0)]],
        Array.from({ length: 20 }, (_, k) => node(`cpu@${k}`, [["reg", cellsBuf(k)]]))),
    ]);
    add("20 CPUs (BootInfo keeps 16)", buildDtb(manyCpus), E.Ok, (info) => expect(info.cpus.length).toBe(MAX_CPUS));

    // Nesting: MAX_DEPTH open nodes are fine, one more is not.
    const chain = (depth: number): DtNode => {
      let n = node(`n${depth}`);
      for (let d = depth - 1; d >= 1; d--) n = node(d === 1 ? "" : `n${d}`, [], [n]);
      return n;
    };
    add(`nesting depth ${MAX_DEPTH}`, buildDtb(chain(MAX_DEPTH)), E.Ok);
    add(`nesting depth ${MAX_DEPTH + 1}`, buildDtb(chain(MAX_DEPTH + 1)), E.TooDeep);
    add("nesting depth 1000", buildDtb(chain(1000)), E.TooDeep);

    // Limits and semantic errors.
    const mem = (reg: Buffer, rootProps: [string, Buffer][] = []) =>
      buildDtb(node("", rootProps, [node("memory@0", [["device_type", strBuf("memory")], ["reg", reg]])]));
    add("65 memory entries", mem(cellsBuf(...Array.from({ length: 65 }, (_, k) => [0, k << 20, 0x1000]).flat())), E.TooManyRegions);
    add("64 memory entries", mem(cellsBuf(...Array.from({ length: 64 }, (_, k) => [0, k << 20, 0x1000]).flat())), E.Ok);
    add("64 memory entries + 1 reservation",
      buildDtb(node("", [], [node("memory", [["reg", cellsBuf(...Array.from({ length: 64 }, (_, k) => [0, k << 20, 0x1000]).flat())]])]), { rsv: [[1n, 1n]] }),
      E.TooManyRegions);
    add("70 reservations", buildDtb(node(""), { rsv: Array.from({ length: 70 }, (_, k) => [BigInt(k + 1) << 20n, 0x1000n] as [bigint, bigint]) }), E.TooManyRegions);
    add("memory reg not a whole entry", mem(cellsBuf(0, 0, 0x1000, 0)), E.BadReg);
    add("memory reg wrapping 2^64", mem(cellsBuf(0xffffffff, 0xfffff000, 0x2000)), E.BadReg);
    add("memory with #address-cells 3", mem(cellsBuf(0, 0, 0, 1), [["#address-cells", cellsBuf(3)]]), E.BadCells);
    add("memory with #size-cells 0", mem(cellsBuf(0, 0), [["#size-cells", cellsBuf(0)]]), E.BadCells);
    add("#address-cells of 8 bytes", mem(cellsBuf(0, 0, 1), [["#address-cells", cellsBuf(0, 2)]]), E.BadProperty);
    add("memory node without reg", buildDtb(node("", [], [node("memory@0", [["device_type", strBuf("memory")]])])), E.Ok);
    add("reservation wrapping 2^64", buildDtb(node(""), { rsv: [[0xffff_ffff_ffff_f000n, 0x1001n]] }), E.BadRsvmap);
    add("cpu without reg", buildDtb(node("", [], [node("cpus", [["#size-cells", cellsBuf(0)]], [node("cpu@0")])])), E.BadReg);
    add("cpu under /cpus with #address-cells 0",
      buildDtb(node("", [], [node("cpus", [["#address-cells", cellsBuf(0)], ["#size-cells", cellsBuf(0)]], [node("cpu@0", [["reg", cellsBuf(0)]])])])),
      E.BadCells);
    add("initrd end before start",
      buildDtb(node("", [], [node("chosen", [["linux,initrd-start", cellsBuf(0x2000)], ["linux,initrd-end", cellsBuf(0x1000)]])])),
      E.BadInitrd);
    add("initrd start of 6 bytes",
      buildDtb(node("", [], [node("chosen", [["linux,initrd-start", Buffer.alloc(6)]])])),
      E.BadProperty);

    // Structural errors.
    add("two roots", buildDtb(node(""), { tail: [FDT_BEGIN_NODE, 0, FDT_END_NODE] }), E.BadStructure);
    add("END_NODE after the root", buildDtb(node(""), { tail: [FDT_END_NODE] }), E.BadStructure);
    add("PROP after the root", buildDtb(node(""), { tail: [FDT_PROP, 0, 0] }), E.BadStructure);
    add("NOPs after the root", buildDtb(node(""), { tail: [FDT_NOP, FDT_NOP] }), E.Ok);
    add("unknown token", buildDtb(node("", [], [node("a")]), { tail: [7] }), E.BadStructure);
    add("no FDT_END", buildDtb(node(""), { noEnd: true }), E.BadStructure);
    add("unclosed root", (() => {
      const b = buildDtb(node("", [], [node("a")]));
      const off = b.readUInt32BE(8) + b.readUInt32BE(36) - 8;
      expect(b.readUInt32BE(off)).toBe(FDT_END_NODE);
      b.writeUInt32BE(FDT_NOP, off);
      return b;
    })(), E.BadStructure);
    add("FDT_END first", (() => {
      const b = buildDtb(node(""));
      b.writeUInt32BE(FDT_END, b.readUInt32BE(8));
      return b;
    })(), E.BadStructure);

    // Header errors.
    const ok = buildDtb(small, { rsv });
    add("version 15", withHeader(ok, 5, 15), E.BadVersion);
    add("last_comp_version 18", withHeader(ok, 6, 18), E.BadVersion);
    add("misaligned off_dt_struct", withHeader(ok, 2, ok.readUInt32BE(8) + 2), E.BadHeader);
    add("misaligned off_mem_rsvmap", withHeader(ok, 4, 44), E.BadHeader);
    add("off_mem_rsvmap inside the header", withHeader(ok, 4, 32), E.BadHeader);
    add("off_dt_struct inside the header", withHeader(ok, 2, 36), E.BadHeader);
    add("version 16 with off_dt_struct 36", withHeader(withHeader(ok, 5, 16), 2, 36), E.BadStructure);
    add("totalsize below the header", withHeader(ok, 1, 39), E.BadHeader);
    add("39-byte blob", ok.subarray(0, 39), E.TooSmall);
    add("empty blob", Buffer.alloc(0), E.TooSmall);

    const refs = await expectBatch(cases.map((c) => c.blob), cases.map((c) => c.label));
    cases.forEach((c, i) => {
      expect(refs[i]!.err, c.label).toBe(c.err);
      c.check?.(refs[i]!.info);
    });
  });

  it("rejects corrupt QEMU trees with an error code, never a panic", async () => {
    const cases: { label: string; blob: Buffer; err?: number }[] = [];
    const add = (label: string, blob: Buffer, err?: number) => cases.push({ label, blob, err });
    for (const [qi, raw] of qemuBlobs.entries()) {
      const blob = compact(raw);
      const offStruct = blob.readUInt32BE(8);
      const offStrings = blob.readUInt32BE(12);
      const sizeStruct = blob.readUInt32BE(36);
      const tag = `qemu ${qi}`;
      add(`${tag}: bad magic`, withHeader(blob, 0, 0xd00dfeee), E.BadMagic);
      add(`${tag}: totalsize larger than the data`, withHeader(blob, 1, blob.length + 1), E.Truncated);
      add(`${tag}: totalsize 0xffffffff`, withHeader(blob, 1, 0xffffffff), E.Truncated);
      add(`${tag}: off_dt_struct past totalsize`, withHeader(blob, 2, blob.length + 4), E.BadHeader);
      add(`${tag}: off_dt_struct 0xfffffffc`, withHeader(blob, 2, 0xfffffffc), E.BadHeader);
      add(`${tag}: size_dt_struct past totalsize`, withHeader(blob, 9, blob.length - offStruct + 4), E.BadHeader);
      add(`${tag}: size_dt_struct 0xffffffff`, withHeader(blob, 9, 0xffffffff), E.BadHeader);
      add(`${tag}: size_dt_struct 0`, withHeader(blob, 9, 0), E.BadStructure);
      add(`${tag}: size_dt_struct one word short`, withHeader(blob, 9, sizeStruct - 4), E.BadStructure);
      add(`${tag}: off_dt_strings past totalsize`, withHeader(blob, 3, blob.length + 1), E.BadHeader);
      add(`${tag}: size_dt_strings past totalsize`, withHeader(blob, 8, blob.length - offStrings + 1), E.BadHeader);
      add(`${tag}: size_dt_strings 0`, withHeader(blob, 8, 0), E.BadStrings);
      add(`${tag}: off_mem_rsvmap at totalsize`, withHeader(blob, 4, blob.length & ~7), E.BadRsvmap);
      add(`${tag}: off_mem_rsvmap past totalsize`, withHeader(blob, 4, (blob.length + 8) & ~7), E.BadHeader);
      // Strings block cut so that the last name loses its NUL.
      add(`${tag}: last string unterminated`, withHeader(blob, 8, blob.readUInt32BE(32) - 1));

      const props = propTokens(blob);
      for (const name of ["reg", "#address-cells", "bootargs", "compatible", "device_type"]) {
        const t = props.find((x) => x.name === name);
        if (!t) continue;
        add(`${tag}: ${name} length past the block`, (() => {
          const b = Buffer.from(blob);
          b.writeUInt32BE(offStruct + sizeStruct - (t.at + 12) + 1, t.at + 4);
          return b;
        })(), E.BadStructure);
        add(`${tag}: ${name} length 0xffffffff`, (() => {
          const b = Buffer.from(blob);
          b.writeUInt32BE(0xffffffff, t.at + 4);
          return b;
        })(), E.BadStructure);
        add(`${tag}: ${name} name offset past the strings block`, (() => {
          const b = Buffer.from(blob);
          b.writeUInt32BE(blob.readUInt32BE(32), t.at + 8);
          return b;
        })(), E.BadStrings);
        add(`${tag}: ${name} name offset 0xffffffff`, (() => {
          const b = Buffer.from(blob);
          b.writeUInt32BE(0xffffffff, t.at + 8);
          return b;
        })(), E.BadStrings);
        add(`${tag}: ${name} length + 1`, (() => {
          const b = Buffer.from(blob);
          b.writeUInt32BE(b.readUInt32BE(t.at + 4) + 1, t.at + 4);
          return b;
        })());
      }

      // Truncations: the data cut (header unchanged), totalsize cut too, and the block
      // sizes clamped to the cut as well (so the walk runs into the end).
      const cuts = new Set<number>();
      for (let n = 0; n < blob.length; n += 64) cuts.add(n);
      const rnd = prng(1000 + qi);
      for (let k = 0; k < 24; k++) cuts.add(Math.floor(rnd() * blob.length));
      for (const n of [...cuts].sort((a, b) => a - b)) {
        const cut = blob.subarray(0, n);
        add(`${tag}: cut at ${n}`, cut, n < 40 ? E.TooSmall : E.Truncated);
        if (n < 40) continue;
        add(`${tag}: cut at ${n}, totalsize ${n}`, withHeader(cut, 1, n));
        const clamped = withHeader(cut, 1, n);
        const structLen = Math.max(0, Math.min(sizeStruct, n - offStruct));
        clamped.writeUInt32BE(structLen, 36);
        if (offStrings > n) {
          clamped.writeUInt32BE(n, 12);
          clamped.writeUInt32BE(0, 32);
        } else {
          clamped.writeUInt32BE(Math.min(blob.readUInt32BE(32), n - offStrings), 32);
        }
        if (offStruct > n) clamped.writeUInt32BE(n & ~3, 8);
        add(`${tag}: cut at ${n}, blocks clamped`, clamped);
      }
    }
    const refs = await expectBatch(cases.map((c) => c.blob), cases.map((c) => c.label));
    cases.forEach((c, i) => {
      if (c.err !== undefined) expect(refs[i]!.err, c.label).toBe(c.err);
      else if (c.label.includes("cut at")) expect(refs[i]!.err, c.label).not.toBe(E.Ok);
    });
  });

  for (const seed of [1, 2]) {
    it(`survives seeded random corruption (seed ${seed})`, async () => {
      const rnd = prng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
      const bases = [...qemuBlobs.map(compact), buildDtb(node("", [["#address-cells", cellsBuf(1)], ["#size-cells", cellsBuf(1)]], [
        node("chosen", [["bootargs", strBuf("a b c")], ["linux,initrd-start", cellsBuf(0x1000)], ["linux,initrd-end", cellsBuf(0x2000)]]),
        node("memory@0", [["reg", cellsBuf(0, 0x1000_0000)]]),
        node("cpus", [["#address-cells", cellsBuf(1)], ["#size-cells", cellsBuf(0)]], [node("cpu@0", [["reg", cellsBuf(0)]])]),
      ]), { rsv: [[0x100n, 0x100n]] })];
      const words = [0, 1, 2, 3, 4, 9, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffc, 0x10, 0x100000];
      const blobs: Buffer[] = [];
      const labels: string[] = [];
      for (let k = 0; k < 400; k++) {
        const bi = Math.floor(rnd() * bases.length);
        const b = Buffer.from(bases[bi]!);
        const offStruct = b.readUInt32BE(8);
        const structEnd = offStruct + b.readUInt32BE(36);
        const mode = k % 4;
        const n = 1 + Math.floor(rnd() * 4);
        for (let j = 0; j < n; j++) {
          // Mostly the header and structure block, where the interesting bytes are.
          const region = rnd();
          const at =
            region < 0.2 ? Math.floor(rnd() * 40)
            : region < 0.9 ? offStruct + Math.floor(rnd() * (structEnd - offStruct))
            : Math.floor(rnd() * b.length);
          if (mode === 0) b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8));
          else if (mode === 1) b[at] = Math.floor(rnd() * 256);
          else if (mode === 2 && at + 4 <= b.length) b.writeUInt32BE(pick(words), at & ~3);
          else if (at + 4 <= b.length) b.writeUInt32BE((b.readUInt32BE(at & ~3) + pick([1, -1, 4, -4, 8])) >>> 0, at & ~3);
        }
        blobs.push(b);
        labels.push(`seed ${seed} case ${k} (base ${bi}, mode ${mode})`);
      }
      const refs = await expectBatch(blobs, labels);
      // The corruption must actually exercise both outcomes.
      expect(refs.filter((r) => r.err === E.Ok).length).toBeGreaterThan(0);
      expect(refs.filter((r) => r.err !== E.Ok).length).toBeGreaterThan(100);
    });
  }
});
