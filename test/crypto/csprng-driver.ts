/**
 * CSPRNG test driver (KTS program, host target): runs a script of operations on two
 * generators read from standard input and prints what they produce.
 * test/crypto/csprng.test.ts writes the scripts and the expected output.
 *
 * Operation (integers little-endian), repeated until end of input:
 *   u8 op, u8 generator (0 or 1), then by op:
 *   0 reset
 *   1 absorb: u32 bits, u32 len, len bytes
 *   2 reseed
 *   3 mix:    u32 bits, u32 len, len bytes
 *   4 generate: u32 n; prints `= n`, then the n bytes as big-endian 32-bit words with
 *     hex(), 8 per line (the tail zero-padded), as blake3-driver.ts does
 *   5 status: prints `s <seeded 0|1> <credited bits> <pending bits> <reseeds>`
 *   6 key: prints `k`, then the 32-byte key as one line of 8 words
 *   7 mark: u32 id; prints `# <id>`
 * After every operation the driver checks that the generator's scratch is zero, and
 * the pool's arrays too when nothing is pending; generate must leave the bytes after
 * the n it was asked for untouched.
 */
import { u8, u32, u64, bool, array, slice, print, panic, structs } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { printWordLines, readSized } from "./driver-io";
import { Csprng } from "../../src/lib/crypto/csprng";

const MAX_INPUT = 65536;
const MAX_OUTPUT = 65536;
const GUARD = 64;

const INPUT: u8[] = array(MAX_INPUT, 0);
const OUT: u8[] = array(MAX_OUTPUT + GUARD, 0);
const GENS: Csprng[] = structs(2, Csprng);

const R = new StdinReader();

function allZero32(words: u32[]): bool {
  for (let i: u32 = 0; i < words.length; i++) {
    if (words[i] != 0) return false;
  }
  return true;
}

function allZero8(bytes: u8[]): bool {
  for (let i: u32 = 0; i < bytes.length; i++) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

function checkWiped(g: Csprng): void {
  if (!allZero32(g.cv) || !allZero32(g.msg) || !allZero32(g.block) || !allZero8(g.digest)) {
    panic("csprng-driver: scratch not wiped");
  }
  if (!g.poolOpen) {
    const p = g.pool;
    const clean: bool =
      allZero8(p.chunk.buf) &&
      allZero32(p.chunk.words) &&
      allZero32(p.cvStack) &&
      allZero32(p.node.cv) &&
      allZero32(p.node.words) &&
      allZero32(p.node.block) &&
      allZero32(p.pblock) &&
      allZero8(p.contextKey);
    if (!clean) {
      panic("csprng-driver: pool not wiped");
    }
  }
}

export function main(): u32 {
  while (R.fill()) {
    const op: u8 = R.byte();
    const which: u8 = R.byte();
    if (which > 1) {
      panic("csprng-driver: bad generator");
    }
    const g: Csprng = GENS[u32(which)];
    if (op == 0) {
      g.reset();
    } else if (op == 1 || op == 3) {
      const bits: u32 = R.u32le();
      const input: u8[] = slice(INPUT, 0, readSized(R, INPUT));
      if (op == 1) {
        g.absorb(input, bits);
      } else {
        g.mix(input, bits);
      }
    } else if (op == 2) {
      g.reseed();
    } else if (op == 4) {
      const n: u32 = R.u32le();
      if (n > MAX_OUTPUT) {
        panic("csprng-driver: output too long");
      }
      for (let i: u32 = 0; i < u32(n + GUARD); i++) {
        OUT[i] = 0xa5;
      }
      g.generate(slice(OUT, 0, u32(n + GUARD)), n);
      for (let i: u32 = n; i < u32(n + GUARD); i++) {
        if (OUT[i] != 0xa5) {
          panic("csprng-driver: generate wrote past n");
        }
      }
      print(`= ${n}`);
      printWordLines(OUT, n);
    } else if (op == 5) {
      const s: u32 = u32(g.seeded());
      const credited: u64 = g.entropyBits();
      const pending: u64 = g.pendingEntropyBits();
      const reseeds: u64 = g.reseeds();
      print(`s ${s} ${credited} ${pending} ${reseeds}`);
    } else if (op == 6) {
      for (let i: u32 = 0; i < 32; i++) {
        OUT[i] = g.key[i];
      }
      print("k");
      printWordLines(OUT, 32);
    } else if (op == 7) {
      const id: u32 = R.u32le();
      print(`# ${id}`);
    } else {
      panic("csprng-driver: bad op");
    }
    checkWiped(g);
  }
  return 0;
}
