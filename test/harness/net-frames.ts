/**
 * Ethernet frames for the network tests, built and parsed in TypeScript
 * independently of the guest's stack (src/lib/net/): Ethernet II (with 802.1Q
 * tags), ARP (RFC 826), IPv4 (RFC 791; header checksum RFC 1071), ICMP echo
 * (RFC 792), UDP (RFC 768; pseudo-header checksum), DHCP (RFC 2131/2132) and
 * NTP/SNTP (RFC 5905/4330).
 *
 * Addresses are text ("52:54:00:12:34:56", "10.0.2.15"). Frames carry no FCS
 * (QEMU's dgram and socket netdevs pass frames without one). Builders take
 * overrides for every field a malformed frame needs to get wrong (lengths,
 * checksums, versions); by default they produce correct frames. Parsers return
 * null for what cannot be read as that protocol and report checksums rather
 * than reject on them, so a test can tell what is wrong.
 */

export const ETH_HEADER = 14;
/** The smallest frame on the wire without its FCS; shorter ones are padded by buildEth (pad: false keeps them short). */
export const ETH_MIN = 60;
export const ETH_MTU = 1500;
/** The largest untagged frame without FCS for an MTU of 1500. */
export const ETH_MAX = ETH_HEADER + ETH_MTU;
/** The largest UDP payload that fits one frame (1500 - 20 - 8). */
export const UDP_MAX_PAYLOAD = ETH_MTU - 20 - 8;

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, VLAN_OLD: 0x9100, IPV6: 0x86dd } as const;
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17 } as const;
export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC = "00:00:00:00:00:00";
export const BROADCAST_IP = "255.255.255.255";
export const ANY_IP = "0.0.0.0";

// ---------------------------------------------------------------- addresses

export function macBytes(mac: string): Buffer {
  const parts = mac.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`not a MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function macText(b: Uint8Array, at = 0): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Multicast (group) bit: broadcast is multicast too. */
export function isMulticastMac(mac: string): boolean {
  return (macBytes(mac)[0]! & 1) === 1;
}

export function ipBytes(ip: string): Buffer {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return Buffer.from(parts.map(Number));
}

export function ipText(b: Uint8Array, at = 0): string {
  return Array.from(b.subarray(at, at + 4)).join(".");
}

export function ipNumber(ip: string): number {
  return ipBytes(ip).readUInt32BE(0);
}

export function ipFromNumber(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return ipText(b);
}

/** Whether a and b are on the same subnet. */
export function sameSubnet(a: string, b: string, netmask: string): boolean {
  const m = ipNumber(netmask);
  return ((ipNumber(a) & m) >>> 0) === ((ipNumber(b) & m) >>> 0);
}

/** The subnet's broadcast address (all host bits set). */
export function subnetBroadcast(ip: string, netmask: string): string {
  return ipFromNumber((ipNumber(ip) | ~ipNumber(netmask)) >>> 0);
}

// ---------------------------------------------------------------- checksum

/** The Internet checksum (RFC 1071) of the concatenated parts: the ones' complement of their ones' complement sum. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    let i = 0;
    if (odd !== undefined && p.length > 0) {
      sum += (odd << 8) | p[0]!;
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < p.length; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
    if (i < p.length) odd = p[i];
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------- Ethernet

export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88a8 (802.1ad), 0x9100. */
  tpid: number;
  /** Priority (3 bits), DEI (1), VLAN id (12). */
  tci: number;
}

export interface EthBuild {
  dst: string;
  src: string;
  type: number;
  payload: Uint8Array;
  /** Tags between the source address and the type, outermost first. */
  vlans?: VlanTag[];
  /** Pad to ETH_MIN with zeros (default true, as a sending NIC does). */
  pad?: boolean;
}

export interface Eth {
  dst: string;
  src: string;
  /** The type after any tags. */
  type: number;
  vlans: VlanTag[];
  /** Everything after the header (padding included: the next layer's length says what is meant). */
  payload: Buffer;
}

export function buildEth(e: EthBuild): Buffer {
  const tags = e.vlans ?? [];
  const header = Buffer.alloc(ETH_HEADER + 4 * tags.length);
  macBytes(e.dst).copy(header, 0);
  macBytes(e.src).copy(header, 6);
  tags.forEach((t, i) => {
    header.writeUInt16BE(t.tpid, 12 + 4 * i);
    header.writeUInt16BE(t.tci, 14 + 4 * i);
  });
  header.writeUInt16BE(e.type, 12 + 4 * tags.length);
  const frame = Buffer.concat([header, e.payload]);
  if ((e.pad ?? true) && frame.length < ETH_MIN) return Buffer.concat([frame, Buffer.alloc(ETH_MIN - frame.length)]);
  return frame;
}

const TAG_TYPES: readonly number[] = [ETHERTYPE.VLAN, ETHERTYPE.QINQ, ETHERTYPE.VLAN_OLD];

export function parseEth(frame: Uint8Array): Eth | null {
  if (frame.length < ETH_HEADER) return null;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const vlans: VlanTag[] = [];
  let at = 12;
  while (TAG_TYPES.includes(b.readUInt16BE(at))) {
    if (b.length < at + 6) return null;
    vlans.push({ tpid: b.readUInt16BE(at), tci: b.readUInt16BE(at + 2) });
    at += 4;
  }
  return { dst: macText(b, 0), src: macText(b, 6), type: b.readUInt16BE(at), vlans, payload: b.subarray(at + 2) };
}

// ---------------------------------------------------------------- ARP

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const ARP_LENGTH = 28;

export interface Arp {
  htype: number;
  ptype: number;
  hlen: number;
  plen: number;
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
}

export function buildArp(a: Partial<Arp> & Pick<Arp, "op" | "sha" | "spa" | "tpa">): Buffer {
  const b = Buffer.alloc(ARP_LENGTH);
  b.writeUInt16BE(a.htype ?? 1, 0);
  b.writeUInt16BE(a.ptype ?? ETHERTYPE.IPV4, 2);
  b[4] = a.hlen ?? 6;
  b[5] = a.plen ?? 4;
  b.writeUInt16BE(a.op, 6);
  macBytes(a.sha).copy(b, 8);
  ipBytes(a.spa).copy(b, 14);
  macBytes(a.tha ?? ZERO_MAC).copy(b, 18);
  ipBytes(a.tpa).copy(b, 24);
  return b;
}

/** An Ethernet/IPv4 ARP packet (null if shorter than 28 bytes or not Ethernet/IPv4 address sizes). */
export function parseArp(p: Uint8Array): Arp | null {
  if (p.length < ARP_LENGTH) return null;
  const b = Buffer.from(p.buffer, p.byteOffset, p.length);
  if (b[4] !== 6 || b[5] !== 4) return null;
  return {
    htype: b.readUInt16BE(0),
    ptype: b.readUInt16BE(2),
    hlen: b[4]!,
    plen: b[5]!,
    op: b.readUInt16BE(6),
    sha: macText(b, 8),
    spa: ipText(b, 14),
    tha: macText(b, 18),
    tpa: ipText(b, 24),
  };
}

// ---------------------------------------------------------------- IPv4

export const IP_FLAG_RESERVED = 4;
export const IP_FLAG_DF = 2;
export const IP_FLAG_MF = 1;

export interface Ipv4Build {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  tos?: number;
  /** The three flag bits (IP_FLAG_*); default DF clear, MF clear. */
  flags?: number;
  /** In 8-byte units. */
  fragOffset?: number;
  /** Option bytes; padded with zeros (end of options) to a multiple of 4. */
  options?: Uint8Array;
  // Overrides for malformed packets (each leaves the rest correct: the checksum covers the header as written).
  version?: number;
  ihl?: number;
  totalLength?: number;
  checksum?: number;
}

export interface Ipv4 {
  version: number;
  ihl: number;
  tos: number;
  totalLength: number;
  id: number;
  flags: number;
  fragOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: string;
  dst: string;
  header: Buffer;
  options: Buffer;
  /** The payload per totalLength (padding after it excluded). */
  payload: Buffer;
  checksumOk: boolean;
}

export function buildIpv4(o: Ipv4Build): Buffer {
  const options = o.options ? Buffer.concat([o.options, Buffer.alloc((4 - (o.options.length % 4)) % 4)]) : Buffer.alloc(0);
  const h = Buffer.alloc(20 + options.length);
  const ihl = o.ihl ?? h.length / 4;
  h[0] = ((o.version ?? 4) << 4) | (ihl & 0xf);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(o.totalLength ?? h.length + o.payload.length, 2);
  h.writeUInt16BE(o.id ?? 0, 4);
  h.writeUInt16BE(((o.flags ?? 0) << 13) | ((o.fragOffset ?? 0) & 0x1fff), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.protocol;
  ipBytes(o.src).copy(h, 12);
  ipBytes(o.dst).copy(h, 16);
  options.copy(h, 20);
  h.writeUInt16BE(o.checksum ?? internetChecksum(h), 10);
  return Buffer.concat([h, o.payload]);
}

/**
 * An IPv4 packet: null unless version 4, IHL >= 5, the header inside the
 * packet's total length and the total length inside the bytes given. The
 * checksum is reported, not required.
 */
export function parseIpv4(p: Uint8Array): Ipv4 | null {
  if (p.length < 20) return null;
  const b = Buffer.from(p.buffer, p.byteOffset, p.length);
  const version = b[0]! >> 4;
  const ihl = b[0]! & 0xf;
  const totalLength = b.readUInt16BE(2);
  if (version !== 4 || ihl < 5 || totalLength < ihl * 4 || totalLength > b.length) return null;
  const header = b.subarray(0, ihl * 4);
  return {
    version,
    ihl,
    tos: b[1]!,
    totalLength,
    id: b.readUInt16BE(4),
    flags: b[6]! >> 5,
    fragOffset: b.readUInt16BE(6) & 0x1fff,
    ttl: b[8]!,
    protocol: b[9]!,
    checksum: b.readUInt16BE(10),
    src: ipText(b, 12),
    dst: ipText(b, 16),
    header,
    options: b.subarray(20, ihl * 4),
    payload: b.subarray(ihl * 4, totalLength),
    checksumOk: internetChecksum(header) === 0,
  };
}

export const IPOPT = { EOL: 0, NOP: 1, RR: 7, TS: 68, SEC: 130, LSRR: 131, SSRR: 137, RA: 148 } as const;

/** The options area as a list of [type, data] (null if an option's length is wrong or runs past the end). */
export function parseIpOptions(o: Uint8Array): Array<[number, Buffer]> | null {
  const out: Array<[number, Buffer]> = [];
  for (let i = 0; i < o.length; ) {
    const t = o[i]!;
    if (t === IPOPT.EOL) break;
    if (t === IPOPT.NOP) {
      out.push([t, Buffer.alloc(0)]);
      i++;
      continue;
    }
    if (i + 1 >= o.length) return null;
    const len = o[i + 1]!;
    if (len < 2 || i + len > o.length) return null;
    out.push([t, Buffer.from(o.subarray(i + 2, i + len))]);
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------- ICMP

export const ICMP = { ECHO_REPLY: 0, UNREACHABLE: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const ICMP_PORT_UNREACHABLE = 3;
export const ICMP_PROTOCOL_UNREACHABLE = 2;

export interface IcmpBuild {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum: identifier and sequence number for echo. */
  id?: number;
  seq?: number;
  data?: Uint8Array;
  checksum?: number;
}

export interface Icmp {
  type: number;
  code: number;
  checksum: number;
  id: number;
  seq: number;
  /** After the 8-byte header. */
  data: Buffer;
  checksumOk: boolean;
}

export function buildIcmp(o: IcmpBuild): Buffer {
  const b = Buffer.concat([Buffer.alloc(8), o.data ?? Buffer.alloc(0)]);
  b[0] = o.type;
  b[1] = o.code ?? 0;
  b.writeUInt16BE(o.id ?? 0, 4);
  b.writeUInt16BE(o.seq ?? 0, 6);
  b.writeUInt16BE(o.checksum ?? internetChecksum(b), 2);
  return b;
}

export function parseIcmp(p: Uint8Array): Icmp | null {
  if (p.length < 8) return null;
  const b = Buffer.from(p.buffer, p.byteOffset, p.length);
  return {
    type: b[0]!,
    code: b[1]!,
    checksum: b.readUInt16BE(2),
    id: b.readUInt16BE(4),
    seq: b.readUInt16BE(6),
    data: b.subarray(8),
    checksumOk: internetChecksum(b) === 0,
  };
}

// ---------------------------------------------------------------- UDP

export interface UdpBuild {
  /** The IP addresses, for the pseudo-header. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** A wrong length field (the checksum is computed with it, over the bytes present). */
  length?: number;
  /** A checksum to write instead of the right one; "none" writes 0 (no checksum, allowed over IPv4). */
  checksum?: number | "none";
}

export interface Udp {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  /** Per the length field, clipped to the bytes present. */
  payload: Buffer;
  /** True for a right checksum or none (0). */
  checksumOk: boolean;
}

/** The IPv4 pseudo-header of UDP (and TCP) checksums. */
export function pseudoHeader(src: string, dst: string, protocol: number, length: number): Buffer {
  const ph = Buffer.alloc(12);
  ipBytes(src).copy(ph, 0);
  ipBytes(dst).copy(ph, 4);
  ph[9] = protocol;
  ph.writeUInt16BE(length, 10);
  return ph;
}

/** The UDP checksum of a segment whose checksum field is zero (0 is sent as 0xffff). */
export function udpChecksum(src: string, dst: string, segment: Uint8Array, length = segment.length): number {
  const c = internetChecksum(pseudoHeader(src, dst, IPPROTO.UDP, length), segment);
  return c === 0 ? 0xffff : c;
}

export function buildUdp(o: UdpBuild): Buffer {
  const b = Buffer.concat([Buffer.alloc(8), o.payload]);
  const length = o.length ?? b.length;
  b.writeUInt16BE(o.srcPort, 0);
  b.writeUInt16BE(o.dstPort, 2);
  b.writeUInt16BE(length & 0xffff, 4);
  const c = o.checksum === "none" ? 0 : (o.checksum ?? udpChecksum(o.src, o.dst, b, length & 0xffff));
  b.writeUInt16BE(c, 6);
  return b;
}

/** The UDP datagram of an IPv4 packet (null if shorter than the 8-byte header). */
export function parseUdp(ip: Ipv4): Udp | null {
  const b = ip.payload;
  if (b.length < 8) return null;
  const length = b.readUInt16BE(4);
  const checksum = b.readUInt16BE(6);
  const lengthOk = length >= 8 && length <= b.length;
  const checksumOk = checksum === 0 || (lengthOk && internetChecksum(pseudoHeader(ip.src, ip.dst, IPPROTO.UDP, length), b.subarray(0, length)) === 0);
  return { srcPort: b.readUInt16BE(0), dstPort: b.readUInt16BE(2), length, checksum, payload: b.subarray(8, Math.min(Math.max(length, 8), b.length)), checksumOk };
}

// ---------------------------------------------------------------- DHCP

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
export const DHCP_MAGIC = 0x63825363;
export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const DHCP_BROADCAST_FLAG = 0x8000;
export const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 } as const;
export const DHCP_TYPE_NAMES: Record<number, string> = { 1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM" };
export const DHCPOPT = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  BROADCAST: 28,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MESSAGE: 56,
  MAX_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  CLIENT_ID: 61,
  END: 255,
} as const;

export interface Dhcp {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The first 6 bytes of chaddr. */
  chaddr: string;
  /** Options in order (a repeated option's parts concatenated, RFC 3396). */
  options: Map<number, Buffer>;
  /** Option 53, if present. */
  type: number | undefined;
}

export interface DhcpBuild {
  op: number;
  xid: number;
  chaddr: string;
  htype?: number;
  hlen?: number;
  hops?: number;
  secs?: number;
  flags?: number;
  ciaddr?: string;
  yiaddr?: string;
  siaddr?: string;
  giaddr?: string;
  /** Options in order, without END (added unless `end: false`). */
  options: Array<[number, Uint8Array]>;
  end?: boolean;
  cookie?: number;
  /** Pad to the 300 bytes BOOTP relays expect (default true). */
  pad?: boolean;
}

export function buildDhcp(d: DhcpBuild): Buffer {
  const fixed = Buffer.alloc(240);
  fixed[0] = d.op;
  fixed[1] = d.htype ?? 1;
  fixed[2] = d.hlen ?? 6;
  fixed[3] = d.hops ?? 0;
  fixed.writeUInt32BE(d.xid >>> 0, 4);
  fixed.writeUInt16BE(d.secs ?? 0, 8);
  fixed.writeUInt16BE(d.flags ?? 0, 10);
  ipBytes(d.ciaddr ?? ANY_IP).copy(fixed, 12);
  ipBytes(d.yiaddr ?? ANY_IP).copy(fixed, 16);
  ipBytes(d.siaddr ?? ANY_IP).copy(fixed, 20);
  ipBytes(d.giaddr ?? ANY_IP).copy(fixed, 24);
  macBytes(d.chaddr).copy(fixed, 28);
  fixed.writeUInt32BE((d.cookie ?? DHCP_MAGIC) >>> 0, 236);
  const parts: Buffer[] = [fixed];
  for (const [code, value] of d.options) {
    if (value.length > 255) throw new Error(`DHCP option ${code} longer than 255 bytes`);
    parts.push(Buffer.from([code, value.length]), Buffer.from(value));
  }
  if (d.end ?? true) parts.push(Buffer.from([DHCPOPT.END]));
  const b = Buffer.concat(parts);
  return (d.pad ?? true) && b.length < 300 ? Buffer.concat([b, Buffer.alloc(300 - b.length)]) : b;
}

/** A DHCP message: null if shorter than 240 bytes, without the magic cookie, or with options that run past the end or lack END. */
export function parseDhcp(p: Uint8Array): Dhcp | null {
  if (p.length < 241) return null;
  const b = Buffer.from(p.buffer, p.byteOffset, p.length);
  if (b.readUInt32BE(236) !== DHCP_MAGIC) return null;
  const options = new Map<number, Buffer>();
  let ended = false;
  for (let i = 240; i < b.length; ) {
    const code = b[i]!;
    if (code === DHCPOPT.PAD) {
      i++;
      continue;
    }
    if (code === DHCPOPT.END) {
      ended = true;
      break;
    }
    if (i + 1 >= b.length) return null;
    const len = b[i + 1]!;
    if (i + 2 + len > b.length) return null;
    const value = b.subarray(i + 2, i + 2 + len);
    options.set(code, options.has(code) ? Buffer.concat([options.get(code)!, value]) : Buffer.from(value));
    i += 2 + len;
  }
  if (!ended) return null;
  const type = options.get(DHCPOPT.MESSAGE_TYPE);
  return {
    op: b[0]!,
    htype: b[1]!,
    hlen: b[2]!,
    hops: b[3]!,
    xid: b.readUInt32BE(4),
    secs: b.readUInt16BE(8),
    flags: b.readUInt16BE(10),
    ciaddr: ipText(b, 12),
    yiaddr: ipText(b, 16),
    siaddr: ipText(b, 20),
    giaddr: ipText(b, 24),
    chaddr: macText(b, 28),
    options,
    type: type && type.length === 1 ? type[0] : undefined,
  };
}

export function u32Bytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** An option's value as an address (null unless exactly 4 bytes), or its addresses. */
export function optionIp(d: Dhcp, code: number): string | null {
  const v = d.options.get(code);
  return v && v.length === 4 ? ipText(v) : null;
}

export function optionIps(d: Dhcp, code: number): string[] {
  const v = d.options.get(code);
  if (!v || v.length % 4 !== 0) return [];
  return Array.from({ length: v.length / 4 }, (_, i) => ipText(v, 4 * i));
}

export function optionU32(d: Dhcp, code: number): number | null {
  const v = d.options.get(code);
  return v && v.length === 4 ? v.readUInt32BE(0) : null;
}

// ---------------------------------------------------------------- NTP

export const NTP_PORT = 123;
export const NTP_LENGTH = 48;
/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
export const NTP_UNIX_OFFSET = 2_208_988_800n;
export const NTP_MODE = { CLIENT: 3, SERVER: 4, BROADCAST: 5 } as const;

export interface Ntp {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  poll: number;
  /** Signed log2 seconds. */
  precision: number;
  /** 16.16 fixed point seconds, as sent. */
  rootDelay: number;
  rootDispersion: number;
  /** Four bytes: an ASCII code at stratum 0 and 1 ("GPS", "RATE" for a kiss-o'-death), an address above. */
  refId: Buffer;
  /** 32.32 fixed point seconds since 1900 (modulo 2^32 seconds: eras). */
  reference: bigint;
  originate: bigint;
  receive: bigint;
  transmit: bigint;
}

export function buildNtp(n: Partial<Ntp> & Pick<Ntp, "mode">): Buffer {
  const b = Buffer.alloc(NTP_LENGTH);
  b[0] = ((n.leap ?? 0) << 6) | ((n.version ?? 4) << 3) | n.mode;
  b[1] = n.stratum ?? 0;
  b.writeInt8(n.poll ?? 0, 2);
  b.writeInt8(n.precision ?? 0, 3);
  b.writeUInt32BE((n.rootDelay ?? 0) >>> 0, 4);
  b.writeUInt32BE((n.rootDispersion ?? 0) >>> 0, 8);
  (n.refId ?? Buffer.alloc(4)).copy(b, 12, 0, 4);
  b.writeBigUInt64BE(n.reference ?? 0n, 16);
  b.writeBigUInt64BE(n.originate ?? 0n, 24);
  b.writeBigUInt64BE(n.receive ?? 0n, 32);
  b.writeBigUInt64BE(n.transmit ?? 0n, 40);
  return b;
}

/** An NTP header (null if shorter than 48 bytes; extension fields and MACs after it are ignored). */
export function parseNtp(p: Uint8Array): Ntp | null {
  if (p.length < NTP_LENGTH) return null;
  const b = Buffer.from(p.buffer, p.byteOffset, p.length);
  return {
    leap: b[0]! >> 6,
    version: (b[0]! >> 3) & 7,
    mode: b[0]! & 7,
    stratum: b[1]!,
    poll: b.readInt8(2),
    precision: b.readInt8(3),
    rootDelay: b.readUInt32BE(4),
    rootDispersion: b.readUInt32BE(8),
    refId: Buffer.from(b.subarray(12, 16)),
    reference: b.readBigUInt64BE(16),
    originate: b.readBigUInt64BE(24),
    receive: b.readBigUInt64BE(32),
    transmit: b.readBigUInt64BE(40),
  };
}

/** A 64-bit NTP timestamp (rounded to the nearest 2^-32 s) for a Unix time in nanoseconds; seconds modulo 2^32: era 1 begins in 2036. */
export function ntpFromUnixNs(ns: bigint): bigint {
  const fixed = ((ns + NTP_UNIX_OFFSET * 1_000_000_000n) * (1n << 32n) + 500_000_000n) / 1_000_000_000n;
  return fixed & 0xffff_ffff_ffff_ffffn;
}

export function ntpFromUnixMs(ms: number): bigint {
  return ntpFromUnixNs(nsFromMs(ms));
}

/** Milliseconds (fractions too) as nanoseconds, without the rounding of ms * 1e6 in a double. */
export function nsFromMs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/**
 * The Unix time in nanoseconds (rounded) of an NTP timestamp, taking the era
 * RFC 4330 does: seconds with the top bit set are era 0 (1968-2036), without
 * it era 1 (2036-2104).
 */
export function unixNsFromNtp(ts: bigint): bigint {
  const era1 = (ts >> 63n) === 0n;
  const fixed = ts + (era1 ? 1n << 64n : 0n);
  return (fixed * 1_000_000_000n + (1n << 31n)) / (1n << 32n) - NTP_UNIX_OFFSET * 1_000_000_000n;
}

export function unixMsFromNtp(ts: bigint): number {
  const ns = unixNsFromNtp(ts);
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

// ---------------------------------------------------------------- whole frames

/** A frame decoded as far as it goes; each layer is undefined where it does not parse. */
export interface Decoded {
  eth: Eth;
  arp?: Arp;
  ip?: Ipv4;
  icmp?: Icmp;
  udp?: Udp;
  dhcp?: Dhcp;
  ntp?: Ntp;
}

export function decodeFrame(frame: Uint8Array): Decoded | null {
  const eth = parseEth(frame);
  if (!eth) return null;
  const d: Decoded = { eth };
  if (eth.vlans.length > 0) return d;
  if (eth.type === ETHERTYPE.ARP) {
    const arp = parseArp(eth.payload);
    if (arp) d.arp = arp;
    return d;
  }
  if (eth.type !== ETHERTYPE.IPV4) return d;
  const ip = parseIpv4(eth.payload);
  if (!ip) return d;
  d.ip = ip;
  if (ip.flags & IP_FLAG_MF || ip.fragOffset !== 0) return d;
  if (ip.protocol === IPPROTO.ICMP) {
    const icmp = parseIcmp(ip.payload);
    if (icmp) d.icmp = icmp;
  } else if (ip.protocol === IPPROTO.UDP) {
    const udp = parseUdp(ip);
    if (!udp) return d;
    d.udp = udp;
    if (udp.dstPort === DHCP_SERVER_PORT || udp.dstPort === DHCP_CLIENT_PORT) {
      const dhcp = parseDhcp(udp.payload);
      if (dhcp) d.dhcp = dhcp;
    }
    if (udp.dstPort === NTP_PORT || udp.srcPort === NTP_PORT) {
      const ntp = parseNtp(udp.payload);
      if (ntp) d.ntp = ntp;
    }
  }
  return d;
}

export interface Endpoints {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
}

/** Ethernet + IPv4 + UDP with correct lengths and checksums. */
export function udpFrame(e: Endpoints & { srcPort: number; dstPort: number; payload: Uint8Array; ttl?: number; id?: number }): Buffer {
  const udp = buildUdp({ src: e.srcIp, dst: e.dstIp, srcPort: e.srcPort, dstPort: e.dstPort, payload: e.payload });
  const ip = buildIpv4({ src: e.srcIp, dst: e.dstIp, protocol: IPPROTO.UDP, payload: udp, ...(e.ttl !== undefined ? { ttl: e.ttl } : {}), ...(e.id !== undefined ? { id: e.id } : {}) });
  return buildEth({ dst: e.dstMac, src: e.srcMac, type: ETHERTYPE.IPV4, payload: ip });
}

/** Ethernet + IPv4 + ICMP. */
export function icmpFrame(e: Endpoints & IcmpBuild & { ttl?: number; ipId?: number }): Buffer {
  const icmp = buildIcmp(e);
  const ip = buildIpv4({ src: e.srcIp, dst: e.dstIp, protocol: IPPROTO.ICMP, payload: icmp, ...(e.ttl !== undefined ? { ttl: e.ttl } : {}), ...(e.ipId !== undefined ? { id: e.ipId } : {}) });
  return buildEth({ dst: e.dstMac, src: e.srcMac, type: ETHERTYPE.IPV4, payload: ip });
}

/** Ethernet + ARP; a request goes to broadcast unless dstMac is given. */
export function arpFrame(a: { op: number; sha: string; spa: string; tha?: string; tpa: string; dstMac?: string }): Buffer {
  const dst = a.dstMac ?? (a.op === ARP_REQUEST ? BROADCAST_MAC : a.tha ?? BROADCAST_MAC);
  return buildEth({ dst, src: a.sha, type: ETHERTYPE.ARP, payload: buildArp({ op: a.op, sha: a.sha, spa: a.spa, tha: a.tha ?? ZERO_MAC, tpa: a.tpa }) });
}

/** A one-line description of a frame, for logs and failure messages. */
export function describeFrame(frame: Uint8Array): string {
  const d = decodeFrame(frame);
  if (!d) return `runt (${frame.length} bytes)`;
  const head = `${d.eth.src} > ${d.eth.dst}${d.eth.vlans.length ? ` vlan ${d.eth.vlans.map((v) => v.tci & 0xfff).join("/")}` : ""}`;
  if (d.arp) return `${head} ARP ${d.arp.op === ARP_REQUEST ? `who-has ${d.arp.tpa} tell ${d.arp.spa}` : d.arp.op === ARP_REPLY ? `${d.arp.spa} is-at ${d.arp.sha}` : `op ${d.arp.op}`}`;
  if (!d.ip) return `${head} type 0x${d.eth.type.toString(16).padStart(4, "0")} ${d.eth.payload.length} bytes`;
  const ip = `${head} IPv4 ${d.ip.src} > ${d.ip.dst}`;
  if (d.dhcp) return `${ip} DHCP ${DHCP_TYPE_NAMES[d.dhcp.type ?? 0] ?? `type ${d.dhcp.type}`} xid 0x${d.dhcp.xid.toString(16)}`;
  if (d.ntp) return `${ip} NTP mode ${d.ntp.mode} stratum ${d.ntp.stratum}`;
  if (d.udp) return `${ip} UDP ${d.udp.srcPort} > ${d.udp.dstPort} ${d.udp.payload.length} bytes`;
  if (d.icmp) return `${ip} ICMP type ${d.icmp.type} code ${d.icmp.code} id ${d.icmp.id} seq ${d.icmp.seq}`;
  return `${ip} protocol ${d.ip.protocol} ${d.ip.payload.length} bytes`;
}
