// The network stack (src/lib/net/stack.ts) through scenarios, both worlds with
// the same output: the ARP cache (the waiting frame, retransmits, give-up,
// learning, expiry, eviction), routing, ping matching and timeouts, a full
// transmit queue, and the DHCP client from DISCOVER to expiry: NAK, renewal at
// T1, rebinding at T2, retransmission back-off, refusals, the static fallback.
import { u8, u16, u32, u64, bool, array, arrayOf, print, check, checkFailures, hex, fillBytes, readU16Be, readU32Be, writeU32Be } from "kts";
import { NetStack, Send } from "../../src/lib/net/stack";
import { NetConfig } from "../../src/lib/net/config";
import { Drop } from "../../src/lib/net/counters";
import { ipv4 } from "../../src/lib/net/addr";
import { checksumValid } from "../../src/lib/net/checksum";
import { ARP_REQUEST, ARP_REPLY } from "../../src/lib/net/arp";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, PingReply, pingByte } from "../../src/lib/net/icmp";
import { Datagram, NO_SOCKET } from "../../src/lib/net/udp";
import { DhcpState, DhcpCheck } from "../../src/lib/net/dhcp";
import {
  US_MAC, PEER_MAC, BCAST_MAC, NANOS, usIp, peerIp, wire, sent, sentLen, staticSetup, take, drainAll, feed, sentType, sentIpProto, sentIpSrc, sentIpDst,
  sentUdpDstPort, sentArpOper, sentArpTarget, sentToBroadcast, sentToPeer, arpFrame, udpFrame, echoFrame, dhcpDump, dhcpNak, dhcpFrame, sentDhcpOption,
  D_XID, D_YIADDR, D_SERVER, D_LEASE_OPTION, D_LEASE, D_ACK_T1T2, D_ACK_MASK,
} from "./net-sim";

const stack = new NetStack();
const data: u8[] = array(1514, 0);
const msg: u8[] = array(300, 0);
const dg = new Datagram();
const HOST_MAC: u8[] = arrayOf([0x02, 0x00, 0x00, 0x00, 0x00, 0x20]);
const ZERO6: u8[] = arrayOf([0, 0, 0, 0, 0, 0]);
const T0: u64 = 1_000_000_000_000n;

function ms(n: u64): u64 {
  return u64(n * 1_000_000n);
}
function secs(n: u64): u64 {
  return u64(n * NANOS);
}

/** The stack answers the peer's ARP request for us (and so learns the peer). */
function introducePeer(now: u64): void {
  check(feed(stack, arpFrame(BCAST_MAC, ARP_REQUEST, PEER_MAC, peerIp(), ZERO6, usIp()), now) == Drop.None, "peer's request");
  check(take(stack) && sentType() == 0x0806 && sentArpOper() == ARP_REPLY && sentToPeer(), "our ARP reply");
}

// ---- ARP ------------------------------------------------------------------------

function arpCache(): void {
  print("-- arp cache");
  staticSetup(stack, 7);
  const s = stack.udpOpen(5000);
  const host = ipv4(10, 0, 2, 20);
  fillBytes(data, 0, 5, 0x68);
  let r = stack.udpSend(s, host, 7, data, 5, T0);
  check(r == Send.Pending && take(stack), "pending, request out");
  print(`first send ${u32(r)}: ARP oper ${sentArpOper()} to broadcast ${sentToBroadcast()} target ${hex(sentArpTarget())} sender ${hex(readU32Be(sent, 28))}`);
  check(!take(stack), "one frame");
  r = stack.udpSend(s, host, 7, data, 6, u64(T0 + ms(500n)));
  print(`second send ${u32(r)}: frames ${drainAll(stack)} lost ${stack.counters.sendFailed}`);
  stack.tick(u64(T0 + ms(999n)));
  const early = drainAll(stack);
  stack.tick(u64(T0 + secs(1n)));
  const retry1 = drainAll(stack);
  stack.tick(u64(T0 + secs(2n)));
  const retry2 = drainAll(stack);
  stack.tick(u64(T0 + secs(3n)));
  const after = drainAll(stack);
  print(`retransmits: before 1 s ${early}, at 1 s ${retry1}, at 2 s ${retry2}, at 3 s ${after}; gave up ${stack.counters.arpGiveUps} lost ${stack.counters.sendFailed} entries ${stack.arp.used()} requests ${stack.counters.arpRequests}`);

  // Resolved by a reply: the waiting datagram goes out to the learned MAC.
  const t1 = u64(T0 + secs(10n));
  fillBytes(data, 0, 6, 0x69);
  check(stack.udpSend(s, host, 7, data, 6, t1) == Send.Pending && take(stack), "again");
  check(feed(stack, arpFrame(US_MAC, ARP_REPLY, HOST_MAC, host, US_MAC, usIp()), u64(t1 + ms(3n))) == Drop.None, "reply used");
  check(take(stack), "datagram released");
  print(`released: to ${hex(sent[0])}:..:${hex(sent[5])} ip ${hex(sentIpDst())} port ${sentUdpDstPort()} length ${readU16Be(sent, 38)} data ${hex(sent[42])} frame ${sentLen}`);
  r = stack.udpSend(s, host, 7, data, 6, u64(t1 + secs(1n)));
  check(r == Send.Sent && take(stack) && sent[5] == 0x20 && !take(stack), "resolved: sent at once");
  // After 60 s the entry is gone: the next send asks again.
  stack.tick(u64(t1 + secs(61n)));
  r = stack.udpSend(s, host, 7, data, 6, u64(t1 + secs(61n)));
  print(`after 61 s: ${u32(r)} entries ${stack.arp.used()}`);
  check(r == Send.Pending && take(stack) && sentArpTarget() == host, "expired");
  drainAll(stack);

  // A request addressed to us teaches its sender; an unsolicited reply teaches nothing.
  const t2 = u64(t1 + secs(100n));
  const h30 = ipv4(10, 0, 2, 30);
  check(feed(stack, arpFrame(BCAST_MAC, ARP_REQUEST, HOST_MAC, h30, ZERO6, usIp()), t2) == Drop.None && take(stack), "request answered");
  print(`our reply: oper ${sentArpOper()} to ${hex(sent[5])} sha ${hex(sent[27])} spa ${hex(readU32Be(sent, 28))} tha ${hex(sent[37])} tpa ${hex(sentArpTarget())}`);
  check(stack.udpSend(s, h30, 7, data, 1, t2) == Send.Sent, "learned from the request");
  drainAll(stack);
  const h40 = ipv4(10, 0, 2, 40);
  check(feed(stack, arpFrame(US_MAC, ARP_REPLY, HOST_MAC, h40, US_MAC, usIp()), t2) == Drop.ArpUnsolicited, "unsolicited");
  check(stack.udpSend(s, h40, 7, data, 1, t2) == Send.Pending, "not learned");
  drainAll(stack);

  // Routing: off-link through the gateway; broadcast and multicast without ARP.
  check(stack.udpSend(s, ipv4(8, 8, 8, 8), 53, data, 3, t2) == Send.Pending && take(stack) && sentArpTarget() == peerIp(), "ARP for the gateway");
  check(feed(stack, arpFrame(US_MAC, ARP_REPLY, PEER_MAC, peerIp(), US_MAC, usIp()), t2) == Drop.None && take(stack), "gateway resolved");
  print(`off-link: to the gateway's MAC ${sentToPeer()} ip ${hex(sentIpDst())}`);
  check(stack.udpSend(s, 0xffff_ffff, 9, data, 3, t2) == Send.Sent && take(stack) && sentToBroadcast() && sentIpDst() == 0xffff_ffff, "limited broadcast");
  check(stack.udpSend(s, ipv4(10, 0, 2, 255), 9, data, 3, t2) == Send.Sent && take(stack) && sentToBroadcast(), "subnet broadcast");
  check(stack.udpSend(s, ipv4(239, 1, 2, 3), 9, data, 3, t2) == Send.Sent && take(stack), "multicast");
  print(`multicast MAC ${hex(sent[0])} ${hex(sent[1])} ${hex(sent[2])} ${hex(sent[3])} ${hex(sent[4])} ${hex(sent[5])}`);
  print(
    `refusals: own ${u32(stack.udpSend(s, usIp(), 9, data, 3, t2))} zero ${u32(stack.udpSend(s, 0, 9, data, 3, t2))} loopback ${u32(stack.udpSend(s, ipv4(127, 0, 0, 1), 9, data, 3, t2))} too long ${u32(stack.udpSend(s, host, 9, data, 1473, t2))} port 0 ${u32(stack.udpSend(s, host, 0, data, 3, t2))} bad socket ${u32(stack.udpSend(9, host, 9, data, 3, t2))}`,
  );
  check(stack.udpSend(s, host, 9, data, 1472, t2) != Send.TooLong, "1472 fits");
  drainAll(stack);
  const noGw = new NetConfig();
  noGw.ip = usIp();
  noGw.netmask = 0xffff_ff00;
  stack.configure(noGw);
  print(`no gateway: off-link ${u32(stack.udpSend(s, ipv4(8, 8, 4, 4), 53, data, 3, t2))}`);
  // A new address empties the ARP cache; a frame waiting in it is lost.
  check(stack.udpSend(s, ipv4(10, 0, 2, 21), 9, data, 3, t2) == Send.Pending, "waiting");
  const lostBefore = stack.counters.sendFailed;
  noGw.ip = ipv4(10, 0, 2, 16);
  stack.configure(noGw);
  print(`new address: entries ${stack.arp.used()} lost ${u64(stack.counters.sendFailed - lostBefore)}`);
  stack.unconfigure();
  print(`unconfigured: ${u32(stack.udpSend(s, host, 9, data, 3, t2))}`);
  drainAll(stack);

  // Eviction: 17 addresses resolving at once; the 17th takes the oldest entry and its waiting frame is lost.
  staticSetup(stack, 8);
  const s2 = stack.udpOpen(0);
  let requests: u32 = 0;
  for (let i: u32 = 0; i < 17; i++) {
    stack.udpSend(s2, ipv4(10, 0, 2, u32(100 + i)), 9, data, 2, u64(t2 + ms(u64(i))));
    requests = u32(requests + drainAll(stack));
  }
  print(`17 resolving: entries ${stack.arp.used()} requests ${requests} lost ${stack.counters.sendFailed} first still there ${stack.arp.find(ipv4(10, 0, 2, 100)) != 0xffff_ffff}`);
  // Resolved entries are taken before resolving ones, the one confirmed longest ago first.
  for (let i: u32 = 0; i < 16; i++) {
    HOST_MAC[5] = u8(i);
    feed(stack, arpFrame(US_MAC, ARP_REPLY, HOST_MAC, ipv4(10, 0, 2, u32(101 + i)), US_MAC, usIp()), u64(t2 + secs(1n) + ms(u64(i))));
  }
  HOST_MAC[5] = 0x20;
  print(`resolved 16: released ${drainAll(stack)} entries ${stack.arp.used()}`);
  stack.udpSend(s2, ipv4(10, 0, 2, 200), 9, data, 2, u64(t2 + secs(2n)));
  print(`one more: entries ${stack.arp.used()} oldest (.101) gone ${stack.arp.find(ipv4(10, 0, 2, 101)) == 0xffff_ffff} lost ${stack.counters.sendFailed}`);
  drainAll(stack);
}

// ---- Ping -----------------------------------------------------------------------

function echoBack(id: u16, seq: u16, dataLen: u32, now: u64): Drop {
  for (let i: u32 = 0; i < dataLen; i++) data[i] = pingByte(i);
  return feed(stack, echoFrame(ICMP_ECHO_REPLY, peerIp(), id, seq, data, dataLen), now);
}

function pings(): void {
  print("-- ping");
  staticSetup(stack, 9);
  introducePeer(T0);
  let r = stack.ping(peerIp(), 0x99, 1, T0);
  check(r == Send.Sent && take(stack), "ping out");
  print(`request: to peer ${sentToPeer()} proto ${sentIpProto()} type ${sent[34]} id ${hex(readU16Be(sent, 38))} seq ${readU16Be(sent, 40)} length ${sentLen} icmp ok ${checksumValid(sent, 34, 64)} ip ok ${checksumValid(sent, 14, 20)} ttl ${sent[22]} df ${hex(readU16Be(sent, 20))}`);
  const rep = new PingReply();
  check(!stack.pingTake(rep), "nothing yet");
  const d = echoBack(0x99, 1, 56, u64(T0 + 12_345_678n));
  check(d == Drop.None && stack.pingTake(rep), "matched");
  print(`reply: from ${hex(rep.from)} id ${hex(rep.id)} seq ${rep.seq} data ${rep.dataLen} ttl ${rep.ttl} rtt ${rep.rtt} ns`);
  print(`duplicate ${u32(echoBack(0x99, 1, 56, u64(T0 + ms(20n))))}, seq never sent ${u32(echoBack(0x99, 2, 56, T0))}`);
  check(stack.ping(peerIp(), 0x99, 2, T0) == Send.Sent, "seq 2");
  check(echoBack(0x99, 2, 55, T0) == Drop.PingUnmatched, "short data");
  data[10] = 0;
  check(feed(stack, echoFrame(ICMP_ECHO_REPLY, peerIp(), 0x99, 2, data, 56), T0) == Drop.PingUnmatched, "changed data");
  check(echoBack(0x99, 2, 56, u64(T0 + ms(1n))) == Drop.None && stack.pingTake(rep) && rep.rtt == ms(1n), "then the right one");
  drainAll(stack);
  // Eight outstanding, the ninth refused; after 10 s they time out.
  for (let i: u32 = 0; i < 8; i++) check(stack.ping(peerIp(), 1, u16(100 + i), T0) == Send.Sent, "outstanding");
  r = stack.ping(peerIp(), 1, 200, T0);
  drainAll(stack);
  stack.tick(u64(T0 + secs(10n) - 1n));
  const before = stack.counters.pingTimeouts;
  stack.tick(u64(T0 + secs(10n)));
  print(`ninth: ${u32(r)}; timeouts before 10 s ${before}, at 10 s ${stack.counters.pingTimeouts}`);
  check(echoBack(1, 100, 56, u64(T0 + secs(11n))) == Drop.PingUnmatched, "late reply");
  // The largest: 1472 bytes of data in a 1514-byte frame; one more is refused.
  r = stack.pingSized(peerIp(), 2, 1, 1472, T0);
  check(r == Send.Sent && take(stack), "largest");
  print(`largest: frame ${sentLen} icmp ok ${checksumValid(sent, 34, 1480)}; 1473: ${u32(stack.pingSized(peerIp(), 2, 2, 1473, T0))}`);
  check(echoBack(2, 1, 1472, T0) == Drop.None, "largest reply");
  // Answering: an echo request is answered with its data, to its sender's MAC.
  for (let i: u32 = 0; i < 300; i++) data[i] = u8(i * 3);
  check(feed(stack, echoFrame(ICMP_ECHO_REQUEST, ipv4(93, 184, 216, 34), 0x55, 9, data, 300), T0) == Drop.None && take(stack), "answered");
  let same = true;
  for (let i: u32 = 0; i < 300; i++) {
    if (sent[u32(42 + i)] != u8(i * 3)) same = false;
  }
  print(`answer: type ${sent[34]} to ${hex(sentIpDst())} from ${hex(sentIpSrc())} via ${sentToPeer()} id ${hex(readU16Be(sent, 38))} seq ${readU16Be(sent, 40)} data same ${same} icmp ok ${checksumValid(sent, 34, 308)}`);
}

// ---- A full transmit queue --------------------------------------------------------

function txFull(): void {
  print("-- transmit queue");
  staticSetup(stack, 10);
  let last: Drop = Drop.None;
  let answered: u32 = 0;
  for (let i: u32 = 0; i < 17; i++) {
    last = feed(stack, arpFrame(BCAST_MAC, ARP_REQUEST, PEER_MAC, peerIp(), ZERO6, usIp()), T0);
    if (last == Drop.None) answered = u32(answered + 1);
  }
  for (let i: u32 = 0; i < 8; i++) data[i] = u8(i);
  const echo = feed(stack, echoFrame(ICMP_ECHO_REQUEST, peerIp(), 1, 1, data, 8), T0);
  const s = stack.udpOpen(0);
  const send = stack.udpSend(s, peerIp(), 9, data, 8, T0);
  const ping = stack.ping(peerIp(), 1, 1, T0);
  print(`answered ${answered}, 17th ${u32(last)}, echo ${u32(echo)}, udpSend ${u32(send)}, ping ${u32(ping)}, queued ${stack.txPending()}, lost ${stack.counters.sendFailed}, dropped TxQueueFull ${stack.counters.drop(Drop.TxQueueFull)}`);
  check(drainAll(stack) == 16 && stack.pings.outstanding() == 0, "16 frames; the failed ping forgotten");
  check(stack.ping(peerIp(), 1, 1, T0) == Send.Sent, "room again");
}

// ---- DHCP -----------------------------------------------------------------------

/** Starts a stack with no address and DHCP; the DISCOVER is taken. */
function dhcpStart(seed: u32, now: u64): void {
  stack.init(US_MAC, 0, seed);
  stack.startDhcp(now, seed);
  check(take(stack) && sentDhcpOption(53) == 1, "discover out");
}

/** Feeds the offer (with the client's xid), broadcast; returns the result; the REQUEST is left in the queue. */
function offer(now: u64): Drop {
  dhcpDump(msg, false);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  return feed(stack, dhcpFrame(msg, 300, true, 0), now);
}

/** Feeds the ack (lease 3600, T1 1800, T2 3150) from server (the dump's 10.0.2.2 unless given), to us. */
function ack(now: u64, broadcast: bool): Drop {
  dhcpDump(msg, true);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  return feed(stack, dhcpFrame(msg, 300, broadcast, usIp()), now);
}

function bound(now: u64): void {
  dhcpStart(42, now);
  check(offer(now) == Drop.None && take(stack), "offer");
  check(ack(u64(now + ms(5n)), true) == Drop.None, "ack");
}

function dhcpExchange(): void {
  print("-- dhcp exchange");
  stack.init(US_MAC, 0, 42);
  stack.startDhcp(T0, 42);
  check(take(stack), "discover");
  print(
    `discover: to broadcast ${sentToBroadcast()} ${hex(sentIpSrc())} -> ${hex(sentIpDst())} ports ${readU16Be(sent, 34)} -> ${sentUdpDstPort()} udp ok ${checksumValid(sent, 14, 20)} op ${sent[42]} htype ${sent[43]} hlen ${sent[44]} xid ${hex(readU32Be(sent, 46))} ciaddr ${hex(readU32Be(sent, 54))} chaddr ${hex(sent[70])}..${hex(sent[75])} cookie ${hex(readU32Be(sent, 278))} type ${sentDhcpOption(53)} client id ${hex(sentDhcpOption(61))} frame ${sentLen}`,
  );
  const xid1 = stack.dhcp.xid;
  check(readU32Be(sent, 46) == xid1, "xid in the message");
  check(offer(u64(T0 + ms(10n))) == Drop.None && take(stack), "request after the offer");
  print(`request: to broadcast ${sentToBroadcast()} from ${hex(sentIpSrc())} type ${sentDhcpOption(53)} requested ${hex(sentDhcpOption(50))} server ${hex(sentDhcpOption(54))} ciaddr ${hex(readU32Be(sent, 54))} xid same ${readU32Be(sent, 46) == xid1}`);
  // NAK: back to the start, with a new xid.
  dhcpNak(msg, xid1, peerIp());
  const n = feed(stack, dhcpFrame(msg, 300, true, 0), u64(T0 + ms(20n)));
  check(n == Drop.None && take(stack), "nak");
  print(`after nak: type ${sentDhcpOption(53)} new xid ${readU32Be(sent, 46) != xid1} state ${u32(stack.dhcp.state)} address ${hex(stack.config.ip)} naks ${stack.dhcp.naks}`);
  // The offer again, this time unicast to the offered address and our MAC: accepted before we have the address.
  dhcpDump(msg, false);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  check(feed(stack, dhcpFrame(msg, 300, false, usIp()), u64(T0 + ms(30n))) == Drop.None && take(stack) && sentDhcpOption(53) == 3, "unicast offer");
  check(ack(u64(T0 + ms(40n)), false) == Drop.None, "unicast ack");
  const c = stack.config;
  print(`bound: state ${u32(stack.dhcp.state)} ip ${hex(c.ip)} mask ${hex(c.netmask)} gateway ${hex(c.gateway)} dns ${c.dnsCount} ${hex(c.dns[0])} lease ${c.leaseSecs} server ${hex(c.server)} queued ${stack.txPending()}`);
  print(`timers: t1 ${u64(u64(stack.dhcp.t1At - T0 - ms(40n)) / NANOS)} s t2 ${u64(u64(stack.dhcp.t2At - T0 - ms(40n)) / NANOS)} s expiry ${u64(u64(stack.dhcp.expireAt - T0 - ms(40n)) / NANOS)} s`);
  // Configured: a ping to the server now works (and DHCP's replies to port 68 still reach the client).
  introducePeer(u64(T0 + secs(1n)));
  check(stack.ping(peerIp(), 5, 5, u64(T0 + secs(1n))) == Send.Sent, "ping once bound");
  drainAll(stack);
}

/**
 * Ticks every second from `from` to `to` (seconds after base), answering ARP
 * requests for the server and answering nothing else; prints every DHCP
 * message the client sends with its time.
 */
function timeline(base: u64, from: u32, to: u32, answerRenewAt: u32, ackServer: u32): void {
  for (let t: u32 = from; t < u32(to + 1); t++) {
    const now = u64(base + secs(u64(t)));
    stack.tick(now);
    while (take(stack)) {
      if (sentType() == 0x0806 && sentArpOper() == ARP_REQUEST) {
        const target = sentArpTarget();
        HOST_MAC[5] = u8(target);
        feed(stack, arpFrame(US_MAC, ARP_REPLY, HOST_MAC, target, US_MAC, usIp()), now);
        HOST_MAC[5] = 0x20;
        continue;
      }
      if (sentType() != 0x0800 || sentIpProto() != 17 || sentUdpDstPort() != 67) continue;
      const type = sentDhcpOption(53);
      print(`  ${t} s: type ${type} broadcast ${sentToBroadcast()} to ${hex(sentIpDst())} from ${hex(sentIpSrc())} ciaddr ${hex(readU32Be(sent, 54))} server option ${sentDhcpOption(54) != 0xffff_ffff} state ${u32(stack.dhcp.state)} ip ${hex(stack.config.ip)}`);
      if (t == answerRenewAt) {
        dhcpDump(msg, true);
        writeU32Be(msg, D_XID, stack.dhcp.xid);
        writeU32Be(msg, D_SERVER, ackServer);
        const r = feed(stack, dhcpFrame(msg, 300, false, usIp()), now);
        print(`  ${t} s: ack from ${hex(ackServer)}: ${u32(r)} state ${u32(stack.dhcp.state)} server ${hex(stack.dhcp.server)}`);
      }
    }
  }
}

function dhcpTimers(): void {
  print("-- dhcp renew, rebind, expiry (nothing answers)");
  bound(T0);
  const base = u64(T0 + ms(5n));
  timeline(base, 1, 3700, 0, 0);
  print(`end: state ${u32(stack.dhcp.state)} ip ${hex(stack.config.ip)} leases lost ${stack.dhcp.leasesLost}`);

  print("-- dhcp renewal answered at T1");
  bound(T0);
  timeline(base, 1, 1800, 1800, peerIp());
  print(`renewed: t1 in ${u64(u64(stack.dhcp.t1At - base) / NANOS)} s expiry in ${u64(u64(stack.dhcp.expireAt - base) / NANOS)} s ip ${hex(stack.config.ip)}`);

  print("-- dhcp rebinding answered by another server");
  bound(T0);
  timeline(base, 1, 3150, 3150, ipv4(10, 0, 2, 4));
  timeline(base, 3151, 4951, 0, 0);

  print("-- dhcp NAK while renewing");
  bound(T0);
  timeline(base, 1799, 1800, 0, 0);
  dhcpNak(msg, stack.dhcp.xid, peerIp());
  const r = feed(stack, dhcpFrame(msg, 300, false, usIp()), u64(base + secs(1801n)));
  check(r == Drop.None && take(stack), "discover after the nak");
  print(`nak: ${u32(r)} then type ${sentDhcpOption(53)} from ${hex(sentIpSrc())} state ${u32(stack.dhcp.state)} ip ${hex(stack.config.ip)}`);

  print("-- dhcp defaults and infinite lease");
  bound(T0);
  dhcpStart(43, T0);
  check(offer(T0) == Drop.None && take(stack), "offer");
  dhcpDump(msg, true);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  writeU32Be(msg, D_LEASE, 1000);
  fillBytes(msg, D_ACK_T1T2, 12, 0); // no T1/T2 options
  check(feed(stack, dhcpFrame(msg, 300, true, 0), T0) == Drop.None, "ack without T1/T2");
  print(`lease 1000: t1 ${u64(u64(stack.dhcp.t1At - T0) / NANOS)} s t2 ${u64(u64(stack.dhcp.t2At - T0) / NANOS)} s`);
  dhcpStart(44, T0);
  check(offer(T0) == Drop.None && take(stack), "offer");
  dhcpDump(msg, true);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  writeU32Be(msg, D_LEASE, 0xffff_ffff);
  check(feed(stack, dhcpFrame(msg, 300, true, 0), T0) == Drop.None, "infinite");
  stack.tick(u64(T0 + secs(10_000_000n)));
  print(`infinite lease: after 10^7 s state ${u32(stack.dhcp.state)} sent ${stack.txPending()}`);
}

function dhcpBackoff(): void {
  print("-- dhcp retransmission");
  dhcpStart(45, T0);
  let last: u64 = T0;
  let count: u32 = 0;
  for (let ms10: u32 = 1; ms10 < 30001; ms10++) {
    const now = u64(T0 + u64(u64(ms10) * 10_000_000n));
    stack.tick(now);
    if (take(stack)) {
      const gap = u64(now - last);
      // Each gap is 4, 8, 16, 32, 64, 64 s moved by -1..+1 s (to 10 ms here).
      print(`  discover again after ${u64(gap / 10_000_000n)} cs`);
      last = now;
      count = u32(count + 1);
    }
  }
  print(`discovers in 300 s: ${u32(count + 1)}, counted as tries of one exchange ${stack.dhcp.tries == u32(count + 1)}`);
  // Requesting gives up after 4 requests.
  dhcpStart(46, T0);
  check(offer(T0) == Drop.None && take(stack), "offer");
  for (let t: u32 = 1; t < 201; t++) {
    stack.tick(u64(T0 + secs(u64(t))));
    if (take(stack)) print(`  ${t} s: type ${sentDhcpOption(53)} state ${u32(stack.dhcp.state)}`);
  }
}

function dhcpRefusals(): void {
  print("-- dhcp refusals");
  for (let k: u32 = 0; k < 12; k++) {
    dhcpStart(50, T0);
    if (k >= 5) {
      check(offer(T0) == Drop.None && take(stack), "offer");
      dhcpDump(msg, true);
    } else {
      dhcpDump(msg, false);
    }
    writeU32Be(msg, D_XID, stack.dhcp.xid);
    let len: u32 = dhcpFrame(msg, 300, true, 0);
    if (k == 0) writeU32Be(msg, D_XID, u32(stack.dhcp.xid ^ 1)); // another client's exchange
    if (k == 1) len = udpFrame(BCAST_MAC, peerIp(), 0xffff_ffff, 68, 68, msg, 300); // not from port 67
    if (k == 2) writeU32Be(msg, D_YIADDR, 0xffff_ffff); // offers the broadcast address
    if (k == 3) fillBytes(msg, 243, 6, 0); // no server id
    if (k == 4) msg[242] = 5; // an ACK while selecting
    if (k == 5) writeU32Be(msg, D_SERVER, ipv4(10, 0, 2, 9)); // ACK from a server we did not ask
    if (k == 6) writeU32Be(msg, D_YIADDR, ipv4(10, 0, 2, 16)); // ACK for another address
    if (k == 7) fillBytes(msg, D_LEASE_OPTION, 6, 0); // no lease time
    if (k == 8) writeU32Be(msg, D_LEASE, 0); // lease 0
    if (k == 9) writeU32Be(msg, D_ACK_MASK, 0xff00_ff00); // mask with a hole
    if (k == 10) msg[242] = 2; // an OFFER while requesting
        if (k != 1 && k != 11) len = dhcpFrame(msg, 300, true, 0);
    if (k == 11) len = dhcpFrame(msg, 200, true, 0); // the message cut to 200 bytes
    const r = feed(stack, len, T0);
    print(`refused ${k}: ${u32(r)} why ${u32(stack.dhcp.lastReject)} state ${u32(stack.dhcp.state)} queued ${stack.txPending()}`);
  }
  // An offer and ack of the subnet's broadcast address: refused at the ack, where the mask is known.
  dhcpStart(52, T0);
  dhcpDump(msg, false);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  writeU32Be(msg, D_YIADDR, ipv4(10, 0, 2, 255));
  check(feed(stack, dhcpFrame(msg, 300, true, 0), T0) == Drop.None && take(stack) && sentDhcpOption(50) == ipv4(10, 0, 2, 255), "offer of .255");
  dhcpDump(msg, true);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  writeU32Be(msg, D_YIADDR, ipv4(10, 0, 2, 255));
  const b = feed(stack, dhcpFrame(msg, 300, true, 0), T0);
  print(`ack of the subnet broadcast: ${u32(b)} why ${u32(stack.dhcp.lastReject)}`);
  // The static fallback: DHCP got nothing, the caller configures by hand; port 68 is then an ordinary closed port.
  dhcpStart(51, T0);
  staticSetup(stack, 51);
  dhcpDump(msg, false);
  writeU32Be(msg, D_XID, stack.dhcp.xid);
  const r = feed(stack, dhcpFrame(msg, 300, true, 0), T0);
  print(`static fallback: state ${u32(stack.dhcp.state)} ip ${hex(stack.config.ip)} offer now ${u32(r)}`);
}

let rng: u32 = 0x2545_f491;
function rand(): u32 {
  let x = rng;
  x = u32(x ^ (x << 13));
  x = u32(x ^ (x >>> 17));
  x = u32(x ^ (x << 5));
  rng = x;
  return x;
}

/** Damages msg[0 .. 300) in 1..4 random places (a byte flipped, set, or the length cut); returns the length. */
function damage(): u32 {
  let len: u32 = 300;
  const edits = u32(1 + u32(rand() % 4));
  for (let e: u32 = 0; e < edits; e++) {
    const how = u32(rand() % 4);
    // Mostly the fixed fields' first 44 bytes and the options from 236.
    const p = u32(rand() % 2) == 0 ? u32(rand() % 44) : u32(236 + u32(rand() % 64));
    if (how == 0) msg[p] = u8(msg[p] ^ u8(1 << u32(rand() % 8)));
    if (how == 1) msg[p] = u8(rand());
    if (how == 2) len = u32(rand() % 301);
    if (how == 3) msg[u32(236 + u32(rand() % 64))] = 0xff;
  }
  return len;
}

/**
 * Damaged replies to a client in each state: nothing panics, the counters add
 * up, and the client still completes an exchange afterwards.
 */
function dhcpDamage(): void {
  print("-- dhcp under damaged replies");
  let used: u32 = 0;
  let refused: u32 = 0;
  const rounds: u32 = 1500;
  for (let k: u32 = 0; k < rounds; k++) {
    const phase = u32(k % 3);
    dhcpStart(u32(60 + k), T0);
    if (phase >= 1) check(offer(T0) == Drop.None && take(stack), "offer");
    if (phase == 2) {
      check(ack(T0, true) == Drop.None, "ack");
      stack.tick(u64(T0 + secs(1800n)));
      drainAll(stack);
    }
    const kind = u32(rand() % 3);
    if (kind == 2) {
      dhcpNak(msg, stack.dhcp.xid, peerIp());
    } else {
      dhcpDump(msg, kind == 1);
    }
    // Half keep our xid (so the damage is looked at beyond it).
    if (u32(rand() % 2) == 0) writeU32Be(msg, D_XID, stack.dhcp.xid);
    const len = damage();
    const r = feed(stack, dhcpFrame(msg, len, u32(rand() % 2) == 0, usIp()), u64(T0 + secs(1801n)));
    if (r == Drop.None) used = u32(used + 1);
    if (r == Drop.DhcpRejected) refused = u32(refused + 1);
    drainAll(stack);
    const c = stack.counters;
    check(c.received == u64(c.accepted + c.dropped), "counters add up");
  }
  print(`damaged replies: ${rounds}, used ${used > 0}, refused ${refused > u32(rounds / 2)}, others ${u32(rounds - used - refused)}`);
  bound(T0);
  print(`afterwards: state ${u32(stack.dhcp.state)} ip ${hex(stack.config.ip)}`);
}

export function main(): u32 {
  arpCache();
  pings();
  txFull();
  dhcpExchange();
  dhcpTimers();
  dhcpBackoff();
  dhcpRefusals();
  dhcpDamage();
  const c = stack.counters;
  print(`counters of the last stack: received ${c.received} accepted ${c.accepted} dropped ${c.dropped}`);
  print(`failures ${checkFailures()}`);
  return checkFailures();
}
