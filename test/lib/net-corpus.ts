/**
 * The malformed-frame corpus for the network stack (src/lib/net/stack.ts),
 * generated here in plain TypeScript with its own frame builders and its own
 * Internet checksum (so nothing of the library under test makes the frames),
 * and fed to test/lib/net-corpus-driver.ts over stdin.
 *
 * Each entry is one frame, the Drop reason the stack must count it under
 * (None for the valid frames mixed in: they must be used) and how many frames
 * the stack must queue in answer (an echo reply, an ARP reply). Entries are
 * grouped in kinds: a kind is one way of being wrong (a truncation at one
 * length, one bad field value, one bad checksum...), some with several frames
 * (the ARP storm, the queue overflow).
 *
 * The stack in the driver: MAC 52:54:00:12:34:56, 10.0.2.15/24, gateway
 * 10.0.2.2; UDP sockets on ports 7777 (never drained), 7778 (overflow by
 * count) and 7779 (overflow by bytes); DHCP not running.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** The Drop enum, read from the library's source (counters.ts) so the numbers cannot drift. */
export const DROP: Record<string, number> = (() => {
  const src = readFileSync(path.join(import.meta.dirname, "../../src/lib/net/counters.ts"), "utf8");
  const body = src.slice(src.indexOf("export enum Drop {"), src.indexOf("}", src.indexOf("export enum Drop {")));
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/^\s*(\w+) = (\d+),/gm)) out[m[1]!] = Number(m[2]);
  return out;
})();

/** Names by number. */
export const DROP_NAME: string[] = (() => {
  const names: string[] = [];
  for (const [k, v] of Object.entries(DROP)) names[v] = k;
  return names;
})();

export const ANY = 255;

export interface Entry {
  kind: string;
  frame: Uint8Array;
  /** A Drop value, or ANY. */
  expect: number;
  /** Frames the stack must queue in answer, or ANY. */
  replies: number;
}

// ---- Addresses ------------------------------------------------------------------

export const OUR_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
export const PEER_MAC = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];
const OTHER_MAC = [0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc];
const BCAST_MAC = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const ALL_HOSTS_MAC = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
export const OUR_IP = ip(10, 0, 2, 15);
export const PEER_IP = ip(10, 0, 2, 2);
const SUBNET_BCAST = ip(10, 0, 2, 255);

export function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

// ---- Builders -------------------------------------------------------------------

/** RFC 1071 one's-complement checksum of bytes. */
export function csum(bytes: ArrayLike<number>, initial = 0): number {
  let s = initial;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i]! << 8) | (i + 1 < bytes.length ? bytes[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}
function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export function eth(dst: number[], src: number[], type: number, payload: ArrayLike<number>): Uint8Array {
  return Uint8Array.from([...dst, ...src, ...u16(type), ...Array.from(payload)]);
}

export interface IpOpts {
  src?: number;
  dst?: number;
  proto?: number;
  ttl?: number;
  id?: number;
  flagsFrag?: number;
  version?: number;
  /** IHL as written (default: from the options' length). */
  ihl?: number;
  options?: number[];
  /** Total length as written (default: header + payload). */
  total?: number;
  /** XOR applied to the computed checksum. */
  checksumXor?: number;
  /** The checksum as written, whatever it should be. */
  checksum?: number;
}

export function ipv4(o: IpOpts, payload: ArrayLike<number>): number[] {
  const options = o.options ?? [];
  const hl = 20 + options.length;
  const ihl = o.ihl ?? hl / 4;
  const total = o.total ?? hl + payload.length;
  const h = [
    ((o.version ?? 4) << 4) | (ihl & 0xf), 0, ...u16(total), ...u16(o.id ?? 0x1234), ...u16(o.flagsFrag ?? 0x4000),
    o.ttl ?? 64, o.proto ?? 1, 0, 0, ...u32(o.src ?? PEER_IP), ...u32(o.dst ?? OUR_IP), ...options,
  ];
  const c = o.checksum ?? (csum(h) ^ (o.checksumXor ?? 0));
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return [...h, ...Array.from(payload)];
}

export function icmp(type: number, code: number, id: number, seq: number, data: ArrayLike<number>, checksumXor = 0): number[] {
  const m = [type, code, 0, 0, ...u16(id), ...u16(seq), ...Array.from(data)];
  const c = csum(m) ^ checksumXor;
  m[2] = c >>> 8;
  m[3] = c & 0xff;
  return m;
}

export interface UdpOpts {
  /** The length field as written (default 8 + payload). */
  len?: number;
  /** "ok" (default), "zero" (no checksum), or an XOR applied to the right one. */
  checksum?: "ok" | "zero" | number;
}

export function udp(src: number, dst: number, sport: number, dport: number, payload: ArrayLike<number>, o: UdpOpts = {}): number[] {
  const len = 8 + payload.length;
  const d = [...u16(sport), ...u16(dport), ...u16(o.len ?? len), 0, 0, ...Array.from(payload)];
  if (o.checksum !== "zero") {
    // Pseudo-header: source, destination, zero, protocol 17, UDP length (the real one).
    const pseudo = [...u32(src), ...u32(dst), 0, 17, ...u16(len)];
    let c = csum([...pseudo, ...d]);
    if (c === 0) c = 0xffff;
    if (typeof o.checksum === "number") c ^= o.checksum;
    d[6] = c >>> 8;
    d[7] = c & 0xff;
  }
  return d;
}

export function arp(oper: number, sha: number[], spa: number, tha: number[], tpa: number, o: { htype?: number; ptype?: number; hlen?: number; plen?: number } = {}): number[] {
  return [...u16(o.htype ?? 1), ...u16(o.ptype ?? 0x0800), o.hlen ?? 6, o.plen ?? 4, ...u16(oper), ...sha, ...u32(spa), ...tha, ...u32(tpa)];
}

/** Bytes 0..n-1 of a payload pattern. */
function pattern(n: number, salt = 0): number[] {
  return Array.from({ length: n }, (_, i) => (i * 13 + salt) & 0xff);
}

/** A valid echo request from the peer to us (IPv4 in Ethernet). */
export function pingFrame(seq = 1, data = pattern(56), o: IpOpts = {}): Uint8Array {
  return eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ proto: 1, ...o }, icmp(8, 0, 0x4242, seq, data)));
}

function udpFrame(dport: number, payload: number[], uo: UdpOpts = {}, o: IpOpts = {}): Uint8Array {
  const src = o.src ?? PEER_IP;
  const dst = o.dst ?? OUR_IP;
  return eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ proto: 17, ...o }, udp(src, dst, 40000, dport, payload, uo)));
}

// ---- The corpus -----------------------------------------------------------------

export function corpus(): Entry[] {
  const out: Entry[] = [];
  const add = (kind: string, frame: Uint8Array | number[], expect: string | number, replies = 0): void => {
    const e = typeof expect === "string" ? DROP[expect] : expect;
    if (e === undefined) throw new Error(`no Drop ${String(expect)}`);
    out.push({ kind, frame: Uint8Array.from(frame), expect: e, replies });
  };
  const valid = pingFrame();
  const ipPing = Array.from(valid.subarray(14));

  // Ethernet: runts at every length below the header, giants, addresses, tags, types.
  for (let n = 0; n < 14; n++) add(`runt ${n} bytes`, valid.subarray(0, n), "ShortFrame");
  for (const n of [1515, 1518, 1522, 2000, 9018, 16000]) {
    const f = new Uint8Array(n);
    f.set(pingFrame(1, pattern(n - 42)).subarray(0, n));
    add(`giant ${n} bytes`, f, "GiantFrame");
  }
  add("source MAC broadcast", eth(OUR_MAC, BCAST_MAC, 0x0800, ipPing), "BadSourceMac");
  add("source MAC multicast", eth(OUR_MAC, [0x01, 0x00, 0x5e, 0, 0, 9], 0x0800, ipPing), "BadSourceMac");
  add("source MAC group bit", eth(OUR_MAC, [0x03, 0, 0, 0, 0, 1], 0x0806, arp(1, [3, 0, 0, 0, 0, 1], PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP)), "BadSourceMac");
  add("source MAC is ours (looped back)", eth(BCAST_MAC, OUR_MAC, 0x0806, arp(1, OUR_MAC, OUR_IP, [0, 0, 0, 0, 0, 0], PEER_IP)), "BadSourceMac");
  add("source MAC all zeros", eth(OUR_MAC, [0, 0, 0, 0, 0, 0], 0x0800, ipPing), "BadSourceMac");
  add("other station's MAC", eth(OTHER_MAC, PEER_MAC, 0x0800, ipPing), "NotForUs");
  add("our MAC but one bit", eth([0x52, 0x54, 0x00, 0x12, 0x34, 0x57], PEER_MAC, 0x0800, ipPing), "NotForUs");
  add("all-hosts multicast MAC (we join no group)", eth(ALL_HOSTS_MAC, PEER_MAC, 0x0800, ipv4({ dst: ip(224, 0, 0, 1) }, icmp(8, 0, 1, 1, pattern(56)))), "NotForUs");
  add("mDNS multicast MAC", eth([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb], PEER_MAC, 0x0800, ipPing), "NotForUs");
  add("IPv6 multicast MAC", eth([0x33, 0x33, 0, 0, 0, 1], PEER_MAC, 0x86dd, ipPing), "NotForUs");
  add("zero MAC", eth([0, 0, 0, 0, 0, 0], PEER_MAC, 0x0800, ipPing), "NotForUs");
  for (const t of [0x8100, 0x88a8, 0x9100]) add(`VLAN tag ${t.toString(16)}`, eth(OUR_MAC, PEER_MAC, t, [0x00, 0x05, 0x08, 0x00, ...ipPing]), "Vlan");
  add("VLAN tag, header only", eth(OUR_MAC, PEER_MAC, 0x8100, []), "Vlan");
  for (const t of [0x86dd, 0x88cc, 0x8035, 0x0000, 0x05dc, 0x05ff, 0x0600, 0x0801, 0x0805, 0xffff]) {
    add(`EtherType ${t.toString(16)}`, eth(OUR_MAC, PEER_MAC, t, ipPing), "BadEthertype");
  }

  // ARP.
  const req = arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP);
  for (let n = 0; n < 28; n++) add(`ARP truncated to ${n}`, eth(BCAST_MAC, PEER_MAC, 0x0806, req.slice(0, n)), "ArpTruncated");
  const bad: [string, number[]][] = [
    ["ARP htype 6", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { htype: 6 })],
    ["ARP htype 0", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { htype: 0 })],
    ["ARP ptype IPv6", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { ptype: 0x86dd })],
    ["ARP hlen 8", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { hlen: 8 })],
    ["ARP hlen 0", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { hlen: 0 })],
    ["ARP plen 16", arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP, { plen: 16 })],
    ["ARP oper 0", arp(0, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP)],
    ["ARP oper 3 (RARP)", arp(3, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP)],
    ["ARP oper 0xffff", arp(0xffff, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP)],
    ["ARP sender MAC multicast", arp(1, [0x01, 0, 0x5e, 0, 0, 1], PEER_IP, [0, 0, 0, 0, 0, 0], OUR_IP)],
    ["ARP sender MAC broadcast", arp(2, BCAST_MAC, PEER_IP, OUR_MAC, OUR_IP)],
    ["ARP sender IP broadcast", arp(1, PEER_MAC, 0xffffffff, [0, 0, 0, 0, 0, 0], OUR_IP)],
    ["ARP sender IP multicast", arp(1, PEER_MAC, ip(224, 0, 0, 1), [0, 0, 0, 0, 0, 0], OUR_IP)],
  ];
  for (const [k, p] of bad) add(k, eth(BCAST_MAC, PEER_MAC, 0x0806, p), "ArpMalformed");
  // A broadcast storm of valid requests for other hosts, from many senders.
  for (let i = 0; i < 64; i++) {
    const sha = [0x52, 0x54, 0x01, 0, i >> 8, i & 0xff];
    add("ARP storm: requests for other hosts", eth(BCAST_MAC, sha, 0x0806, arp(1, sha, ip(10, 0, 2, 100 + (i % 100)), [0, 0, 0, 0, 0, 0], ip(10, 0, 2, 16 + (i % 200)))), "ArpNotForUs");
  }
  add("ARP request for 0.0.0.0", eth(BCAST_MAC, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], 0)), "ArpNotForUs");
  add("ARP request for the subnet broadcast", eth(BCAST_MAC, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER_IP, [0, 0, 0, 0, 0, 0], SUBNET_BCAST)), "ArpNotForUs");
  for (let i = 0; i < 8; i++) {
    const sha = [0x52, 0x54, 0x02, 0, 0, i];
    add("ARP unsolicited replies", eth(OUR_MAC, sha, 0x0806, arp(2, sha, ip(10, 0, 2, 50 + i), OUR_MAC, OUR_IP)), "ArpUnsolicited");
  }
  add("ARP gratuitous reply (announcement)", eth(BCAST_MAC, OTHER_MAC, 0x0806, arp(2, OTHER_MAC, ip(10, 0, 2, 77), BCAST_MAC, ip(10, 0, 2, 77))), "ArpNotForUs");
  add("ARP reply to another host", eth(OUR_MAC, OTHER_MAC, 0x0806, arp(2, OTHER_MAC, ip(10, 0, 2, 78), PEER_MAC, PEER_IP)), "ArpNotForUs");
  add("ARP request claiming our address", eth(BCAST_MAC, OTHER_MAC, 0x0806, arp(1, OTHER_MAC, OUR_IP, [0, 0, 0, 0, 0, 0], OUR_IP)), "ArpConflict");
  add("ARP reply claiming our address", eth(OUR_MAC, OTHER_MAC, 0x0806, arp(2, OTHER_MAC, OUR_IP, OUR_MAC, OUR_IP)), "ArpConflict");
  add("ARP request for us (valid)", eth(BCAST_MAC, PEER_MAC, 0x0806, req), "None", 1);
  add("ARP request for us, padded to 60 (valid)", eth(BCAST_MAC, PEER_MAC, 0x0806, [...req, ...new Array(18).fill(0)]), "None", 1);
  add("ARP request for us from another subnet (valid: answered, not learned)", eth(BCAST_MAC, OTHER_MAC, 0x0806, arp(1, OTHER_MAC, ip(192, 168, 9, 9), [0, 0, 0, 0, 0, 0], OUR_IP)), "None", 1);
  add("ARP probe for us from 0.0.0.0 (valid)", eth(BCAST_MAC, OTHER_MAC, 0x0806, arp(1, OTHER_MAC, 0, [0, 0, 0, 0, 0, 0], OUR_IP)), "None", 1);

  // IPv4 header.
  for (let n = 0; n < 20; n++) add(`IPv4 truncated to ${n}`, valid.subarray(0, 14 + n), "IpTruncated");
  for (const n of [20, 21, 27, 28, 50, 83]) add(`IPv4 truncated to ${n} of 84`, valid.subarray(0, 14 + n), "IpTruncated");
  for (const v of [0, 1, 2, 3, 5, 6, 7, 15]) add(`IP version ${v}`, pingFrame(1, pattern(56), { version: v }), "IpVersion");
  for (let ihl = 0; ihl < 5; ihl++) add(`IHL ${ihl}`, pingFrame(1, pattern(56), { ihl }), "IpHeaderLength");
  for (let ihl = 6; ihl <= 15; ihl++) {
    // A bare 20-byte header (no payload, no padding) claiming more.
    add(`IHL ${ihl} beyond the frame`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ ihl, total: 20 }, [])), "IpHeaderLength");
  }
  for (const total of [0, 1, 19]) add(`total length ${total}`, pingFrame(1, pattern(56), { total }), "IpTotalLength");
  add("total length below the header with options", pingFrame(1, pattern(56), { options: [1, 1, 1, 1], total: 23 }), "IpHeaderLength");
  for (const extra of [1, 2, 100, 0xffff - 84]) add(`total length ${extra} beyond the frame`, pingFrame(1, pattern(56), { total: 84 + extra }), "IpTruncated");
  add("total length 1501 in a 1514-byte frame", (() => {
    const f = pingFrame(1, pattern(1472));
    const g = Uint8Array.from(f);
    g.set(ipv4({ total: 1501 }, icmp(8, 0, 0x4242, 1, pattern(1472))).slice(0, 20), 14);
    return g;
  })(), "IpTruncated");
  for (const [k, x] of [["1", 1], ["0x8000", 0x8000], ["0xffff", 0xffff], ["0x0100", 0x0100]] as const) add(`header checksum xor ${k}`, pingFrame(1, pattern(56), { checksumXor: x }), "IpChecksum");
  // Damage to each header field after the checksum was computed.
  const damaged = (k: string, at: number, xor: number): void => {
    const f = Uint8Array.from(valid);
    f[14 + at] ^= xor;
    add(`header byte ${at} changed (${k})`, f, "IpChecksum");
  };
  damaged("TOS", 1, 0x10);
  damaged("id high", 4, 0x80);
  damaged("id low", 5, 0x01);
  damaged("reserved flag", 6, 0x80);
  damaged("TTL", 8, 0x01);
  damaged("protocol", 9, 0x10);
  damaged("source", 12, 0x01);
  damaged("source low", 15, 0x40);
  damaged("destination", 16, 0x02);
  damaged("destination low", 19, 0x80);
  add("header checksum 0", pingFrame(1, pattern(56), { checksum: 0 }), "IpChecksum");
  add("options, checksum wrong", pingFrame(1, pattern(56), { options: [0x94, 0x04, 0, 0], checksumXor: 0x0400 }), "IpChecksum");
  for (const [k, ff] of [["MF", 0x2000], ["offset 1", 0x0001], ["MF offset 185", 0x20b9], ["last fragment", 0x00b9], ["DF and MF", 0x6000], ["offset max", 0x1fff]] as const) {
    add(`fragment: ${k}`, pingFrame(1, pattern(56), { flagsFrag: ff }), "IpFragment");
  }
  add("TTL 0", pingFrame(1, pattern(56), { ttl: 0 }), "Ttl");
  add("TTL 0 UDP", udpFrame(7777, pattern(10), {}, { ttl: 0 }), "Ttl");
  for (const [k, src] of [["0.0.0.0", 0], ["broadcast", 0xffffffff], ["multicast", ip(224, 0, 0, 5)], ["loopback", ip(127, 0, 0, 1)], ["our own", OUR_IP], ["subnet broadcast", SUBNET_BCAST], ["class E", ip(240, 1, 2, 3)]] as const) {
    add(`source ${k}`, pingFrame(1, pattern(56), { src }), "IpBadSource");
  }
  for (const [k, dst] of [["another host", ip(10, 0, 2, 99)], ["off-link", ip(8, 8, 8, 8)], ["mDNS group", ip(224, 0, 0, 251)], ["SSDP group", ip(239, 255, 255, 250)], ["0.0.0.0", 0], ["another subnet's broadcast", ip(10, 0, 3, 255)]] as const) {
    add(`destination ${k}`, pingFrame(1, pattern(56), { dst }), "IpNotForUs");
  }
  for (const p of [0, 2, 6, 41, 47, 50, 89, 132, 255]) add(`protocol ${p}`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ proto: p }, pattern(40))), "IpProtocol");
  add("options: 4 NOPs", pingFrame(2, pattern(56), { options: [1, 1, 1, 1] }), "IpOptions");
  add("options: END and padding", pingFrame(2, pattern(56), { options: [0, 0, 0, 0] }), "IpOptions");
  add("options: router alert", pingFrame(3, pattern(56), { options: [0x94, 0x04, 0, 0] }), "IpOptions");
  add("options: 40 bytes of record route", pingFrame(4, pattern(56), { options: [7, 39, 4, ...new Array(36).fill(0), 0] }), "IpOptions");
  add("options: timestamp", pingFrame(4, pattern(56), { options: [68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0] }), "IpOptions");
  add("options: unknown type 0x9e", pingFrame(4, pattern(56), { options: [0x9e, 4, 0xde, 0xad] }), "IpOptions");
  add("options: loose source route", pingFrame(4, pattern(56), { options: [131, 7, 4, 10, 0, 2, 9, 0] }), "IpSourceRoute");
  add("options: strict source route after a NOP", pingFrame(4, pattern(56), { options: [1, 137, 7, 4, 10, 0, 2, 9] }), "IpSourceRoute");
  add("options: length 0", pingFrame(4, pattern(56), { options: [0x94, 0, 0, 0] }), "IpOptionsMalformed");
  add("options: length 1", pingFrame(4, pattern(56), { options: [0x94, 1, 0, 0] }), "IpOptionsMalformed");
  add("options: longer than the header", pingFrame(4, pattern(56), { options: [7, 39, 4, 0] }), "IpOptionsMalformed");
  add("options: length byte missing", pingFrame(4, pattern(56), { options: [1, 1, 1, 7] }), "IpOptionsMalformed");
  add("options: source route running past the header", pingFrame(4, pattern(56), { options: [131, 11, 4, 10, 0, 2, 9, 0] }), "IpOptionsMalformed");
  add("Ethernet padding after the datagram (valid)", Uint8Array.from([...pingFrame(5, pattern(8)), ...new Array(20).fill(0xee)]), "None", 1);
  add("reserved flag set", pingFrame(6, pattern(56), { flagsFrag: 0x8000 }), "IpFlags");
  add("reserved flag set with DF", pingFrame(6, pattern(56), { flagsFrag: 0xc000 }), "IpFlags");
  add("reserved flag set with MF", pingFrame(6, pattern(56), { flagsFrag: 0xa000 }), "IpFlags");
  add("TTL 1 (valid)", pingFrame(7, pattern(56), { ttl: 1 }), "None", 1);

  // ICMP.
  for (let n = 0; n < 8; n++) add(`ICMP of ${n} bytes`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(8, 0, 1, 1, []).slice(0, n))), "IcmpLength");
  add("ICMP checksum xor 1", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(8, 0, 0x4242, 1, pattern(56), 1))), "IcmpChecksum");
  add("ICMP checksum xor 0xffff", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(8, 0, 0x4242, 1, pattern(56), 0xffff))), "IcmpChecksum");
  add("ICMP data changed", (() => {
    const f = pingFrame();
    f[60] ^= 0x20;
    return f;
  })(), "IcmpChecksum");
  add("ICMP odd length, checksum of the even part", (() => {
    const m = icmp(8, 0, 1, 1, pattern(7)); // checksum right for these 15 bytes
    m.push(0x55); // one more byte it does not cover
    return eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, m));
  })(), "IcmpChecksum");
  for (const t of [3, 4, 5, 9, 10, 11, 12, 13, 14, 17, 42, 255]) add(`ICMP type ${t}`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(t, 0, 0, 0, pattern(28)))), "IcmpType");
  add("echo request to 255.255.255.255", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ dst: 0xffffffff }, icmp(8, 0, 1, 1, pattern(56)))), "IcmpBroadcast");
  add("echo request to the subnet broadcast", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ dst: SUBNET_BCAST }, icmp(8, 0, 1, 1, pattern(56)))), "IcmpBroadcast");
  add("echo reply to the subnet broadcast", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ dst: SUBNET_BCAST }, icmp(0, 0, 1, 1, pattern(56)))), "IcmpBroadcast");
  add("destination unreachable to 255.255.255.255", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ dst: 0xffffffff }, icmp(3, 3, 0, 0, pattern(28)))), "IcmpBroadcast");
  add("echo request to all-hosts, broadcast MAC", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ dst: ip(224, 0, 0, 1) }, icmp(8, 0, 1, 1, pattern(56)))), "IpNotForUs");
  add("echo reply nobody asked for", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(0, 0, 0x4242, 1, pattern(56)))), "PingUnmatched");
  add("empty echo reply", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(0, 0, 7, 7, []))), "PingUnmatched");
  add("largest echo request: 1472 bytes of data (valid)", pingFrame(8, pattern(1472)), "None", 1);
  add("echo request with no data (valid)", pingFrame(9, []), "None", 1);
  add("echo request with odd data (valid)", pingFrame(10, pattern(33)), "None", 1);
  for (const code of [1, 5, 255]) add(`echo request code ${code}`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({}, icmp(8, code, 0x4242, 11, pattern(56)))), "IcmpCode");

  // UDP.
  for (let n = 0; n < 8; n++) add(`UDP of ${n} bytes`, eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ proto: 17 }, udp(PEER_IP, OUR_IP, 1, 7777, []).slice(0, n))), "UdpTruncated");
  for (const len of [0, 1, 7, 8, 27]) add(`UDP length field ${len} below the datagram's 28`, udpFrame(7777, pattern(20), { len }), "UdpLength");
  for (const len of [29, 100, 0xffff]) add(`UDP length field ${len} beyond the datagram`, udpFrame(7777, pattern(20), { len }), "UdpLength");
  add("UDP to port 0", udpFrame(0, pattern(20)), "UdpPort");
  add("UDP checksum xor 1", udpFrame(7777, pattern(20), { checksum: 1 }), "UdpChecksum");
  add("UDP checksum xor 0x8000", udpFrame(7777, pattern(20), { checksum: 0x8000 }), "UdpChecksum");
  add("UDP data changed", (() => {
    const f = udpFrame(7777, pattern(20));
    f[50] ^= 1;
    return f;
  })(), "UdpChecksum");
  add("UDP checksum over the wrong destination", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4({ proto: 17 }, udp(PEER_IP, ip(10, 0, 2, 16), 1, 7777, pattern(20)))), "UdpChecksum");
  add("UDP to port 0 with a bad checksum", udpFrame(0, pattern(20), { checksum: 1 }), "UdpChecksum");
  for (const p of [1, 9, 53, 67, 68, 123, 7776, 65535]) add(`UDP to closed port ${p}`, udpFrame(p, pattern(12)), "NoSocket");
  add("UDP without checksum (valid)", udpFrame(7777, pattern(20), { checksum: "zero" }), "None");
  add("UDP odd payload (valid)", udpFrame(7777, pattern(21)), "None");
  add("UDP empty payload (valid)", udpFrame(7777, []), "None");
  add("UDP to the subnet broadcast (valid)", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ proto: 17, dst: SUBNET_BCAST }, udp(PEER_IP, SUBNET_BCAST, 1, 7777, pattern(5)))), "None");
  add("UDP to 255.255.255.255 (valid)", eth(BCAST_MAC, PEER_MAC, 0x0800, ipv4({ proto: 17, dst: 0xffffffff }, udp(PEER_IP, 0xffffffff, 1, 7777, pattern(5)))), "None");
  add("UDP largest payload (valid)", udpFrame(7777, pattern(1472)), "None");
  add("UDP from another subnet via the router (valid)", udpFrame(7777, pattern(9), {}, { src: ip(93, 184, 216, 34) }), "None");
  // Socket queue overflow: by count (32 datagrams) and by bytes (16 KiB: 11 of 1472).
  for (let i = 0; i < 40; i++) add("UDP queue overflow by count", udpFrame(7778, pattern(10, i)), i < 32 ? "None" : "QueueFull");
  for (let i = 0; i < 14; i++) add("UDP queue overflow by bytes", udpFrame(7779, pattern(1472, i)), i < 11 ? "None" : "QueueFull");
  add("DHCP offer while DHCP is off", udpFrame(68, pattern(300)), "NoSocket");

  return out;
}

/** The valid echo request fed last, after the corpus and the random damage, and the reply it must get. */
export function finalPing(): { request: Uint8Array; reply: Uint8Array } {
  const data = pattern(100, 7);
  const request = pingFrame(0x77, data);
  // The reply: to the peer's MAC from ours, our address to the peer's, TTL 64, DF, type 0.
  const reply = eth(PEER_MAC, OUR_MAC, 0x0800, ipv4({ src: OUR_IP, dst: PEER_IP, id: 0 }, icmp(0, 0, 0x4242, 0x77, data)));
  return { request, reply };
}

/**
 * The driver's input (little-endian): u32 flags (1: configure by DHCP, not
 * statically), u32 count, then per entry u8 expect, u8 replies, u16 length,
 * bytes; then the final request and its reply, each as u16 length and bytes.
 */
export function corpusInput(entries: Entry[], flags = 0): Buffer {
  const fin = finalPing();
  const size = 8 + entries.reduce((n, e) => n + 4 + e.frame.length, 0) + 4 + fin.request.length + fin.reply.length;
  const b = Buffer.alloc(size);
  b.writeUInt32LE(flags, 0);
  b.writeUInt32LE(entries.length, 4);
  let at = 8;
  for (const e of entries) {
    b[at] = e.expect;
    b[at + 1] = e.replies;
    b.writeUInt16LE(e.frame.length, at + 2);
    Buffer.from(e.frame).copy(b, at + 4);
    at += 4 + e.frame.length;
  }
  b.writeUInt16LE(fin.request.length, at);
  Buffer.from(fin.request).copy(b, at + 2);
  at += 2 + fin.request.length;
  b.writeUInt16LE(fin.reply.length, at);
  Buffer.from(fin.reply).copy(b, at + 2);
  return b;
}

/**
 * The test peer's corpus reasons (test/harness/net-corpus.ts, DROP_REASONS)
 * as this stack counts them: each of its reasons is one Drop (but an echo
 * reply, which the peer counts under icmp-type and this stack under
 * PingUnmatched), so a guest's counters can be checked against the peer's
 * corpusCounts().
 */
export const PEER_REASON_DROP: Record<string, string> = {
  "eth-truncated": "ShortFrame",
  "eth-giant": "GiantFrame",
  "eth-source": "BadSourceMac",
  "eth-not-for-us": "NotForUs",
  "eth-vlan": "Vlan",
  "eth-unknown-type": "BadEthertype",
  "arp-truncated": "ArpTruncated",
  "arp-malformed": "ArpMalformed",
  "arp-not-for-us": "ArpNotForUs",
  "arp-conflict": "ArpConflict",
  "ip-truncated": "IpTruncated",
  "ip-version": "IpVersion",
  "ip-header-length": "IpHeaderLength",
  "ip-total-length": "IpTotalLength",
  "ip-checksum": "IpChecksum",
  "ip-ttl": "Ttl",
  "ip-source": "IpBadSource",
  "ip-not-for-us": "IpNotForUs",
  "ip-flags": "IpFlags",
  "ip-fragment": "IpFragment",
  "ip-options-malformed": "IpOptionsMalformed",
  "ip-source-route": "IpSourceRoute",
  "ip-options": "IpOptions",
  "ip-protocol": "IpProtocol",
  "icmp-truncated": "IcmpLength",
  "icmp-checksum": "IcmpChecksum",
  "icmp-broadcast": "IcmpBroadcast",
  "icmp-type": "IcmpType",
  "icmp-code": "IcmpCode",
  "udp-truncated": "UdpTruncated",
  "udp-length": "UdpLength",
  "udp-checksum": "UdpChecksum",
  "udp-port-zero": "UdpPort",
  "udp-closed-port": "NoSocket",
  "dhcp-malformed": "DhcpRejected",
};

/** The Drop a peer corpus frame must be counted under. */
export function peerDrop(reason: string, frame: Uint8Array): number {
  // An echo reply (IPv4, ICMP type 0) matches no ping of ours.
  const echoReply = frame.length >= 35 && frame[12] === 0x08 && frame[13] === 0x00 && frame[23] === 1 && frame[14 + (frame[14]! & 0xf) * 4] === 0;
  const name = reason === "icmp-type" && echoReply ? "PingUnmatched" : PEER_REASON_DROP[reason];
  const d = name === undefined ? undefined : DROP[name];
  if (d === undefined) throw new Error(`no Drop for the peer's ${reason}`);
  return d;
}
