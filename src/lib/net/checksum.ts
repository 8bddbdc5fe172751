/**
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit
 * big-endian words, complemented. IPv4 headers, ICMP messages and UDP
 * datagrams (with their pseudo-header) use it.
 *
 * A running sum is a u32 that is only ever folded at the end (sumFinish), so
 * sums of parts can be added: sumBytes(sumBytes(0, a), b) is the sum of a then
 * b as long as a has an even length (an odd last byte is padded with zero, so
 * only a sum's last part may be odd).
 */
import { u8, u16, u32, bool } from "kts";

/** Folds the carries of a running sum into its low 16 bits (end-around carry). */
export function sumFold(sum: u32): u32 {
  let s: u32 = sum;
  while (s > 0xffff) s = u32((s & 0xffff) + (s >>> 16));
  return s;
}

/** Adds bytes[at .. at+n) to a running sum (a last odd byte counts as its word's high byte). */
export function sumBytes(sum: u32, bytes: readonly u8[], at: u32, n: u32): u32 {
  let s: u32 = sumFold(sum);
  const end = u32(at + n);
  let i: u32 = at;
  while (u32(i + 1) < end) {
    s = u32(s + u32(u32(bytes[i]) << 8) + u32(bytes[u32(i + 1)]));
    // Keep room for the next word: fold long before 2^32.
    if (s >= 0x8000_0000) s = sumFold(s);
    i = u32(i + 2);
  }
  if (i < end) s = u32(s + u32(u32(bytes[i]) << 8));
  return sumFold(s);
}

/** Adds a 16-bit value to a running sum. */
export function sumWord(sum: u32, w: u32): u32 {
  return sumFold(u32(sumFold(sum) + (w & 0xffff)));
}

/** Adds an IPv4 address (two words) to a running sum. */
export function sumAddress(sum: u32, ip: u32): u32 {
  return sumWord(sumWord(sum, ip >>> 16), ip & 0xffff);
}

/** The checksum field for a finished sum: its complement. */
export function sumFinish(sum: u32): u16 {
  return u16(~sumFold(sum) & 0xffff);
}

/** The checksum of bytes[at .. at+n) alone. */
export function checksum(bytes: readonly u8[], at: u32, n: u32): u16 {
  return sumFinish(sumBytes(0, bytes, at, n));
}

/**
 * True if bytes[at .. at+n), checksum field included, sums to 0xffff: a range
 * whose checksum field is right always does (an all-zero range sums to 0 and is
 * refused: its right checksum would be 0xffff). Used on receive: a range
 * verifies without knowing where its field is.
 */
export function checksumValid(bytes: readonly u8[], at: u32, n: u32): bool {
  return sumFold(sumBytes(0, bytes, at, n)) == 0xffff;
}
