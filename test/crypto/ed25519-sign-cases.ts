/**
 * Request/expectation generator for test/crypto/ed25519-sign-driver.ts (its header
 * describes the binary protocol). Deterministic for a given seed, so the same stream
 * can be fed to the Node-world driver and to the host-compiled C driver.
 *
 * Oracles: the RFC 8032 section 7.1 vectors (public key and signature given), and
 * @noble/ed25519 getPublicKey/sign (configured as the toolchain uses it,
 * compiler/trust/noble.ts) for random seeds and messages; every signature must also
 * pass the KTS ed25519Verify. (a b + c) mod L is checked against bigint arithmetic.
 */
import { ed } from "../../compiler/trust/noble";
import { RFC8032_VECTORS, leToBig, bigToLe } from "./ed25519-cases";

export interface SignCaseOptions {
  /** PRNG seed. */
  seed?: number;
  /** Random seeds with random messages of 0..maxMessage bytes. */
  randomSign?: number;
  maxMessage?: number;
  /** Random (a, b, c) for scMulAdd, besides the fixed edge cases. */
  randomMulAdd?: number;
}

export interface GeneratedSignCases {
  stdin: Buffer;
  /** The driver's exact expected stdout. */
  expected: string;
  /** One label per output line, for failure messages. */
  labels: string[];
  /** How many sign requests there are. */
  signs: number;
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** splitmix32: deterministic across runs and platforms. */
export class SplitMix {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0;
  }
  next(): number {
    this.x = (this.x + 0x9e3779b9) >>> 0;
    let z = this.x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  int(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, "hex"));

/** hex(x) of the driver for each 8-byte word of b (big- or little-endian). */
export function words(b: Uint8Array, bigEndian: boolean): string {
  const out: string[] = [];
  for (let off = 0; off < b.length; off += 8) {
    const w = b.slice(off, off + 8);
    if (!bigEndian) w.reverse();
    out.push(`0x${BigInt(`0x${Buffer.from(w).toString("hex")}`).toString(16)}`);
  }
  return out.join(" ");
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** The sign request for (seed, msg) and its expected line. */
export function signRequest(seed: Uint8Array, msg: Uint8Array): { request: Buffer; line: string } {
  const pub = ed.getPublicKey(seed);
  const sig = ed.sign(msg, seed);
  return {
    request: Buffer.concat([Buffer.from([0]), Buffer.from(seed), u32le(msg.length), Buffer.from(msg)]),
    line: `${words(pub, true)} ${words(sig, true)} 1`,
  };
}

export function generateSignCases(opts: SignCaseOptions = {}): GeneratedSignCases {
  const rng = new SplitMix(opts.seed ?? 0x5167);
  const maxMessage = opts.maxMessage ?? 300;
  const parts: Buffer[] = [];
  const lines: string[] = [];
  const labels: string[] = [];
  let signs = 0;
  const sign = (label: string, seed: Uint8Array, msg: Uint8Array) => {
    const r = signRequest(seed, msg);
    parts.push(r.request);
    lines.push(r.line);
    labels.push(label);
    signs++;
  };

  for (const v of RFC8032_VECTORS) {
    // The RFC's own public key and signature are the expectation, not noble's.
    const seed = hexToBytes(v.sk);
    const msg = hexToBytes(v.msg);
    const r = signRequest(seed, msg);
    const want = `${words(hexToBytes(v.pk), true)} ${words(hexToBytes(v.sig), true)} 1`;
    if (r.line !== want) throw new Error(`@noble/ed25519 disagrees with ${v.name}`);
    parts.push(r.request);
    lines.push(want);
    labels.push(v.name);
    signs++;
  }
  sign("seed of zeros", new Uint8Array(32), new Uint8Array(0));
  sign("seed of 0xff", new Uint8Array(32).fill(0xff), Uint8Array.from([0xff]));
  sign("128-byte message (one SHA-512 block with the prefix)", rng.bytes(32), rng.bytes(96));
  for (let i = 0; i < (opts.randomSign ?? 1000); i++) {
    const len = rng.int(maxMessage + 1);
    sign(`random sign #${i} (${len}-byte message)`, rng.bytes(32), rng.bytes(len));
  }

  const mulAdd = (label: string, a: bigint, b: bigint, c: bigint) => {
    parts.push(Buffer.concat([Buffer.from([1]), bigToLe(a, 32), bigToLe(b, 32), bigToLe(c, 32)]));
    lines.push(words(bigToLe((a * b + c) % L, 32), false));
    labels.push(label);
  };
  const max = 2n ** 256n - 1n;
  mulAdd("muladd zeros", 0n, 0n, 0n);
  mulAdd("muladd max", max, max, max);
  mulAdd("muladd (L-1)^2 + L-1", L - 1n, L - 1n, L - 1n);
  mulAdd("muladd L * 1 + 0", L, 1n, 0n);
  mulAdd("muladd c only", 0n, max, L);
  mulAdd("muladd carries", 2n ** 255n - 1n, 2n ** 255n - 1n, max);
  for (let i = 0; i < (opts.randomMulAdd ?? 200); i++) {
    mulAdd(`random muladd #${i}`, leToBig(rng.bytes(32)), leToBig(rng.bytes(32)), leToBig(rng.bytes(32)));
  }
  return { stdin: Buffer.concat(parts), expected: lines.map((l) => `${l}\n`).join(""), labels, signs };
}

