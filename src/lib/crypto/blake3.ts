/**
 * BLAKE3 (hash, keyed hash, derive-key, extended output) in kernel TypeScript.
 *
 * Follows the BLAKE3 specification's reference structure: a chunk state that
 * compresses 64-byte blocks of the current 1024-byte chunk, and a stack of chaining
 * values (54 entries, enough for 2^64 bytes) merged lazily into parent nodes. No heap:
 * a Blake3Hasher is fixed-size (about 2 KiB) and lives in static or stack storage;
 * initialise it with one of the init*() methods, feed it with update() and read any
 * amount of output (XOF, from position 0) with finalize(), which leaves the state
 * unchanged. The compression function is fully unrolled over local variables, so it
 * performs no array accesses except loading the 8 + 16 input words and storing output.
 */
import { u8, u32, u64, array, arrayOf, slice, rotr32, assert } from "kts";

const BLOCK_LEN = 64;
const CHUNK_LEN = 1024;
const MAX_DEPTH = 54;
/** MAX_DEPTH chaining values of 8 words each. */
const CV_STACK_WORDS = 432;

// Domain-separation flags.
const CHUNK_START = 1;
const CHUNK_END = 2;
const PARENT = 4;
const ROOT = 8;
const KEYED_HASH = 16;
const DERIVE_KEY_CONTEXT = 32;
const DERIVE_KEY_MATERIAL = 64;

const IV: u32[] = arrayOf([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/**
 * The BLAKE3 compression function. Reads cv[0..8] and m[0..16]; writes the first 8
 * output words (the new chaining value) to out[0..8], and, if out has 16 words, the
 * extended-output words to out[8..16]. All inputs are read before out is written, so
 * out may alias cv or m.
 */
export function blake3Compress(
  cv: u32[],
  m: u32[],
  counterLo: u32,
  counterHi: u32,
  blockLen: u32,
  flags: u32,
  out: u32[],
): void {
  const m0: u32 = m[0];
  const m1: u32 = m[1];
  const m2: u32 = m[2];
  const m3: u32 = m[3];
  const m4: u32 = m[4];
  const m5: u32 = m[5];
  const m6: u32 = m[6];
  const m7: u32 = m[7];
  const m8: u32 = m[8];
  const m9: u32 = m[9];
  const m10: u32 = m[10];
  const m11: u32 = m[11];
  const m12: u32 = m[12];
  const m13: u32 = m[13];
  const m14: u32 = m[14];
  const m15: u32 = m[15];
  const c0: u32 = cv[0];
  const c1: u32 = cv[1];
  const c2: u32 = cv[2];
  const c3: u32 = cv[3];
  const c4: u32 = cv[4];
  const c5: u32 = cv[5];
  const c6: u32 = cv[6];
  const c7: u32 = cv[7];
  let v0: u32 = c0;
  let v1: u32 = c1;
  let v2: u32 = c2;
  let v3: u32 = c3;
  let v4: u32 = c4;
  let v5: u32 = c5;
  let v6: u32 = c6;
  let v7: u32 = c7;
  let v8: u32 = 0x6a09e667;
  let v9: u32 = 0xbb67ae85;
  let v10: u32 = 0x3c6ef372;
  let v11: u32 = 0xa54ff53a;
  let v12: u32 = counterLo;
  let v13: u32 = counterHi;
  let v14: u32 = blockLen;
  let v15: u32 = flags;

  // Seven rounds of eight G mixes; the message schedule is applied statically.
  // round 1
  v0 = u32(v0 + v4 + m0); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m1); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m2); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m3); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m4); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m5); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m6); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m7); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m8); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m9); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m10); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m11); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m12); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m13); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m14); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m15); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 2
  v0 = u32(v0 + v4 + m2); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m6); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m3); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m10); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m7); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m0); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m4); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m13); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m1); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m11); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m12); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m5); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m9); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m14); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m15); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m8); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 3
  v0 = u32(v0 + v4 + m3); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m4); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m10); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m12); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m13); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m2); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m7); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m14); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m6); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m5); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m9); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m0); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m11); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m15); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m8); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m1); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 4
  v0 = u32(v0 + v4 + m10); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m7); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m12); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m9); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m14); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m3); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m13); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m15); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m4); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m0); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m11); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m2); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m5); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m8); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m1); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m6); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 5
  v0 = u32(v0 + v4 + m12); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m13); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m9); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m11); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m15); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m10); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m14); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m8); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m7); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m2); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m5); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m3); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m0); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m1); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m6); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m4); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 6
  v0 = u32(v0 + v4 + m9); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m14); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m11); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m5); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m8); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m12); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m15); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m1); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m13); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m3); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m0); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m10); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m2); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m6); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m4); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m7); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);
  // round 7
  v0 = u32(v0 + v4 + m11); v12 = rotr32(u32(v12 ^ v0), 16); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 12);
  v0 = u32(v0 + v4 + m15); v12 = rotr32(u32(v12 ^ v0), 8); v8 = u32(v8 + v12); v4 = rotr32(u32(v4 ^ v8), 7);
  v1 = u32(v1 + v5 + m5); v13 = rotr32(u32(v13 ^ v1), 16); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 12);
  v1 = u32(v1 + v5 + m0); v13 = rotr32(u32(v13 ^ v1), 8); v9 = u32(v9 + v13); v5 = rotr32(u32(v5 ^ v9), 7);
  v2 = u32(v2 + v6 + m1); v14 = rotr32(u32(v14 ^ v2), 16); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 12);
  v2 = u32(v2 + v6 + m9); v14 = rotr32(u32(v14 ^ v2), 8); v10 = u32(v10 + v14); v6 = rotr32(u32(v6 ^ v10), 7);
  v3 = u32(v3 + v7 + m8); v15 = rotr32(u32(v15 ^ v3), 16); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 12);
  v3 = u32(v3 + v7 + m6); v15 = rotr32(u32(v15 ^ v3), 8); v11 = u32(v11 + v15); v7 = rotr32(u32(v7 ^ v11), 7);
  v0 = u32(v0 + v5 + m14); v15 = rotr32(u32(v15 ^ v0), 16); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 12);
  v0 = u32(v0 + v5 + m10); v15 = rotr32(u32(v15 ^ v0), 8); v10 = u32(v10 + v15); v5 = rotr32(u32(v5 ^ v10), 7);
  v1 = u32(v1 + v6 + m2); v12 = rotr32(u32(v12 ^ v1), 16); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 12);
  v1 = u32(v1 + v6 + m12); v12 = rotr32(u32(v12 ^ v1), 8); v11 = u32(v11 + v12); v6 = rotr32(u32(v6 ^ v11), 7);
  v2 = u32(v2 + v7 + m3); v13 = rotr32(u32(v13 ^ v2), 16); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 12);
  v2 = u32(v2 + v7 + m4); v13 = rotr32(u32(v13 ^ v2), 8); v8 = u32(v8 + v13); v7 = rotr32(u32(v7 ^ v8), 7);
  v3 = u32(v3 + v4 + m7); v14 = rotr32(u32(v14 ^ v3), 16); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 12);
  v3 = u32(v3 + v4 + m13); v14 = rotr32(u32(v14 ^ v3), 8); v9 = u32(v9 + v14); v4 = rotr32(u32(v4 ^ v9), 7);

  out[0] = u32(v0 ^ v8);
  out[1] = u32(v1 ^ v9);
  out[2] = u32(v2 ^ v10);
  out[3] = u32(v3 ^ v11);
  out[4] = u32(v4 ^ v12);
  out[5] = u32(v5 ^ v13);
  out[6] = u32(v6 ^ v14);
  out[7] = u32(v7 ^ v15);
  if (out.length == 16) {
    out[8] = u32(v8 ^ c0);
    out[9] = u32(v9 ^ c1);
    out[10] = u32(v10 ^ c2);
    out[11] = u32(v11 ^ c3);
    out[12] = u32(v12 ^ c4);
    out[13] = u32(v13 ^ c5);
    out[14] = u32(v14 ^ c6);
    out[15] = u32(v15 ^ c7);
  }
}

/** Loads count little-endian words from src[off..off + 4 * count) into words[0..count). */
function loadWords(src: u8[], off: u32, words: u32[], count: u32): void {
  let o: u32 = off;
  for (let i: u32 = 0; i < count; i++) {
    words[i] = u32(
      u32(src[o]) |
        (u32(src[u32(o + 1)]) << 8) |
        (u32(src[u32(o + 2)]) << 16) |
        (u32(src[u32(o + 3)]) << 24),
    );
    o = u32(o + 4);
  }
}

/** The state of the chunk being hashed: its chaining value and its unprocessed last block. */
export class Blake3ChunkState {
  cv: u32[] = array(8, 0);
  counter: u64 = 0n;
  buf: u8[] = array(64, 0);
  bufLen: u32 = 0;
  blocksCompressed: u32 = 0;
  flags: u32 = 0;
  words: u32[] = array(16, 0);

  reset(key: u32[], counter: u64, flags: u32): void {
    for (let i: u32 = 0; i < 8; i++) {
      this.cv[i] = key[i];
    }
    this.counter = counter;
    this.bufLen = 0;
    this.blocksCompressed = 0;
    this.flags = flags;
  }

  /** Bytes of this chunk absorbed so far (0..1024). */
  len(): u32 {
    return u32(u32(this.blocksCompressed * BLOCK_LEN) + this.bufLen);
  }

  startFlag(): u32 {
    if (this.blocksCompressed == 0) {
      return CHUNK_START;
    }
    return 0;
  }

  /** Absorbs input; the caller guarantees len() + input.length <= 1024. */
  update(input: u8[]): void {
    const n: u32 = input.length;
    const lo: u32 = u32(this.counter);
    const hi: u32 = u32(this.counter >> 32n);
    let pos: u32 = 0;
    while (pos < n) {
      // A full buffered block is compressed only once more input shows it is not the last.
      if (this.bufLen == BLOCK_LEN) {
        loadWords(this.buf, 0, this.words, 16);
        blake3Compress(this.cv, this.words, lo, hi, BLOCK_LEN, u32(this.flags | this.startFlag()), this.cv);
        this.blocksCompressed = u32(this.blocksCompressed + 1);
        this.bufLen = 0;
      }
      if (this.bufLen == 0) {
        // Whole blocks followed by more input go straight from the input.
        while (u32(n - pos) > BLOCK_LEN) {
          loadWords(input, pos, this.words, 16);
          blake3Compress(this.cv, this.words, lo, hi, BLOCK_LEN, u32(this.flags | this.startFlag()), this.cv);
          this.blocksCompressed = u32(this.blocksCompressed + 1);
          pos = u32(pos + BLOCK_LEN);
        }
      }
      let take: u32 = u32(BLOCK_LEN - this.bufLen);
      if (take > u32(n - pos)) {
        take = u32(n - pos);
      }
      const base: u32 = this.bufLen;
      for (let i: u32 = 0; i < take; i++) {
        this.buf[u32(base + i)] = input[u32(pos + i)];
      }
      this.bufLen = u32(base + take);
      pos = u32(pos + take);
    }
  }

  /** Loads the last block, zero-padded, into words; returns its flags (CHUNK_END set). */
  lastBlock(words: u32[]): u32 {
    for (let i: u32 = this.bufLen; i < BLOCK_LEN; i++) {
      this.buf[i] = 0;
    }
    loadWords(this.buf, 0, words, 16);
    return u32(this.flags | this.startFlag() | CHUNK_END);
  }

  /** This (complete, non-root) chunk's chaining value, into out[0..8]. */
  chainingValue(out: u32[]): void {
    const flags: u32 = this.lastBlock(this.words);
    blake3Compress(this.cv, this.words, u32(this.counter), u32(this.counter >> 32n), this.bufLen, flags, out);
  }
}

/** A node whose compression is not yet done: the root, or a node on the way to it. */
export class Blake3Output {
  cv: u32[] = array(8, 0);
  words: u32[] = array(16, 0);
  counterLo: u32 = 0;
  counterHi: u32 = 0;
  blockLen: u32 = 0;
  flags: u32 = 0;
  block: u32[] = array(16, 0);

  /** Writes the root output bytes 0..out.length (the extended output) to out. */
  rootBytes(out: u8[]): void {
    const n: u32 = out.length;
    const flags: u32 = u32(this.flags | ROOT);
    let pos: u32 = 0;
    let counter: u64 = 0n;
    while (pos < n) {
      blake3Compress(this.cv, this.words, u32(counter), u32(counter >> 32n), this.blockLen, flags, this.block);
      for (let i: u32 = 0; i < 16; i++) {
        const w: u32 = this.block[i];
        if (u32(n - pos) >= 4) {
          out[pos] = u8(w);
          out[u32(pos + 1)] = u8(w >>> 8);
          out[u32(pos + 2)] = u8(w >>> 16);
          out[u32(pos + 3)] = u8(w >>> 24);
          pos = u32(pos + 4);
        } else {
          let shift: u32 = 0;
          while (pos < n) {
            out[pos] = u8(w >>> shift);
            shift = u32(shift + 8);
            pos = u32(pos + 1);
          }
          break;
        }
      }
      counter = u64(counter + 1n);
    }
  }
}

/** An incremental BLAKE3 hasher. Call one init*() method first. */
export class Blake3Hasher {
  key: u32[] = array(8, 0);
  flags: u32 = 0;
  chunk = new Blake3ChunkState();
  cvStack: u32[] = array(CV_STACK_WORDS, 0);
  cvStackLen: u32 = 0;
  node = new Blake3Output();
  /** Parent-merge scratch: [0..8) left child, [8..16) right child / result. */
  pblock: u32[] = array(16, 0);
  /** Derive-key scratch: the context key. */
  contextKey: u8[] = array(32, 0);

  /** Internal: starts a hash with the given key words and flags. */
  initWith(key: u32[], flags: u32): void {
    for (let i: u32 = 0; i < 8; i++) {
      this.key[i] = key[i];
    }
    this.flags = flags;
    this.cvStackLen = 0;
    this.chunk.reset(this.key, 0n, flags);
  }

  /** Plain hashing. */
  initDefault(): void {
    this.initWith(IV, 0);
  }

  /** Keyed hashing (MAC) with a 32-byte key. */
  initKeyed(key: u8[]): void {
    assert(key.length == 32, "BLAKE3 key must be 32 bytes");
    loadWords(key, 0, this.pblock, 8);
    this.initWith(this.pblock, KEYED_HASH);
  }

  /** Key derivation: context is the (hard-coded, globally unique) context string's bytes. */
  initDeriveKey(context: u8[]): void {
    this.initWith(IV, DERIVE_KEY_CONTEXT);
    this.update(context);
    this.finalize(this.contextKey);
    loadWords(this.contextKey, 0, this.pblock, 8);
    this.initWith(this.pblock, DERIVE_KEY_MATERIAL);
  }

  /** Absorbs input (any length). */
  update(input: u8[]): void {
    const n: u32 = input.length;
    let pos: u32 = 0;
    while (pos < n) {
      // A full chunk is finished only once more input shows it is not the root.
      if (this.chunk.len() == CHUNK_LEN) {
        this.chunk.chainingValue(slice(this.pblock, 8, 16));
        const total: u64 = u64(this.chunk.counter + 1n);
        this.pushChunkCv(total);
        this.chunk.reset(this.key, total, this.flags);
      }
      let take: u32 = u32(CHUNK_LEN - this.chunk.len());
      if (take > u32(n - pos)) {
        take = u32(n - pos);
      }
      this.chunk.update(slice(input, pos, u32(pos + take)));
      pos = u32(pos + take);
    }
  }

  /**
   * Pushes the chaining value in pblock[8..16) of a completed chunk, total being the
   * number of chunks completed so far; first merges every completed subtree it closes
   * (one per trailing zero bit of total).
   */
  pushChunkCv(total: u64): void {
    const right: u32[] = slice(this.pblock, 8, 16);
    let t: u64 = total;
    while ((t & 1n) == 0n) {
      this.cvStackLen = u32(this.cvStackLen - 1);
      const top: u32 = u32(this.cvStackLen * 8);
      for (let i: u32 = 0; i < 8; i++) {
        this.pblock[i] = this.cvStack[u32(top + i)];
      }
      blake3Compress(this.key, this.pblock, 0, 0, BLOCK_LEN, u32(this.flags | PARENT), right);
      t = t >> 1n;
    }
    assert(this.cvStackLen < MAX_DEPTH, "BLAKE3 input too long");
    const base: u32 = u32(this.cvStackLen * 8);
    for (let i: u32 = 0; i < 8; i++) {
      this.cvStack[u32(base + i)] = right[i];
    }
    this.cvStackLen = u32(this.cvStackLen + 1);
  }

  /** Writes out.length bytes of output (extended output from position 0); the state is unchanged. */
  finalize(out: u8[]): void {
    for (let i: u32 = 0; i < 8; i++) {
      this.node.cv[i] = this.chunk.cv[i];
    }
    this.node.flags = this.chunk.lastBlock(this.node.words);
    this.node.counterLo = u32(this.chunk.counter);
    this.node.counterHi = u32(this.chunk.counter >> 32n);
    this.node.blockLen = this.chunk.bufLen;
    // Fold the stack from the top: each parent's block is (stack entry, child's CV).
    const right: u32[] = slice(this.node.words, 8, 16);
    let k: u32 = this.cvStackLen;
    while (k > 0) {
      k = u32(k - 1);
      blake3Compress(
        this.node.cv,
        this.node.words,
        this.node.counterLo,
        this.node.counterHi,
        this.node.blockLen,
        this.node.flags,
        right,
      );
      const base: u32 = u32(k * 8);
      for (let i: u32 = 0; i < 8; i++) {
        this.node.words[i] = this.cvStack[u32(base + i)];
        this.node.cv[i] = this.key[i];
      }
      this.node.counterLo = 0;
      this.node.counterHi = 0;
      this.node.blockLen = BLOCK_LEN;
      this.node.flags = u32(this.flags | PARENT);
    }
    this.node.rootBytes(out);
  }
}

/** out = BLAKE3(input), out.length bytes of (extended) output. */
export function blake3Hash(input: u8[], out: u8[]): void {
  const h = new Blake3Hasher();
  h.initDefault();
  h.update(input);
  h.finalize(out);
}

/** out = keyed BLAKE3 of input under a 32-byte key. */
export function blake3KeyedHash(key: u8[], input: u8[], out: u8[]): void {
  const h = new Blake3Hasher();
  h.initKeyed(key);
  h.update(input);
  h.finalize(out);
}

/** out = BLAKE3 derive-key of material under the context string's bytes. */
export function blake3DeriveKey(context: u8[], material: u8[], out: u8[]): void {
  const h = new Blake3Hasher();
  h.initDeriveKey(context);
  h.update(material);
  h.finalize(out);
}
