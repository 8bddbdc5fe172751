// The network library's protocols one by one (both worlds, same output):
// checksums against RFC 1071 and other published values, each header's
// build/parse round trip and known bytes, UDP sockets, SNTP against a reply
// made by hand from RFC 4330's layout (and its refusals and the 2036 wrap),
// DHCP's reply checks against an offer and an ack made by hand from RFC 2131's
// layout.
import { u8, u16, u32, u64, i64, bool, mul32, array, arrayOf, slice, print, check, checkFailures, hex, text, copyBytes, fillBytes, readU16Be, readU32Be, writeU16Be, writeU32Be, writeU64Be } from "kts";
import { checksum, checksumValid, sumBytes, sumFinish, sumFold } from "../../src/lib/net/checksum";
import { ipv4, macIsMulticast, macIsBroadcast, multicastMac, subnetBroadcast, ipIsMulticast } from "../../src/lib/net/addr";
import { Drop, DROP_REASONS, dropName } from "../../src/lib/net/counters";
import { checkEthernet, writeEthernet, padFrame, ETHERTYPE_IPV4, ETHERTYPE_ARP } from "../../src/lib/net/ethernet";
import { ArpPacket, parseArp, writeArp, ARP_REQUEST, ARP_REPLY } from "../../src/lib/net/arp";
import { Ipv4Header, parseIpv4, refusedIpv4, writeIpv4, PROTO_UDP, PROTO_ICMP } from "../../src/lib/net/ipv4";
import { checkIcmp, writeEcho, ICMP_ECHO_REQUEST } from "../../src/lib/net/icmp";
import { UdpHeader, UdpSockets, Datagram, checkUdp, writeUdp, NO_SOCKET, UDP_SOCKETS, EPHEMERAL_FIRST } from "../../src/lib/net/udp";
import { SntpClient, SntpResult, SntpStatus, unixToNtp, ntpToUnix, NTP_BEFORE_1970 } from "../../src/lib/net/sntp";
import { DhcpReply, DhcpCheck, checkReply, DHCP_MESSAGE } from "../../src/lib/net/dhcp";
import { maskValid, classfulMask } from "../../src/lib/net/config";
import { dhcpDump } from "./net-sim";

const buf: u8[] = array(1514, 0);
const out: u8[] = array(1514, 0);

// ---- Checksums ------------------------------------------------------------------

function checksums(): void {
  print("-- checksums");
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2; the checksum is its complement.
  const rfc: u8[] = arrayOf([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  print(`rfc1071: sum ${hex(sumFold(sumBytes(0, rfc, 0, 8)))} checksum ${hex(checksum(rfc, 0, 8))}`);
  // The sum of parts: [0,2) then [2,8); and byte order independence's dual: an odd tail is a high byte.
  check(sumFold(sumBytes(sumBytes(0, rfc, 0, 2), rfc, 2, 6)) == 0xddf2, "sum in parts");
  check(sumFold(sumBytes(0, rfc, 0, 3)) == 0xf201, "odd length: last byte high");
  // A published IPv4 header (Wikipedia's "IPv4 header checksum" example): checksum 0xb861.
  const hdr: u8[] = arrayOf([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
  const c = checksum(hdr, 0, 20);
  writeU16Be(hdr, 10, c);
  print(`ipv4 example: checksum ${hex(c)} valid ${checksumValid(hdr, 0, 20)}`);
  // The Windows ping: id 1, seq 1, data "abcdefghijklmnopqrstuvwabcdefghi": checksum 0x4d5a.
  fillBytes(buf, 0, 40, 0);
  buf[0] = 8;
  writeU16Be(buf, 4, 1);
  writeU16Be(buf, 6, 1);
  for (let i: u32 = 0; i < 32; i++) buf[u32(8 + i)] = u8(0x61 + u32(i % 23));
  print(`windows ping: checksum ${hex(checksum(buf, 0, 40))}`);
  // All zeros never verify (their right checksum is 0xffff); 0xffff and 0 are the same one's-complement zero.
  fillBytes(buf, 0, 20, 0);
  check(!checksumValid(buf, 0, 20), "zeros do not verify");
  writeU16Be(buf, 10, 0xffff);
  check(checksumValid(buf, 0, 20), "zeros with 0xffff verify");
  check(sumFinish(0xffff) == 0 && sumFinish(0) == 0xffff && sumFinish(0x1_fffe) == 0, "finish folds");
}

// ---- Addresses, Ethernet, ARP, IPv4, ICMP, UDP ----------------------------------

const ME: u8[] = arrayOf([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
const PEER: u8[] = arrayOf([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
const ALL_HOSTS: u8[] = arrayOf([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);
const ZERO6: u8[] = arrayOf([0, 0, 0, 0, 0, 0]);

function addresses(): void {
  print("-- addresses");
  check(ipv4(192, 168, 1, 2) == 0xc0a8_0102, "ipv4()");
  check(subnetBroadcast(ipv4(10, 0, 2, 15), 0xffff_ff00) == ipv4(10, 0, 2, 255), "subnet broadcast");
  check(subnetBroadcast(ipv4(10, 1, 2, 3), 0xff00_0000) == ipv4(10, 255, 255, 255), "/8 broadcast");
  check(ipIsMulticast(ipv4(224, 0, 0, 1)) && ipIsMulticast(ipv4(239, 255, 255, 250)) && !ipIsMulticast(ipv4(240, 0, 0, 1)), "multicast");
  multicastMac(ipv4(239, 255, 255, 250), buf, 0);
  print(`multicast MAC of 239.255.255.250: ${hex(buf[0])} ${hex(buf[1])} ${hex(buf[2])} ${hex(buf[3])} ${hex(buf[4])} ${hex(buf[5])}`);
  check(macIsMulticast(buf, 0) && !macIsBroadcast(buf, 0) && !macIsMulticast(ME, 0), "group bits");
  check(maskValid(0xffff_ff00) && maskValid(0) && maskValid(0xffff_ffff) && !maskValid(0xff00_ff00) && !maskValid(0x00ff_ffff), "mask shapes");
  check(classfulMask(ipv4(10, 1, 1, 1)) == 0xff00_0000 && classfulMask(ipv4(172, 16, 0, 1)) == 0xffff_0000 && classfulMask(ipv4(192, 168, 0, 1)) == 0xffff_ff00, "classful");
}

function ethernet(): void {
  print("-- ethernet");
  writeEthernet(buf, ME, 0, PEER, ETHERTYPE_IPV4);
  print(`header: ${hex(readU32Be(buf, 0))} ${hex(readU32Be(buf, 4))} ${hex(readU32Be(buf, 8))} ${hex(readU16Be(buf, 12))}`);
  check(checkEthernet(buf, 14, ME) == Drop.None, "for us");
  check(checkEthernet(buf, 13, ME) == Drop.ShortFrame, "short");
  check(checkEthernet(buf, 1515, ME) == Drop.GiantFrame, "giant");
  check(checkEthernet(slice(buf, 0, 20), 21, ME) == Drop.GiantFrame, "len beyond the buffer");
  check(checkEthernet(buf, 14, ALL_HOSTS) == Drop.NotForUs, "not us");
  check(checkEthernet(buf, 14, PEER) == Drop.BadSourceMac, "our own frame looped back");
  writeEthernet(buf, ALL_HOSTS, 0, PEER, ETHERTYPE_IPV4);
  check(checkEthernet(buf, 14, ME) == Drop.NotForUs, "no multicast group joined");
  writeEthernet(buf, ME, 0, ZERO6, ETHERTYPE_IPV4);
  check(checkEthernet(buf, 14, ME) == Drop.BadSourceMac, "zero source");
  writeEthernet(buf, ME, 0, ALL_HOSTS, 0x8100);
  check(checkEthernet(buf, 14, ME) == Drop.BadSourceMac, "group source first");
  writeEthernet(buf, ME, 0, PEER, 0x8100);
  check(checkEthernet(buf, 14, ME) == Drop.Vlan, "vlan");
  fillBytes(buf, 0, 60, 0xaa);
  check(padFrame(buf, 42) == 60 && buf[41] == 0xaa && buf[42] == 0 && buf[59] == 0, "padded with zeros to 60");
  check(padFrame(buf, 61) == 61, "long frames unpadded");
}

function arp(): void {
  print("-- arp");
  // An ARP request as on the wire (RFC 826): htype 1, ptype 0x0800, hlen 6, plen 4, oper 1,
  // sender 52:55:0a:00:02:02 10.0.2.2, target 00:00:00:00:00:00 10.0.2.15.
  const wireReq: u8[] = arrayOf([
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x0a, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00, 0x02, 0x0f,
  ]);
  writeArp(buf, 0, ARP_REQUEST, PEER, ipv4(10, 0, 2, 2), ZERO6, ipv4(10, 0, 2, 15));
  let same = true;
  for (let i: u32 = 0; i < 28; i++) {
    if (buf[i] != wireReq[i]) same = false;
  }
  const p = new ArpPacket();
  const r = parseArp(wireReq, 0, 28, p);
  print(`request: built as on the wire ${same}; parsed ${u32(r)} oper ${p.oper} spa ${hex(p.spa)} tpa ${hex(p.tpa)} sha ${hex(p.sha[0])}..${hex(p.sha[5])}`);
  writeArp(buf, 0, ARP_REPLY, ME, ipv4(10, 0, 2, 15), PEER, ipv4(10, 0, 2, 2));
  check(parseArp(buf, 0, 28, p) == Drop.None && p.oper == ARP_REPLY && p.spa == ipv4(10, 0, 2, 15) && p.tha[5] == 0x02, "reply round trip");
  check(parseArp(buf, 0, 27, p) == Drop.ArpTruncated, "27 bytes");
  check(parseArp(slice(buf, 0, 28), 1, 28, p) == Drop.ArpTruncated, "beyond the buffer");
  buf[5] = 6;
  check(parseArp(buf, 0, 28, p) == Drop.ArpMalformed, "plen 6");
}

function ipv4Header(): void {
  print("-- ipv4");
  writeIpv4(buf, 14, 100, 0xbeef, PROTO_UDP, ipv4(10, 0, 2, 15), ipv4(93, 184, 216, 34));
  const h = new Ipv4Header();
  const r = parseIpv4(buf, 14, 120, h);
  print(`built: ${hex(readU32Be(buf, 14))} ${hex(readU32Be(buf, 18))} ${hex(readU32Be(buf, 22))} ${hex(readU32Be(buf, 26))} ${hex(readU32Be(buf, 30))}`);
  print(`parsed ${u32(r)}: hl ${h.headerLen} total ${h.totalLen} id ${hex(h.id)} flags ${hex(h.flagsFrag)} ttl ${h.ttl} proto ${h.protocol} payload at ${h.payloadAt} len ${h.payloadLen}`);
  check(h.src == ipv4(10, 0, 2, 15) && h.dst == ipv4(93, 184, 216, 34), "addresses");
  // Ethernet padding after the datagram is not payload.
  check(parseIpv4(buf, 14, 200, h) == Drop.None && h.payloadLen == 100, "padding ignored");
  check(parseIpv4(buf, 14, 119, h) == Drop.IpTruncated, "one byte short");
  check(parseIpv4(buf, 14, 19, h) == Drop.IpTruncated, "19 bytes");
  check(refusedIpv4(buf, 14, h) == Drop.None, "nothing refused");
  // Options: IHL 6 (one NOP word) moves the payload.
  buf[14] = 0x46;
  writeU16Be(buf, 16, 104);
  buf[34] = 1;
  buf[35] = 1;
  buf[36] = 1;
  buf[37] = 1;
  writeU16Be(buf, 24, 0);
  writeU16Be(buf, 24, checksum(buf, 14, 24));
  check(parseIpv4(buf, 14, 104, h) == Drop.None && h.headerLen == 24 && h.payloadAt == 38 && h.payloadLen == 80, "options parsed past");
  check(refusedIpv4(buf, 14, h) == Drop.IpOptions, "and refused");
}

function icmp(): void {
  print("-- icmp");
  for (let i: u32 = 0; i < 32; i++) buf[u32(8 + i)] = u8(0x61 + u32(i % 23));
  writeEcho(buf, 0, ICMP_ECHO_REQUEST, 1, 1, 32);
  print(`echo request id 1 seq 1 with the Windows data: checksum ${hex(readU16Be(buf, 2))}`);
  check(checkIcmp(buf, 0, 40) == Drop.None, "valid");
  check(checkIcmp(buf, 0, 39) == Drop.IcmpChecksum, "a byte less");
  check(checkIcmp(buf, 0, 7) == Drop.IcmpLength, "7 bytes");
  writeEcho(buf, 0, ICMP_ECHO_REQUEST, 0xffff, 0xfffe, 0);
  check(checkIcmp(buf, 0, 8) == Drop.None, "no data");
  writeEcho(buf, 0, ICMP_ECHO_REQUEST, 3, 4, 1471);
  check(checkIcmp(buf, 0, 1479) == Drop.None, "odd length");
}

function udp(): void {
  print("-- udp");
  // A DNS query for example.com A from 10.0.2.15:49152 to 10.0.2.3:53 (checksum computed independently: 0xac21).
  const q: u8[] = arrayOf([
    0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // id, flags RD, 1 question
    0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, // example.com
    0x00, 0x01, 0x00, 0x01, // type A, class IN
  ]);
  const src = ipv4(10, 0, 2, 15);
  const dst = ipv4(10, 0, 2, 3);
  copyBytes(buf, 8, q, 0, 29);
  writeUdp(buf, 0, 49152, 53, 29, src, dst);
  print(`dns query: length ${readU16Be(buf, 4)} checksum ${hex(readU16Be(buf, 6))}`);
  const h = new UdpHeader();
  check(checkUdp(buf, 0, 37, src, dst, h) == Drop.None && h.srcPort == 49152 && h.dstPort == 53 && h.payloadAt == 8 && h.payloadLen == 29, "round trip");
  check(checkUdp(buf, 0, 37, src, ipv4(10, 0, 2, 4), h) == Drop.UdpChecksum, "pseudo-header covers the destination");
  check(checkUdp(buf, 0, 40, src, dst, h) == Drop.UdpLength, "length short of the IP payload");
  check(checkUdp(buf, 0, 36, src, dst, h) == Drop.UdpLength, "length beyond the payload");
  check(checkUdp(buf, 0, 7, src, dst, h) == Drop.UdpTruncated, "7 bytes");
  writeU16Be(buf, 6, 0);
  check(checkUdp(buf, 0, 37, src, ipv4(1, 2, 3, 4), h) == Drop.None, "checksum 0: none");
  // A datagram whose checksum computes to 0 is sent with 0xffff (RFC 768), which verifies.
  buf[8] = 0xdc;
  buf[9] = 0x10;
  writeUdp(buf, 0, 1000, 2000, 2, src, dst);
  print(`zero checksum sent as ${hex(readU16Be(buf, 6))}`);
  check(checkUdp(buf, 0, 10, src, dst, h) == Drop.None, "0xffff verifies");
}

function sockets(): void {
  print("-- sockets");
  const t = new UdpSockets();
  const a = t.open(53);
  check(a != NO_SOCKET && t.open(53) == NO_SOCKET, "a port once");
  const e1 = t.open(0);
  const e2 = t.open(0);
  print(`ephemeral: ${t.sockets[e1].port} ${t.sockets[e2].port}`);
  t.close(e1);
  check(t.open(0) != NO_SOCKET, "reopen");
  let n: u32 = 3;
  while (t.open(0) != NO_SOCKET) n = u32(n + 1);
  check(n == UDP_SOCKETS, "16 sockets");
  t.close(a);
  check(t.open(53) == a, "freed slot reused");
  // Seeded ephemeral ports stay in range and skip ports in use.
  const s = new UdpSockets();
  s.seedEphemeral(0xffff_ffff);
  const p1 = s.sockets[s.open(0)].port;
  const p2 = s.sockets[s.open(0)].port;
  s.nextEphemeral = 65535;
  const p3 = s.sockets[s.open(0)].port;
  print(`seeded ephemeral ${p1}, then ${p2}; from 65535 again: ${p3}`);
  check(p1 == 65535 && u32(p2) == EPHEMERAL_FIRST && u32(p3) == u32(EPHEMERAL_FIRST + 1), "wraps to the first, skips ports in use");

  // The queue: 32 datagrams, or 16 KiB; FIFO through the ring's wrap; truncation to the caller's buffer.
  const u = s.sockets[s.open(7)];
  const d = new Datagram();
  d.srcIp = ipv4(10, 0, 2, 2);
  d.srcPort = 9;
  d.dstIp = ipv4(10, 0, 2, 15);
  let pushed: u32 = 0;
  for (let i: u32 = 0; i < 40; i++) {
    fillBytes(buf, 0, 10, u8(i));
    if (u.push(buf, 0, 10, d)) pushed = u32(pushed + 1);
  }
  print(`small datagrams: queued ${pushed} overflows ${u.overflows}`);
  let order = true;
  for (let i: u32 = 0; i < 32; i++) {
    if (!u.pop(out, d) || out[0] != u8(i) || d.len != 10) order = false;
  }
  check(order && !u.pop(out, d), "FIFO and empty");
  pushed = 0;
  for (let i: u32 = 0; i < 14; i++) {
    fillBytes(buf, 0, 1472, u8(0x40 + i));
    buf[1471] = u8(i);
    if (u.push(buf, 0, 1472, d)) pushed = u32(pushed + 1);
  }
  print(`largest datagrams: queued ${pushed} overflows ${u.overflows} bytes ${u.usedBytes}`);
  // Cycle through the ring many times with sizes that wrap it.
  let ok = true;
  let k: u32 = 0;
  for (let round: u32 = 0; round < 200; round++) {
    if (!u.pop(out, d)) ok = false;
    const first = out[0];
    if (out[u32(d.len - 1)] != u8(u32(first - 0x40))) ok = false;
    const len = u32(2 + u32(mulmod(round) % 1471));
    fillBytes(buf, 0, len, u8(0x40 + k));
    buf[u32(len - 1)] = u8(k);
    k = u32(u32(k + 1) % 64);
    if (!u.push(buf, 0, len, d)) {
      // Full by bytes: take one more and retry.
      if (!u.pop(out, d)) ok = false;
      if (!u.push(buf, 0, len, d)) ok = false;
    }
  }
  check(ok, "ring wraps keep datagrams whole");
  const small: u8[] = array(4, 0);
  while (u.count > 0) u.pop(out, d);
  fillBytes(buf, 0, 100, 0x33);
  u.push(buf, 0, 100, d);
  check(u.pop(small, d) && d.len == 100 && small[3] == 0x33 && u.count == 0 && u.usedBytes == 0, "truncated to the buffer, datagram gone");
}

function mulmod(x: u32): u32 {
  return u32(mul32(x, 2654435761) >>> 7);
}

// ---- SNTP -----------------------------------------------------------------------

/** 2024-01-01T00:00:00Z in seconds since 1970 (and 0xe93c7f00 since 1900). */
const X: u64 = 1_704_067_200n;
const NS: u64 = 1_000_000_000n;

/**
 * The server's reply to a request sent at T1 = X.000 by the client's clock,
 * made by hand from RFC 4330 section 4: the server is 3.5 s ahead, each way
 * takes 1/64 s and the server holds the request 1/256 s (exact binary fractions).
 */
const ntpReply: u8[] = arrayOf([
  0x24, // LI 0, VN 4, mode 4 (server)
  0x02, // stratum 2
  0x06, // poll 2^6 s
  0xe9, // precision 2^-23 s
  0x00, 0x00, 0x01, 0x23, // root delay (16.16 s)
  0x00, 0x00, 0x04, 0x56, // root dispersion
  0xc0, 0xa8, 0x01, 0x01, // reference id: its server 192.168.1.1 (stratum 2)
  0xe9, 0x3c, 0x7e, 0xc0, 0x00, 0x00, 0x00, 0x00, // reference timestamp: X - 64 s
  0xe9, 0x3c, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, // originate: our transmit timestamp, X.0
  0xe9, 0x3c, 0x7f, 0x03, 0x84, 0x00, 0x00, 0x00, // receive T2: X + 3 s + 0.515625
  0xe9, 0x3c, 0x7f, 0x03, 0x85, 0x00, 0x00, 0x00, // transmit T3: X + 3 s + 0.51953125
]);

function sntpTry(c: SntpClient, len: u32, t4: u64, r: SntpResult): SntpStatus {
  return c.reply(buf, 0, len, t4, r);
}

function sntp(): void {
  print("-- sntp");
  const c = new SntpClient();
  const r = new SntpResult();
  const t1: u64 = u64(X * NS);
  const t4: u64 = u64(t1 + 35_156_250n); // 1/64 + 1/256 + 1/64 s later
  check(c.reply(ntpReply, 0, 48, t4, r) == SntpStatus.NotWaiting, "nothing asked");
  const n = c.request(buf, 0, t1);
  print(`request: ${n} bytes, first ${hex(buf[0])}, transmit ${hex(readU32Be(buf, 40))}.${hex(readU32Be(buf, 44))}`);
  // Each refusal on a copy of the reply with one thing wrong; the request stays outstanding.
  const bad: u32 = 14;
  for (let k: u32 = 0; k < bad; k++) {
    copyBytes(buf, 0, ntpReply, 0, 48);
    let len: u32 = 48;
    if (k == 0) len = 47;
    if (k == 1) buf[0] = 0x23; // mode 3: a client
    if (k == 2) buf[0] = 0x20; // mode 0
    if (k == 3) buf[0] = 0x14; // version 2
    if (k == 4) buf[0] = 0x2c; // version 5
    if (k == 5) buf[0] = 0xe4; // LI 3: unsynchronized
    if (k == 6) {
      buf[1] = 0; // stratum 0: kiss-o'-death "RATE"
      writeU32Be(buf, 12, 0x5241_5445);
    }
    if (k == 7) buf[1] = 16;
    if (k == 8) buf[31] = 1; // originate differs
    if (k == 9) writeU64Be(buf, 32, 0n);
    if (k == 10) writeU64Be(buf, 40, 0n);
    if (k == 11) writeU32Be(buf, 40, 0x8000_0000); // transmit in 1968
    if (k == 12) writeU32Be(buf, 24, 0); // originate zero
    if (k == 13) {
      buf[0] = 0xe4; // a kiss-o'-death as RFC 4330 section 8 sends it: LI 3 and stratum 0
      buf[1] = 0;
      writeU32Be(buf, 12, 0x4445_4e59); // "DENY"
    }
    const s = sntpTry(c, len, t4, r);
    print(`refused ${k}: ${u32(s)} code ${hex(r.kissCode)}`);
  }
  copyBytes(buf, 0, ntpReply, 0, 48);
  const s = sntpTry(c, 48, t4, r);
  print(`reply: ${u32(s)} offset ${r.offset} delay ${r.delay} time ${r.time} stratum ${r.stratum} version ${r.version}`);
  check(s == SntpStatus.Ok && r.offset == 3_500_000_000n && r.delay == 31_250_000n && r.time == u64(t4 + 3_500_000_000n), "offset and delay");
  check(sntpTry(c, 48, t4, r) == SntpStatus.NotWaiting, "a duplicate is refused");
  // Mode 5 (broadcast) and version 3 are accepted; a client behind by an hour.
  c.request(buf, 0, u64(t1 - 3600n * NS));
  copyBytes(out, 0, buf, 40, 8);
  copyBytes(buf, 0, ntpReply, 0, 48);
  copyBytes(buf, 24, out, 0, 8);
  buf[0] = 0x1d; // LI 0, VN 3, mode 5
  const s2 = sntpTry(c, 48, u64(t4 - 3600n * NS), r);
  print(`broadcast v3, clock an hour behind: ${u32(s2)} offset ${r.offset}`);
  check(s2 == SntpStatus.Ok && r.offset == 3_603_500_000_000n, "an hour and 3.5 s");

  // Timestamps around the 2036 wrap (RFC 4330 section 3), and conversions both ways.
  const wrap: u64 = 2_085_978_496n; // 2036-02-07T06:28:16Z, NTP seconds 2^32 = 0 of era 1
  print(`wrap: ntp ${hex(unixToNtp(u64(wrap * NS)))} before ${hex(unixToNtp(u64(u64(wrap - 1n) * NS)))}`);
  check(ntpToUnix(0n) == u64(wrap * NS), "seconds 0 is the wrap");
  check(ntpToUnix(0xffff_ffff_0000_0000n) == u64(u64(wrap - 1n) * NS), "the second before the wrap");
  check(ntpToUnix(0x0754_fd00_0000_0000n) == 2_208_988_800_000_000_000n, "2040-01-01 is era 1");
  check(ntpToUnix(0x8000_0000_0000_0000n) == NTP_BEFORE_1970 && ntpToUnix(0x83aa_7e80_0000_0000n) == 0n, "1968 refused, 1970 is 0");
  let roundTrips = true;
  for (let i: u64 = 0n; i < 64n; i = u64(i + 1n)) {
    const t = u64(i * 37_000_000_000_123_457n);
    const back = ntpToUnix(unixToNtp(t));
    // The fraction is rounded down to 2^-32 s (0.23 ns): back within 1 ns below.
    if (back > t || u64(t - back) > 1n) roundTrips = false;
  }
  check(roundTrips, "round trips within 1 ns");
  // A whole exchange across the wrap: the client's clock says 2040, the server 2 s later.
  const t1b: u64 = 2_208_988_800_000_000_000n;
  c.request(buf, 0, t1b);
  copyBytes(out, 0, buf, 40, 8);
  copyBytes(buf, 0, ntpReply, 0, 48);
  copyBytes(buf, 24, out, 0, 8);
  writeU64Be(buf, 32, unixToNtp(u64(t1b + 2_000_000_000n)));
  writeU64Be(buf, 40, unixToNtp(u64(t1b + 2_000_000_000n)));
  const s3 = sntpTry(c, 48, t1b, r);
  print(`after the wrap: ${u32(s3)} offset ${r.offset} time ${r.time}`);
  check(s3 == SntpStatus.Ok && r.offset == 2_000_000_000n, "2040");
}

// ---- DHCP replies ---------------------------------------------------------------

function dhcpReplies(): void {
  print("-- dhcp replies");
  const r = new DhcpReply();
  const xid: u32 = 0x3903_f326;
  dhcpDump(buf, false);
  let c = checkReply(buf, 0, 300, ME, xid, r);
  print(`offer: ${u32(c)} type ${r.type} yiaddr ${hex(r.yiaddr)} server ${hex(r.serverId)} lease ${r.lease} mask ${hex(r.mask)} router ${hex(r.router)} dns ${r.dnsCount} ${hex(r.dns[0])} ${hex(r.dns[1])}`);
  dhcpDump(buf, true);
  c = checkReply(buf, 0, 300, ME, xid, r);
  print(`ack: ${u32(c)} type ${r.type} lease ${r.lease} t1 ${r.t1} t2 ${r.t2} router ${hex(r.router)} dns ${r.dnsCount} ${hex(r.dns[0])}`);
  // Each refusal: one field or option wrong.
  for (let k: u32 = 0; k < 14; k++) {
    let len = dhcpDump(buf, false);
    if (k == 0) len = 240;
    if (k == 1) buf[0] = 1; // op BOOTREQUEST
    if (k == 2) buf[1] = 6; // htype IEEE 802
    if (k == 3) buf[2] = 16; // hlen
    if (k == 4) buf[7] = 0x27; // xid
    if (k == 5) buf[239] = 0x64; // cookie
    if (k == 6) buf[33] = 0x57; // chaddr
    if (k == 7) buf[241] = 2; // message type of length 2
    if (k == 8) buf[244] = 5; // server id of length 5
    if (k == 9) buf[277] = 0; // END replaced by PAD: the options never end
    if (k == 10) len = 270; // cut inside the DNS option
    if (k == 11) fillBytes(buf, 240, 3, 0); // message type option turned into PADs: no type
    if (k == 12) buf[268] = 7; // DNS length not a multiple of 4
    if (k == 13) {
      buf[261] = 0x34; // router option turned into overload with value 4, then PADs
      buf[262] = 1;
      buf[263] = 4;
      fillBytes(buf, 264, 3, 0);
    }
    c = checkReply(buf, 0, len, ME, xid, r);
    print(`refused ${k}: ${u32(c)}`);
  }
  // Overload: the message type and server id in the file field (overload 1), the rest in the options.
  dhcpDump(buf, false);
  fillBytes(buf, 240, 60, 0);
  const o: u8[] = arrayOf([0x34, 0x01, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0xff]); // overload file, lease 3600
  copyBytes(buf, 240, o, 0, 10);
  const f: u8[] = arrayOf([0x35, 0x01, 0x02, 0x36, 0x04, 0x0a, 0x00, 0x02, 0x02, 0xff]);
  copyBytes(buf, 108, f, 0, 10);
  c = checkReply(buf, 0, 300, ME, xid, r);
  print(`overloaded offer: ${u32(c)} type ${r.type} server ${hex(r.serverId)} lease ${r.lease}`);
  check(c == DhcpCheck.Ok && r.type == 2 && r.serverId == ipv4(10, 0, 2, 2) && r.lease == 3600, "options in file");
}

function names(): void {
  print("-- drop names");
  const name: u8[] = array(40, 0);
  for (let d: u32 = 0; d < DROP_REASONS; d++) {
    const n = dropName(d, name, 0);
    print(`drop name ${d}: ${text(name, n)}`);
  }
  const tiny: u8[] = array(3, 0);
  check(dropName(u32(Drop.IpChecksum), tiny, 1) == 3 && tiny[1] == 0x69 && tiny[2] == 0x70, "cut to the buffer");
}

let rng: u32 = 0x0bad_5eed;
function rand(): u32 {
  let x = rng;
  x = u32(x ^ (x << 13));
  x = u32(x ^ (x >>> 17));
  x = u32(x ^ (x << 5));
  rng = x;
  return x;
}

/** SNTP and DHCP reply checks on damaged and random input: statuses only, never a panic. */
function damaged(): void {
  print("-- damaged replies");
  const c = new SntpClient();
  const r = new SntpResult();
  let ok: u32 = 0;
  for (let k: u32 = 0; k < 3000; k++) {
    c.request(out, 0, u64(X * NS));
    copyBytes(buf, 0, ntpReply, 0, 48);
    const edits = u32(1 + u32(rand() % 3));
    let len: u32 = 48;
    for (let e: u32 = 0; e < edits; e++) {
      const p = u32(rand() % 48);
      if (u32(rand() % 8) == 0) {
        len = u32(rand() % 49);
      } else {
        buf[p] = u8(rand());
      }
    }
    if (sntpTry(c, len, u64(X * NS), r) == SntpStatus.Ok) ok = u32(ok + 1);
  }
  print(`sntp: 3000 damaged replies, ${ok} still valid`);
  const d = new DhcpReply();
  let accepted: u32 = 0;
  for (let k: u32 = 0; k < 3000; k++) {
    const len = u32(rand() % 600);
    dhcpDump(buf, u32(k % 2) == 0);
    // Random options after the cookie (lengths and codes anywhere), the fixed fields ours.
    for (let i: u32 = 240; i < 600; i++) buf[i] = u8(rand());
    if (checkReply(buf, 0, len, ME, 0x3903_f326, d) == DhcpCheck.Ok) accepted = u32(accepted + 1);
  }
  print(`dhcp: 3000 random option areas, ${accepted} accepted`);
}

export function main(): u32 {
  names();
  checksums();
  addresses();
  ethernet();
  arp();
  ipv4Header();
  icmp();
  udp();
  sockets();
  sntp();
  dhcpReplies();
  damaged();
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
