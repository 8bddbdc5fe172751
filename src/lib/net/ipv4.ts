/**
 * IPv4 headers (RFC 791, host requirements of RFC 1122).
 *
 * Receive: parseIpv4 checks, in this order (the first failure is the reason):
 * at least 20 bytes, version 4, IHL at least 5 and the header within the
 * bytes, total length at least the header and within the bytes (bytes past it
 * are Ethernet padding), the header checksum, no fragment, TTL not 0.
 *  - Fragments are refused (Drop.IpFragment): MF set or a non-zero offset. We
 *    send with DF and datagrams of at most the 1500-byte MTU, so a peer only
 *    fragments what it chose to send too big; refusing keeps the stack free of
 *    reassembly buffers and their attacks (overlaps, exhaustion).
 *  - Options are skipped, not interpreted (IHL above 5 is accepted; the
 *    payload starts after them). We never forward, so source routes cannot
 *    route through us; record-route and timestamp are not filled in.
 *  - The reserved flag bit is ignored.
 * Addresses (whether the datagram is for us, and its source) are the stack's
 * to check: they depend on the configuration.
 *
 * Send: writeIpv4 writes a 20-byte header without options: TTL 64, DF set,
 * the identification the caller gives (the stack's counter), the checksum.
 */
import { u8, u16, u32, readU16Be, writeU16Be } from "kts";
import { Drop } from "./counters";
import { readIp, writeIp } from "./addr";
import { checksum, checksumValid } from "./checksum";

export const IPV4_HEADER: u32 = 20;
/** Largest datagram (the Ethernet MTU). */
export const IPV4_MAX: u32 = 1500;
export const IP_VERSION_IHL: u32 = 0;
export const IP_TOS: u32 = 1;
export const IP_TOTAL: u32 = 2;
export const IP_ID: u32 = 4;
export const IP_FLAGS_FRAG: u32 = 6;
export const IP_TTL: u32 = 8;
export const IP_PROTOCOL: u32 = 9;
export const IP_CHECKSUM: u32 = 10;
export const IP_SRC: u32 = 12;
export const IP_DST: u32 = 16;

export const IP_FLAG_DF: u16 = 0x4000;
export const IP_FLAG_MF: u16 = 0x2000;
export const IP_OFFSET_MASK: u16 = 0x1fff;
export const IP_DEFAULT_TTL: u8 = 64;

export const PROTO_ICMP: u8 = 1;
export const PROTO_TCP: u8 = 6;
export const PROTO_UDP: u8 = 17;

/** A parsed header. Offsets are from the start of the buffer parsed. */
export class Ipv4Header {
  headerLen: u32 = 0;
  totalLen: u32 = 0;
  id: u16 = 0;
  flagsFrag: u16 = 0;
  ttl: u8 = 0;
  protocol: u8 = 0;
  src: u32 = 0;
  dst: u32 = 0;
  /** Where the payload starts and how long it is (totalLen - headerLen). */
  payloadAt: u32 = 0;
  payloadLen: u32 = 0;
}

/** Parses and checks the datagram at b[at .. at+avail) (see the file comment). */
export function parseIpv4(b: readonly u8[], at: u32, avail: u32, h: Ipv4Header): Drop {
  if (avail < IPV4_HEADER || u32(at + avail) > b.length) return Drop.IpHeaderLength;
  const vihl = b[at];
  if (u32(vihl) >>> 4 != 4) return Drop.IpVersion;
  const hl = u32(u32(vihl & 0x0f) * 4);
  if (hl < IPV4_HEADER || hl > avail) return Drop.IpHeaderLength;
  const total = u32(readU16Be(b, u32(at + IP_TOTAL)));
  if (total < hl || total > avail) return Drop.IpTotalLength;
  if (!checksumValid(b, at, hl)) return Drop.IpChecksum;
  const ff = readU16Be(b, u32(at + IP_FLAGS_FRAG));
  if ((ff & IP_FLAG_MF) != 0 || (ff & IP_OFFSET_MASK) != 0) return Drop.IpFragment;
  const ttl = b[u32(at + IP_TTL)];
  if (ttl == 0) return Drop.Ttl;
  h.headerLen = hl;
  h.totalLen = total;
  h.id = readU16Be(b, u32(at + IP_ID));
  h.flagsFrag = ff;
  h.ttl = ttl;
  h.protocol = b[u32(at + IP_PROTOCOL)];
  h.src = readIp(b, u32(at + IP_SRC));
  h.dst = readIp(b, u32(at + IP_DST));
  h.payloadAt = u32(at + hl);
  h.payloadLen = u32(total - hl);
  return Drop.None;
}

/**
 * Writes a 20-byte header at b[at..] for payloadLen bytes of protocol from src
 * to dst: TTL 64, DF, identification id, checksum.
 */
export function writeIpv4(b: u8[], at: u32, payloadLen: u32, id: u16, protocol: u8, src: u32, dst: u32): void {
  b[at] = 0x45;
  b[u32(at + IP_TOS)] = 0;
  writeU16Be(b, u32(at + IP_TOTAL), u16(IPV4_HEADER + payloadLen));
  writeU16Be(b, u32(at + IP_ID), id);
  writeU16Be(b, u32(at + IP_FLAGS_FRAG), IP_FLAG_DF);
  b[u32(at + IP_TTL)] = IP_DEFAULT_TTL;
  b[u32(at + IP_PROTOCOL)] = protocol;
  writeU16Be(b, u32(at + IP_CHECKSUM), 0);
  writeIp(b, u32(at + IP_SRC), src);
  writeIp(b, u32(at + IP_DST), dst);
  writeU16Be(b, u32(at + IP_CHECKSUM), checksum(b, at, IPV4_HEADER));
}
