/**
 * Addresses. A MAC address is 6 bytes at some offset of a u8[] (a frame, or a
 * 6-byte array of its own); an IPv4 address is a u32 holding the address's
 * big-endian value (192.168.1.2 is 0xc0a8_0102), as readU32Be reads it.
 */
import { u8, u32, bool, readU32Be, writeU32Be } from "kts";

export const MAC_BYTES: u32 = 6;

/** 255.255.255.255, the limited broadcast address. */
export const IP_BROADCAST: u32 = 0xffff_ffff;
/** 224.0.0.1, the all-hosts multicast group (the stack joins no group, this one included). */
export const IP_ALL_HOSTS: u32 = 0xe000_0001;

/** a.b.c.d as a u32. */
export function ipv4(a: u32, b: u32, c: u32, d: u32): u32 {
  return u32(((a & 0xff) << 24) | ((b & 0xff) << 16) | ((c & 0xff) << 8) | (d & 0xff));
}

export function readIp(bytes: readonly u8[], at: u32): u32 {
  return readU32Be(bytes, at);
}

export function writeIp(bytes: u8[], at: u32, ip: u32): void {
  writeU32Be(bytes, at, ip);
}

/** 224.0.0.0/4. */
export function ipIsMulticast(ip: u32): bool {
  return ip >>> 28 == 0xe;
}

/** 127.0.0.0/8. */
export function ipIsLoopback(ip: u32): bool {
  return ip >>> 24 == 127;
}

/** The directed broadcast address of ip's subnet. */
export function subnetBroadcast(ip: u32, netmask: u32): u32 {
  return u32((ip & netmask) | ~netmask);
}

/** True if the first bit sent (bit 0 of the first byte) is set: a group address, broadcast included. */
export function macIsMulticast(m: readonly u8[], at: u32): bool {
  return (m[at] & 1) != 0;
}

export function macIsBroadcast(m: readonly u8[], at: u32): bool {
  for (let i: u32 = 0; i < MAC_BYTES; i++) {
    if (m[u32(at + i)] != 0xff) return false;
  }
  return true;
}

export function macIsZero(m: readonly u8[], at: u32): bool {
  for (let i: u32 = 0; i < MAC_BYTES; i++) {
    if (m[u32(at + i)] != 0) return false;
  }
  return true;
}

export function macEqual(a: readonly u8[], at: u32, b: readonly u8[], bt: u32): bool {
  for (let i: u32 = 0; i < MAC_BYTES; i++) {
    if (a[u32(at + i)] != b[u32(bt + i)]) return false;
  }
  return true;
}

export function macCopy(dst: u8[], at: u32, src: readonly u8[], from: u32): void {
  for (let i: u32 = 0; i < MAC_BYTES; i++) dst[u32(at + i)] = src[u32(from + i)];
}

export function macFill(dst: u8[], at: u32, v: u8): void {
  for (let i: u32 = 0; i < MAC_BYTES; i++) dst[u32(at + i)] = v;
}

/** The Ethernet group address of an IPv4 multicast group (RFC 1112 6.4): 01:00:5e and the group's low 23 bits. */
export function multicastMac(ip: u32, dst: u8[], at: u32): void {
  dst[at] = 0x01;
  dst[u32(at + 1)] = 0x00;
  dst[u32(at + 2)] = 0x5e;
  dst[u32(at + 3)] = u8((ip >>> 16) & 0x7f);
  dst[u32(at + 4)] = u8(ip >>> 8);
  dst[u32(at + 5)] = u8(ip);
}
