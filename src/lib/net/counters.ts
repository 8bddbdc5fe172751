/**
 * The stack's counters: frames received, accepted and sent, and every dropped
 * frame under exactly one reason. NetStack.receive() returns one Drop per frame
 * (Drop.None when the frame was used) and counts it in one place, so for any
 * sequence of frames `received == accepted + the sum of drops`.
 */
import { u32, u64, array } from "kts";

/** Why a received frame was dropped (docs/networking.md lists them with their layer). */
export enum Drop {
  /** Not dropped: the frame was used. */
  None = 0,
  // Ethernet
  /** Shorter than an Ethernet header (14 bytes). */
  ShortFrame = 1,
  /** Longer than 1514 bytes (1500-byte MTU plus the header; no FCS), or longer than its buffer. */
  GiantFrame = 2,
  /** The source MAC is a group (multicast or broadcast) address. */
  BadSourceMac = 3,
  /** Addressed to another station's MAC or to a multicast group we are not in. */
  NotForUs = 4,
  /** An 802.1Q / 802.1ad tag (VLANs are not supported). */
  Vlan = 5,
  /** An EtherType other than IPv4 and ARP, or an 802.3 length field. */
  BadEthertype = 6,
  // ARP
  /** Short, or not IPv4 over Ethernet (hardware/protocol type or length), or an unknown operation, or a group sender address. */
  ArpMalformed = 7,
  /** A request for another host's address. */
  ArpNotForUs = 8,
  /** A reply about an address we have no entry for (we asked nothing). */
  ArpUnsolicited = 9,
  /** Another station claims our IPv4 address. */
  ArpConflict = 10,
  // IPv4
  /** The version field is not 4. */
  IpVersion = 11,
  /** Fewer than 20 bytes, IHL below 5, or a header longer than the frame. */
  IpHeaderLength = 12,
  /** Total length longer than the frame or shorter than the header. */
  IpTotalLength = 13,
  IpChecksum = 14,
  /** A fragment (MF set or a non-zero offset): reassembly is not supported. */
  IpFragment = 15,
  /** Time to live 0. */
  Ttl = 16,
  /** Source is a group, broadcast, loopback, unspecified (0.0.0.0) or our own address. */
  IpBadSource = 17,
  /** Destination is neither our address nor a broadcast nor all-hosts (or, unconfigured, not DHCP). */
  IpNotForUs = 18,
  /** A protocol other than ICMP and UDP. */
  IpProtocol = 19,
  // ICMP
  /** Shorter than the 8-byte ICMP header. */
  IcmpLength = 20,
  IcmpChecksum = 21,
  /** A type we do not handle (only echo request and echo reply are). */
  IcmpType = 22,
  /** An echo request to a broadcast or multicast address: not answered. */
  IcmpBroadcastEcho = 23,
  /** An echo reply that matches no outstanding ping. */
  PingUnmatched = 24,
  // UDP
  /** Length field below 8 or beyond the IPv4 payload. */
  UdpLength = 25,
  UdpChecksum = 26,
  /** Destination port 0. */
  UdpPort = 27,
  /** No socket bound to the destination port. */
  NoSocket = 28,
  /** The socket's receive queue is full (datagrams or bytes). */
  QueueFull = 29,
  /** A datagram to the DHCP client port that the client refused (not a reply to us, malformed, unexpected). */
  DhcpRejected = 30,
  /** A reply (ARP or echo) could not be queued: the transmit queue is full. */
  TxQueueFull = 31,
}

/** Number of Drop values (Drop.None included). */
export const DROP_REASONS: u32 = 32;

export class Counters {
  /** Frames given to receive(). */
  received: u64 = 0n;
  /** Frames used (Drop.None). */
  accepted: u64 = 0n;
  /** Frames dropped, all reasons. */
  dropped: u64 = 0n;
  /** Per reason; drops[Drop.None] stays 0. */
  drops: u64[] = array(DROP_REASONS, 0n);
  /** Frames put on the transmit queue. */
  sent: u64 = 0n;
  /** Outgoing frames lost: transmit queue full, or waiting for ARP and replaced or given up. */
  sendFailed: u64 = 0n;
  arpRequests: u64 = 0n;
  arpReplies: u64 = 0n;
  /** Addresses ARP gave up on (no reply after all retries). */
  arpGiveUps: u64 = 0n;
  echoReplies: u64 = 0n;
  pingsMatched: u64 = 0n;
  pingTimeouts: u64 = 0n;
  udpDelivered: u64 = 0n;
  udpSent: u64 = 0n;

  reset(): void {
    this.received = 0n;
    this.accepted = 0n;
    this.dropped = 0n;
    for (let i: u32 = 0; i < DROP_REASONS; i++) this.drops[i] = 0n;
    this.sent = 0n;
    this.sendFailed = 0n;
    this.arpRequests = 0n;
    this.arpReplies = 0n;
    this.arpGiveUps = 0n;
    this.echoReplies = 0n;
    this.pingsMatched = 0n;
    this.pingTimeouts = 0n;
    this.udpDelivered = 0n;
    this.udpSent = 0n;
  }

  /** Counts one received frame and its outcome. */
  count(reason: Drop): void {
    this.received = u64(this.received + 1n);
    if (reason == Drop.None) {
      this.accepted = u64(this.accepted + 1n);
    } else {
      this.dropped = u64(this.dropped + 1n);
      const i = u32(reason);
      this.drops[i] = u64(this.drops[i] + 1n);
    }
  }

  drop(reason: Drop): u64 {
    return this.drops[u32(reason)];
  }
}
