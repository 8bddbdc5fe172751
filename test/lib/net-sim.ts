// The wire around a NetStack in the host tests (net-units.ts, net-stack-driver.ts):
// our station and a peer (the router, DHCP and NTP server), frames built into
// one buffer to feed the stack, and the stack's output drained and looked at.
import { u8, u16, u32, u64, bool, array, arrayOf, slice, copyBytes, fillBytes, readU16Be, readU32Be, writeU32Be } from "kts";
import { NetStack } from "../../src/lib/net/stack";
import { NetConfig } from "../../src/lib/net/config";
import { ipv4, macCopy } from "../../src/lib/net/addr";
import { writeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../src/lib/net/ethernet";
import { writeArp } from "../../src/lib/net/arp";
import { writeIpv4, PROTO_ICMP, PROTO_UDP } from "../../src/lib/net/ipv4";
import { writeUdp } from "../../src/lib/net/udp";
import { writeEcho } from "../../src/lib/net/icmp";
import { Drop } from "../../src/lib/net/counters";

export const US_MAC: readonly u8[] = arrayOf([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
export const PEER_MAC: readonly u8[] = arrayOf([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
export const BCAST_MAC: readonly u8[] = arrayOf([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const NANOS: u64 = 1_000_000_000n;

export function usIp(): u32 {
  return ipv4(10, 0, 2, 15);
}
export function peerIp(): u32 {
  return ipv4(10, 0, 2, 2);
}

/** The frame being built for the stack, and its length. */
export const wire: u8[] = array(1514, 0);
/** The last frame taken from the stack's transmit queue, and its length. */
export const sent: u8[] = array(1514, 0);
export let sentLen: u32 = 0;

/** A mutable copy of a MAC for the library's writers (which take u8[]). */
const macTmp: u8[] = array(6, 0);

/** Resets the stack to our MAC with the usual static configuration 10.0.2.15/24 via 10.0.2.2. */
export function staticSetup(stack: NetStack, seed: u32): void {
  macCopy(macTmp, 0, US_MAC, 0);
  stack.init(macTmp, 0, seed);
  const cfg = new NetConfig();
  cfg.ip = usIp();
  cfg.netmask = ipv4(255, 255, 255, 0);
  cfg.gateway = peerIp();
  cfg.dns[0] = ipv4(10, 0, 2, 3);
  cfg.dnsCount = 1;
  stack.configure(cfg);
}

/** Takes the next frame the stack wants to send into `sent`; false if none. */
export function take(stack: NetStack): bool {
  sentLen = stack.txTake(sent);
  return sentLen != 0;
}

/** Drops every queued frame; returns how many there were. */
export function drainAll(stack: NetStack): u32 {
  let n: u32 = 0;
  while (take(stack)) n = u32(n + 1);
  return n;
}

/** Feeds wire[0 .. len) (exactly those bytes) to the stack. */
export function feed(stack: NetStack, len: u32, now: u64): Drop {
  return stack.receive(slice(wire, 0, len), len, now);
}

/** `sent` fields. */
export function sentType(): u16 {
  return readU16Be(sent, 12);
}
export function sentIpProto(): u8 {
  return sent[23];
}
export function sentIpSrc(): u32 {
  return readU32Be(sent, 26);
}
export function sentIpDst(): u32 {
  return readU32Be(sent, 30);
}
export function sentUdpDstPort(): u16 {
  return readU16Be(sent, 36);
}
export function sentArpOper(): u16 {
  return readU16Be(sent, 20);
}
export function sentArpTarget(): u32 {
  return readU32Be(sent, 38);
}
export function sentToBroadcast(): bool {
  for (let i: u32 = 0; i < 6; i++) {
    if (sent[i] != 0xff) return false;
  }
  return true;
}
export function sentToPeer(): bool {
  for (let i: u32 = 0; i < 6; i++) {
    if (sent[i] != PEER_MAC[i]) return false;
  }
  return true;
}

/** An ARP packet from (sha, spa) to (tha, tpa) in an Ethernet frame to dst; returns its length. */
export function arpFrame(dst: readonly u8[], oper: u16, sha: readonly u8[], spa: u32, tha: readonly u8[], tpa: u32): u32 {
  writeEthernet(wire, dst, 0, sha, ETHERTYPE_ARP);
  writeArp(wire, 14, oper, sha, spa, tha, tpa);
  return 42;
}

/** The peer's IPv4 header and Ethernet header around len bytes of protocol already at wire[34..]; returns the frame length. */
export function ipFrame(dstMac: readonly u8[], src: u32, dst: u32, protocol: u8, len: u32, id: u16): u32 {
  writeIpv4(wire, 14, len, id, protocol, src, dst);
  writeEthernet(wire, dstMac, 0, PEER_MAC, ETHERTYPE_IPV4);
  return u32(34 + len);
}

/** A UDP datagram from the peer carrying payload[0 .. len); returns the frame length. */
export function udpFrame(dstMac: readonly u8[], src: u32, dst: u32, sport: u16, dport: u16, payload: u8[], len: u32): u32 {
  copyBytes(wire, 42, payload, 0, len);
  writeUdp(wire, 34, sport, dport, len, src, dst);
  return ipFrame(dstMac, src, dst, PROTO_UDP, u32(8 + len), 0x0101);
}

/** An echo message (request or reply) from the peer with data[0 .. len); returns the frame length. */
export function echoFrame(type: u8, src: u32, id: u16, seq: u16, data: u8[], dataLen: u32): u32 {
  copyBytes(wire, 42, data, 0, dataLen);
  writeEcho(wire, 34, type, id, seq, dataLen);
  return ipFrame(US_MAC, src, usIp(), PROTO_ICMP, u32(8 + dataLen), 0x0202);
}

// ---- DHCP server messages ------------------------------------------------------

/**
 * A DHCPOFFER as a server on 10.0.2.0/24 sends it (RFC 2131 section 2 layout,
 * options RFC 2132), to the client 52:54:00:12:34:56 with xid 0x3903f326:
 * bytes 0..43 are the fixed fields up to chaddr; sname and file (44..235) are
 * zeros and not listed; the magic cookie and options follow at 236.
 */
export const OFFER_HEAD: u8[] = arrayOf([
  0x02, // op: BOOTREPLY
  0x01, // htype: Ethernet
  0x06, // hlen
  0x00, // hops
  0x39, 0x03, 0xf3, 0x26, // xid
  0x00, 0x00, // secs
  0x00, 0x00, // flags
  0x00, 0x00, 0x00, 0x00, // ciaddr
  0x0a, 0x00, 0x02, 0x0f, // yiaddr 10.0.2.15
  0x0a, 0x00, 0x02, 0x02, // siaddr 10.0.2.2 (next server)
  0x00, 0x00, 0x00, 0x00, // giaddr
  0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // chaddr
]);
export const OFFER_OPTIONS: u8[] = arrayOf([
  0x63, 0x82, 0x53, 0x63, // magic cookie
  0x35, 0x01, 0x02, // message type: OFFER
  0x36, 0x04, 0x0a, 0x00, 0x02, 0x02, // server id 10.0.2.2
  0x33, 0x04, 0x00, 0x01, 0x51, 0x80, // lease 86400 s
  0x01, 0x04, 0xff, 0xff, 0xff, 0x00, // subnet mask 255.255.255.0
  0x03, 0x04, 0x0a, 0x00, 0x02, 0x02, // router 10.0.2.2
  0x06, 0x08, 0x0a, 0x00, 0x02, 0x03, 0x08, 0x08, 0x08, 0x08, // DNS 10.0.2.3, 8.8.8.8
  0xff, // end
]);
/** The DHCPACK that follows (same fixed fields): lease 3600 s, T1 1800 s, T2 3150 s. */
export const ACK_OPTIONS: u8[] = arrayOf([
  0x63, 0x82, 0x53, 0x63, // magic cookie
  0x35, 0x01, 0x05, // message type: ACK
  0x36, 0x04, 0x0a, 0x00, 0x02, 0x02, // server id 10.0.2.2
  0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, // lease 3600 s
  0x3a, 0x04, 0x00, 0x00, 0x07, 0x08, // T1 1800 s
  0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, // T2 3150 s
  0x01, 0x04, 0xff, 0xff, 0xff, 0x00, // subnet mask
  0x03, 0x08, 0x0a, 0x00, 0x02, 0x02, 0x0a, 0x00, 0x02, 0x01, // routers 10.0.2.2, 10.0.2.1 (the first is used)
  0x06, 0x04, 0x0a, 0x00, 0x02, 0x03, // DNS 10.0.2.3
  0x00, 0x00, // pad
  0xff, // end
]);

/** Writes the offer (or, with ack, the ack) into buf[0 .. 300); returns 300. */
export function dhcpDump(buf: u8[], ack: bool): u32 {
  fillBytes(buf, 0, 300, 0);
  copyBytes(buf, 0, OFFER_HEAD, 0, 44);
  if (ack) {
    copyBytes(buf, 236, ACK_OPTIONS, 0, ACK_OPTIONS.length);
  } else {
    copyBytes(buf, 236, OFFER_OPTIONS, 0, OFFER_OPTIONS.length);
  }
  return 300;
}


// Offsets in the dumps of the fields the tests change.
export const D_XID: u32 = 4;
export const D_YIADDR: u32 = 16;
export const D_TYPE: u32 = 242; // the message type option's value
export const D_SERVER: u32 = 245; // the server id option's value
export const D_LEASE_OPTION: u32 = 249; // the lease option (code, length, value at 251)
export const D_LEASE: u32 = 251;
export const D_ACK_T1T2: u32 = 255; // the ACK's T1 and T2 options, 12 bytes
export const D_ACK_MASK: u32 = 269; // the ACK's subnet mask value

/** A DHCPNAK from server with xid: the fixed fields of the dumps, message type 6, the server id, END. */
export function dhcpNak(buf: u8[], xid: u32, server: u32): u32 {
  dhcpDump(buf, false);
  fillBytes(buf, 240, 60, 0);
  buf[D_YIADDR] = 0;
  buf[u32(D_YIADDR + 1)] = 0;
  buf[u32(D_YIADDR + 2)] = 0;
  buf[u32(D_YIADDR + 3)] = 0;
  writeU32Be(buf, D_XID, xid);
  const o: u8[] = arrayOf([0x35, 0x01, 0x06, 0x36, 0x04, 0, 0, 0, 0, 0xff]);
  copyBytes(buf, 240, o, 0, 10);
  writeU32Be(buf, D_SERVER, server);
  return 300;
}

/** The DHCP message msg[0 .. len) from the server 10.0.2.2:67 to port 68, broadcast or to our MAC and addr; returns the frame length. */
export function dhcpFrame(msg: u8[], len: u32, broadcast: bool, addr: u32): u32 {
  if (broadcast) return udpFrame(BCAST_MAC, peerIp(), 0xffff_ffff, 67, 68, msg, len);
  return udpFrame(US_MAC, peerIp(), addr, 67, 68, msg, len);
}

/** The value of option code in the DHCP message the stack sent (in `sent`, UDP payload at 42), or 0xffffffff if absent; 1-byte options as their byte. */
export function sentDhcpOption(code: u8): u32 {
  let i: u32 = u32(42 + 240);
  const end = sentLen;
  while (u32(i + 1) < end) {
    const c = sent[i];
    if (c == 0) {
      i = u32(i + 1);
      continue;
    }
    if (c == 255) break;
    const len = u32(sent[u32(i + 1)]);
    if (c == code) return len == 1 ? u32(sent[u32(i + 2)]) : readU32Be(sent, u32(i + 2));
    i = u32(i + 2 + len);
  }
  return 0xffff_ffff;
}
