/**
 * IPv4 addresses as people write them: dotted quads to and from u32 (the first
 * byte highest), and a netmask's prefix length.
 */
import { u8, u32, u64 } from "kts";
import { Line } from "../format";

/** Returned by parseIp for text that is not a dotted quad. */
export const NOT_AN_ADDRESS: u64 = 0xffff_ffff_ffff_ffffn;

/** Appends "a.b.c.d". */
export function appendIp(row: Line, ip: u32): void {
  for (let i: u32 = 0; i < 4; i++) {
    if (i > 0) row.byte(0x2e);
    row.decimal(u64(u32(ip >>> u32(24 - 8 * i)) & 0xff));
  }
}

/** The ones at the top of a mask (255.255.255.0: 24). */
export function prefixLength(mask: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < 32; i++) if ((u32(mask >>> u32(31 - i)) & 1) == 1) n = u32(n + 1);
  return n;
}

/** text[start .. start + length) as "a.b.c.d" (each 0..255, no leading '+', no empty part), or NOT_AN_ADDRESS. */
export function parseIp(text: u8[], start: u32, length: u32): u64 {
  let ip: u64 = 0n;
  let part: u32 = 0;
  let digits: u32 = 0;
  let parts: u32 = 0;
  for (let i: u32 = 0; i < length; i++) {
    const c: u8 = text[u32(start + i)];
    if (c >= 0x30 && c <= 0x39) {
      part = u32(part * 10 + u32(c - 0x30));
      digits = u32(digits + 1);
      if (digits > 3 || part > 255) return NOT_AN_ADDRESS;
    } else if (c == 0x2e) {
      if (digits == 0 || parts == 3) return NOT_AN_ADDRESS;
      ip = u64(u64(ip << 8n) | u64(part));
      parts = u32(parts + 1);
      part = 0;
      digits = 0;
    } else return NOT_AN_ADDRESS;
  }
  if (digits == 0 || parts != 3) return NOT_AN_ADDRESS;
  return u64(u64(ip << 8n) | u64(part));
}
