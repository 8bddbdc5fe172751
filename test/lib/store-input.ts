/**
 * Stdin of the store drivers (store-world.ts reads it): the world, the test
 * key's public key, and per content its size, BLAKE3 hash and the Ed25519
 * signature of the hash under the test key (@noble: the KTS signer is not in
 * src/lib/crypto yet).
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { ed } from "../../compiler/trust/noble.js";

/** The fixed test key's seed. */
const SEED = Uint8Array.from({ length: 32 }, (_, i) => 0x42 + i);

/** Byte j of content c, as store-world.ts's contentByte. */
export function contentByte(c: number, j: number): number {
  let x = (j + Math.imul(c, 0x9e3779b9)) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  return x & 0xff;
}

const FIXED = [0, 1, 511, 512, 513, 4095, 4096, 4097, 8192, 12288, 20000, 65536, 70000, 1000, 3000];

/** Sizes of the small contents 0..31 (then sizes given by the caller). */
export function smallSize(c: number): number {
  return c < FIXED.length ? FIXED[c]! : (c * 7919) % 12289;
}

export function storeInput(world: "c" | "n", extra: number[] = [], params: number[] = []): Buffer {
  const sizes = [...Array.from({ length: 32 }, (_, c) => smallSize(c)), ...extra];
  const out = Buffer.alloc(37 + sizes.length * 100 + params.length * 4);
  out[0] = world.charCodeAt(0);
  Buffer.from(ed.getPublicKey(SEED)).copy(out, 1);
  out.writeUInt32LE(sizes.length, 33);
  sizes.forEach((size, c) => {
    const bytes = new Uint8Array(size);
    for (let j = 0; j < size; j++) bytes[j] = contentByte(c, j);
    const hash = blake3(bytes);
    const at = 37 + c * 100;
    out.writeUInt32LE(size, at);
    Buffer.from(hash).copy(out, at + 4);
    Buffer.from(ed.sign(hash, SEED)).copy(out, at + 36);
  });
  params.forEach((v, k) => out.writeUInt32LE(v, 37 + sizes.length * 100 + k * 4));
  return out;
}
