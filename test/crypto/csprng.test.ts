/**
 * The CSPRNG (src/lib/crypto/csprng.ts) in both worlds (the native build of the
 * generated C with ASan+UBSan, and Node), through the script driver
 * test/crypto/csprng-driver.ts. The reference is an independent model of the
 * construction written from the documentation comment at the top of csprng.ts with
 * @noble/hashes' BLAKE3; committed known-answer vectors pin the construction itself.
 */
import { describe, it, expect } from "vitest";
import path from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { runInNode, type RunResult } from "../harness/node-world";
import { buildHost, runExe } from "../harness/host-world";
import { formatResult } from "./blake3-cases";
import { prng } from "../harness/prng.js";

const DRIVER = path.join(import.meta.dirname, "csprng-driver.ts");

// ---------------------------------------------------------------------------
// The model, from the construction's text.

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const MIX_LABEL = ascii("CambiOS CSPRNG 2026 mix\0");
const GEN_LABEL = ascii("CambiOS CSPRNG 2026 generate\0");
const PIECE_MAX = 4096;
const U64_MAX = (1n << 64n) - 1n;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function le64(x: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, x, true);
  return b;
}

const sat = (x: bigint): bigint => (x > U64_MAX ? U64_MAX : x);

class Model {
  K = new Uint8Array(32);
  c = 0n;
  P: Uint8Array[] = [];
  pending = 0n;
  credited = 0n;
  seeded = false;

  absorb(x: Uint8Array, b: number): void {
    this.P.push(x);
    const bits = BigInt(b);
    const cap = 8n * BigInt(x.length);
    this.pending = sat(this.pending + (bits < cap ? bits : cap));
  }

  reseed(): void {
    const msg = concat([MIX_LABEL, le64(this.c), blake3(concat(this.P))]);
    this.K = blake3(msg, { key: this.K, dkLen: 32 });
    this.c = (this.c + 1n) & U64_MAX;
    this.P = [];
    this.credited = sat(this.credited + this.pending);
    this.pending = 0n;
    if (this.credited >= 256n) this.seeded = true;
  }

  mix(x: Uint8Array, b: number): void {
    this.absorb(x, b);
    this.reseed();
  }

  generate(n: number): Uint8Array {
    const pieces: Uint8Array[] = [];
    let left = n;
    while (left > 0) {
      const m = Math.min(left, PIECE_MAX);
      const S = blake3(GEN_LABEL, { key: this.K, dkLen: 32 + m });
      this.K = S.slice(0, 32);
      pieces.push(S.slice(32));
      left -= m;
    }
    return concat(pieces);
  }
}

// ---------------------------------------------------------------------------
// Scripts for the driver (see its header) and their expected output.

type Op =
  | { op: "reset"; g: number }
  | { op: "absorb" | "mix"; g: number; bits: number; data: Uint8Array }
  | { op: "reseed"; g: number }
  | { op: "generate"; g: number; n: number }
  | { op: "status"; g: number }
  | { op: "key"; g: number }
  | { op: "mark"; id: number };

const CODE = { reset: 0, absorb: 1, reseed: 2, mix: 3, generate: 4, status: 5, key: 6, mark: 7 } as const;

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function encode(ops: Op[]): Buffer {
  const parts: Buffer[] = [];
  for (const o of ops) {
    parts.push(Buffer.from([CODE[o.op], o.op === "mark" ? 0 : o.g]));
    if (o.op === "absorb" || o.op === "mix") parts.push(u32le(o.bits), u32le(o.data.length), Buffer.from(o.data));
    else if (o.op === "generate") parts.push(u32le(o.n));
    else if (o.op === "mark") parts.push(u32le(o.id));
  }
  return Buffer.concat(parts);
}

interface Expected {
  text: string;
  /** The bytes of each generate, in order. */
  outputs: Uint8Array[];
  /** Generator 0's key at the end. */
  key: Uint8Array;
}

/** Runs a script on two fresh models. */
function model(ops: Op[]): Expected {
  const gens = [new Model(), new Model()];
  let text = "";
  const outputs: Uint8Array[] = [];
  for (const o of ops) {
    if (o.op === "mark") {
      text += `# ${o.id}\n`;
      continue;
    }
    const g = gens[o.g]!;
    switch (o.op) {
      case "reset":
        gens[o.g] = new Model();
        break;
      case "absorb":
        g.absorb(o.data, o.bits);
        break;
      case "mix":
        g.mix(o.data, o.bits);
        break;
      case "reseed":
        g.reseed();
        break;
      case "generate": {
        const out = g.generate(o.n);
        outputs.push(out);
        text += formatResult(out);
        break;
      }
      case "status":
        text += `s ${g.seeded ? 1 : 0} ${g.credited} ${g.pending} ${g.c}\n`;
        break;
      case "key":
        text += "k\n" + formatResult(g.K).split("\n").slice(1).join("\n");
        break;
    }
  }
  return { text, outputs, key: gens[0]!.K };
}

/** Splits driver output at `# id` marks: the text of each marked part by id. */
function byMark(text: string): Map<number, string> {
  const parts = new Map<number, string>();
  let id = -1;
  for (const line of text.split("\n")) {
    const m = /^# (\d+)$/.exec(line);
    if (m) {
      id = Number(m[1]);
      parts.set(id, "");
    } else if (line !== "") {
      parts.set(id, (parts.get(id) ?? "") + line + "\n");
    }
  }
  return parts;
}

/** The hex of each generate's output in driver text (`= n` records only). */
function generatedHex(text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^= (\d+)$/.exec(lines[i]!);
    if (!m) continue;
    const n = Number(m[1]);
    let hex = "";
    for (let k = 1; k <= Math.ceil(n / 32); k++) {
      for (const tok of lines[i + k]!.split(" ")) hex += Number.parseInt(tok, 16).toString(16).padStart(8, "0");
    }
    out.push(hex.slice(0, 2 * n));
  }
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytesOf = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);

// ---------------------------------------------------------------------------
// Known answers: fixed scripts and the committed bytes they must produce. A change
// of the construction (labels, counter, piece size, key update) changes these.

interface Kat {
  label: string;
  ops: Op[];
  /** Per generate: its hex, or for long outputs `blake3:` and the hex of its BLAKE3 hash. */
  outputs: string[];
  /** The key after the script (generator 0). */
  key: string;
}

const KATS: Kat[] = [
  {
    label: "fresh, unseeded (zero key): generate 64",
    ops: [{ op: "generate", g: 0, n: 64 }],
    outputs: [
      "c063cddbb970c67862cbbb0578d712cb7b6b717950b20f106aeb736e5d27b5ca48b80a463c561da9ab153429ea1d9e01beeb94345e5d6d4f7f6ece671a1432a1",
    ],
    key: "e72dc9b75cdfc61470500455d101e7b81cca7c050977be9a9b022ee36a761544",
  },
  {
    label: "mix bytes 00..1f crediting 256, generate 32, generate 100",
    ops: [
      { op: "mix", g: 0, bits: 256, data: bytesOf(32, (i) => i) },
      { op: "generate", g: 0, n: 32 },
      { op: "generate", g: 0, n: 100 },
    ],
    outputs: [
      "f13f84f4a8af39efc9b52d66ddbb2df04ebc014585dbd3df032f5a5aa290f1e1",
      "a8bb6399c6c70be43621798a09fce8aa9d71787ff2f976aa83c0dd488d6e27868a2df64c4ffafe3c1adbe402cdea358c02144f9adc000dc26c134e980c0ad1bfd2e1e6b0897a783ee12a90f99e057187b4c82bf21073a15c326ac2f03c34edf8d390c6dd",
    ],
    key: "d340c636f76eeca2a07855ebce927f86b7be5afef5d6c1bc67dac7a5809531bd",
  },
  {
    label: "absorb 1000 + 24 bytes, reseed, generate 5000 (two pieces)",
    ops: [
      { op: "absorb", g: 0, bits: 100, data: bytesOf(1000, (i) => i * i) },
      { op: "absorb", g: 0, bits: 192, data: bytesOf(24, () => 0xff) },
      { op: "reseed", g: 0 },
      { op: "generate", g: 0, n: 5000 },
    ],
    outputs: ["blake3:ebc6e7ca1d5e2611149215a76923ea97f9fc4da251224cf0962213c5473e13ba"],
    key: "488aa75df00dffb79b32c9d388787ba87e0644b292f11fdcf02ffd661840db50",
  },
  {
    label: "three empty mixes (the counter), generate 1, 0, 33",
    ops: [
      { op: "mix", g: 0, bits: 0, data: new Uint8Array(0) },
      { op: "mix", g: 0, bits: 0, data: new Uint8Array(0) },
      { op: "mix", g: 0, bits: 0, data: new Uint8Array(0) },
      { op: "generate", g: 0, n: 1 },
      { op: "generate", g: 0, n: 0 },
      { op: "generate", g: 0, n: 33 },
    ],
    outputs: ["fb", "", "db1dbd024deb0c20518c3eff2353df27f9a12ab563b3371d4dd3d4a574bc7b68ae"],
    key: "ce47a54a34c910aa492720bb0f3e5d8d0aacbb899b9693f0aec94077c5467e83",
  },
];

function katOutputs(k: Kat, outs: string[]): string[] {
  return outs.map((h) => (h.length > 256 ? "blake3:" + hex(blake3(Buffer.from(h, "hex"))) : h));
}

function katScript(): Op[] {
  const ops: Op[] = [];
  KATS.forEach((k, i) => {
    ops.push({ op: "mark", id: i }, { op: "reset", g: 0 }, ...k.ops, { op: "key", g: 0 });
  });
  return ops;
}

// ---------------------------------------------------------------------------
// Random scenarios.


const GEN_LENGTHS = [0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 95, 96, 97, 128, 255, 4064, 4095, 4096, 4097, 5000, 8192, 8193];
const ABSORB_LENGTHS = [0, 1, 3, 4, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 2048, 3000];
const BITS = [0, 1, 7, 8, 64, 128, 255, 256, 257, 1000, 0xffffffff];

function randomScenarios(seed: number, count: number): Op[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(a: T[]): T => a[int(0, a.length - 1)]!;
  const bytes = (n: number): Uint8Array => bytesOf(n, () => int(0, 255));
  const ops: Op[] = [];
  for (let s = 0; s < count; s++) {
    ops.push({ op: "mark", id: s });
    const g = int(0, 1);
    ops.push({ op: "reset", g });
    const steps = int(1, 10);
    for (let k = 0; k < steps; k++) {
      const r = rnd();
      if (r < 0.3) ops.push({ op: "mix", g, bits: pick(BITS), data: bytes(rnd() < 0.7 ? int(0, 64) : pick(ABSORB_LENGTHS)) });
      else if (r < 0.45) ops.push({ op: "absorb", g, bits: pick(BITS), data: bytes(rnd() < 0.7 ? int(0, 64) : pick(ABSORB_LENGTHS)) });
      else if (r < 0.55) ops.push({ op: "reseed", g });
      else ops.push({ op: "generate", g, n: rnd() < 0.8 ? pick(GEN_LENGTHS) : int(0, 300) });
    }
    ops.push({ op: "status", g }, { op: "key", g });
  }
  return ops;
}

// ---------------------------------------------------------------------------

type World = "host" | "node";
let hostExe: string | undefined;
async function runDriver(world: World, ops: Op[]): Promise<RunResult> {
  const stdin = encode(ops);
  if (world === "node") return runInNode(DRIVER, stdin);
  hostExe ??= buildHost(DRIVER, { optimize: "-O2" });
  return await runExe(hostExe, stdin);
}

/** Runs a script; checks each marked part against the model, then the whole text. */
async function expectScript(world: World, ops: Op[], label: (id: number) => string): Promise<string> {
  const r = await runDriver(world, ops);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const want = model(ops).text;
  const got = byMark(r.stdout);
  for (const [id, text] of byMark(want)) expect(got.get(id), label(id)).toBe(text);
  expect(r.stdout).toBe(want);
  return r.stdout;
}

it("the model reproduces the committed known-answer vectors", () => {
  for (const k of KATS) {
    const ops: Op[] = [{ op: "reset", g: 0 }, ...k.ops];
    const e = model(ops);
    expect(katOutputs(k, e.outputs.map(hex)), k.label).toEqual(k.outputs);
    expect(hex(e.key), k.label).toBe(k.key);
  }
});

describe.each(["host", "node"] as const)("CSPRNG (%s world)", (world) => {
  it("gives the committed known-answer vectors", async () => {
    const out = await expectScript(world, katScript(), (id) => KATS[id]!.label);
    const parts = byMark(out);
    KATS.forEach((k, i) => {
      const text = parts.get(i)!;
      expect(katOutputs(k, generatedHex(text)), k.label).toEqual(k.outputs);
      expect(/k\n(.*)\n$/.exec(text)![1]!.split(" ").map((t) => Number.parseInt(t, 16).toString(16).padStart(8, "0")).join(""), k.label).toBe(k.key);
    });
  }, 120_000);

  it("agrees with the model on 500 random scenarios", async () => {
    const seed = world === "host" ? 1 : 2;
    await expectScript(world, randomScenarios(seed, 500), (id) => `seed ${seed} scenario ${id}`);
  }, 300_000);

  it("separates seeds, pieces output at 4096 bytes, and reports seeded() from credited bits", async () => {
    const seedA = bytesOf(32, (i) => i);
    const seedB = bytesOf(32, (i) => (i === 31 ? 32 : i)); // differs in one bit
    const ops: Op[] = [
      { op: "mark", id: 0 }, // two seeds, two streams
      { op: "reset", g: 0 },
      { op: "reset", g: 1 },
      { op: "mix", g: 0, bits: 128, data: seedA },
      { op: "mix", g: 1, bits: 128, data: seedB },
      { op: "generate", g: 0, n: 64 },
      { op: "generate", g: 1, n: 64 },
      { op: "mark", id: 1 }, // one seed: 5000 bytes at once = 4096 then 904
      { op: "reset", g: 0 },
      { op: "reset", g: 1 },
      { op: "mix", g: 0, bits: 128, data: seedA },
      { op: "mix", g: 1, bits: 128, data: seedA },
      { op: "generate", g: 0, n: 5000 },
      { op: "generate", g: 1, n: 4096 },
      { op: "generate", g: 1, n: 904 },
      { op: "generate", g: 0, n: 16 },
      { op: "generate", g: 1, n: 16 },
      { op: "mark", id: 2 }, // seeded() follows the credited bits
      { op: "reset", g: 0 },
      { op: "status", g: 0 },
      { op: "mix", g: 0, bits: 128, data: seedA },
      { op: "status", g: 0 },
      { op: "absorb", g: 0, bits: 100, data: seedB },
      { op: "status", g: 0 },
      { op: "absorb", g: 0, bits: 1000, data: bytesOf(4, (i) => i) }, // capped at 32
      { op: "status", g: 0 },
      { op: "generate", g: 0, n: 8 }, // generate does not reseed
      { op: "status", g: 0 },
      { op: "reseed", g: 0 },
      { op: "status", g: 0 },
      { op: "mix", g: 0, bits: 0, data: seedB },
      { op: "status", g: 0 },
      { op: "reset", g: 0 },
      { op: "status", g: 0 },
      { op: "mix", g: 0, bits: 0xffffffff, data: bytesOf(32, () => 7) }, // 8 bits per byte at most
      { op: "status", g: 0 },
    ];
    const parts = byMark(await expectScript(world, ops, (id) => `property part ${id}`));
    const two = generatedHex(parts.get(0)!);
    expect(two[0]).not.toBe(two[1]);
    expect(two[0]).not.toBe(hex(new Model().generate(64)));
    const one = generatedHex(parts.get(1)!);
    expect(one[0]).toBe(one[1]! + one[2]!);
    expect(one[3]).toBe(one[4]);
    expect(parts.get(2)!.split("\n").filter((l) => l.startsWith("s "))).toEqual([
      "s 0 0 0 0",
      "s 0 128 0 1",
      "s 0 128 100 1",
      "s 0 128 132 1",
      "s 0 128 132 1",
      "s 1 260 0 2",
      "s 1 260 0 3",
      "s 0 0 0 0",
      "s 1 256 0 1",
    ]);
  }, 120_000);
});
