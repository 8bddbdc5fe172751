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
import { u8, u32, array, slice, print, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { printWordLines, readSized } from "./driver-io";
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

export function main(): u32 {
  while (R.fill()) {
    const mode: u8 = R.byte();
    if (mode > 2) {
      panic("blake3-driver: bad mode");
    }
    const key: u8[] = slice(KEY, 0, readSized(R, KEY));
    const inLen: u32 = readSized(R, INPUT);
    const input: u8[] = slice(INPUT, 0, inLen);
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
    print(`= ${outLen}`);
    printWordLines(OUT, outLen);
  }
  return 0;
}
