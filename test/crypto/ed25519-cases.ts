/**
 * Request/expectation generator for test/crypto/ed25519-driver.ts (its header describes
 * the binary protocol). Deterministic for a given seed, so the same stream can be fed
 * to the Node-world driver and to the host-compiled C driver.
 *
 * Oracles: @noble/hashes sha512 and @noble/ed25519 verify(sig, msg, pub, { zip215: false })
 * (strict RFC 8032 decoding, S < L, small-order A rejected, cofactored group equation);
 * the RFC 8032 section 7.1 vectors and NIST SHA-512 digests are also checked explicitly.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

export interface CaseOptions {
  /** PRNG seed. */
  seed?: number;
  /** Random valid signatures (random keys, messages of 0..2000 bytes). */
  randomValid?: number;
  /** Random mutated/forged signatures. */
  randomInvalid?: number;
  /** Random SHA-512 messages (plus chunked-update requests). */
  randomHash?: number;
  /** Random 64-byte inputs reduced mod L, and random k split into c = d k (mod L). */
  randomScalar?: number;
}

export interface GeneratedCases {
  stdin: Buffer;
  /** The driver's exact expected stdout. */
  expected: string;
  /** One label per output line, for failure messages. */
  labels: string[];
  /** How many verify requests are expected to succeed / fail. */
  accepted: number;
  rejected: number;
}

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

export const RFC8032_VECTORS: { name: string; sk: string; pk: string; msg: string; sig: string }[] = [
  {
    name: "RFC 8032 TEST 1",
    sk: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "RFC 8032 TEST 2",
    sk: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "RFC 8032 TEST 3",
    sk: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "RFC 8032 TEST 1024",
    sk: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
    pk: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
    msg:
      "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1" +
      "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d" +
      "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a" +
      "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e" +
      "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10" +
      "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1" +
      "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d" +
      "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270" +
      "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b" +
      "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba" +
      "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b" +
      "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7" +
      "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d" +
      "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df" +
      "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7" +
      "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4" +
      "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09" +
      "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f" +
      "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161" +
      "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d" +
      "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca" +
      "c60c905c15fc910840b94c00a0b9d0",
    sig:
      "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
  },
  {
    name: "RFC 8032 TEST SHA(abc)",
    sk: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    pk: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    msg:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    sig:
      "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

export const NIST_SHA512: { name: string; msg: string; digest: string }[] = [
  {
    name: "SHA-512 empty",
    msg: "",
    digest:
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
  },
  {
    name: "SHA-512 abc",
    msg: "abc",
    digest:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  },
  {
    name: "SHA-512 896-bit",
    msg:
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno" +
      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    digest:
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
  },
];

/** xoshiro128** seeded by splitmix32: deterministic across runs and platforms. */
class Prng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  /** Uniform in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Little-endian bytes as a bigint, and back (n bytes): scalar and field element encodings. */
export function leToBig(b: Uint8Array): bigint {
  let r = 0n;
  for (let i = b.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(b[i]!);
  return r;
}

export function bigToLe(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const modL = (v: bigint): bigint => ((v % L) + L) % L;

function nobleVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return ed.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}

/** The eight points of the torsion subgroup, as canonical encodings. */
function torsionPoints(): Uint8Array[] {
  const t8 = ed.Point.fromBytes(hexToBytes("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"));
  const out: Uint8Array[] = [];
  let q = ed.Point.ZERO;
  for (let i = 0; i < 8; i++) {
    out.push(q.toBytes());
    q = q.add(t8);
  }
  if (!q.is0() || out[4]!.every((b, i) => b === out[0]![i])) throw new Error("torsion generator is not of order 8");
  return out;
}

/**
 * A signature (R || S) over msg for the public encoding pubEnc, made with the secret
 * scalar a and nonce r, where R = rB + extraR (extraR a torsion point encoding or null):
 * S = r + H(R || pubEnc || msg) a mod L.
 */
function forgeSign(a: bigint, r: bigint, extraR: Uint8Array | null, pubEnc: Uint8Array, msg: Uint8Array): Uint8Array {
  let R = r === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(r);
  if (extraR !== null) R = R.add(ed.Point.fromBytes(extraR));
  const rEnc = R.toBytes();
  const k = modL(leToBig(sha512(new Uint8Array([...rEnc, ...pubEnc, ...msg]))));
  const s = modL(r + k * a);
  return new Uint8Array([...rEnc, ...bigToLe(s, 32)]);
}

/** Encoding of the integer y (< 2^255) with the given sign bit. */
function encodeY(y: bigint, sign: number): Uint8Array {
  const b = bigToLe(y, 32);
  b[31]! |= sign << 7;
  return b;
}

class Builder {
  parts: Buffer[] = [];
  lines: string[] = [];
  labels: string[] = [];
  accepted = 0;
  rejected = 0;

  private u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  }

  hash(label: string, msg: Uint8Array, chunk: number | null = null): void {
    if (chunk === null) {
      this.parts.push(Buffer.from([0]), this.u32(msg.length), Buffer.from(msg));
    } else {
      this.parts.push(Buffer.from([3]), this.u32(msg.length), Buffer.from(msg), this.u32(chunk));
    }
    const d = sha512(msg);
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push("0x" + BigInt("0x" + toHex(d.subarray(i * 8, i * 8 + 8))).toString(16));
    this.lines.push(words.join(" "));
    this.labels.push(label);
  }

  reduce(label: string, wide: Uint8Array): void {
    this.parts.push(Buffer.from([2]), Buffer.from(wide));
    const k = bigToLe(leToBig(wide) % L, 32);
    const words: string[] = [];
    for (let i = 0; i < 4; i++) words.push("0x" + leToBig(k.subarray(i * 8, i * 8 + 8)).toString(16));
    this.lines.push(words.join(" "));
    this.labels.push(label);
  }

  /** Extended Euclid on (L, k) until the remainder is < 2^127 (the unique answer of scHalfSize). */
  halfSize(label: string, k: bigint): void {
    this.parts.push(Buffer.from([4]), Buffer.from(bigToLe(k, 32)));
    let [r0, r1, t0, t1] = [L, k, 0n, 1n];
    while (r1 >= 2n ** 127n) {
      const q = r0 / r1;
      [r0, r1] = [r1, r0 - q * r1];
      [t0, t1] = [t1, t0 - q * t1];
    }
    const d = t1 < 0n ? -t1 : t1;
    if (r1 >= 2n ** 127n || d >= 2n ** 126n || d === 0n || modL(r1 - t1 * k) !== 0n) {
      throw new Error(`${label}: split out of bounds`);
    }
    const w = (v: bigint, i: number) => "0x" + ((v >> BigInt(64 * i)) & (2n ** 64n - 1n)).toString(16);
    this.lines.push(`${w(r1, 0)} ${w(r1, 1)} ${w(d, 0)} ${w(d, 1)} ${t1 < 0n ? 1 : 0}`);
    this.labels.push(label);
  }

  /** A verify request whose expectation is noble's strict verdict (and `must`, if given). */
  verify(label: string, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, must?: boolean): void {
    if (sig.length !== 64 || pub.length !== 32) throw new Error(`${label}: bad lengths`);
    const ok = nobleVerify(sig, msg, pub);
    if (must !== undefined && ok !== must) throw new Error(`${label}: noble says ${ok}, the case expects ${must}`);
    this.parts.push(Buffer.from([1]), Buffer.from(sig), Buffer.from(pub), this.u32(msg.length), Buffer.from(msg));
    this.lines.push(ok ? "1" : "0");
    this.labels.push(`${label} (expect ${ok ? "accept" : "reject"})`);
    if (ok) this.accepted++;
    else this.rejected++;
  }
}

interface KeyPair {
  sk: Uint8Array;
  pub: Uint8Array;
  a: bigint;
}

function keyPair(prng: Prng): KeyPair {
  const sk = prng.bytes(32);
  const ext = ed.utils.getExtendedPublicKey(sk);
  return { sk, pub: ext.pointBytes, a: ext.scalar };
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

export function generateEd25519Cases(opts: CaseOptions = {}): GeneratedCases {
  const prng = new Prng(opts.seed ?? 0x25519);
  const nValid = opts.randomValid ?? 1000;
  const nInvalid = opts.randomInvalid ?? 1000;
  const nHash = opts.randomHash ?? 200;
  const nScalar = opts.randomScalar ?? 200;
  const b = new Builder();
  const enc = new TextEncoder();

  // ---- SHA-512 --------------------------------------------------------------
  for (const v of NIST_SHA512) {
    const msg = enc.encode(v.msg);
    if (toHex(sha512(msg)) !== v.digest) throw new Error(`${v.name}: oracle disagrees with the vector`);
    b.hash(v.name, msg);
  }
  for (const n of [1, 55, 63, 64, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257, 1000]) {
    b.hash(`SHA-512 length ${n}`, prng.bytes(n));
  }
  for (let i = 0; i < nHash; i++) {
    const msg = prng.bytes(prng.int(i % 4 === 0 ? 4000 : 300));
    b.hash(`SHA-512 random #${i} (${msg.length} bytes)`, msg);
    const chunk = 1 + prng.int(200);
    b.hash(`SHA-512 random #${i} (${msg.length} bytes, chunks of ${chunk})`, msg, chunk);
  }

  // ---- reduction mod L ---------------------------------------------------------
  const wides: [string, bigint][] = [
    ["zero", 0n],
    ["one", 1n],
    ["L-1", L - 1n],
    ["L", L],
    ["L+1", L + 1n],
    ["2^252", 2n ** 252n],
    ["2^253-1", 2n ** 253n - 1n],
    ["2^256-1", 2n ** 256n - 1n],
    ["2^512-1", 2n ** 512n - 1n],
    ["L*(2^259-1)", L * (2n ** 259n - 1n)],
    ["L*(2^259-1)-1", L * (2n ** 259n - 1n) - 1n],
    ["L*2^258", L * 2n ** 258n],
    ["2^511", 2n ** 511n],
  ];
  for (const [name, v] of wides) b.reduce(`mod L ${name}`, bigToLe(v, 64));
  for (let i = 0; i < nScalar; i++) {
    let v = leToBig(prng.bytes(64));
    if (i % 5 === 1) v = (v % (2n ** 259n)) * L + BigInt(prng.int(3)) - 1n; // near a multiple of L
    if (v < 0n) v = 0n;
    b.reduce(`mod L random #${i}`, bigToLe(v % 2n ** 512n, 64));
  }

  // ---- half-size split k = c/d (mod L) ---------------------------------------------
  const ks: [string, bigint][] = [
    ["0", 0n],
    ["1", 1n],
    ["2^127-1", 2n ** 127n - 1n],
    ["2^127", 2n ** 127n],
    ["L-1", L - 1n],
    ["(L-1)/2", (L - 1n) / 2n],
    ["(L+1)/2", (L + 1n) / 2n],
    ["2^252", 2n ** 252n],
    ["L/3", L / 3n],
    ["2^126 (L-1)/2^126", ((L - 1n) >> 126n) << 126n],
  ];
  for (const [name, k] of ks) b.halfSize(`half-size k=${name}`, k);
  for (let i = 0; i < nScalar; i++) b.halfSize(`half-size random #${i}`, leToBig(prng.bytes(64)) % L);

  // ---- RFC 8032 section 7.1 ------------------------------------------------------
  for (const v of RFC8032_VECTORS) {
    const sk = hexToBytes(v.sk);
    const msg = hexToBytes(v.msg);
    if (toHex(ed.getPublicKey(sk)) !== v.pk || toHex(ed.sign(msg, sk)) !== v.sig) {
      throw new Error(`${v.name}: transcription error`);
    }
    b.verify(v.name, hexToBytes(v.sig), msg, hexToBytes(v.pk), true);
  }

  // ---- random valid signatures -------------------------------------------------
  const keys: KeyPair[] = [];
  for (let i = 0; i < 16; i++) keys.push(keyPair(prng));
  const validSigs: { sig: Uint8Array; msg: Uint8Array; kp: KeyPair }[] = [];
  for (let i = 0; i < nValid; i++) {
    const kp = i < 16 ? keys[i]! : keyPair(prng);
    const msg = prng.bytes(prng.int(2001));
    const sig = ed.sign(msg, kp.sk);
    validSigs.push({ sig, msg, kp });
    b.verify(`random valid #${i} (${msg.length} bytes)`, sig, msg, kp.pub, true);
  }

  // ---- explicit edge cases ---------------------------------------------------------
  const torsion = torsionPoints();
  const base = validSigs[0] ?? { sig: ed.sign(new Uint8Array(3), keys[0]!.sk), msg: new Uint8Array(3), kp: keys[0]! };
  const rOf = (s: Uint8Array) => s.subarray(0, 32);
  const sOf = (s: Uint8Array) => leToBig(s.subarray(32, 64));
  const withS = (s: Uint8Array, v: bigint) => new Uint8Array([...rOf(s), ...bigToLe(v, 32)]);
  const withR = (s: Uint8Array, r: Uint8Array) => new Uint8Array([...r, ...s.subarray(32, 64)]);
  const S0 = sOf(base.sig);

  b.verify("S + L", withS(base.sig, S0 + L), base.msg, base.kp.pub, false);
  b.verify("S + 2L", withS(base.sig, S0 + 2n * L), base.msg, base.kp.pub, false);
  b.verify("S + 15L (max that fits)", withS(base.sig, S0 + ((2n ** 256n - 1n - S0) / L) * L), base.msg, base.kp.pub, false);
  b.verify("S = L", withS(base.sig, L), base.msg, base.kp.pub, false);
  b.verify("S = L - 1", withS(base.sig, L - 1n), base.msg, base.kp.pub);
  b.verify("S = 0", withS(base.sig, 0n), base.msg, base.kp.pub);
  b.verify("S = 2^256 - 1", withS(base.sig, 2n ** 256n - 1n), base.msg, base.kp.pub, false);
  b.verify("S with bit 255 set", withS(base.sig, S0 | (1n << 255n)), base.msg, base.kp.pub, false);
  b.verify("all-zero signature", new Uint8Array(64), base.msg, base.kp.pub, false);
  b.verify("all-0xff signature", new Uint8Array(64).fill(0xff), base.msg, base.kp.pub, false);
  b.verify("all-zero key", base.sig, base.msg, new Uint8Array(32), false);
  b.verify("all-0xff key", base.sig, base.msg, new Uint8Array(32).fill(0xff), false);

  // Non-canonical encodings: y = p + delta (delta in 0..18), both sign bits.
  for (let delta = 0n; delta < 19n; delta++) {
    for (const sign of [0, 1]) {
      const e = encodeY(P + delta, sign);
      b.verify(`non-canonical A y=p+${delta} sign ${sign}`, base.sig, base.msg, e, false);
      b.verify(`non-canonical R y=p+${delta} sign ${sign}`, withR(base.sig, e), base.msg, base.kp.pub, false);
      // The same y reduced (canonical, small y): decodes or not; noble decides.
      const c = encodeY(delta, sign);
      b.verify(`small y A y=${delta} sign ${sign}`, base.sig, base.msg, c);
      b.verify(`small y R y=${delta} sign ${sign}`, withR(base.sig, c), base.msg, base.kp.pub);
    }
  }
  // y = p - 1 .. p - 3 (canonical, near the edge).
  for (const y of [P - 1n, P - 2n, P - 3n, 2n ** 255n - 1n]) {
    for (const sign of [0, 1]) {
      const e = encodeY(y, sign);
      b.verify(`edge A y=${y === 2n ** 255n - 1n ? "2^255-1" : `p-${P - y}`} sign ${sign}`, base.sig, base.msg, e);
      b.verify(`edge R y=${y === 2n ** 255n - 1n ? "2^255-1" : `p-${P - y}`} sign ${sign}`, withR(base.sig, e), base.msg, base.kp.pub);
    }
  }

  // Small-order points as A (always rejected) and as R (forged to satisfy the
  // cofactored equation: R = T, S = k a, accepted by the strict cofactored check).
  for (let i = 0; i < 8; i++) {
    const t = torsion[i]!;
    b.verify(`small-order A #${i}`, base.sig, base.msg, t, false);
    const tSig = new Uint8Array([...t, ...new Uint8Array(32)]);
    b.verify(`small-order A #${i}, R = A, S = 0`, tSig, base.msg, t, false);
    b.verify(`small-order R #${i}, random S`, withR(base.sig, t), base.msg, base.kp.pub);
    const forged = forgeSign(base.kp.a, 0n, t, base.kp.pub, base.msg);
    b.verify(`small-order R #${i}, S = k a`, forged, base.msg, base.kp.pub, true);
    // Sign bit flipped on the small-order encodings (x = 0 with sign 1 must be rejected).
    const flipped = Uint8Array.from(t);
    flipped[31]! ^= 0x80;
    b.verify(`small-order A #${i} sign flipped`, base.sig, base.msg, flipped, false);
    b.verify(`small-order R #${i} sign flipped, S = k a`, withR(forged, flipped), base.msg, base.kp.pub);
  }
  // Mixed-order keys and nonces: A' = aB + T, R' = rB + T'.
  for (let i = 0; i < 16; i++) {
    const kp = keys[i % keys.length]!;
    const t = torsion[1 + (i % 7)]!;
    const msg = prng.bytes(prng.int(100));
    const aMixed = ed.Point.fromBytes(kp.pub).add(ed.Point.fromBytes(t)).toBytes();
    const r = modL(leToBig(prng.bytes(64)));
    b.verify(`mixed-order A #${i}`, forgeSign(kp.a, r, null, aMixed, msg), msg, aMixed, true);
    b.verify(`mixed-order R #${i}`, forgeSign(kp.a, r, t, kp.pub, msg), msg, kp.pub, true);
    b.verify(`mixed-order A and R #${i}`, forgeSign(kp.a, r, torsion[(i % 7) + 1]!, aMixed, msg), msg, aMixed, true);
    b.verify(`mixed-order A #${i}, signature for A`, forgeSign(kp.a, r, null, kp.pub, msg), msg, aMixed);
  }
  // Points that are not on the curve (y with no matching x), as A and as R.
  let offCurve = 0;
  for (let i = 0; offCurve < 24 && i < 1000; i++) {
    const e = prng.bytes(32);
    e[31]! &= 0x7f;
    let decodes = true;
    try {
      ed.Point.fromBytes(e);
    } catch {
      decodes = false;
    }
    if (decodes) continue;
    offCurve++;
    b.verify(`off-curve A #${offCurve}`, base.sig, base.msg, e, false);
    b.verify(`off-curve R #${offCurve}`, withR(base.sig, e), base.msg, base.kp.pub, false);
  }

  // ---- random invalid / mutated signatures ---------------------------------------------
  const kinds = ["R bit", "S bit", "message bit", "key bit", "wrong key", "S + L", "random R", "random key", "message length", "random S"];
  for (let i = 0; i < nInvalid; i++) {
    const v = validSigs.length > 0 ? validSigs[prng.int(validSigs.length)]! : base;
    const kind = kinds[i % kinds.length]!;
    let sig = v.sig;
    let msg = v.msg;
    let pub = v.kp.pub;
    switch (kind) {
      case "R bit":
        sig = flipBit(sig, prng.int(256));
        break;
      case "S bit":
        sig = flipBit(sig, 256 + prng.int(256));
        break;
      case "message bit":
        if (msg.length === 0) msg = new Uint8Array([prng.int(256)]);
        else msg = flipBit(msg, prng.int(msg.length * 8));
        break;
      case "key bit":
        pub = flipBit(pub, prng.int(256));
        break;
      case "wrong key":
        pub = keys[prng.int(keys.length)]!.pub;
        if (toHex(pub) === toHex(v.kp.pub)) pub = keyPair(prng).pub;
        break;
      case "S + L":
        sig = withS(sig, sOf(sig) + L * BigInt(1 + prng.int(8)));
        break;
      case "random R":
        sig = withR(sig, prng.bytes(32));
        break;
      case "random key":
        pub = prng.bytes(32);
        break;
      case "message length":
        msg = msg.length > 0 && prng.int(2) === 0 ? msg.subarray(0, prng.int(msg.length)) : new Uint8Array([...msg, prng.int(256)]);
        break;
      case "random S":
        sig = withS(sig, modL(leToBig(prng.bytes(32))));
        break;
    }
    b.verify(`invalid #${i}: ${kind}`, sig, msg, pub);
  }

  return {
    stdin: Buffer.concat(b.parts),
    expected: b.lines.map((l) => l + "\n").join(""),
    labels: b.labels,
    accepted: b.accepted,
    rejected: b.rejected,
  };
}
