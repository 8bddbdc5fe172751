/**
 * The stack's counters: frames received, accepted and sent, and every dropped
 * frame under exactly one reason. NetStack.receive() returns one Drop per frame
 * (Drop.None when the frame was used) and counts it in one place, so for any
 * sequence of frames `received == accepted + the sum of drops`.
 */
import { u8, u32, u64, array, arrayOf } from "kts";

/**
 * Why a received frame was dropped: layer by layer, in the order the stack
 * checks (docs/networking.md has the table).
 */
export enum Drop {
  /** Not dropped: the frame was used. */
  None = 0,
  // Ethernet
  /** Shorter than an Ethernet header (14 bytes). */
  ShortFrame = 1,
  /** Longer than 1514 bytes (1500-byte MTU plus the header; no FCS), or longer than its buffer. */
  GiantFrame = 2,
  /** The source MAC is a group (multicast, broadcast) address, all zeros, or ours (a frame of ours looped back). */
  BadSourceMac = 3,
  /** Addressed to neither our MAC nor broadcast. */
  NotForUs = 4,
  /** An 802.1Q / 802.1ad tag (VLANs are not supported). */
  Vlan = 5,
  /** An EtherType other than IPv4 and ARP, or an 802.3 length field. */
  BadEthertype = 6,
  // ARP
  /** Shorter than the 28 bytes of ARP for IPv4 over Ethernet. */
  ArpTruncated = 7,
  /** Not IPv4 over Ethernet (hardware/protocol type or length), an unknown operation, or a group sender address. */
  ArpMalformed = 8,
  /** Another station claims our IPv4 address. */
  ArpConflict = 9,
  /** A request or reply whose target is not our address (we have none: every one). */
  ArpNotForUs = 10,
  /** A reply to us about an address we have no entry for (we asked nothing). */
  ArpUnsolicited = 11,
  // IPv4 (RFC 791), in this order
  /** Fewer than 20 bytes, or fewer than the total length says. */
  IpTruncated = 12,
  /** The version field is not 4. */
  IpVersion = 13,
  /** IHL below 5, or a header longer than the total length. */
  IpHeaderLength = 14,
  /** Total length below 20. */
  IpTotalLength = 15,
  IpChecksum = 16,
  /** Time to live 0. */
  Ttl = 17,
  /** Source is 0.0.0.0, broadcast, multicast, class E, loopback, ours or our subnet's broadcast. */
  IpBadSource = 18,
  /** Destination is neither our address nor a broadcast (or, unconfigured, not for DHCP). */
  IpNotForUs = 19,
  /** The reserved flag bit is set. */
  IpFlags = 20,
  /** A fragment (MF set or a non-zero offset): reassembly is not supported. */
  IpFragment = 21,
  /** IP options whose lengths are wrong. */
  IpOptionsMalformed = 22,
  /** A loose or strict source route option. */
  IpSourceRoute = 23,
  /** Any other (well-formed) IP options: datagrams with options are not taken. */
  IpOptions = 24,
  /** A protocol other than ICMP and UDP. */
  IpProtocol = 25,
  // ICMP
  /** Shorter than the 8-byte ICMP header. */
  IcmpLength = 26,
  IcmpChecksum = 27,
  /** ICMP to a broadcast address (echo requests to it are not answered). */
  IcmpBroadcast = 28,
  /** A type we do not handle (only echo request and echo reply are). */
  IcmpType = 29,
  /** An echo request whose code is not 0. */
  IcmpCode = 30,
  /** An echo reply that matches no outstanding ping. */
  PingUnmatched = 31,
  // UDP
  /** Shorter than the 8-byte UDP header. */
  UdpTruncated = 32,
  /** Length field not the IPv4 payload's length. */
  UdpLength = 33,
  /** Checksum wrong (and not 0, which means none). */
  UdpChecksum = 34,
  /** Destination port 0. */
  UdpPort = 35,
  /** A datagram to the DHCP client port that the client refused (not a reply to us, malformed, unexpected). */
  DhcpRejected = 36,
  /** No socket bound to the destination port. */
  NoSocket = 37,
  /** The socket's receive queue is full (datagrams or bytes). */
  QueueFull = 38,
  // Answers
  /** A reply (ARP or echo) could not be queued: the transmit queue is full. */
  TxQueueFull = 39,
}

/** Number of Drop values (Drop.None included). */
export const DROP_REASONS: u32 = 40;

/** NUL-terminated names of the Drop values, in order (lower case, words spaced). */
const DROP_NAMES: readonly u8[] = arrayOf([
  0x6e, 0x6f, 0x6e, 0x65, 0, // none
  0x73, 0x68, 0x6f, 0x72, 0x74, 0x20, 0x66, 0x72, 0x61, 0x6d, 0x65, 0, // short frame
  0x67, 0x69, 0x61, 0x6e, 0x74, 0x20, 0x66, 0x72, 0x61, 0x6d, 0x65, 0, // giant frame
  0x62, 0x61, 0x64, 0x20, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x20, 0x6d, 0x61, 0x63, 0, // bad source mac
  0x6e, 0x6f, 0x74, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x75, 0x73, 0, // not for us
  0x76, 0x6c, 0x61, 0x6e, 0, // vlan
  0x62, 0x61, 0x64, 0x20, 0x65, 0x74, 0x68, 0x65, 0x72, 0x74, 0x79, 0x70, 0x65, 0, // bad ethertype
  0x61, 0x72, 0x70, 0x20, 0x74, 0x72, 0x75, 0x6e, 0x63, 0x61, 0x74, 0x65, 0x64, 0, // arp truncated
  0x61, 0x72, 0x70, 0x20, 0x6d, 0x61, 0x6c, 0x66, 0x6f, 0x72, 0x6d, 0x65, 0x64, 0, // arp malformed
  0x61, 0x72, 0x70, 0x20, 0x63, 0x6f, 0x6e, 0x66, 0x6c, 0x69, 0x63, 0x74, 0, // arp conflict
  0x61, 0x72, 0x70, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x75, 0x73, 0, // arp not for us
  0x61, 0x72, 0x70, 0x20, 0x75, 0x6e, 0x73, 0x6f, 0x6c, 0x69, 0x63, 0x69, 0x74, 0x65, 0x64, 0, // arp unsolicited
  0x69, 0x70, 0x20, 0x74, 0x72, 0x75, 0x6e, 0x63, 0x61, 0x74, 0x65, 0x64, 0, // ip truncated
  0x69, 0x70, 0x20, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0, // ip version
  0x69, 0x70, 0x20, 0x68, 0x65, 0x61, 0x64, 0x65, 0x72, 0x20, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0, // ip header length
  0x69, 0x70, 0x20, 0x74, 0x6f, 0x74, 0x61, 0x6c, 0x20, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0, // ip total length
  0x69, 0x70, 0x20, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0, // ip checksum
  0x74, 0x74, 0x6c, 0, // ttl
  0x69, 0x70, 0x20, 0x62, 0x61, 0x64, 0x20, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0, // ip bad source
  0x69, 0x70, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x75, 0x73, 0, // ip not for us
  0x69, 0x70, 0x20, 0x66, 0x6c, 0x61, 0x67, 0x73, 0, // ip flags
  0x69, 0x70, 0x20, 0x66, 0x72, 0x61, 0x67, 0x6d, 0x65, 0x6e, 0x74, 0, // ip fragment
  0x69, 0x70, 0x20, 0x6f, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x73, 0x20, 0x6d, 0x61, 0x6c, 0x66, 0x6f, 0x72, 0x6d, 0x65, 0x64, 0, // ip options malformed
  0x69, 0x70, 0x20, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x20, 0x72, 0x6f, 0x75, 0x74, 0x65, 0, // ip source route
  0x69, 0x70, 0x20, 0x6f, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x73, 0, // ip options
  0x69, 0x70, 0x20, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x63, 0x6f, 0x6c, 0, // ip protocol
  0x69, 0x63, 0x6d, 0x70, 0x20, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0, // icmp length
  0x69, 0x63, 0x6d, 0x70, 0x20, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0, // icmp checksum
  0x69, 0x63, 0x6d, 0x70, 0x20, 0x62, 0x72, 0x6f, 0x61, 0x64, 0x63, 0x61, 0x73, 0x74, 0, // icmp broadcast
  0x69, 0x63, 0x6d, 0x70, 0x20, 0x74, 0x79, 0x70, 0x65, 0, // icmp type
  0x69, 0x63, 0x6d, 0x70, 0x20, 0x63, 0x6f, 0x64, 0x65, 0, // icmp code
  0x70, 0x69, 0x6e, 0x67, 0x20, 0x75, 0x6e, 0x6d, 0x61, 0x74, 0x63, 0x68, 0x65, 0x64, 0, // ping unmatched
  0x75, 0x64, 0x70, 0x20, 0x74, 0x72, 0x75, 0x6e, 0x63, 0x61, 0x74, 0x65, 0x64, 0, // udp truncated
  0x75, 0x64, 0x70, 0x20, 0x6c, 0x65, 0x6e, 0x67, 0x74, 0x68, 0, // udp length
  0x75, 0x64, 0x70, 0x20, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0, // udp checksum
  0x75, 0x64, 0x70, 0x20, 0x70, 0x6f, 0x72, 0x74, 0, // udp port
  0x64, 0x68, 0x63, 0x70, 0x20, 0x72, 0x65, 0x6a, 0x65, 0x63, 0x74, 0x65, 0x64, 0, // dhcp rejected
  0x6e, 0x6f, 0x20, 0x73, 0x6f, 0x63, 0x6b, 0x65, 0x74, 0, // no socket
  0x71, 0x75, 0x65, 0x75, 0x65, 0x20, 0x66, 0x75, 0x6c, 0x6c, 0, // queue full
  0x74, 0x78, 0x20, 0x71, 0x75, 0x65, 0x75, 0x65, 0x20, 0x66, 0x75, 0x6c, 0x6c, 0, // tx queue full
]);

/**
 * Writes the name of reason (a Drop) ("short frame", "ip checksum"...) into out from at, as
 * much as fits; returns the position after it. KTS has no strings: print it
 * with text(out, n).
 */
export function dropName(reason: u32, out: u8[], at: u32): u32 {
  let i: u32 = 0;
  for (let n: u32 = 0; n < reason; n++) {
    while (i < DROP_NAMES.length && DROP_NAMES[i] != 0) i = u32(i + 1);
    i = u32(i + 1);
  }
  let pos: u32 = at;
  while (i < DROP_NAMES.length && DROP_NAMES[i] != 0 && pos < out.length) {
    out[pos] = DROP_NAMES[i];
    pos = u32(pos + 1);
    i = u32(i + 1);
  }
  return pos;
}

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
