/**
 * Version 2 boot bundles: a real one built for the test tier (stand-in services
 * compiled for x86_64, signed, packed) read back by the kernel's reader
 * (src/kernel/loader/bundle.ts, natively with ASan+UBSan and under Node): tier,
 * endpoint table, services, restart policies, capabilities and signed modules
 * as the manifest says, each module verified. Then small bundles damaged field
 * by field and by random byte changes: each gets its error code, agreeing with
 * an independent reading of the format here, and no read ever panics.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BUNDLE_MAGIC, packBundle, packBundleV2, V2 } from "../../compiler/build/bundle.js";
import { encodeCapabilities, encodeInspection, endpointTable, loadTier } from "../../compiler/build/manifest.js";
import { buildTierBundle, type TierBundle } from "../../compiler/build/tier.js";
import { generateKeyPair } from "../../compiler/trust/keys.js";
import { signModule } from "../../compiler/trust/signed-module.js";
import { buildHost, runExe } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";
import { fakeElf, lcgBytes, STAND_INS, tempDir } from "./helpers.js";

const DRIVER = path.join(import.meta.dirname, "bundle-driver.ts");
const E = { Ok: 0, TooSmall: 1, BadMagic: 2, BadVersion: 3, BadTable: 4, BadEntry: 5, BadName: 6, BadService: 7, BadCapability: 8 };
const A = generateKeyPair();
const B = generateKeyPair();

interface ServiceView {
  check: number;
  nameOffset: number;
  nameLength: number;
  restart: number;
  moduleOffset: number;
  moduleSize: number;
  verdict: number;
  capCount: number;
  caps: { kind: number; rights: number; arg: number }[];
}
interface BundleView {
  line: string;
  version: number;
  check: number;
  tier: [number, number];
  endpoints: [number, number][];
  services: ServiceView[];
  /** Inspection rules, and the reader's answer one past the last (all zero). */
  rules: { endpoint: number; label: number; rule: number }[];
}

/** Parses the driver's output into one view per bundle. */
function parse(out: string): BundleView[] {
  const views: BundleView[] = [];
  for (const line of out.trim().split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^bundle \d+ version (\d+) check (\d+) tier (\d+) (\d+) endpoints (\d+) services (\d+)$/.exec(line))) {
      views.push({ line, version: +m[1]!, check: +m[2]!, tier: [+m[3]!, +m[4]!], endpoints: [], services: [], rules: [] });
    } else if ((m = /^ {2}endpoint \d+ (\d+) (\d+)$/.exec(line))) {
      views.at(-1)!.endpoints.push([+m[1]!, +m[2]!]);
    } else if ((m = /^ {2}service \d+ check (\d+) name (\d+) (\d+) restart (\d+) module (\d+) (\d+) verdict (\d+) caps (\d+)$/.exec(line))) {
      views.at(-1)!.services.push({ check: +m[1]!, nameOffset: +m[2]!, nameLength: +m[3]!, restart: +m[4]!, moduleOffset: +m[5]!, moduleSize: +m[6]!, verdict: +m[7]!, capCount: +m[8]!, caps: [] });
    } else if ((m = /^ {2}rule \d+ endpoint (\d+) label (\d+) kind (\d+)$/.exec(line))) {
      views.at(-1)!.rules.push({ endpoint: +m[1]!, label: +m[2]!, rule: +m[3]! });
    } else if ((m = /^ {4}cap (\d+) kind (\d+) rights (\d+) arg (\d+)$/.exec(line))) {
      views.at(-1)!.services.at(-1)!.caps[+m[1]!] = { kind: +m[2]!, rights: +m[3]!, arg: +m[4]! };
    } else {
      throw new Error(`unexpected driver line: ${line}`);
    }
  }
  return views;
}

interface Req {
  name: string;
  bytes: Buffer;
  key: Uint8Array;
  verify: boolean;
}

async function readBoth(reqs: Req[]): Promise<BundleView[]> {
  const input = Buffer.concat(
    reqs.flatMap((r) => {
      const h = Buffer.alloc(8);
      h.writeUInt32LE(r.verify ? 1 : 0, 0);
      h.writeUInt32LE(r.bytes.length, 4);
      return [h, r.bytes, Buffer.from(r.key)];
    }),
  );
  const [native, node] = await Promise.all([runExe(buildHost(DRIVER), input), runInNode(DRIVER, input)]);
  expect(native.stderr).toBe("");
  expect(native.status).toBe(0);
  expect(node.stderr).toBe("");
  expect(node.stdout).toBe(native.stdout);
  const views = parse(native.stdout);
  expect(views.length).toBe(reqs.length);
  return views;
}

const text = (b: Buffer, [off, len]: [number, number]) => b.toString("latin1", off, off + len);

/**
 * The format read independently (docs/signed-module.md): the header verdict and
 * each service record's. The kernel's reader must give the same codes.
 */
function reference(b: Buffer): { check: number; services: number[] } {
  const nameOk = (at: number, n: number) => {
    const s = b.subarray(at, at + n);
    const len = s.indexOf(0);
    return len > 0 && /^[a-z0-9-]+$/.test(s.toString("latin1", 0, len)) && s.subarray(len).every((x) => x === 0);
  };
  const header = (): number => {
    if (b.length < 16) return E.TooSmall;
    if (b.toString("latin1", 0, 8) !== BUNDLE_MAGIC) return E.BadMagic;
    if (b.readUInt32LE(8) !== 2) return E.BadVersion;
    if (b.length < 64) return E.TooSmall;
    if (b.readUInt32LE(12) !== 64) return E.BadVersion;
    if (b.subarray(44, 64).some((x) => x !== 0)) return E.BadTable;
    if (!nameOk(16, 16)) return E.BadName;
    const [eps, svcs, rules] = [b.readUInt32LE(32), b.readUInt32LE(36), b.readUInt32LE(40)];
    if (eps > 32 || svcs === 0 || svcs > 32 || rules > 32 || 64 + 32 * eps + 192 * svcs + 16 * rules > b.length) return E.BadTable;
    for (let i = 0; i < rules; i++) {
      const at = 64 + 32 * eps + 192 * svcs + 16 * i;
      if (b.readUInt32LE(at) >= eps || ![1, 2].includes(b.readUInt32LE(at + 8)) || b.readUInt32LE(at + 12) !== 0) return E.BadTable;
    }
    for (let i = 0; i < eps; i++) if (!nameOk(64 + 32 * i, 32)) return E.BadName;
    return E.Ok;
  };
  const check = header();
  if (check !== E.Ok) return { check, services: [] };
  const eps = b.readUInt32LE(32);
  const svcs = b.readUInt32LE(36);
  const tablesEnd = 64 + 32 * eps + 192 * svcs + 16 * b.readUInt32LE(40);
  const allowed: Record<number, number> = { 1: 7, 2: 60, 3: 6, 4: 28, 7: 2, 8: 3, 9: 1, 10: 0, 11: 2 };
  const services: number[] = [];
  for (let i = 0; i < svcs; i++) {
    const at = 64 + 32 * eps + 192 * i;
    const caps = b.readUInt32LE(at + 36);
    const off = b.readBigUInt64LE(at + 40);
    const size = b.readBigUInt64LE(at + 48);
    const capOk = (slot: number) => {
      const [kind, rights, arg] = [b[slot]!, b[slot + 1]!, b.readUInt32LE(slot + 4)];
      if (b.readUInt16LE(slot + 2) !== 0 || allowed[kind] === undefined || (rights & ~allowed[kind]!) !== 0) return false;
      if (kind === 2) return (rights & 8) !== 0 && arg >= 1 && arg <= 256; // memory: needs map; pages
      if (kind === 3) return (rights & 2) !== 0 && (arg === 0 || arg === 1); // irq: receive; console or PCI lines
      if (kind === 4) return (rights & 8) !== 0 && (arg === 1 || arg === 2); // mmio: needs map; ECAM or the BAR window
      if (kind === 10) return arg !== 0; // a device claim: vendor << 16 | device
      return kind === 1 ? arg < eps : arg === 0;
    };
    let code = E.Ok;
    if (!nameOk(at, 32)) code = E.BadName;
    else if (b.readUInt32LE(at + 32) > 1 || caps > 16 || b.readBigUInt64LE(at + 56) !== 0n) code = E.BadService;
    else if (off < BigInt(tablesEnd) || off + size > BigInt(b.length)) code = E.BadEntry;
    else {
      for (let c = 0; c < 16 && code === E.Ok; c++) {
        const slot = at + 64 + 8 * c;
        if (c < caps ? !capOk(slot) : b.readBigUInt64LE(slot) !== 0n) code = E.BadCapability;
      }
    }
    services.push(code);
  }
  return { check, services };
}

describe("a real bundle of the test tier", () => {
  let built: TierBundle;
  let bytes: Buffer;

  beforeAll(async () => {
    const dir = tempDir("tier");
    built = await buildTierBundle("x86_64", "test", { secret: A.secret, servicesDir: STAND_INS, out: path.join(dir, "bundle-test.bin"), workDir: path.join(dir, "services") });
    expect(built.diagnostics).toEqual([]);
    bytes = readFileSync(built.file);
  });

  it("reads back as the manifest says, every module verified, in both worlds", async () => {
    const flipped = Buffer.from(bytes);
    const shellAt = 64 + 32 * endpointTable(loadTier("test")).length + 192 * 2;
    const shellModule = Number(bytes.readBigUInt64LE(shellAt + 40));
    flipped[shellModule + 128 + 1000]! ^= 1; // in shell's ELF
    const [good, wrongKey, damaged] = await readBoth([
      { name: "intact", bytes, key: A.publicKey, verify: true },
      { name: "other key", bytes, key: B.publicKey, verify: true },
      { name: "shell damaged", bytes: flipped, key: A.publicKey, verify: true },
    ]);
    const manifest = loadTier("test");
    const endpoints = endpointTable(manifest);
    expect(good!.version).toBe(2);
    expect(good!.check).toBe(E.Ok);
    expect(text(bytes, good!.tier)).toBe("test");
    expect(good!.endpoints.slice(0, -1).map((e) => text(bytes, e))).toEqual(endpoints);
    expect(good!.endpoints.at(-1)![1]).toBe(0); // past the end: empty
    manifest.services.forEach((s, i) => {
      const v = good!.services[i]!;
      expect(v.check, s.name).toBe(E.Ok);
      expect(text(bytes, [v.nameOffset, v.nameLength])).toBe(s.name);
      expect(v.restart).toBe(s.restart === "always" ? 1 : 0);
      expect(v.capCount).toBe(s.capabilities.length);
      expect(v.caps).toEqual(encodeCapabilities(s, endpoints));
      expect(bytes.subarray(v.moduleOffset, v.moduleOffset + v.moduleSize).equals(built.services[i]!.signedModule)).toBe(true);
      expect(v.moduleOffset % 8).toBe(0);
      expect(v.verdict).toBe(0);
      expect(wrongKey!.services[i]!.verdict).toBe(4);
      expect(damaged!.services[i]!.verdict).toBe(s.name === "shell" ? 5 : 0);
    });
    // The manifest's inspection rules ("inspect"), and zeros past the last.
    expect(good!.rules).toEqual([...encodeInspection(manifest, endpoints), { endpoint: 0, label: 0, rule: 0 }]);
    expect(good!.rules[0]).toEqual({ endpoint: endpoints.indexOf("log"), label: 0x4c4f4721, rule: 2 });
    // Past the last service: an error code and zeros, not a panic.
    for (const v of good!.services.slice(manifest.services.length)) {
      expect(v).toEqual({ check: E.BadService, nameOffset: 0, nameLength: 0, restart: 0, moduleOffset: 0, moduleSize: 0, verdict: 99, capCount: 0, caps: [] });
    }
  });
});

describe("damaged bundles", () => {
  const reqs: Req[] = [];
  const expected: { check: number; services?: Record<number, number> }[] = [];

  beforeAll(() => {
    const manifest = loadTier("test");
    const endpoints = endpointTable(manifest);
    const rules = encodeInspection(manifest, endpoints);
    const small = packBundleV2({
      tier: "test",
      endpoints,
      services: manifest.services.map((s, i) => ({ name: s.name, restart: s.restart, caps: encodeCapabilities(s, endpoints), signedModule: signModule(fakeElf(200 + 40 * i, i), A.secret) })),
      rules,
    });
    const svc = (i: number) => 64 + 32 * endpoints.length + V2.serviceBytes * i;
    const rule = (i: number) => svc(manifest.services.length) + V2.ruleBytes * i;
    const tablesEnd = rule(rules.length);
    const add = (name: string, f: (b: Buffer) => Buffer | void, check: number, services?: Record<number, number>) => {
      const b = Buffer.from(small);
      reqs.push({ name, bytes: f(b) ?? b, key: A.publicKey, verify: false });
      expected.push({ check, ...(services ? { services } : {}) });
    };
    const v1 = path.join(tempDir("v1"), "bundle.img");
    packBundle([{ name: "hello", data: fakeElf(100, 1) }], v1);
    add("intact", () => {}, E.Ok, { 0: E.Ok, 1: E.Ok, 2: E.Ok, 3: E.Ok, 4: E.Ok, 5: E.Ok, 6: E.Ok, 7: E.Ok, 8: E.Ok, 9: E.BadService, 10: E.BadService });
    add("version 1 bundle", () => readFileSync(v1), E.BadVersion);
    add("magic", (b) => void (b[7] = 0x58), E.BadMagic);
    add("version 3", (b) => void b.writeUInt32LE(3, 8), E.BadVersion);
    add("header size", (b) => void b.writeUInt32LE(48, 12), E.BadVersion);
    add("reserved header byte", (b) => void (b[50] = 1), E.BadTable);
    for (const n of [0, 8, 15]) add(`cut to ${n}`, (b) => b.subarray(0, n), E.TooSmall);
    add("cut to 40", (b) => b.subarray(0, 40), E.TooSmall);
    add("cut inside the tables", (b) => b.subarray(0, tablesEnd - 1), E.BadTable);
    add("cut after the tables", (b) => b.subarray(0, tablesEnd), E.Ok, { 0: E.BadEntry, 3: E.BadEntry });
    add("cut in the last module", (b) => b.subarray(0, b.length - 9), E.Ok, { 0: E.Ok, 2: E.Ok, [manifest.services.length - 1]: E.BadEntry });
    add("tier uppercase", (b) => void (b[16] = 0x54), E.BadName);
    add("tier empty", (b) => void b.fill(0, 16, 32), E.BadName);
    add("tier fills its field", (b) => void b.fill(0x61, 16, 32), E.BadName);
    add("tier junk after its NUL", (b) => void (b[30] = 0x61), E.BadName);
    add("33 endpoints", (b) => void b.writeUInt32LE(33, 32), E.BadTable);
    add("no services", (b) => void b.writeUInt32LE(0, 36), E.BadTable);
    add("2^32-1 services", (b) => void b.writeUInt32LE(0xffffffff, 36), E.BadTable);
    add("endpoint name with a space", (b) => void (b[64 + 32 + 1] = 0x20), E.BadName);
    add("service name bad", (b) => void (b[svc(1)] = 0x5f), E.Ok, { 0: E.Ok, 1: E.BadName, 2: E.Ok });
    add("restart 2", (b) => void b.writeUInt32LE(2, svc(1) + 32), E.Ok, { 1: E.BadService });
    add("17 capabilities", (b) => void b.writeUInt32LE(17, svc(2) + 36), E.Ok, { 2: E.BadService });
    add("service reserved", (b) => void (b[svc(0) + 60] = 1), E.Ok, { 0: E.BadService });
    add("module in the tables", (b) => void b.writeBigUInt64LE(64n, svc(0) + 40), E.Ok, { 0: E.BadEntry, 1: E.Ok });
    add("module past the end", (b) => void b.writeBigUInt64LE(BigInt(b.length + 8), svc(1) + 40), E.Ok, { 1: E.BadEntry });
    add("module too long", (b) => void b.writeBigUInt64LE(BigInt(b.length), svc(1) + 48), E.Ok, { 1: E.BadEntry });
    add("module size wraps", (b) => void b.writeBigUInt64LE(0xffff_ffff_ffff_fff8n, svc(3) + 48), E.Ok, { 3: E.BadEntry });
    add("capability kind 2", (b) => void (b[svc(0) + 64] = 2), E.Ok, { 0: E.BadCapability });
    add("capability kind 0", (b) => void (b[svc(1) + 64 + 8] = 0), E.Ok, { 1: E.BadCapability });
    add("endpoint past the table", (b) => void b.writeUInt32LE(endpoints.length, svc(1) + 64 + 4), E.Ok, { 1: E.BadCapability });
    add("irq line 2", (b) => void b.writeUInt32LE(2, svc(2) + 64 + 4), E.Ok, { 2: E.BadCapability });
    add("mmio window 3", (b) => void b.writeUInt32LE(3, svc(4) + 64 + 8 + 4), E.Ok, { 4: E.BadCapability });
    add("rights on a device claim", (b) => void (b[svc(5) + 64 + 16 + 1] = 8), E.Ok, { 5: E.BadCapability });
    add("device claim 0", (b) => void b.writeUInt32LE(0, svc(5) + 64 + 16 + 4), E.Ok, { 5: E.BadCapability });
    // The store's capability 4 is its Random one (right receive only, argument 0).
    add("send right on a random capability", (b) => void (b[svc(7) + 64 + 32 + 1] = 3), E.Ok, { 7: E.BadCapability });
    add("random capability with an argument", (b) => void b.writeUInt32LE(1, svc(7) + 64 + 32 + 4), E.Ok, { 7: E.BadCapability });
    add("grant on system", (b) => void (b[svc(0) + 65] = 7), E.Ok, { 0: E.BadCapability });
    add("send on audit", (b) => void (b[svc(1) + 64 + 9] = 3), E.Ok, { 1: E.BadCapability });
    add("capability reserved", (b) => void (b[svc(3) + 66] = 1), E.Ok, { 3: E.BadCapability });
    // hostile's capability 1: a 2-page memory region (map, write, grant).
    add("memory without map", (b) => void (b[svc(3) + 64 + 8 + 1] = 16), E.Ok, { 3: E.BadCapability });
    add("memory with send", (b) => void (b[svc(3) + 64 + 8 + 1] = 9), E.Ok, { 3: E.BadCapability });
    add("memory of 0 pages", (b) => void b.writeUInt32LE(0, svc(3) + 64 + 8 + 4), E.Ok, { 3: E.BadCapability });
    add("memory of 257 pages", (b) => void b.writeUInt32LE(257, svc(3) + 64 + 8 + 4), E.Ok, { 3: E.BadCapability });
    add("memory of 256 pages", (b) => void b.writeUInt32LE(256, svc(3) + 64 + 8 + 4), E.Ok, { 3: E.Ok });
    add("rule count 33", (b) => void b.writeUInt32LE(33, 40), E.BadTable);
    add("rule count past the tables", (b) => void b.writeUInt32LE(30, 40), E.BadTable);
    add("rule endpoint past the table", (b) => void b.writeUInt32LE(endpoints.length, rule(0)), E.BadTable);
    add("rule kind 3", (b) => void b.writeUInt32LE(3, rule(1) + 8), E.BadTable);
    add("rule reserved", (b) => void (b[rule(0) + 13] = 1), E.BadTable);
    add("unused slot not zero", (b) => void (b[svc(3) + 64 + 8 * 15 + 4] = 1), E.Ok, { 3: E.BadCapability });
    // Random damage to the tables: 1 to 4 bytes replaced.
    const rnd = lcgBytes(250 * 10, 0xb0d1e);
    for (let i = 0; i < 250; i++) {
      add(`random ${i}`, (b) => {
        for (let k = 0; k < 1 + (rnd[10 * i]! % 4); k++) b[rnd.readUInt16LE(10 * i + 1 + 2 * k) % tablesEnd] = rnd[10 * i + 9 - k]!;
      }, -1);
    }
  });

  it("get their error codes, agree with an independent reading, and never panic", async () => {
    const views = await readBoth(reqs);
    const codes = new Set<number>();
    reqs.forEach((r, i) => {
      const v = views[i]!;
      const ref = reference(r.bytes);
      expect(v.check, r.name).toBe(ref.check);
      if (expected[i]!.check >= 0) expect(v.check, r.name).toBe(expected[i]!.check);
      for (const [s, code] of Object.entries(expected[i]!.services ?? {})) expect(v.services[+s]!.check, `${r.name}: service ${s}`).toBe(code);
      if (v.check !== E.Ok) {
        expect(v.rules, r.name).toEqual([{ endpoint: 0, label: 0, rule: 0 }]);
        expect(v.services.every((s) => s.check === v.check && s.nameLength === 0 && s.capCount === 0), r.name).toBe(true);
        expect(v.endpoints).toEqual([[64, 0]]);
        expect(v.tier[1]).toBe(0);
      }
      ref.services.forEach((code, s) => {
        const got = v.services[s];
        if (got) expect(got.check, `${r.name}: service ${s}`).toBe(code);
        codes.add(code);
      });
      codes.add(v.check);
    });
    expect([...codes].sort((a, b) => a - b)).toEqual(Object.values(E));
  });
});
