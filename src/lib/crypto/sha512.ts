/**
 * SHA-512 (FIPS 180-4). Sha512 is an incremental hasher (init, update*, finalize);
 * sha512(input, out) hashes one buffer into out[0..64). Messages are limited to
 * 2^61 - 1 bytes (the 128-bit length field's high half is always zero).
 * A Sha512 holds its own schedule and block buffer, so separate instances are
 * independent (no module state); sha512() keeps its hasher on the stack.
 */
import { u8, u32, u64, array, arrayOf, rotr64 } from "kts";

const K: u64[] = arrayOf([
  0x428a2f98d728ae22n, 0x7137449123ef65cdn, 0xb5c0fbcfec4d3b2fn, 0xe9b5dba58189dbbcn,
  0x3956c25bf348b538n, 0x59f111f1b605d019n, 0x923f82a4af194f9bn, 0xab1c5ed5da6d8118n,
  0xd807aa98a3030242n, 0x12835b0145706fben, 0x243185be4ee4b28cn, 0x550c7dc3d5ffb4e2n,
  0x72be5d74f27b896fn, 0x80deb1fe3b1696b1n, 0x9bdc06a725c71235n, 0xc19bf174cf692694n,
  0xe49b69c19ef14ad2n, 0xefbe4786384f25e3n, 0x0fc19dc68b8cd5b5n, 0x240ca1cc77ac9c65n,
  0x2de92c6f592b0275n, 0x4a7484aa6ea6e483n, 0x5cb0a9dcbd41fbd4n, 0x76f988da831153b5n,
  0x983e5152ee66dfabn, 0xa831c66d2db43210n, 0xb00327c898fb213fn, 0xbf597fc7beef0ee4n,
  0xc6e00bf33da88fc2n, 0xd5a79147930aa725n, 0x06ca6351e003826fn, 0x142929670a0e6e70n,
  0x27b70a8546d22ffcn, 0x2e1b21385c26c926n, 0x4d2c6dfc5ac42aedn, 0x53380d139d95b3dfn,
  0x650a73548baf63den, 0x766a0abb3c77b2a8n, 0x81c2c92e47edaee6n, 0x92722c851482353bn,
  0xa2bfe8a14cf10364n, 0xa81a664bbc423001n, 0xc24b8b70d0f89791n, 0xc76c51a30654be30n,
  0xd192e819d6ef5218n, 0xd69906245565a910n, 0xf40e35855771202an, 0x106aa07032bbd1b8n,
  0x19a4c116b8d2d0c8n, 0x1e376c085141ab53n, 0x2748774cdf8eeb99n, 0x34b0bcb5e19b48a8n,
  0x391c0cb3c5c95a63n, 0x4ed8aa4ae3418acbn, 0x5b9cca4f7763e373n, 0x682e6ff3d6b2b8a3n,
  0x748f82ee5defb2fcn, 0x78a5636f43172f60n, 0x84c87814a1f0ab72n, 0x8cc702081a6439ecn,
  0x90befffa23631e28n, 0xa4506cebde82bde9n, 0xbef9a3f7b2c67915n, 0xc67178f2e372532bn,
  0xca273eceea26619cn, 0xd186b8c721c0c207n, 0xeada7dd6cde0eb1en, 0xf57d4f7fee6ed178n,
  0x06f067aa72176fban, 0x0a637dc5a2c898a6n, 0x113f9804bef90daen, 0x1b710b35131c471bn,
  0x28db77f523047d84n, 0x32caab7b40c72493n, 0x3c9ebe0a15c9bebcn, 0x431d67c49c100d4cn,
  0x4cc5d4becb3e42b6n, 0x597f299cfc657e2an, 0x5fcb6fab3ad6faecn, 0x6c44198c4a475817n,
]);

const IV: u64[] = arrayOf([
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
]);

export class Sha512 {
  h: u64[] = array(8, 0n);
  w: u64[] = array(80, 0n);
  buf: u8[] = array(128, 0);
  bufLen: u32 = 0;
  total: u64 = 0n;

  init(): void {
    for (let i: u32 = 0; i < 8; i++) {
      this.h[i] = IV[i];
    }
    this.bufLen = 0;
    this.total = 0n;
  }

  update(input: u8[]): void {
    const n = input.length;
    let i: u32 = 0;
    this.total = u64(this.total + u64(n));
    if (this.bufLen > 0) {
      while (this.bufLen < 128 && i < n) {
        this.buf[this.bufLen] = input[i];
        this.bufLen = u32(this.bufLen + 1);
        i = u32(i + 1);
      }
      if (this.bufLen < 128) {
        return;
      }
      compress(this.h, this.w, this.buf, 0);
      this.bufLen = 0;
    }
    while (u32(n - i) >= 128) {
      compress(this.h, this.w, input, i);
      i = u32(i + 128);
    }
    while (i < n) {
      this.buf[this.bufLen] = input[i];
      this.bufLen = u32(this.bufLen + 1);
      i = u32(i + 1);
    }
  }

  /** Writes the 64-byte digest to out[0..64); the hasher must be init()ed again before reuse. */
  finalize(out: u8[]): void {
    const bitsHi = this.total >> 61n;
    const bitsLo = u64(this.total << 3n);
    let n = this.bufLen;
    this.buf[n] = 0x80;
    n = u32(n + 1);
    if (n > 112) {
      while (n < 128) {
        this.buf[n] = 0;
        n = u32(n + 1);
      }
      compress(this.h, this.w, this.buf, 0);
      n = 0;
    }
    while (n < 112) {
      this.buf[n] = 0;
      n = u32(n + 1);
    }
    storeBe64(this.buf, 112, bitsHi);
    storeBe64(this.buf, 120, bitsLo);
    compress(this.h, this.w, this.buf, 0);
    for (let i: u32 = 0; i < 8; i++) {
      storeBe64(out, u32(i * 8), this.h[i]);
    }
  }
}

/** Processes the 128-byte block block[off .. off+128) into the state hs, using w as the schedule. */
function compress(hs: u64[], w: u64[], block: u8[], off: u32): void {
  for (let t: u32 = 0; t < 16; t++) {
    w[t] = loadBe64(block, u32(off + t * 8));
  }
  for (let t: u32 = 16; t < 80; t++) {
    const x = w[u32(t - 2)];
    const y = w[u32(t - 15)];
    const s1 = rotr64(x, 19) ^ rotr64(x, 61) ^ (x >> 6n);
    const s0 = rotr64(y, 1) ^ rotr64(y, 8) ^ (y >> 7n);
    w[t] = u64(s1 + w[u32(t - 7)] + s0 + w[u32(t - 16)]);
  }
  let a = hs[0];
  let b = hs[1];
  let c = hs[2];
  let d = hs[3];
  let e = hs[4];
  let f = hs[5];
  let g = hs[6];
  let h = hs[7];
  for (let t: u32 = 0; t < 80; t++) {
    const s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41);
    const ch = (e & f) ^ (u64(~e) & g);
    const t1 = u64(h + s1 + ch + K[t] + w[t]);
    const s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = u64(s0 + maj);
    h = g;
    g = f;
    f = e;
    e = u64(d + t1);
    d = c;
    c = b;
    b = a;
    a = u64(t1 + t2);
  }
  hs[0] = u64(hs[0] + a);
  hs[1] = u64(hs[1] + b);
  hs[2] = u64(hs[2] + c);
  hs[3] = u64(hs[3] + d);
  hs[4] = u64(hs[4] + e);
  hs[5] = u64(hs[5] + f);
  hs[6] = u64(hs[6] + g);
  hs[7] = u64(hs[7] + h);
}

function loadBe64(s: u8[], off: u32): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    r = u64(r << 8n) | u64(s[u32(off + i)]);
  }
  return r;
}

function storeBe64(s: u8[], off: u32, v: u64): void {
  for (let i: u32 = 0; i < 8; i++) {
    s[u32(off + i)] = u8(v >> u64(56 - i * 8));
  }
}

/** out[0..64) = SHA-512(input). */
export function sha512(input: u8[], out: u8[]): void {
  const hasher = new Sha512();
  hasher.init();
  hasher.update(input);
  hasher.finalize(out);
}
