/**
 * The static fallback configuration, from the boot command line:
 * `net.static=A.B.C.D/N` or `net.static=A.B.C.D/N,G.G.G.G` (N 1..32; the
 * gateway on the address's subnet). The net service applies it when DHCP has
 * not answered in time (docs/networking.md).
 */
import { u8, u32, u64, bool, arrayOf } from "kts";
import { NetConfig } from "./config";
import { parseIp, NOT_AN_ADDRESS } from "./text";

export enum StaticConfig {
  /** No net.static= word. */
  Absent,
  Ok,
  /** A net.static= word that does not say an address/prefix[,gateway]. */
  Malformed,
}

/** "net.static=" */
const KEY: u8[] = arrayOf([0x6e, 0x65, 0x74, 0x2e, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x3d]);
const SPACE: u8 = 0x20;
const SLASH: u8 = 0x2f;
const COMMA: u8 = 0x2c;

/** Looks for net.static= among line[0 .. length)'s space-separated words (the last one counts); fills out when Ok. */
export function staticConfig(line: u8[], length: u32, out: NetConfig): StaticConfig {
  let found: StaticConfig = StaticConfig.Absent;
  let at: u32 = 0;
  while (at < length) {
    let end: u32 = at;
    while (end < length && line[end] != SPACE) end = u32(end + 1);
    if (startsWithKey(line, at, end)) found = parseValue(line, u32(at + KEY.length), end, out);
    at = u32(end + 1);
  }
  return found;
}

function startsWithKey(line: u8[], at: u32, end: u32): bool {
  if (u32(end - at) < KEY.length) return false;
  for (let i: u32 = 0; i < KEY.length; i++) if (line[u32(at + i)] != KEY[i]) return false;
  return true;
}

/** A.B.C.D/N[,G.G.G.G] in line[at .. end). */
function parseValue(line: u8[], at: u32, end: u32, out: NetConfig): StaticConfig {
  let slash: u32 = at;
  while (slash < end && line[slash] != SLASH) slash = u32(slash + 1);
  if (slash == end) return StaticConfig.Malformed;
  const ip: u64 = parseIp(line, at, u32(slash - at));
  let comma: u32 = u32(slash + 1);
  while (comma < end && line[comma] != COMMA) comma = u32(comma + 1);
  let prefix: u32 = 0;
  const digits: u32 = u32(comma - slash - 1);
  if (digits == 0 || digits > 2) return StaticConfig.Malformed;
  for (let i: u32 = u32(slash + 1); i < comma; i = u32(i + 1)) {
    const c: u8 = line[i];
    if (c < 0x30 || c > 0x39) return StaticConfig.Malformed;
    prefix = u32(prefix * 10 + u32(c - 0x30));
  }
  if (ip == NOT_AN_ADDRESS || ip == 0n || prefix == 0 || prefix > 32) return StaticConfig.Malformed;
  const mask: u32 = u32(u64(0xffff_ffffn << u64(32 - prefix)) & 0xffff_ffffn);
  let gateway: u64 = 0n;
  if (comma < end) {
    gateway = parseIp(line, u32(comma + 1), u32(end - comma - 1));
    if (gateway == NOT_AN_ADDRESS || gateway == 0n || gateway == ip) return StaticConfig.Malformed;
    if (u32(u32(gateway) & mask) != u32(u32(ip) & mask)) return StaticConfig.Malformed;
  }
  out.clear();
  out.ip = u32(ip);
  out.netmask = mask;
  out.gateway = u32(gateway);
  return StaticConfig.Ok;
}
