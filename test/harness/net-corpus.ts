/**
 * Malformed and unwanted frames for the guest's network stack: a generated,
 * deterministic corpus of labelled kinds (truncations at every header
 * boundary, each length field wrong, bad checksums per layer, fragments, IP
 * options, wrong versions, runts and giants, VLAN tags, ARP storms for other
 * hosts, UDP to closed ports, malformed DHCP replies, ...), and classifyFrame,
 * which says for any frame why a host with the given addresses should not take
 * it as ordinary traffic (the first reason in the order a stack checks: link,
 * network, transport), or null if it should.
 *
 * Each corpus entry has a label (unique, what was done), a reason (a
 * DropReason: what a stack's drop counters should count it as) and its frames
 * (one, or several for storms and fragment sets). Entries made by damaging a
 * valid frame keep it as `base`, with how it was damaged: "truncated" (the
 * frame is a prefix of base) or "fields" (same length as base, different only
 * in the byte ranges `fields`, which include checksums recomputed to keep the
 * damage to one defect); other entries are "built".
 *
 * Reasons of kind "malformed" are frames no correct sender makes; "unwanted"
 * ones are well formed but not for this host or not handled by a minimal stack
 * (ARP for other hosts, fragments, IP options, other protocols, ICMP other than
 * echo, closed ports): a stack may count those differently, e.g. answer UDP to a
 * closed port with ICMP port unreachable, or accept IP options.
 *
 * No frame is empty: QEMU's dgram netdev (7.2) takes a zero-length datagram for
 * the end of the connection and stops receiving.
 */
import {
  ARP_LENGTH,
  ARP_REPLY,
  ARP_REQUEST,
  BOOTREPLY,
  BOOTREQUEST,
  BROADCAST_IP,
  BROADCAST_MAC,
  DHCP,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DHCPOPT,
  ETH_HEADER,
  ETH_MAX,
  ETHERTYPE,
  ICMP,
  IP_FLAG_DF,
  IP_FLAG_MF,
  IP_FLAG_RESERVED,
  IPOPT,
  IPPROTO,
  arpFrame,
  buildArp,
  buildDhcp,
  buildEth,
  buildIcmp,
  buildIpv4,
  buildUdp,
  internetChecksum,
  ipBytes,
  ipFromNumber,
  ipNumber,
  ipText,
  macBytes,
  macText,
  parseDhcp,
  parseIpOptions,
  subnetBroadcast,
  u32Bytes,
  pseudoHeader,
  type IcmpBuild,
  type Ipv4Build,
  type UdpBuild,
  type VlanTag,
} from "./net-frames.js";
import { prng } from "./prng.js";

export const DROP_REASONS = {
  "eth-truncated": { kind: "malformed", text: "shorter than an Ethernet header" },
  "eth-giant": { kind: "malformed", text: "longer than 1514 bytes (MTU 1500)" },
  "eth-source": { kind: "malformed", text: "source address multicast, broadcast, zero or the host's own" },
  "eth-not-for-us": { kind: "unwanted", text: "destination neither the host's address nor broadcast" },
  "eth-vlan": { kind: "unwanted", text: "802.1Q/802.1ad tagged" },
  "eth-unknown-type": { kind: "unwanted", text: "EtherType neither IPv4 nor ARP (or an 802.3 length)" },
  "arp-truncated": { kind: "malformed", text: "ARP shorter than 28 bytes" },
  "arp-malformed": { kind: "malformed", text: "ARP hardware/protocol type or size, or operation, wrong" },
  "arp-not-for-us": { kind: "unwanted", text: "ARP whose target is another address" },
  "arp-conflict": { kind: "unwanted", text: "ARP from another station claiming the host's address" },
  "ip-truncated": { kind: "malformed", text: "fewer bytes than the IPv4 header or its total length" },
  "ip-version": { kind: "malformed", text: "IP version not 4" },
  "ip-header-length": { kind: "malformed", text: "IHL below 5 or past the total length" },
  "ip-total-length": { kind: "malformed", text: "total length below 20" },
  "ip-checksum": { kind: "malformed", text: "IPv4 header checksum wrong" },
  "ip-ttl": { kind: "malformed", text: "time to live 0" },
  "ip-source": { kind: "malformed", text: "source address unspecified, broadcast, multicast, loopback or the host's own" },
  "ip-not-for-us": { kind: "unwanted", text: "destination neither the host's address nor a broadcast" },
  "ip-flags": { kind: "malformed", text: "the reserved flag set" },
  "ip-fragment": { kind: "unwanted", text: "a fragment (MF set or an offset)" },
  "ip-options-malformed": { kind: "malformed", text: "IP options whose lengths are wrong" },
  "ip-source-route": { kind: "unwanted", text: "a source-route option (LSRR, SSRR)" },
  "ip-options": { kind: "unwanted", text: "IP options (well formed)" },
  "ip-protocol": { kind: "unwanted", text: "a protocol other than ICMP and UDP" },
  "icmp-truncated": { kind: "malformed", text: "ICMP shorter than 8 bytes" },
  "icmp-checksum": { kind: "malformed", text: "ICMP checksum wrong" },
  "icmp-broadcast": { kind: "unwanted", text: "ICMP to a broadcast address" },
  "icmp-type": { kind: "unwanted", text: "ICMP other than an echo request" },
  "icmp-code": { kind: "malformed", text: "echo request with a code other than 0" },
  "udp-truncated": { kind: "malformed", text: "UDP shorter than 8 bytes" },
  "udp-length": { kind: "malformed", text: "UDP length field not the IP payload's length" },
  "udp-checksum": { kind: "malformed", text: "UDP checksum wrong (and not 0)" },
  "udp-port-zero": { kind: "malformed", text: "UDP to port 0" },
  "udp-closed-port": { kind: "unwanted", text: "UDP to a port nothing listens on" },
  "dhcp-malformed": { kind: "malformed", text: "to the DHCP client port, not a well-formed DHCP reply" },
} as const;

export type DropReason = keyof typeof DROP_REASONS;

/** What the classifier needs to know of the host receiving the frames. */
export interface HostView {
  mac: string;
  ip: string;
  /** Default 255.255.255.0. */
  netmask?: string;
  /** UDP ports something listens on (68 while a DHCP client runs). */
  openUdpPorts: readonly number[];
}

export interface CorpusContext {
  /** The guest: the frames' destination. */
  guest: HostView;
  /** The sender (the test peer). */
  peer: { mac: string; ip: string };
  /** A UDP port of the guest's open ports: the valid frames damaged to make entries go there. */
  udpPort: number;
  /** For the storms' addresses (default 1). */
  seed?: number;
}

export interface CorpusEntry {
  label: string;
  reason: DropReason;
  frames: Buffer[];
  damage: "truncated" | "fields" | "built";
  /** The valid frame damaged ("truncated", "fields"). */
  base?: Buffer;
  /** For "fields": the byte ranges [start, end) of the frame that may differ from base. */
  fields?: Array<[number, number]>;
}

// ---------------------------------------------------------------- the classifier

const MARTIAN_SOURCES = (ip: string, host: HostView): boolean => {
  const n = ipNumber(ip);
  const top = n >>> 24;
  return n === 0 || ip === BROADCAST_IP || top === 127 || (top & 0xf0) === 0xe0 || ip === host.ip || ip === subnetBroadcast(host.ip, host.netmask ?? "255.255.255.0");
};

/**
 * Why `host` should not take `frame` as ordinary traffic (the first reason in
 * the order: link, ARP or IPv4, then ICMP or UDP), or null if it should: an
 * ARP request or reply for its address, an echo request, UDP to an open port
 * (to port 68: a well-formed DHCP reply).
 *
 * With host null, only whether the frame is well formed, whoever it is for
 * (what a peer checks of the frames a guest sends): no addressing, port or
 * ICMP type checks.
 */
export function classifyFrame(frame: Uint8Array, host: HostView | null): DropReason | null {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (b.length < ETH_HEADER) return "eth-truncated";
  if (b.length > ETH_MAX) return "eth-giant";
  const src = macText(b, 6);
  if ((b[6]! & 1) === 1 || src === "00:00:00:00:00:00" || src === host?.mac) return "eth-source";
  const dst = macText(b, 0);
  if (host && dst !== host.mac && dst !== BROADCAST_MAC) return "eth-not-for-us";
  const type = b.readUInt16BE(12);
  if (type === ETHERTYPE.VLAN || type === ETHERTYPE.QINQ || type === ETHERTYPE.VLAN_OLD) return "eth-vlan";
  const p = b.subarray(ETH_HEADER);
  if (type === ETHERTYPE.ARP) return classifyArp(p, host);
  if (type !== ETHERTYPE.IPV4) return "eth-unknown-type";
  return classifyIpv4(p, host);
}

function classifyArp(p: Buffer, host: HostView | null): DropReason | null {
  if (p.length < ARP_LENGTH) return "arp-truncated";
  const op = p.readUInt16BE(6);
  if (p.readUInt16BE(0) !== 1 || p.readUInt16BE(2) !== ETHERTYPE.IPV4 || p[4] !== 6 || p[5] !== 4 || (op !== ARP_REQUEST && op !== ARP_REPLY)) return "arp-malformed";
  if (host && ipText(p, 14) === host.ip) return "arp-conflict";
  if (host && ipText(p, 24) !== host.ip) return "arp-not-for-us";
  return null;
}

function classifyIpv4(p: Buffer, host: HostView | null): DropReason | null {
  if (p.length < 20) return "ip-truncated";
  if (p[0]! >> 4 !== 4) return "ip-version";
  const ihl = p[0]! & 0xf;
  if (ihl < 5) return "ip-header-length";
  const total = p.readUInt16BE(2);
  if (total < 20) return "ip-total-length";
  if (total > p.length) return "ip-truncated";
  if (ihl * 4 > total) return "ip-header-length";
  const header = p.subarray(0, ihl * 4);
  if (internetChecksum(header) !== 0) return "ip-checksum";
  if (p[8] === 0) return "ip-ttl";
  const src = ipText(p, 12);
  const dst = ipText(p, 16);
  if (host && MARTIAN_SOURCES(src, host)) return "ip-source";
  const broadcast = dst === BROADCAST_IP || (!!host && dst === subnetBroadcast(host.ip, host.netmask ?? "255.255.255.0"));
  if (host && dst !== host.ip && !broadcast) return "ip-not-for-us";
  const flags = p[6]! >> 5;
  if (flags & IP_FLAG_RESERVED) return "ip-flags";
  if (flags & IP_FLAG_MF || (p.readUInt16BE(6) & 0x1fff) !== 0) return "ip-fragment";
  if (ihl > 5) {
    const options = parseIpOptions(header.subarray(20));
    if (!options) return "ip-options-malformed";
    if (options.some(([t]) => t === IPOPT.LSRR || t === IPOPT.SSRR)) return "ip-source-route";
    return "ip-options";
  }
  const payload = p.subarray(ihl * 4, total);
  if (p[9] === IPPROTO.ICMP) return classifyIcmp(payload, host ? broadcast : null);
  if (p[9] === IPPROTO.UDP) return classifyUdp(payload, src, dst, host);
  return "ip-protocol";
}

/** broadcast null: no check of where it goes or what type it is. */
function classifyIcmp(p: Buffer, broadcast: boolean | null): DropReason | null {
  if (p.length < 8) return "icmp-truncated";
  if (internetChecksum(p) !== 0) return "icmp-checksum";
  if (broadcast === null) return null;
  if (broadcast) return "icmp-broadcast";
  if (p[0] !== ICMP.ECHO_REQUEST) return "icmp-type";
  if (p[1] !== 0) return "icmp-code";
  return null;
}

function classifyUdp(p: Buffer, src: string, dst: string, host: HostView | null): DropReason | null {
  if (p.length < 8) return "udp-truncated";
  if (p.readUInt16BE(4) !== p.length) return "udp-length";
  if (p.readUInt16BE(6) !== 0) {
    if (internetChecksum(pseudoHeader(src, dst, IPPROTO.UDP, p.length), p) !== 0) return "udp-checksum";
  }
  const port = p.readUInt16BE(2);
  if (port === 0) return "udp-port-zero";
  if (!host) return null;
  if (!host.openUdpPorts.includes(port)) return "udp-closed-port";
  if (port === DHCP_CLIENT_PORT) {
    const d = parseDhcp(p.subarray(8));
    if (!d || d.op !== BOOTREPLY || d.htype !== 1 || d.hlen !== 6 || (d.type !== DHCP.OFFER && d.type !== DHCP.ACK && d.type !== DHCP.NAK)) return "dhcp-malformed";
  }
  return null;
}

// ---------------------------------------------------------------- the corpus

/** Byte ranges of an untagged frame's fields (IPv4 without options, then UDP or ICMP). */
export const FIELD = {
  ethDst: [0, 6],
  ethSrc: [6, 12],
  ethType: [12, 14],
  ipVersionIhl: [14, 15],
  ipTotal: [16, 18],
  ipFlagsFrag: [20, 22],
  ipTtl: [22, 23],
  ipProtocol: [23, 24],
  ipChecksum: [24, 26],
  ipSrc: [26, 30],
  ipDst: [30, 34],
  l4: [34, 42],
  udpSrcPort: [34, 36],
  udpDstPort: [36, 38],
  udpLength: [38, 40],
  udpChecksum: [40, 42],
  icmpTypeCode: [34, 36],
  icmpChecksum: [36, 38],
  arp: [14, 42],
} as const satisfies Record<string, [number, number]>;

type Range = readonly [number, number];


/** Wrong values for a 16-bit checksum whose right value is `right`, each with its name (none equal to it in ones' complement, none 0 when 0 means "no checksum"). */
function wrongChecksums(right: number, zeroMeansNone: boolean): Array<[string, number]> {
  const candidates: Array<[string, number]> = [
    ["+1", (right + 1) & 0xffff],
    ["-1", (right - 1) & 0xffff],
    ["complemented", ~right & 0xffff],
    ["bytes swapped", ((right & 0xff) << 8) | (right >> 8)],
    ["top bit flipped", right ^ 0x8000],
    ["zero", 0],
  ];
  const seen = new Set<number>();
  return candidates.filter(([, v]) => {
    const same = v === right || (v === 0 && right === 0xffff) || (v === 0xffff && right === 0);
    if (same || seen.has(v) || (zeroMeansNone && v === 0)) return false;
    seen.add(v);
    return true;
  });
}

export function malformedCorpus(ctx: CorpusContext): CorpusEntry[] {
  const { guest, peer } = ctx;
  if (!guest.openUdpPorts.includes(ctx.udpPort)) throw new Error(`corpus: udpPort ${ctx.udpPort} is not among the guest's open ports`);
  const netmask = guest.netmask ?? "255.255.255.0";
  const random = prng(ctx.seed ?? 1);
  const out: CorpusEntry[] = [];
  const add = (e: CorpusEntry): void => {
    if (e.frames.some((f) => f.length === 0)) throw new Error(`corpus: ${e.label} has an empty frame`);
    out.push(e);
  };
  const fieldsEntry = (label: string, reason: DropReason, base: Buffer, frame: Buffer, ...fields: Range[]): void =>
    add({ label, reason, frames: [frame], damage: "fields", base, fields: fields.map((f) => [f[0], f[1]]) });
  const built = (label: string, reason: DropReason, ...frames: Buffer[]): void => add({ label, reason, frames, damage: "built" });
  const host = (n: number): string => ipFromNumber(((ipNumber(guest.ip) & ipNumber(netmask)) | n) >>> 0);
  const otherHosts = Array.from({ length: 250 }, (_, i) => host(i + 2)).filter((ip) => ip !== guest.ip && ip !== peer.ip && ip !== subnetBroadcast(guest.ip, netmask));
  const randomMac = (): string => macText(Buffer.from([0x02, ...Array.from({ length: 5 }, () => Math.floor(random() * 256))]));
  const closedPort = (n: number): boolean => !guest.openUdpPorts.includes(n);

  const { frameOf, udp, icmp, baseUdp, baseIcmp, baseArp, baseArpShort, udpPayload, peerSrcPort } = builders(ctx);
  if (baseUdp.length !== 60) throw new Error("corpus: the base UDP frame should be 60 bytes");

  // ---- Ethernet
  for (let n = 1; n < ETH_HEADER; n++) add({ label: `frame truncated to ${n} bytes (inside the Ethernet header)`, reason: "eth-truncated", frames: [baseUdp.subarray(0, n)], damage: "truncated", base: baseUdp });
  for (const size of [ETH_MAX + 1, 1518, 1522, 1600, 2048, 4096, 9000, 16384, 65507]) {
    const payload = Buffer.alloc(size - 42, 0x5a);
    built(`giant frame of ${size} bytes (UDP, lengths consistent)`, "eth-giant", udp({ payload }));
  }
  for (const [name, mac] of [
    ["broadcast", BROADCAST_MAC],
    ["multicast", "01:00:5e:00:00:01"],
    ["zero", "00:00:00:00:00:00"],
    ["the guest's own", guest.mac],
  ] as const)
    fieldsEntry(`Ethernet source address ${name}`, "eth-source", baseUdp, udp({ eth: { src: mac } }), FIELD.ethSrc);
  const flippedMac = macBytes(guest.mac);
  flippedMac[5] = flippedMac[5]! ^ 1;
  for (const [name, mac] of [
    ["another host", "52:54:00:99:99:99"],
    ["the guest's with its last bit flipped", macText(flippedMac)],
    ["IPv4 multicast 01:00:5e:00:00:fb", "01:00:5e:00:00:fb"],
    ["IPv6 multicast 33:33:00:00:00:01", "33:33:00:00:00:01"],
    ["spanning tree 01:80:c2:00:00:00", "01:80:c2:00:00:00"],
  ] as const)
    fieldsEntry(`Ethernet destination ${name}`, "eth-not-for-us", baseUdp, udp({ eth: { dst: mac } }), FIELD.ethDst);
  for (const [name, type] of [
    ["IPv6", 0x86dd],
    ["LLDP", 0x88cc],
    ["RARP", 0x8035],
    ["MPLS", 0x8847],
    ["MACsec", 0x88e5],
    ["zero", 0x0000],
    ["an 802.3 length of 46", 0x002e],
    ["an 802.3 length of 1500", 0x05dc],
    ["0x0600", 0x0600],
    ["0xffff", 0xffff],
    ["0x0801 (IPv4 + 1)", 0x0801],
    ["0x0805 (X.25)", 0x0805],
  ] as const)
    fieldsEntry(`EtherType ${name}`, "eth-unknown-type", baseUdp, udp({ eth: { type } }), FIELD.ethType);
  for (const [name, vlans] of [
    ["802.1Q priority tag (VLAN 0)", [{ tpid: ETHERTYPE.VLAN, tci: 0x0000 }]],
    ["802.1Q VLAN 1", [{ tpid: ETHERTYPE.VLAN, tci: 0x0001 }]],
    ["802.1Q VLAN 100, priority 5", [{ tpid: ETHERTYPE.VLAN, tci: 0xa064 }]],
    ["802.1Q VLAN 4095", [{ tpid: ETHERTYPE.VLAN, tci: 0x0fff }]],
    ["802.1ad VLAN 10", [{ tpid: ETHERTYPE.QINQ, tci: 0x000a }]],
    ["0x9100 VLAN 10", [{ tpid: ETHERTYPE.VLAN_OLD, tci: 0x000a }]],
    ["802.1ad + 802.1Q (QinQ)", [{ tpid: ETHERTYPE.QINQ, tci: 0x000a }, { tpid: ETHERTYPE.VLAN, tci: 0x0014 }]],
  ] as const)
    built(`UDP with ${name}`, "eth-vlan", udp({ eth: { vlans: [...vlans] } }));
  built("ARP request for the guest with an 802.1Q tag", "eth-vlan", buildEth({ dst: BROADCAST_MAC, src: peer.mac, type: ETHERTYPE.ARP, vlans: [{ tpid: ETHERTYPE.VLAN, tci: 5 }], payload: buildArp({ op: ARP_REQUEST, sha: peer.mac, spa: peer.ip, tpa: guest.ip }) }));

  // ---- ARP
  for (const n of [0, 2, 4, 5, 6, 8, 14, 18, 24, 27])
    add({ label: `ARP request truncated to ${n} bytes`, reason: "arp-truncated", frames: [baseArpShort.subarray(0, ETH_HEADER + n)], damage: "truncated", base: baseArpShort });
  const arpWith = (o: Parameters<typeof buildArp>[0]): Buffer => buildEth({ dst: BROADCAST_MAC, src: peer.mac, type: ETHERTYPE.ARP, payload: buildArp(o) });
  const arpReq = { op: ARP_REQUEST, sha: peer.mac, spa: peer.ip, tpa: guest.ip };
  for (const [name, o, range] of [
    ["hardware type 0", { htype: 0 }, [14, 16]],
    ["hardware type 6 (IEEE 802)", { htype: 6 }, [14, 16]],
    ["hardware type 0xffff", { htype: 0xffff }, [14, 16]],
    ["protocol type IPv6", { ptype: 0x86dd }, [16, 18]],
    ["protocol type 0", { ptype: 0 }, [16, 18]],
    ["hardware size 0", { hlen: 0 }, [18, 19]],
    ["hardware size 8", { hlen: 8 }, [18, 19]],
    ["protocol size 6", { plen: 6 }, [19, 20]],
    ["protocol size 16", { plen: 16 }, [19, 20]],
    ["operation 0", { op: 0 }, [20, 22]],
    ["operation 3 (RARP request)", { op: 3 }, [20, 22]],
    ["operation 4 (RARP reply)", { op: 4 }, [20, 22]],
    ["operation 0xffff", { op: 0xffff }, [20, 22]],
  ] as const)
    fieldsEntry(`ARP request with ${name}`, "arp-malformed", baseArp, arpWith({ ...arpReq, ...o }), range);
  built(
    "broadcast storm: 64 ARP requests for other hosts from 64 addresses",
    "arp-not-for-us",
    ...Array.from({ length: 64 }, (_, i) => arpFrame({ op: ARP_REQUEST, sha: randomMac(), spa: otherHosts[i]!, tpa: otherHosts[(i * 7 + 3) % otherHosts.length]! })),
  );
  built(
    "broadcast storm: 32 ARP replies between other hosts",
    "arp-not-for-us",
    ...Array.from({ length: 32 }, (_, i) => arpFrame({ op: ARP_REPLY, sha: randomMac(), spa: otherHosts[i + 100]!, tha: BROADCAST_MAC, tpa: otherHosts[i + 150]!, dstMac: BROADCAST_MAC })),
  );
  const third = randomMac();
  for (const [name, tpa] of [
    ["the peer's address", peer.ip],
    ["0.0.0.0", "0.0.0.0"],
    ["the subnet broadcast", subnetBroadcast(guest.ip, netmask)],
    ["127.0.0.1", "127.0.0.1"],
    ["an address on another subnet", "192.0.2.77"],
  ] as const)
    built(`ARP request from a third host for ${name}`, "arp-not-for-us", arpFrame({ op: ARP_REQUEST, sha: third, spa: otherHosts[10]!, tpa }));
  built("gratuitous ARP of another host", "arp-not-for-us", arpFrame({ op: ARP_REQUEST, sha: third, spa: otherHosts[11]!, tpa: otherHosts[11]! }));
  built("gratuitous ARP of a third host claiming the guest's address", "arp-conflict", arpFrame({ op: ARP_REQUEST, sha: third, spa: guest.ip, tpa: guest.ip }));
  built("ARP reply from a third host claiming the guest's address", "arp-conflict", arpFrame({ op: ARP_REPLY, sha: third, spa: guest.ip, tha: guest.mac, tpa: guest.ip, dstMac: guest.mac }));

  // ---- IPv4 (the UDP base unless said)
  for (const n of [0, 1, 2, 4, 6, 8, 9, 10, 12, 16, 20, 22, 24, 26, 28, 37, 45])
    add({ label: `UDP frame truncated to ${ETH_HEADER + n} bytes (${n} of IPv4)`, reason: "ip-truncated", frames: [baseUdp.subarray(0, ETH_HEADER + n)], damage: "truncated", base: baseUdp });
  for (const version of [0, 1, 2, 3, 5, 6, 7, 8, 15]) fieldsEntry(`IP version ${version}`, "ip-version", baseUdp, udp({ ip: { version } }), FIELD.ipVersionIhl, FIELD.ipChecksum);
  for (const ihl of [0, 1, 2, 3, 4]) fieldsEntry(`IHL ${ihl}`, "ip-header-length", baseUdp, udp({ ip: { ihl } }), FIELD.ipVersionIhl, FIELD.ipChecksum);
  for (const ihl of [12, 13, 15]) fieldsEntry(`IHL ${ihl} (header past the total length of 46)`, "ip-header-length", baseUdp, udp({ ip: { ihl } }), FIELD.ipVersionIhl, FIELD.ipChecksum);
  for (const [totalLength, reason] of [
    [0, "ip-total-length"],
    [1, "ip-total-length"],
    [19, "ip-total-length"],
    [20, "udp-truncated"],
    [27, "udp-truncated"],
    [28, "udp-length"],
    [45, "udp-length"],
    [47, "ip-truncated"],
    [60, "ip-truncated"],
    [0xffff, "ip-truncated"],
  ] as const)
    fieldsEntry(`IP total length ${totalLength} (right: 46)`, reason, baseUdp, udp({ ip: { totalLength } }), FIELD.ipTotal, FIELD.ipChecksum);
  const ipRight = baseUdp.readUInt16BE(FIELD.ipChecksum[0]);
  for (const [name, checksum] of wrongChecksums(ipRight, false)) fieldsEntry(`IPv4 header checksum ${name}`, "ip-checksum", baseUdp, udp({ ip: { checksum } }), FIELD.ipChecksum);
  {
    const stale = Buffer.from(baseUdp);
    stale[FIELD.ipTtl[0]] = 63; // decremented without updating the checksum, as a broken router would
    fieldsEntry("IPv4 header checksum stale (TTL decremented after it)", "ip-checksum", baseUdp, stale, FIELD.ipTtl);
    const staleId = udp({ ip: { id: 0x1235, checksum: ipRight } });
    fieldsEntry("IPv4 header checksum stale (identification changed after it)", "ip-checksum", baseUdp, staleId, [18, 20]);
  }
  for (const [name, src] of [
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", BROADCAST_IP],
    ["the subnet broadcast", subnetBroadcast(guest.ip, netmask)],
    ["multicast 224.0.0.1", "224.0.0.1"],
    ["loopback 127.0.0.1", "127.0.0.1"],
    ["the guest's own address", guest.ip],
  ] as const)
    fieldsEntry(`IP source ${name}`, "ip-source", baseUdp, udp({ ip: { src } }), FIELD.ipSrc, FIELD.ipChecksum, FIELD.udpChecksum);
  for (const [name, dst] of [
    ["another host on the subnet", otherHosts[20]!],
    ["an address on another subnet", "192.0.2.1"],
    ["multicast 224.0.0.251 (not joined)", "224.0.0.251"],
    ["multicast 239.255.255.250 (not joined)", "239.255.255.250"],
    ["0.0.0.0", "0.0.0.0"],
    ["loopback 127.0.0.1", "127.0.0.1"],
  ] as const)
    fieldsEntry(`IP destination ${name}`, "ip-not-for-us", baseUdp, udp({ ip: { dst } }), FIELD.ipDst, FIELD.ipChecksum, FIELD.udpChecksum);
  fieldsEntry("IP time to live 0", "ip-ttl", baseUdp, udp({ ip: { ttl: 0 } }), FIELD.ipTtl, FIELD.ipChecksum);
  fieldsEntry("IP reserved flag set", "ip-flags", baseUdp, udp({ ip: { flags: IP_FLAG_RESERVED } }), FIELD.ipFlagsFrag, FIELD.ipChecksum);
  fieldsEntry("IP reserved flag set with DF", "ip-flags", baseUdp, udp({ ip: { flags: IP_FLAG_RESERVED | IP_FLAG_DF } }), FIELD.ipFlagsFrag, FIELD.ipChecksum);

  // Fragments of a UDP datagram of 40 bytes of payload (48 of UDP).
  const fragUdp = buildUdp({ src: peer.ip, dst: guest.ip, srcPort: peerSrcPort, dstPort: ctx.udpPort, payload: Buffer.from("fragmented datagram for the guest, 40 b.") });
  const fragment = (payload: Buffer, flags: number, fragOffset: number, id = 0x2222): Buffer => frameOf(payload, IPPROTO.UDP, { ip: { flags, fragOffset, id } });
  built("first fragment (MF, offset 0)", "ip-fragment", fragment(fragUdp.subarray(0, 24), IP_FLAG_MF, 0));
  built("middle fragment (MF, offset 24)", "ip-fragment", fragment(fragUdp.subarray(24, 40), IP_FLAG_MF, 3));
  built("last fragment (offset 40, no MF)", "ip-fragment", fragment(fragUdp.subarray(40), 0, 5));
  built("fragment at the largest offset (65528)", "ip-fragment", fragment(fragUdp.subarray(0, 8), 0, 0x1fff));
  built("fragment reaching past 65535 bytes (offset 65528, 48 bytes)", "ip-fragment", fragment(fragUdp, IP_FLAG_MF, 0x1fff));
  built("fragment with DF and MF", "ip-fragment", fragment(fragUdp.subarray(0, 24), IP_FLAG_DF | IP_FLAG_MF, 0));
  built("tiny first fragment (8 bytes: the UDP header alone)", "ip-fragment", fragment(fragUdp.subarray(0, 8), IP_FLAG_MF, 0));
  built("a whole datagram in two fragments", "ip-fragment", fragment(fragUdp.subarray(0, 24), IP_FLAG_MF, 0, 0x3333), fragment(fragUdp.subarray(24), 0, 3, 0x3333));
  built("two overlapping fragments", "ip-fragment", fragment(fragUdp.subarray(0, 32), IP_FLAG_MF, 0, 0x4444), fragment(fragUdp.subarray(16), 0, 2, 0x4444));

  // Options (the header grows; lengths and checksums follow).
  const withOptions = (name: string, reason: DropReason, options: number[]): void => built(`IP options: ${name}`, reason, udp({ ip: { options: Buffer.from(options) } }));
  withOptions("four NOPs", "ip-options", [1, 1, 1, 1]);
  withOptions("end of options and padding", "ip-options", [0, 0, 0, 0]);
  withOptions("router alert", "ip-options", [IPOPT.RA, 4, 0, 0]);
  withOptions("record route with room for 2 addresses", "ip-options", [IPOPT.RR, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
  withOptions("timestamp (timestamps only, room for 2)", "ip-options", [IPOPT.TS, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  withOptions("security (RFC 1108)", "ip-options", [IPOPT.SEC, 4, 0xab, 0]);
  withOptions("an unknown option 0x9e", "ip-options", [0x9e, 4, 0xde, 0xad]);
  withOptions("forty bytes of NOPs (the most options there can be)", "ip-options", Array.from({ length: 40 }, () => 1));
  withOptions("an option of length 0", "ip-options-malformed", [IPOPT.RA, 0, 0, 0]);
  withOptions("an option of length 1", "ip-options-malformed", [IPOPT.RA, 1, 0, 0]);
  withOptions("an option longer than the header", "ip-options-malformed", [IPOPT.RR, 39, 4, 0]);
  withOptions("an option's length byte missing", "ip-options-malformed", [1, 1, 1, IPOPT.RR]);
  withOptions("loose source route through 1 hop", "ip-source-route", [IPOPT.LSRR, 7, 4, ...ipBytes(otherHosts[30]!), 0]);
  withOptions("strict source route through 1 hop", "ip-source-route", [IPOPT.SSRR, 7, 4, ...ipBytes(otherHosts[31]!), 0]);
  for (const [name, protocol] of [
    ["0 (IPv6 hop-by-hop)", 0],
    ["2 (IGMP)", 2],
    ["4 (IP in IP)", 4],
    ["41 (IPv6 in IPv4)", 41],
    ["47 (GRE)", 47],
    ["50 (ESP)", 50],
    ["58 (ICMPv6)", 58],
    ["89 (OSPF)", 89],
    ["132 (SCTP)", 132],
    ["253 (experimental)", 253],
    ["255 (reserved)", 255],
  ] as const)
    fieldsEntry(`IP protocol ${name}`, "ip-protocol", baseUdp, udp({ ip: { protocol } }), FIELD.ipProtocol, FIELD.ipChecksum);
  {
    const syn = Buffer.alloc(20);
    syn.writeUInt16BE(peerSrcPort, 0);
    syn.writeUInt16BE(80, 2);
    syn.writeUInt32BE(0x01020304, 4);
    syn[12] = 5 << 4;
    syn[13] = 0x02; // SYN
    syn.writeUInt16BE(0xffff, 14);
    syn.writeUInt16BE(internetChecksum(pseudoHeader(peer.ip, guest.ip, IPPROTO.TCP, 20), syn), 16);
    built("TCP SYN to port 80", "ip-protocol", frameOf(syn, IPPROTO.TCP));
  }

  // ---- ICMP (the echo request base)
  const icmpBytes = buildIcmp({ type: ICMP.ECHO_REQUEST, id: 0x4242, seq: 1, data: Buffer.from("0123456789abcdefghijklmnopqrstuv") });
  for (const n of [0, 1, 2, 4, 6, 7]) built(`ICMP truncated to ${n} bytes (IP length consistent)`, "icmp-truncated", frameOf(icmpBytes.subarray(0, n), IPPROTO.ICMP));
  const icmpRight = baseIcmp.readUInt16BE(FIELD.icmpChecksum[0]);
  for (const [name, checksum] of wrongChecksums(icmpRight, false)) fieldsEntry(`ICMP echo checksum ${name}`, "icmp-checksum", baseIcmp, icmp({ checksum }), FIELD.icmpChecksum);
  fieldsEntry("ICMP echo checksum stale (data changed after it)", "icmp-checksum", baseIcmp, icmp({ checksum: icmpRight, data: Buffer.from("0123456789abcdefghijklmnopqrstuV") }), [73, 74]);
  for (const [name, type, code] of [
    ["echo reply (unsolicited)", 0, 0],
    ["port unreachable", 3, 3],
    ["source quench", 4, 0],
    ["redirect", 5, 1],
    ["router advertisement", 9, 0],
    ["router solicitation", 10, 0],
    ["time exceeded", 11, 0],
    ["parameter problem", 12, 0],
    ["timestamp request", 13, 0],
    ["information request", 15, 0],
    ["address mask request", 17, 0],
    ["extended echo request", 42, 0],
    ["type 200", 200, 0],
    ["type 255", 255, 0],
  ] as const)
    fieldsEntry(`ICMP ${name}`, "icmp-type", baseIcmp, icmp({ type, code }), FIELD.icmpTypeCode, FIELD.icmpChecksum);
  for (const code of [1, 255]) fieldsEntry(`ICMP echo request with code ${code}`, "icmp-code", baseIcmp, icmp({ code }), FIELD.icmpTypeCode, FIELD.icmpChecksum);
  built("ICMP echo request to 255.255.255.255", "icmp-broadcast", icmp({ eth: { dst: BROADCAST_MAC }, ip: { dst: BROADCAST_IP } }));
  built("ICMP echo request to the subnet broadcast", "icmp-broadcast", icmp({ eth: { dst: BROADCAST_MAC }, ip: { dst: subnetBroadcast(guest.ip, netmask) } }));

  // ---- UDP (the UDP base)
  const udpBytes = buildUdp({ src: peer.ip, dst: guest.ip, srcPort: peerSrcPort, dstPort: ctx.udpPort, payload: udpPayload });
  for (const n of [0, 2, 4, 6, 7]) built(`UDP truncated to ${n} bytes (IP length consistent)`, "udp-truncated", frameOf(udpBytes.subarray(0, n), IPPROTO.UDP));
  for (const length of [0, 1, 7, 8, 25, 27, 0xffff]) fieldsEntry(`UDP length ${length} (right: 26)`, "udp-length", baseUdp, udp({ length }), FIELD.udpLength, FIELD.udpChecksum);
  const udpRight = baseUdp.readUInt16BE(FIELD.udpChecksum[0]);
  for (const [name, checksum] of wrongChecksums(udpRight, true)) fieldsEntry(`UDP checksum ${name}`, "udp-checksum", baseUdp, udp({ checksum }), FIELD.udpChecksum);
  fieldsEntry("UDP checksum stale (payload changed after it)", "udp-checksum", baseUdp, udp({ checksum: udpRight, payload: Buffer.from("CambiOS corpus 18B") }), [59, 60]);
  fieldsEntry("UDP checksum stale (source port changed after it)", "udp-checksum", baseUdp, udp({ checksum: udpRight, srcPort: peerSrcPort + 1 }), FIELD.udpSrcPort);
  fieldsEntry("UDP to port 0", "udp-port-zero", baseUdp, udp({ dstPort: 0 }), FIELD.udpDstPort, FIELD.udpChecksum);
  for (const port of [1, 9, 13, 19, 53, 69, 111, 123, 137, 161, 514, 1900, 5353, 40000, 65535].filter(closedPort))
    fieldsEntry(`UDP to closed port ${port}`, "udp-closed-port", baseUdp, udp({ dstPort: port }), FIELD.udpDstPort, FIELD.udpChecksum);
  for (const port of [137, 1900].filter(closedPort)) built(`UDP broadcast to closed port ${port}`, "udp-closed-port", udp({ dstPort: port, eth: { dst: BROADCAST_MAC }, ip: { dst: BROADCAST_IP } }));

  // ---- DHCP replies to the client port (when it is open)
  if (guest.openUdpPorts.includes(DHCP_CLIENT_PORT)) {
    const offer = {
      op: BOOTREPLY,
      xid: 0x0badf00d,
      chaddr: guest.mac,
      yiaddr: guest.ip,
      siaddr: peer.ip,
      options: [
        [DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.OFFER])],
        [DHCPOPT.SERVER_ID, ipBytes(peer.ip)],
        [DHCPOPT.LEASE_TIME, u32Bytes(3600)],
        [DHCPOPT.SUBNET_MASK, ipBytes(netmask)],
      ] as Array<[number, Uint8Array]>,
    };
    const dhcpFrame = (payload: Buffer): Buffer => {
      const seg = buildUdp({ src: peer.ip, dst: guest.ip, srcPort: DHCP_SERVER_PORT, dstPort: DHCP_CLIENT_PORT, payload });
      return frameOf(seg, IPPROTO.UDP);
    };
    const valid = buildDhcp(offer);
    if (parseDhcp(valid) === null) throw new Error("corpus: the DHCP base does not parse");
    built("DHCP reply with a wrong magic cookie", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, cookie: 0x63825364 })));
    built("DHCP reply cut at 236 bytes (no magic cookie)", "dhcp-malformed", dhcpFrame(valid.subarray(0, 236)));
    built("DHCP reply cut after the cookie (no options, no END)", "dhcp-malformed", dhcpFrame(valid.subarray(0, 240)));
    built("DHCP reply without the END option", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, end: false, pad: false })));
    const overrun = buildDhcp({ ...offer, pad: false, end: false });
    built("DHCP reply whose last option's length runs past the end", "dhcp-malformed", dhcpFrame(Buffer.concat([overrun, Buffer.from([DHCPOPT.HOSTNAME, 200, 0x41, 0x42])])));
    built("DHCP reply with op BOOTREQUEST", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, op: BOOTREQUEST })));
    built("DHCP reply with hardware type 6", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, htype: 6 })));
    built("DHCP reply with hardware length 0", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, hlen: 0 })));
    built("DHCP reply with hardware length 17", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, hlen: 17 })));
    built("DHCP reply without a message type", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, options: offer.options.slice(1) })));
    built("DHCP reply with a 2-byte message type", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.OFFER, 0])], ...offer.options.slice(1)] })));
    built("DHCP reply with message type 99", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([99])], ...offer.options.slice(1)] })));
    built("DHCP DISCOVER sent to the client port", "dhcp-malformed", dhcpFrame(buildDhcp({ ...offer, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.DISCOVER])], ...offer.options.slice(1)] })));
  }
  const labels = new Set<string>();
  for (const e of out) {
    if (labels.has(e.label)) throw new Error(`corpus: label ${e.label} twice`);
    labels.add(e.label);
  }
  return out;
}

/** How many frames of each reason a corpus (or a part of it) holds: what a guest's counters should grow by. */
export function corpusCounts(entries: readonly CorpusEntry[]): Map<DropReason, number> {
  const counts = new Map<DropReason, number>();
  for (const e of entries) counts.set(e.reason, (counts.get(e.reason) ?? 0) + e.frames.length);
  return counts;
}

/** The valid frames the corpus damages, for checking that a host takes them: a UDP datagram to ctx.udpPort, an echo request, an ARP request. */
export function corpusBaseFrames(ctx: CorpusContext): Buffer[] {
  const b = builders(ctx);
  return [b.baseUdp, b.baseIcmp, b.baseArp];
}

interface Parts {
  eth?: { dst?: string; src?: string; type?: number; vlans?: VlanTag[]; pad?: boolean };
  ip?: Partial<Ipv4Build>;
}

/** Frames from the peer to the guest from parts: every field overridable, lengths and checksums right unless overridden. */
function builders(ctx: CorpusContext) {
  const { guest, peer } = ctx;
  const peerSrcPort = 40_000;
  const udpPayload = Buffer.from("CambiOS corpus 18b"); // 18 bytes: the UDP frame is exactly 60, no padding
  const frameOf = (ipPayload: Buffer, protocol: number, parts: Parts = {}): Buffer =>
    buildEth({
      dst: parts.eth?.dst ?? guest.mac,
      src: parts.eth?.src ?? peer.mac,
      type: parts.eth?.type ?? ETHERTYPE.IPV4,
      ...(parts.eth?.vlans ? { vlans: parts.eth.vlans } : {}),
      pad: parts.eth?.pad ?? true,
      payload: buildIpv4({ src: peer.ip, dst: guest.ip, protocol, id: 0x1234, payload: ipPayload, ...parts.ip }),
    });
  const udp = (o: Partial<UdpBuild> & Parts = {}): Buffer => {
    const src = o.ip?.src ?? peer.ip;
    const dst = o.ip?.dst ?? guest.ip;
    const seg = buildUdp({ srcPort: peerSrcPort, dstPort: ctx.udpPort, payload: udpPayload, ...o, src, dst });
    return frameOf(seg, IPPROTO.UDP, o);
  };
  const icmp = (o: Partial<IcmpBuild> & Parts = {}): Buffer =>
    frameOf(buildIcmp({ type: ICMP.ECHO_REQUEST, id: 0x4242, seq: 1, data: Buffer.from("0123456789abcdefghijklmnopqrstuv"), ...o }), IPPROTO.ICMP, o);
  const arpRequest = buildArp({ op: ARP_REQUEST, sha: peer.mac, spa: peer.ip, tpa: guest.ip });
  return {
    frameOf,
    udp,
    icmp,
    udpPayload,
    peerSrcPort,
    baseUdp: udp(),
    baseIcmp: icmp(),
    baseArp: buildEth({ dst: BROADCAST_MAC, src: peer.mac, type: ETHERTYPE.ARP, payload: arpRequest }),
    /** Unpadded (42 bytes), for truncations. */
    baseArpShort: buildEth({ dst: BROADCAST_MAC, src: peer.mac, type: ETHERTYPE.ARP, payload: arpRequest, pad: false }),
  };
}
