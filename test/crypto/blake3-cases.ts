/**
 * Request batches for test/crypto/blake3-driver.ts, with the exact stdout the driver
 * must print (computed with @noble/hashes). World-independent: the same batches run
 * against the Node world (blake3.test.ts) and against a host-compiled C driver.
 *
 *   blake3Cases(seed)      seeded random requests (lengths around block/chunk edges,
 *                          random keys, contexts, output lengths and update steps)
 *   blake3VectorCases()    the official BLAKE3 test-vector inputs in all three modes
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { prng } from "../harness/prng.js";

export type Blake3Mode = 0 | 1 | 2; // hash, keyed hash, derive key

export interface Blake3Request {
  label: string;
  mode: Blake3Mode;
  /** Mode 1: the 32-byte key; mode 2: the context bytes; mode 0: empty. */
  key: Uint8Array;
  input: Uint8Array;
  outLen: number;
  /** 0: the one-shot function; n > 0: Blake3Hasher.update() in n-byte pieces. */
  step: number;
}

export interface Blake3Batch {
  /** The driver's standard input. */
  stdin: Buffer;
  /** The driver's exact expected standard output. */
  expected: string;
  /** Per request: the expected output as lower-case hex. */
  results: string[];
  /** Per request: a description, for failure messages. */
  labels: string[];
}

/** The official vectors' key, context string and output length (test_vectors.json). */
export const VECTOR_KEY = new TextEncoder().encode("whats the Elvish word for friend");
export const VECTOR_CONTEXT = new TextEncoder().encode("BLAKE3 2019-12-27 16:29:52 test vectors context");
export const VECTOR_OUT_LEN = 131;
export const VECTOR_LENGTHS = [
  0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145, 7168, 7169, 8192, 8193,
  16384, 31744, 102400,
];

/** The official vectors' input: bytes i % 251. */
export function vectorInput(len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = i % 251;
  return b;
}

/** The expected output of one request. */
export function blake3Reference(r: Blake3Request): Uint8Array {
  if (r.mode === 1) return blake3(r.input, { key: r.key, dkLen: r.outLen });
  if (r.mode === 2) return blake3(r.input, { context: r.key, dkLen: r.outLen });
  return blake3(r.input, { dkLen: r.outLen });
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** The driver's output for one result (see the driver's header). */
export function formatResult(out: Uint8Array): string {
  const padded = Buffer.alloc(Math.ceil(out.length / 32) * 32);
  padded.set(out);
  let text = `= ${out.length}\n`;
  for (let o = 0; o < padded.length; o += 32) {
    const words: string[] = [];
    for (let w = o; w < o + 32; w += 4) words.push("0x" + padded.readUInt32BE(w).toString(16));
    text += words.join(" ") + "\n";
  }
  return text;
}

/** Decodes the driver's stdout into one hex string per result. */
export function decodeBlake3Output(stdout: string): string[] {
  const lines = stdout.split("\n");
  const results: string[] = [];
  let i = 0;
  while (i < lines.length && lines[i] !== "") {
    const m = /^= (\d+)$/.exec(lines[i]!);
    if (!m) throw new Error(`blake3 driver output line ${i + 1}: expected '= <len>', got ${JSON.stringify(lines[i])}`);
    const n = Number(m[1]);
    i++;
    let hexText = "";
    for (let k = 0; k < Math.ceil(n / 32); k++, i++) {
      for (const tok of (lines[i] ?? "").split(" ")) hexText += Number.parseInt(tok, 16).toString(16).padStart(8, "0");
    }
    results.push(hexText.slice(0, 2 * n));
  }
  return results;
}

/** Encodes requests and computes the expected output. */
export function buildBatch(requests: Blake3Request[]): Blake3Batch {
  const parts: Buffer[] = [];
  let expected = "";
  const results: string[] = [];
  for (const r of requests) {
    parts.push(
      Buffer.from([r.mode]),
      u32le(r.key.length),
      Buffer.from(r.key),
      u32le(r.input.length),
      Buffer.from(r.input),
      u32le(r.outLen),
      u32le(r.step),
    );
    const out = blake3Reference(r);
    expected += formatResult(out);
    results.push(Buffer.from(out).toString("hex"));
  }
  return { stdin: Buffer.concat(parts), expected, results, labels: requests.map((r) => r.label) };
}

/** The official test-vector inputs, all three modes, whole and in pieces. */
export function blake3VectorRequests(): Blake3Request[] {
  const out: Blake3Request[] = [];
  const keys: [Blake3Mode, Uint8Array, string][] = [
    [0, new Uint8Array(0), "hash"],
    [1, VECTOR_KEY, "keyed_hash"],
    [2, VECTOR_CONTEXT, "derive_key"],
  ];
  for (const len of VECTOR_LENGTHS) {
    const input = vectorInput(len);
    for (const [mode, key, name] of keys) {
      for (const step of [0, 1000, 1024]) {
        for (const outLen of [VECTOR_OUT_LEN, 32]) {
          out.push({ label: `vector ${name} len=${len} out=${outLen} step=${step}`, mode, key, input, outLen, step });
        }
      }
    }
  }
  return out;
}

export function blake3VectorCases(): Blake3Batch {
  return buildBatch(blake3VectorRequests());
}


/** count seeded random requests. */
export function blake3RandomRequests(seed: number, count: number): Blake3Request[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1)); // inclusive
  const bytes = (n: number): Uint8Array => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
  };
  const out: Blake3Request[] = [];
  for (let c = 0; c < count; c++) {
    let len: number;
    const shape = rnd();
    if (shape < 0.45) len = int(0, 10000);
    else if (shape < 0.7) len = Math.max(0, int(0, 10) * 1024 + int(-1, 1)); // chunk edges
    else if (shape < 0.9) len = Math.max(0, int(0, 40) * 64 + int(-1, 1)); // block edges
    else len = int(0, 200);
    const mode = int(0, 2) as Blake3Mode;
    const key = mode === 1 ? bytes(32) : mode === 2 ? bytes(int(0, 80)) : new Uint8Array(0);
    const outLen = rnd() < 0.03 ? int(301, 2100) : int(1, 300);
    const steps = [0, 0, 0, 1, 63, 64, 65, 1023, 1024, 1025, int(1, 3000), int(1, 200)];
    let step = steps[int(0, steps.length - 1)]!;
    if (step === 1 && len > 2000) step = 7;
    out.push({
      label: `random seed=${seed} #${c} mode=${mode} keyLen=${key.length} len=${len} out=${outLen} step=${step}`,
      mode,
      key,
      input: bytes(len),
      outLen,
      step,
    });
  }
  return out;
}

/** A batch of 600 seeded random requests. */
export function blake3Cases(seed: number, count = 600): Blake3Batch {
  return buildBatch(blake3RandomRequests(seed, count));
}
