/**
 * The kernel's cryptographically secure random generator: BLAKE3 with fast key
 * erasure. A pure library: no entropy source of its own, no locking, no module-level
 * mutable state. The kernel owns one Csprng, feeds it entropy (absorb/mix with a
 * credited estimate) and serves random bytes with generate(); callers on several
 * CPUs serialize calls on one instance.
 *
 * Construction ("CambiOS CSPRNG 2026"), exactly; test/crypto/csprng.test.ts checks an
 * independent model written from this text against @noble/hashes.
 *
 *   Notation. KH(K, M, L): the first L bytes of BLAKE3 in keyed-hash mode with the
 *   32-byte key K over message M (L > 32 is BLAKE3's extended output). H(M): plain
 *   BLAKE3 of M, 32 bytes. LE64(x): x as 8 bytes, little-endian. || concatenates.
 *   MIX_LABEL: the 23 ASCII bytes "CambiOS CSPRNG 2026 mix" and one 0x00 byte (24 bytes).
 *   GEN_LABEL: the 28 ASCII bytes "CambiOS CSPRNG 2026 generate" and one 0x00 byte
 *   (29 bytes).
 *
 *   State. K: 32 bytes, initially all zero. c: the reseed counter (u64), initially 0.
 *   P: the pool, the bytes absorbed since the last reseed, initially empty.
 *   pending, credited: entropy estimates in bits (u64, saturating at 2^64 - 1),
 *   initially 0. seeded: a flag, initially false.
 *
 *   absorb(x, b):  P = P || x;  pending += min(b, 8 * |x|).
 *   reseed():      K = KH(K, MIX_LABEL || LE64(c) || H(P), 32);  c = c + 1 (mod 2^64);
 *                  P = empty;  credited += pending;  pending = 0;
 *                  seeded = true once credited >= 256 (it then stays true).
 *   mix(x, b):     absorb(x, b), then reseed().
 *   generate(n):   the output is the concatenation of pieces of m = min(n', 4096)
 *                  bytes, n' being the bytes still to produce, each made by:
 *                    S = KH(K, GEN_LABEL, 32 + m);  K = S[0..32);  piece = S[32..32 + m).
 *                  generate(0) changes nothing. A piece's key is replaced before the
 *                  piece is returned, so a later compromise of the state does not
 *                  reveal earlier output (forward secrecy); reseed() with enough
 *                  entropy recovers from a compromise (backtracking resistance).
 *   reset():       back to the initial state.
 *
 * The credit of one absorb is capped at 8 bits per byte as a guard against a caller's
 * mistake, nothing more: the estimate is the caller's. generate() works whether or
 * not the generator is seeded (unseeded output is predictable: the caller asks
 * seeded() and decides). Absorbing never touches K, so entropy can trickle into the
 * pool between generates; the pool holds only entropy, never the key.
 *
 * Implementation notes. The mix message is exactly 64 bytes and GEN_LABEL fits in one
 * block, so both keyed hashes are single-chunk, single-block BLAKE3: one compression
 * with flags KEYED_HASH | CHUNK_START | CHUNK_END | ROOT per 64 output bytes, the
 * output block counter counting them (blake3Compress of blake3.ts). The pool is a
 * Blake3Hasher (plain hashing). Every buffer that held key or pool material (the
 * scratch words, the pool hasher's arrays) is zeroed after use; these buffers live in
 * the instance, not on the stack, so the zeroing stores cannot be dropped as dead
 * (keep the instance in static storage: a Csprng is about 2.3 KiB).
 * The compression function's locals (registers, stack) are not wiped: KTS cannot.
 */
import { u8, u32, u64, bool, array, arrayOf, assert, min, writeU32Le, fillBytes, slice } from "kts";
import { Blake3Hasher, blake3Compress } from "./blake3";

/** Bytes of output made from one key before the key is replaced. */
export const CSPRNG_PIECE_MAX = 4096;
/** Credited bits after which the generator counts as seeded. */
export const CSPRNG_SEED_BITS = 256;

/** BLAKE3 flags of a one-block keyed hash at the root: KEYED_HASH | CHUNK_START | CHUNK_END | ROOT. */
const KEYED_ROOT_BLOCK = 27;
const MIX_LABEL_LEN = 24;
const GEN_LABEL_LEN = 29;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** "CambiOS CSPRNG 2026 mix" and a NUL. */
const MIX_LABEL: readonly u8[] = arrayOf([
  0x43, 0x61, 0x6d, 0x62, 0x69, 0x4f, 0x53, 0x20, 0x43, 0x53, 0x50, 0x52, 0x4e, 0x47, 0x20, 0x32, 0x30, 0x32,
  0x36, 0x20, 0x6d, 0x69, 0x78, 0x00,
]);

/** "CambiOS CSPRNG 2026 generate" and a NUL. */
const GEN_LABEL: readonly u8[] = arrayOf([
  0x43, 0x61, 0x6d, 0x62, 0x69, 0x4f, 0x53, 0x20, 0x43, 0x53, 0x50, 0x52, 0x4e, 0x47, 0x20, 0x32, 0x30, 0x32,
  0x36, 0x20, 0x67, 0x65, 0x6e, 0x65, 0x72, 0x61, 0x74, 0x65, 0x00,
]);

/** words[at..at + count) = the little-endian words of src[off..off + 4 * count). */
function loadLe(src: readonly u8[], off: u32, words: u32[], at: u32, count: u32): void {
  let o: u32 = off;
  for (let i: u32 = 0; i < count; i++) {
    words[u32(at + i)] = u32(
      u32(src[o]) |
        (u32(src[u32(o + 1)]) << 8) |
        (u32(src[u32(o + 2)]) << 16) |
        (u32(src[u32(o + 3)]) << 24),
    );
    o = u32(o + 4);
  }
}

/** words[at..at + count) = the label's bytes, zero-padded to whole words (little-endian). */
function loadLabel(label: readonly u8[], words: u32[], at: u32, count: u32): void {
  const n: u32 = label.length;
  for (let i: u32 = 0; i < count; i++) {
    let w: u32 = 0;
    for (let k: u32 = 0; k < 4; k++) {
      const b: u32 = u32(u32(i * 4) + k);
      if (b < n) {
        w = u32(w | (u32(label[b]) << u32(k * 8)));
      }
    }
    words[u32(at + i)] = w;
  }
}

function zeroWords(words: u32[]): void {
  for (let i: u32 = 0; i < words.length; i++) {
    words[i] = 0;
  }
}

function satAdd(a: u64, b: u64): u64 {
  if (b > u64(U64_MAX - a)) {
    return U64_MAX;
  }
  return u64(a + b);
}

/** Zeroes every array of a hasher (all of its state) and leaves it ready for plain hashing. */
function wipeHasher(h: Blake3Hasher): void {
  zeroWords(h.key);
  zeroWords(h.chunk.cv);
  fillBytes(h.chunk.buf, 0, h.chunk.buf.length, 0);
  zeroWords(h.chunk.words);
  zeroWords(h.cvStack);
  zeroWords(h.node.cv);
  zeroWords(h.node.words);
  zeroWords(h.node.block);
  zeroWords(h.pblock);
  fillBytes(h.contextKey, 0, h.contextKey.length, 0);
  h.initDefault();
}

/** A BLAKE3 fast-key-erasure generator (see the construction above). */
export class Csprng {
  /** K. */
  key: u8[] = array(32, 0);
  /** c: reseeds so far. */
  reseedCount: u64 = 0n;
  /** Bits credited to reseeds so far (saturating). */
  creditedBits: u64 = 0n;
  /** Bits credited to the pool since the last reseed (saturating). */
  pendingBits: u64 = 0n;
  seededFlag: bool = false;
  /** P, as a running plain BLAKE3 hash; initialized on first use. */
  pool = new Blake3Hasher();
  poolOpen: bool = false;
  // Scratch, zero between calls.
  cv: u32[] = array(8, 0);
  msg: u32[] = array(16, 0);
  block: u32[] = array(16, 0);
  digest: u8[] = array(32, 0);

  /** Back to the initial state (zero key, nothing credited), wiping everything. */
  reset(): void {
    fillBytes(this.key, 0, 32, 0);
    this.reseedCount = 0n;
    this.creditedBits = 0n;
    this.pendingBits = 0n;
    this.seededFlag = false;
    wipeHasher(this.pool);
    this.poolOpen = false;
    this.wipeScratch();
  }

  /** Adds input to the pool, crediting min(bits, 8 * input.length) bits; K is unchanged. */
  absorb(input: u8[], bits: u32): void {
    if (!this.poolOpen) {
      this.pool.initDefault();
      this.poolOpen = true;
    }
    this.pool.update(input);
    const credit: u64 = min(u64(bits), u64(u64(input.length) * 8n));
    this.pendingBits = satAdd(this.pendingBits, credit);
  }

  /** Folds the pool into the key: K = KH(K, MIX_LABEL || LE64(c) || H(P), 32); c += 1. */
  reseed(): void {
    if (!this.poolOpen) {
      this.pool.initDefault();
    }
    this.pool.finalize(this.digest);
    loadLabel(MIX_LABEL, this.msg, 0, u32(MIX_LABEL_LEN / 4));
    this.msg[6] = u32(this.reseedCount);
    this.msg[7] = u32(this.reseedCount >> 32n);
    loadLe(this.digest, 0, this.msg, 8, 8);
    loadLe(this.key, 0, this.cv, 0, 8);
    blake3Compress(this.cv, this.msg, 0, 0, 64, KEYED_ROOT_BLOCK, slice(this.block, 0, 8));
    for (let i: u32 = 0; i < 8; i++) {
      writeU32Le(this.key, u32(i * 4), this.block[i]);
    }
    this.reseedCount = u64(this.reseedCount + 1n);
    this.creditedBits = satAdd(this.creditedBits, this.pendingBits);
    this.pendingBits = 0n;
    if (this.creditedBits >= u64(CSPRNG_SEED_BITS)) {
      this.seededFlag = true;
    }
    wipeHasher(this.pool);
    this.poolOpen = false;
    this.wipeScratch();
  }

  /** absorb(input, bits), then reseed(). */
  mix(input: u8[], bits: u32): void {
    this.absorb(input, bits);
    this.reseed();
  }

  /** Writes n random bytes to out[0..n) (n <= out.length); out[n..) is untouched. */
  generate(out: u8[], n: u32): void {
    assert(n <= out.length, "csprng: output longer than its buffer");
    let pos: u32 = 0;
    while (pos < n) {
      const m: u32 = min(u32(n - pos), u32(CSPRNG_PIECE_MAX));
      this.piece(out, pos, u32(pos + m));
      pos = u32(pos + m);
    }
  }

  /** True once at least 256 bits were credited to reseeds. */
  seeded(): bool {
    return this.seededFlag;
  }

  /** Bits credited to reseeds so far (saturating). */
  entropyBits(): u64 {
    return this.creditedBits;
  }

  /** Bits waiting in the pool for the next reseed. */
  pendingEntropyBits(): u64 {
    return this.pendingBits;
  }

  /** The reseed counter c. */
  reseeds(): u64 {
    return this.reseedCount;
  }

  /** One piece: S = KH(K, GEN_LABEL, 32 + m); K = S[0..32); out[at..end) = S[32..32 + m). */
  piece(out: u8[], at: u32, end: u32): void {
    loadLabel(GEN_LABEL, this.msg, 0, 16);
    loadLe(this.key, 0, this.cv, 0, 8);
    // Output block 0: the new key, then the first 32 output bytes.
    blake3Compress(this.cv, this.msg, 0, 0, GEN_LABEL_LEN, KEYED_ROOT_BLOCK, this.block);
    for (let i: u32 = 0; i < 8; i++) {
      writeU32Le(this.key, u32(i * 4), this.block[i]);
    }
    let pos: u32 = this.emit(out, at, end, 8);
    let counter: u32 = 1;
    while (pos < end) {
      blake3Compress(this.cv, this.msg, counter, 0, GEN_LABEL_LEN, KEYED_ROOT_BLOCK, this.block);
      pos = this.emit(out, pos, end, 0);
      counter = u32(counter + 1);
    }
    this.wipeScratch();
  }

  /** Copies block words from..16 to out[pos..end) (little-endian); returns the new pos. */
  emit(out: u8[], pos: u32, end: u32, from: u32): u32 {
    let p: u32 = pos;
    for (let i: u32 = from; i < 16; i++) {
      if (p == end) {
        break;
      }
      const w: u32 = this.block[i];
      if (u32(end - p) >= 4) {
        writeU32Le(out, p, w);
        p = u32(p + 4);
      } else {
        let shift: u32 = 0;
        while (p < end) {
          out[p] = u8(w >>> shift);
          shift = u32(shift + 8);
          p = u32(p + 1);
        }
      }
    }
    return p;
  }

  wipeScratch(): void {
    zeroWords(this.cv);
    zeroWords(this.msg);
    zeroWords(this.block);
    fillBytes(this.digest, 0, 32, 0);
  }
}
