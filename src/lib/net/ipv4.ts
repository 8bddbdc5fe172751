/**
 * IPv4 headers (RFC 791, host requirements of RFC 1122).
 *
 * Receive, in two steps with the stack's address checks between them (the
 * first failure is the reason):
 *  parseIpv4: at least 20 bytes (IpTruncated), version 4, IHL at least 5,
 *    total length at least 20, the bytes at least the total length
 *    (IpTruncated; bytes past it are Ethernet padding), the header within the
 *    total length, the header checksum, TTL not 0;
 *  (the stack: the source and destination addresses;)
 *  refusedIpv4: the reserved flag clear, not a fragment, no options.
 *  - Fragments are refused (Drop.IpFragment): MF set or a non-zero offset. We
 *    send with DF and datagrams of at most the 1500-byte MTU, so a peer only
 *    fragments what it chose to send too big; refusing keeps the stack free of
 *    reassembly buffers and their attacks (overlaps, exhaustion).
 *  - Datagrams with options are refused too, after the options are checked so
 *    that the reason says which: malformed (IpOptionsMalformed), a source
 *    route (IpSourceRoute, which RFC 7126 advises dropping), or any other
 *    (IpOptions). A host needs none of them (we never forward, record routes
 *    or timestamps), and no datagram we are sent carries them in practice.
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
export const IP_FLAG_RESERVED: u16 = 0x8000;
export const IPOPT_END: u8 = 0;
export const IPOPT_NOP: u8 = 1;
export const IPOPT_LSRR: u8 = 131;
export const IPOPT_SSRR: u8 = 137;
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

/** Parses and checks the datagram at b[at .. at+avail) up to its TTL (see the file comment). */
export function parseIpv4(b: readonly u8[], at: u32, avail: u32, h: Ipv4Header): Drop {
  if (avail < IPV4_HEADER || u32(at + avail) > b.length) return Drop.IpTruncated;
  const vihl = b[at];
  if (u32(vihl) >>> 4 != 4) return Drop.IpVersion;
  const hl = u32(u32(vihl & 0x0f) * 4);
  if (hl < IPV4_HEADER) return Drop.IpHeaderLength;
  const total = u32(readU16Be(b, u32(at + IP_TOTAL)));
  if (total < IPV4_HEADER) return Drop.IpTotalLength;
  if (total > avail) return Drop.IpTruncated;
  if (hl > total) return Drop.IpHeaderLength;
  if (!checksumValid(b, at, hl)) return Drop.IpChecksum;
  const ttl = b[u32(at + IP_TTL)];
  if (ttl == 0) return Drop.Ttl;
  h.headerLen = hl;
  h.totalLen = total;
  h.id = readU16Be(b, u32(at + IP_ID));
  h.flagsFrag = readU16Be(b, u32(at + IP_FLAGS_FRAG));
  h.ttl = ttl;
  h.protocol = b[u32(at + IP_PROTOCOL)];
  h.src = readIp(b, u32(at + IP_SRC));
  h.dst = readIp(b, u32(at + IP_DST));
  h.payloadAt = u32(at + hl);
  h.payloadLen = u32(total - hl);
  return Drop.None;
}

/**
 * What we refuse of a datagram parseIpv4 took, the header at b[at..]: the
 * reserved flag, fragments, options (see the file comment); Drop.None if none.
 */
export function refusedIpv4(b: readonly u8[], at: u32, h: Ipv4Header): Drop {
  if ((h.flagsFrag & IP_FLAG_RESERVED) != 0) return Drop.IpFlags;
  if ((h.flagsFrag & IP_FLAG_MF) != 0 || (h.flagsFrag & IP_OFFSET_MASK) != 0) return Drop.IpFragment;
  if (h.headerLen == IPV4_HEADER) return Drop.None;
  // Options (RFC 791 3.1): END ends them; NOP is one byte; any other is type, length (>= 2, within the header), data.
  const end = u32(at + h.headerLen);
  let i = u32(at + IPV4_HEADER);
  let sourceRoute = false;
  while (i < end) {
    const t = b[i];
    if (t == IPOPT_END) break;
    if (t == IPOPT_NOP) {
      i = u32(i + 1);
      continue;
    }
    if (u32(i + 1) >= end) return Drop.IpOptionsMalformed;
    const len = u32(b[u32(i + 1)]);
    if (len < 2 || u32(i + len) > end) return Drop.IpOptionsMalformed;
    if (t == IPOPT_LSRR || t == IPOPT_SSRR) sourceRoute = true;
    i = u32(i + len);
  }
  return sourceRoute ? Drop.IpSourceRoute : Drop.IpOptions;
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
