/**
 * BLAKE3 test driver (KTS program, host target): reads requests from standard input
 * and prints each result. test/crypto/blake3-cases.ts builds the requests and the
 * expected output.
 *
 * Request (integers little-endian), repeated until end of input:
 *   u8 mode (0 hash, 1 keyed hash, 2 derive key)
 *   u32 keyLen, keyLen bytes (mode 1: the 32-byte key; mode 2: the context string)
 *   u32 inputLen, inputLen bytes
 *   u32 outputLen
 *   u32 step: 0 = the one-shot function; otherwise a reused Blake3Hasher fed with
 *             update() pieces of step bytes, finalized twice (the results must agree)
 * Result: a line `= <outputLen>`, then the output as big-endian 32-bit words printed
 * with hex(), 8 per line (ceil(outputLen / 32) lines; the tail is zero-padded).
 */
import { u8, u32, bool, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { Blake3Hasher, blake3Hash, blake3KeyedHash, blake3DeriveKey } from "../../src/lib/crypto/blake3";

const READ_BUF = 65536;
const MAX_KEY = 4096;
const MAX_INPUT = 1048576;
const MAX_OUTPUT = 65536;

const KEY: u8[] = array(MAX_KEY, 0);
const INPUT: u8[] = array(MAX_INPUT, 0);
const OUT: u8[] = array(MAX_OUTPUT, 0);
const OUT2: u8[] = array(MAX_OUTPUT, 0);
const H = new Blake3Hasher();

const R = new StdinReader();

function initHasher(mode: u8, key: u8[]): void {
  if (mode == 0) {
    H.initDefault();
  } else if (mode == 1) {
    H.initKeyed(key);
  } else {
    H.initDeriveKey(key);
  }
}

function beWord(o: u32): u32 {
  return u32(
    (u32(OUT[o]) << 24) | (u32(OUT[u32(o + 1)]) << 16) | (u32(OUT[u32(o + 2)]) << 8) | u32(OUT[u32(o + 3)]),
  );
}

function printResult(n: u32): void {
  print(`= ${n}`);
  const padded: u32 = u32(u32(n + 31) & 0xffffffe0);
  for (let i: u32 = n; i < padded; i++) {
    OUT[i] = 0;
  }
  let o: u32 = 0;
  while (o < padded) {
    const w0: u32 = beWord(o);
    const w1: u32 = beWord(u32(o + 4));
    const w2: u32 = beWord(u32(o + 8));
    const w3: u32 = beWord(u32(o + 12));
    const w4: u32 = beWord(u32(o + 16));
    const w5: u32 = beWord(u32(o + 20));
    const w6: u32 = beWord(u32(o + 24));
    const w7: u32 = beWord(u32(o + 28));
    print(`${hex(w0)} ${hex(w1)} ${hex(w2)} ${hex(w3)} ${hex(w4)} ${hex(w5)} ${hex(w6)} ${hex(w7)}`);
    o = u32(o + 32);
  }
}

export function main(): u32 {
  while (R.fill()) {
    const mode: u8 = R.byte();
    if (mode > 2) {
      panic("blake3-driver: bad mode");
    }
    const keyLen: u32 = R.u32le();
    if (keyLen > MAX_KEY) {
      panic("blake3-driver: key too long");
    }
    const key: u8[] = slice(KEY, 0, keyLen);
    R.bytes(key);
    const inLen: u32 = R.u32le();
    if (inLen > MAX_INPUT) {
      panic("blake3-driver: input too long");
    }
    const input: u8[] = slice(INPUT, 0, inLen);
    R.bytes(input);
    const outLen: u32 = R.u32le();
    if (outLen > MAX_OUTPUT) {
      panic("blake3-driver: output too long");
    }
    const out: u8[] = slice(OUT, 0, outLen);
    const step: u32 = R.u32le();
    if (step == 0) {
      if (mode == 0) {
        blake3Hash(input, out);
      } else if (mode == 1) {
        blake3KeyedHash(key, input, out);
      } else {
        blake3DeriveKey(key, input, out);
      }
    } else {
      initHasher(mode, key);
      let pos: u32 = 0;
      while (pos < inLen) {
        let end: u32 = inLen;
        if (step < u32(inLen - pos)) {
          end = u32(pos + step);
        }
        H.update(slice(input, pos, end));
        pos = end;
      }
      H.finalize(out);
      const again: u8[] = slice(OUT2, 0, outLen);
      H.finalize(again);
      for (let i: u32 = 0; i < outLen; i++) {
        if (out[i] != again[i]) {
          panic("blake3-driver: second finalize differs");
        }
      }
    }
    printResult(outLen);
  }
  return 0;
}
