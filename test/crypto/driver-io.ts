/**
 * Request reading and output formatting shared by the crypto test drivers (KTS host
 * programs that read requests from stdin with StdinReader and print their results).
 */
import { u8, u32, u64, bool, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";

/** Reads a u32 LE length n, then n bytes into buf[0 .. n); returns n. Panics when n > buf.length. */
export function readSized(r: StdinReader, buf: u8[]): u32 {
  const n = r.u32le();
  if (n > buf.length) {
    panic(`request length ${n} over the buffer's ${buf.length}`);
  }
  r.bytes(slice(buf, 0, n));
  return n;
}

/** s[off .. off + 8) as a u64, big- or little-endian. */
export function word64(s: u8[], off: u32, bigEndian: bool): u64 {
  let r: u64 = 0n;
  for (let i: u32 = 0; i < 8; i++) {
    const b = u64(s[u32(off + i)]);
    if (bigEndian) {
      r = u64(r << 8n) | b;
    } else {
      r = r | u64(b << u64(i * 8));
    }
  }
  return r;
}

/** Prints the 32-byte scalar s[0 .. 32) as 4 little-endian u64 words with hex(). */
export function printScalarWords(s: u8[]): void {
  const k0 = word64(s, 0, false);
  const k1 = word64(s, 8, false);
  const k2 = word64(s, 16, false);
  const k3 = word64(s, 24, false);
  print(`${hex(k0)} ${hex(k1)} ${hex(k2)} ${hex(k3)}`);
}

function beWord32(s: u8[], o: u32): u32 {
  return u32((u32(s[o]) << 24) | (u32(s[u32(o + 1)]) << 16) | (u32(s[u32(o + 2)]) << 8) | u32(s[u32(o + 3)]));
}

/**
 * Prints buf[0 .. n) as lines of 8 big-endian 32-bit words with hex(), the tail
 * zero-padded: the padding is written into buf, which must have room for it.
 */
export function printWordLines(buf: u8[], n: u32): void {
  const padded: u32 = u32(u32(n + 31) & 0xffffffe0);
  for (let i: u32 = n; i < padded; i++) {
    buf[i] = 0;
  }
  let o: u32 = 0;
  while (o < padded) {
    const w0: u32 = beWord32(buf, o);
    const w1: u32 = beWord32(buf, u32(o + 4));
    const w2: u32 = beWord32(buf, u32(o + 8));
    const w3: u32 = beWord32(buf, u32(o + 12));
    const w4: u32 = beWord32(buf, u32(o + 16));
    const w5: u32 = beWord32(buf, u32(o + 20));
    const w6: u32 = beWord32(buf, u32(o + 24));
    const w7: u32 = beWord32(buf, u32(o + 28));
    print(`${hex(w0)} ${hex(w1)} ${hex(w2)} ${hex(w3)} ${hex(w4)} ${hex(w5)} ${hex(w6)} ${hex(w7)}`);
    o = u32(o + 32);
  }
}
