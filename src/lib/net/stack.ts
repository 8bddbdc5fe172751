/**
 * The network stack core for one Ethernet interface: what the `net` service
 * runs between its driver and its clients. Pure computation: the caller gives
 * received frames and the time (u64 ns of a monotonic clock) and drains the
 * frames to send from a fixed transmit queue; nothing here makes system calls.
 *
 *   receive(frame, len, now)  one received frame: checked layer by layer,
 *                             answered (ARP, echo), delivered (UDP sockets,
 *                             DHCP, ping replies) or dropped with one reason
 *   udpOpen/udpClose/udpRecv  the socket table (udp.ts)
 *   udpSend(socket, ...)      a datagram: routed (on-link or via the gateway),
 *                             its next hop resolved by ARP
 *   ping(dst, id, seq, now)   an echo request; pingTake() the replies
 *   tick(now)                 ARP retransmits, give-ups and expiry, ping
 *                             timeouts, DHCP timers
 *   txTake(out)               the next frame to send
 *   configure(cfg)/startDhcp  a static configuration, or DHCP
 *
 * Counting: receive() returns one Drop per frame (Drop.None if it was used)
 * and Counters.count() records it, so every frame is received, and then
 * accepted or dropped under exactly one reason. Limits: docs/networking.md.
 */
import { u8, u16, u32, u64, bool, array, arrayOf, structs, copyBytes, readU16Be, writeU16Be } from "kts";
import { Drop, Counters } from "./counters";
import {
  MAC_BYTES, IP_BROADCAST, ipIsMulticast, ipIsLoopback, subnetBroadcast, macCopy, multicastMac,
} from "./addr";
import { ETH_HEADER, ETH_MAX_FRAME, ETH_SRC, ETH_TYPE, ETHERTYPE_ARP, ETHERTYPE_IPV4, checkEthernet, ethType, writeEthernet, padFrame } from "./ethernet";
import { ArpCache, ArpPacket, ArpTimer, ARP_ENTRIES, ARP_NONE, ARP_PACKET, ARP_REPLY, ARP_REQUEST, parseArp, writeArp } from "./arp";
import { Ipv4Header, IPV4_HEADER, IPV4_MAX, PROTO_ICMP, PROTO_UDP, parseIpv4, refusedIpv4, writeIpv4 } from "./ipv4";
import {
  PingTable, PingReply, ICMP_HEADER, ICMP_CODE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_ID, ICMP_SEQ, PING_DEFAULT_DATA, checkIcmp, writeEcho, writePingPayload,
} from "./icmp";
import { UdpHeader, UdpSockets, Datagram, UDP_HEADER, UDP_MAX_PAYLOAD, NO_SOCKET, checkUdp, writeUdp } from "./udp";
import { DhcpClient, DhcpCheck, DHCP_CLIENT_PORT, DHCP_SERVER_PORT } from "./dhcp";
import { NetConfig } from "./config";

/** Frames the transmit queue holds. */
export const TX_QUEUE: u32 = 16;

const BROADCAST_MAC: readonly u8[] = arrayOf([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const ZERO_MAC: readonly u8[] = arrayOf([0, 0, 0, 0, 0, 0]);

/** Where IPv4 and UDP headers and payloads go in an Ethernet frame we build. */
const IP_AT: u32 = 14;
const L4_AT: u32 = 34;
const UDP_DATA_AT: u32 = 42;

/** The outcome of udpSend() and ping(). */
export enum Send {
  /** On the transmit queue. */
  Sent = 0,
  /** Waiting for ARP to resolve the next hop (it is sent when the reply comes, lost if none does). */
  Pending = 1,
  /** No route: off-link without a gateway, our own address, or 0.0.0.0. */
  NoRoute = 2,
  /** Longer than fits unfragmented (UDP: 1472 bytes of payload). */
  TooLong = 3,
  TxQueueFull = 4,
  /** Not an open socket. */
  BadSocket = 5,
  /** We have no address yet. */
  NotConfigured = 6,
  /** Every ping slot is outstanding. */
  PingTableFull = 7,
  /** len beyond the data given, or destination port 0. */
  BadArgument = 8,
}

class TxSlot {
  len: u32 = 0;
  bytes: u8[] = array(ETH_MAX_FRAME, 0);
}

export class NetStack {
  mac: u8[] = array(MAC_BYTES, 0);
  config = new NetConfig();
  /** An empty configuration (apply() takes one). */
  noAddress = new NetConfig();
  counters = new Counters();
  arp = new ArpCache();
  sockets = new UdpSockets();
  pings = new PingTable();
  dhcp = new DhcpClient();
  /** The dhcp.leaseChanges last applied to config. */
  dhcpSeen: u32 = 0;
  ipId: u16 = 0;
  tx: TxSlot[] = structs(TX_QUEUE, TxSlot);
  txHead: u32 = 0;
  txCount: u32 = 0;
  /** The frame being built, and ARP requests (built while `out` may hold a frame waiting for them). */
  out: u8[] = array(ETH_MAX_FRAME, 0);
  arpOut: u8[] = array(ETH_MAX_FRAME, 0);
  // Parsed headers of the frame being received.
  ipHeader = new Ipv4Header();
  udpHeader = new UdpHeader();
  arpPacket = new ArpPacket();
  datagram = new Datagram();

  /**
   * Resets everything for the interface with MAC mac[at..at+6), unconfigured.
   * seed varies the IPv4 identification and the ephemeral ports between boots.
   */
  init(mac: readonly u8[], at: u32, seed: u32): void {
    macCopy(this.mac, 0, mac, at);
    this.config.clear();
    this.counters.reset();
    this.pings.reset();
    this.arp.clear();
    for (let i: u32 = 0; i < this.sockets.sockets.length; i++) this.sockets.close(i);
    this.sockets.seedEphemeral(seed >>> 16);
    this.dhcp.reset();
    this.dhcpSeen = this.dhcp.leaseChanges;
    this.ipId = u16(seed);
    this.txHead = 0;
    this.txCount = 0;
  }

  /** A static configuration (DHCP, if running, stops). */
  configure(cfg: NetConfig): void {
    this.dhcp.stop();
    this.dhcpSeen = this.dhcp.leaseChanges;
    this.apply(cfg);
  }

  /** Drops the address (DHCP, if running, stops). */
  unconfigure(): void {
    this.dhcp.stop();
    this.dhcpSeen = this.dhcp.leaseChanges;
    this.noAddress.clear();
    this.apply(this.noAddress);
  }

  /**
   * Takes cfg as the configuration. When the address or subnet changes, the
   * ARP cache is emptied: its entries and waiting frames (counted as lost)
   * belonged to the old subnet and carried the old source address.
   */
  private apply(cfg: NetConfig): void {
    if (cfg.ip != this.config.ip || cfg.netmask != this.config.netmask) {
      for (let i: u32 = 0; i < ARP_ENTRIES; i++) {
        if (this.arp.entries[i].pendingLen != 0) this.lost();
      }
      this.arp.clear();
    }
    this.config.copyFrom(cfg);
  }

  /** Starts DHCP: the address is dropped and a DISCOVER goes on the transmit queue now. */
  startDhcp(now: u64, seed: u32): void {
    this.noAddress.clear();
    this.apply(this.noAddress);
    this.dhcp.start(this.mac, 0, now, seed);
    this.dhcpSeen = this.dhcp.leaseChanges;
    this.dhcpRun(now);
  }

  // ---- Receive ------------------------------------------------------------------

  /** Handles one received frame frame[0 .. len); returns why it was dropped (Drop.None: used). */
  receive(frame: u8[], len: u32, now: u64): Drop {
    const r = this.input(frame, len, now);
    this.counters.count(r);
    return r;
  }

  private input(frame: u8[], len: u32, now: u64): Drop {
    const e = checkEthernet(frame, len, this.mac);
    if (e != Drop.None) return e;
    const t = ethType(frame);
    if (t == ETHERTYPE_ARP) return this.arpInput(frame, len, now);
    if (t == ETHERTYPE_IPV4) return this.ipInput(frame, len, now);
    return Drop.BadEthertype;
  }

  private arpInput(frame: u8[], len: u32, now: u64): Drop {
    const p = this.arpPacket;
    const d = parseArp(frame, ETH_HEADER, u32(len - ETH_HEADER), p);
    if (d != Drop.None) return d;
    const me = this.config.ip;
    if (me != 0 && p.spa == me) return Drop.ArpConflict;
    // Requests and replies alike must be about our address: a storm of requests for
    // other hosts, or gratuitous announcements, cost one check each and change nothing.
    if (me == 0 || p.tpa != me) return Drop.ArpNotForUs;
    if (p.oper == ARP_REQUEST) {
      // The sender is learned if it is on our subnet (we never ARP for anything else); a
      // probe (sender 0.0.0.0, RFC 5227) is answered but teaches nothing.
      const mask = this.config.netmask;
      if (p.spa != 0 && u32(p.spa & mask) == u32(me & mask)) this.learn(p.spa, p.sha, now, true);
      const o = this.arpOut;
      writeEthernet(o, p.sha, 0, this.mac, ETHERTYPE_ARP);
      writeArp(o, ETH_HEADER, ARP_REPLY, this.mac, me, p.sha, p.spa);
      if (!this.transmit(o, u32(ETH_HEADER + ARP_PACKET))) return Drop.TxQueueFull;
      this.counters.arpReplies = u64(this.counters.arpReplies + 1n);
      return Drop.None;
    }
    // A reply only completes or refreshes an entry we made.
    if (this.learn(p.spa, p.sha, now, false) == ARP_NONE) return Drop.ArpUnsolicited;
    return Drop.None;
  }

  /** Records ip -> mac in the ARP cache and sends the frame that waited for it. */
  private learn(ip: u32, mac: u8[], now: u64, create: bool): u32 {
    const i = this.arp.learn(ip, mac, 0, now, create);
    if (this.arp.pendingLost) this.lost();
    if (i == ARP_NONE) return i;
    const e = this.arp.entries[i];
    if (e.pendingLen != 0) {
      macCopy(e.pending, 0, e.mac, 0);
      this.transmit(e.pending, e.pendingLen);
      e.pendingLen = 0;
    }
    return i;
  }

  private ipInput(frame: u8[], len: u32, now: u64): Drop {
    const h = this.ipHeader;
    const d = parseIpv4(frame, ETH_HEADER, u32(len - ETH_HEADER), h);
    if (d != Drop.None) return d;
    const me = this.config.ip;
    const mask = this.config.netmask;
    const src = h.src;
    if (src == 0 || ipIsMulticast(src) || ipIsLoopback(src) || src >>> 28 == 0xf) return Drop.IpBadSource;
    if (me != 0 && (src == me || (mask != 0xffff_ffff && src == subnetBroadcast(me, mask)))) return Drop.IpBadSource;
    let unicast = true;
    if (me != 0) {
      if (h.dst != me) {
        if (h.dst == IP_BROADCAST || (mask != 0xffff_ffff && h.dst == subnetBroadcast(me, mask))) {
          unicast = false;
        } else {
          return Drop.IpNotForUs;
        }
      }
    } else {
      // Unconfigured: only DHCP's replies, which may come to the offered address or broadcast.
      if (h.protocol != PROTO_UDP || !this.dhcp.active()) return Drop.IpNotForUs;
      unicast = h.dst != IP_BROADCAST;
    }
    const refused = refusedIpv4(frame, ETH_HEADER, h);
    if (refused != Drop.None) return refused;
    if (h.protocol == PROTO_ICMP) return this.icmpInput(frame, h, unicast, now);
    if (h.protocol == PROTO_UDP) return this.udpInput(frame, h, now);
    return Drop.IpProtocol;
  }

  private icmpInput(frame: u8[], h: Ipv4Header, unicast: bool, now: u64): Drop {
    const at = h.payloadAt;
    const len = h.payloadLen;
    const c = checkIcmp(frame, at, len);
    if (c != Drop.None) return c;
    // Nothing to a broadcast address is taken: echo requests to it are not answered (RFC 1122
    // 3.2.2.6 allows either; answering amplifies), and we sent no broadcast echo requests.
    if (!unicast) return Drop.IcmpBroadcast;
    const type = frame[at];
    if (type == ICMP_ECHO_REQUEST) {
      if (frame[u32(at + ICMP_CODE)] != 0) return Drop.IcmpCode;
      const o = this.out;
      const dataLen = u32(len - ICMP_HEADER);
      copyBytes(o, u32(L4_AT + ICMP_HEADER), frame, u32(at + ICMP_HEADER), dataLen);
      writeEcho(o, L4_AT, ICMP_ECHO_REPLY, readU16Be(frame, u32(at + ICMP_ID)), readU16Be(frame, u32(at + ICMP_SEQ)), dataLen);
      writeIpv4(o, IP_AT, len, this.nextId(), PROTO_ICMP, this.config.ip, h.src);
      // Back to the station that sent it (the sender, or the router it came through).
      writeEthernet(o, frame, ETH_SRC, this.mac, ETHERTYPE_IPV4);
      if (!this.transmit(o, u32(L4_AT + len))) return Drop.TxQueueFull;
      this.counters.echoReplies = u64(this.counters.echoReplies + 1n);
      return Drop.None;
    }
    if (type == ICMP_ECHO_REPLY) {
      const m = this.pings.match(frame, at, len, h.src, h.ttl, now);
      if (m == Drop.None) this.counters.pingsMatched = u64(this.counters.pingsMatched + 1n);
      return m;
    }
    return Drop.IcmpType;
  }

  private udpInput(frame: u8[], h: Ipv4Header, now: u64): Drop {
    const u = this.udpHeader;
    const c = checkUdp(frame, h.payloadAt, h.payloadLen, h.src, h.dst, u);
    if (c != Drop.None) return c;
    if (u.dstPort == DHCP_CLIENT_PORT && this.dhcp.active()) {
      if (u.srcPort != DHCP_SERVER_PORT) return Drop.DhcpRejected;
      if (this.dhcp.receive(frame, u.payloadAt, u.payloadLen, now) != DhcpCheck.Ok) return Drop.DhcpRejected;
      this.dhcpRun(now);
      return Drop.None;
    }
    if (this.config.ip == 0) return Drop.IpNotForUs;
    const s = this.sockets.find(u.dstPort);
    if (s == NO_SOCKET) return Drop.NoSocket;
    const dg = this.datagram;
    dg.srcIp = h.src;
    dg.srcPort = u.srcPort;
    dg.dstIp = h.dst;
    dg.len = u.payloadLen;
    if (!this.sockets.sockets[s].push(frame, u.payloadAt, u.payloadLen, dg)) return Drop.QueueFull;
    this.counters.udpDelivered = u64(this.counters.udpDelivered + 1n);
    return Drop.None;
  }

  // ---- Sockets ------------------------------------------------------------------

  /** Binds a socket to port (0: an ephemeral port); NO_SOCKET if that cannot be done. */
  udpOpen(port: u16): u32 {
    return this.sockets.open(port);
  }

  udpClose(socket: u32): void {
    this.sockets.close(socket);
  }

  /** The port a socket is bound to (0 if it is not open). */
  udpPort(socket: u32): u16 {
    return this.sockets.valid(socket) ? this.sockets.sockets[socket].port : 0;
  }

  /** Takes the socket's oldest datagram (see UdpSocket.pop); false if none or not a socket. */
  udpRecv(socket: u32, out: u8[], d: Datagram): bool {
    if (!this.sockets.valid(socket)) return false;
    return this.sockets.sockets[socket].pop(out, d);
  }

  /** Sends data[0 .. len) from socket to dstIp:dstPort. */
  udpSend(socket: u32, dstIp: u32, dstPort: u16, data: u8[], len: u32, now: u64): Send {
    if (!this.sockets.valid(socket)) return Send.BadSocket;
    if (len > data.length || dstPort == 0) return Send.BadArgument;
    if (len > UDP_MAX_PAYLOAD) return Send.TooLong;
    const me = this.config.ip;
    if (me == 0) return Send.NotConfigured;
    copyBytes(this.out, UDP_DATA_AT, data, 0, len);
    const r = this.sendUdp(this.sockets.sockets[socket].port, dstIp, dstPort, me, len, now);
    return r;
  }

  /** Sends the len bytes at out[UDP_DATA_AT..] as a datagram. */
  private sendUdp(srcPort: u16, dstIp: u32, dstPort: u16, src: u32, len: u32, now: u64): Send {
    writeUdp(this.out, L4_AT, srcPort, dstPort, len, src, dstIp);
    const r = this.sendIp(u32(UDP_HEADER + len), PROTO_UDP, src, dstIp, now);
    if (r == Send.Sent || r == Send.Pending) this.counters.udpSent = u64(this.counters.udpSent + 1n);
    return r;
  }

  // ---- Ping ---------------------------------------------------------------------

  /** Sends an echo request with our 56-byte payload. */
  ping(dstIp: u32, id: u16, seq: u16, now: u64): Send {
    return this.pingSized(dstIp, id, seq, PING_DEFAULT_DATA, now);
  }

  /** Sends an echo request with dataLen bytes of our payload (at most 1472). */
  pingSized(dstIp: u32, id: u16, seq: u16, dataLen: u32, now: u64): Send {
    if (u32(IPV4_HEADER + ICMP_HEADER + dataLen) > IPV4_MAX || dataLen > IPV4_MAX) return Send.TooLong;
    const me = this.config.ip;
    if (me == 0) return Send.NotConfigured;
    if (!this.pings.add(dstIp, id, seq, dataLen, now)) return Send.PingTableFull;
    writePingPayload(this.out, u32(L4_AT + ICMP_HEADER), dataLen);
    writeEcho(this.out, L4_AT, ICMP_ECHO_REQUEST, id, seq, dataLen);
    const r = this.sendIp(u32(ICMP_HEADER + dataLen), PROTO_ICMP, me, dstIp, now);
    if (r != Send.Sent && r != Send.Pending) this.pings.cancel(dstIp, id, seq);
    return r;
  }

  /** Takes the oldest completed ping; false if none. */
  pingTake(out: PingReply): bool {
    return this.pings.take(out);
  }

  // ---- Send ---------------------------------------------------------------------

  private nextId(): u16 {
    const id = this.ipId;
    this.ipId = u16(this.ipId + 1);
    return id;
  }

  /**
   * Sends the payloadLen bytes at out[L4_AT..] as an IPv4 datagram: to a
   * broadcast or group MAC, or to the next hop's MAC (the destination if it
   * is on our subnet, else the gateway), resolving it first if need be.
   */
  private sendIp(payloadLen: u32, protocol: u8, src: u32, dst: u32, now: u64): Send {
    if (u32(IPV4_HEADER + payloadLen) > IPV4_MAX) return Send.TooLong;
    const me = this.config.ip;
    const mask = this.config.netmask;
    const o = this.out;
    const frameLen = u32(L4_AT + payloadLen);
    let direct = true;
    if (dst == IP_BROADCAST || (me != 0 && mask != 0xffff_ffff && dst == subnetBroadcast(me, mask))) {
      macCopy(o, 0, BROADCAST_MAC, 0);
    } else if (ipIsMulticast(dst)) {
      multicastMac(dst, o, 0);
    } else {
      direct = false;
    }
    let hop: u32 = dst;
    if (!direct) {
      if (me == 0) return Send.NotConfigured;
      if (dst == 0 || dst == me || ipIsLoopback(dst)) return Send.NoRoute;
      if (u32(dst & mask) != u32(me & mask)) hop = this.config.gateway;
      if (hop == 0) return Send.NoRoute;
    }
    writeIpv4(o, IP_AT, payloadLen, this.nextId(), protocol, src, dst);
    macCopy(o, ETH_SRC, this.mac, 0);
    writeU16Be(o, ETH_TYPE, ETHERTYPE_IPV4);
    if (!direct && !this.arp.lookup(hop, now, o, 0)) {
      const i = this.arp.resolve(hop, now);
      if (this.arp.pendingLost) this.lost();
      if (this.arp.needRequest) this.sendArpRequest(hop);
      if (this.arp.hold(i, o, frameLen)) this.lost();
      return Send.Pending;
    }
    if (!this.transmit(o, frameLen)) return Send.TxQueueFull;
    return Send.Sent;
  }

  private sendArpRequest(ip: u32): void {
    const o = this.arpOut;
    writeEthernet(o, BROADCAST_MAC, 0, this.mac, ETHERTYPE_ARP);
    writeArp(o, ETH_HEADER, ARP_REQUEST, this.mac, this.config.ip, ZERO_MAC, ip);
    if (this.transmit(o, u32(ETH_HEADER + ARP_PACKET))) this.counters.arpRequests = u64(this.counters.arpRequests + 1n);
  }

  /** An outgoing frame was lost (queue full, or replaced or given up while waiting for ARP). */
  private lost(): void {
    this.counters.sendFailed = u64(this.counters.sendFailed + 1n);
  }

  /** Puts frame[0 .. len) (padded to the minimum) on the transmit queue; false (and counted) if it is full. */
  private transmit(frame: u8[], len: u32): bool {
    if (this.txCount >= TX_QUEUE) {
      this.lost();
      return false;
    }
    const slot = this.tx[u32(u32(this.txHead + this.txCount) % TX_QUEUE)];
    copyBytes(slot.bytes, 0, frame, 0, len);
    slot.len = padFrame(slot.bytes, len);
    this.txCount = u32(this.txCount + 1);
    this.counters.sent = u64(this.counters.sent + 1n);
    return true;
  }

  /** Frames waiting to be sent. */
  txPending(): u32 {
    return this.txCount;
  }

  /** Takes the oldest frame to send into out (which must hold ETH_MAX_FRAME bytes): its length, 0 if there is none. */
  txTake(out: u8[]): u32 {
    if (this.txCount == 0) return 0;
    const slot = this.tx[this.txHead];
    copyBytes(out, 0, slot.bytes, 0, slot.len);
    this.txHead = u32(u32(this.txHead + 1) % TX_QUEUE);
    this.txCount = u32(this.txCount - 1);
    return slot.len;
  }

  // ---- Timers -------------------------------------------------------------------

  /** Runs the timers at now: ARP retransmits, give-ups and expiry; ping timeouts; DHCP. */
  tick(now: u64): void {
    for (let i: u32 = 0; i < ARP_ENTRIES; i++) {
      const t = this.arp.timer(i, now);
      if (t == ArpTimer.Request) {
        this.sendArpRequest(this.arp.entries[i].ip);
      } else if (t == ArpTimer.GaveUp) {
        this.counters.arpGiveUps = u64(this.counters.arpGiveUps + 1n);
        if (this.arp.pendingLost) this.lost();
      }
    }
    this.counters.pingTimeouts = u64(this.counters.pingTimeouts + u64(this.pings.expire(now)));
    this.dhcpRun(now);
  }

  /** Applies DHCP's lease changes to the configuration and sends its message if one is due. */
  private dhcpRun(now: u64): void {
    if (!this.dhcp.active()) return;
    const n = this.dhcp.poll(now, this.out, UDP_DATA_AT);
    if (this.dhcp.leaseChanges != this.dhcpSeen) {
      this.dhcpSeen = this.dhcp.leaseChanges;
      if (this.dhcp.hasLease()) {
        this.apply(this.dhcp.lease);
      } else {
        this.noAddress.clear();
        this.apply(this.noAddress);
      }
    }
    if (n != 0) this.sendUdp(DHCP_CLIENT_PORT, this.dhcp.sendTo, DHCP_SERVER_PORT, this.dhcp.sendFrom, n, now);
  }
}
