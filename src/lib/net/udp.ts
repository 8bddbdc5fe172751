/**
 * UDP (RFC 768): datagrams and the socket table.
 *
 * Receive: checkUdp checks, in order, the 8-byte header (UdpTruncated), the
 * length field (exactly the IPv4 payload's length: the IPv4 total length
 * already excludes Ethernet padding, so anything else is a lie of one of the
 * two), the checksum over the IPv4 pseudo-header (source, destination,
 * protocol 17, UDP length) unless the field is 0 (the sender computed none,
 * which IPv4 allows), and a destination port other than 0. Send: writeUdp always computes the checksum; a computed 0 is sent
 * as 0xffff (RFC 768: 0 means none).
 *
 * Sockets: UDP_SOCKETS sockets, each bound to one local port, each with a
 * receive queue of at most UDP_QUEUE_DATAGRAMS datagrams and UDP_QUEUE_BYTES
 * bytes of payload in a byte ring (so it holds 11 datagrams of the largest
 * size, 1472 bytes, or 32 small ones). A datagram that does not fit is
 * dropped and counted (Drop.QueueFull, and the socket's own `overflows`).
 * Ephemeral ports (bind to port 0) come from 49152..65535 in turn, skipping
 * ports in use.
 */
import { u8, u16, u32, bool, array, structs, readU16Be, writeU16Be, copyBytes } from "kts";
import { Drop } from "./counters";
import { sumAddress, sumBytes, sumFinish, sumFold, sumWord } from "./checksum";
import { PROTO_UDP } from "./ipv4";

export const UDP_HEADER: u32 = 8;
export const UDP_SRC_PORT: u32 = 0;
export const UDP_DST_PORT: u32 = 2;
export const UDP_LENGTH: u32 = 4;
export const UDP_CHECKSUM: u32 = 6;
/** Largest payload: the 1500-byte MTU less the IPv4 and UDP headers (we never fragment). */
export const UDP_MAX_PAYLOAD: u32 = 1472;

/** The pseudo-header and datagram sum of the UDP datagram at b[at .. at+len). */
function udpSum(b: readonly u8[], at: u32, len: u32, src: u32, dst: u32): u32 {
  let s: u32 = sumAddress(0, src);
  s = sumAddress(s, dst);
  s = sumWord(s, u32(PROTO_UDP));
  s = sumWord(s, len);
  return sumBytes(s, b, at, len);
}

/** A parsed datagram: ports and where its payload is. */
export class UdpHeader {
  srcPort: u16 = 0;
  dstPort: u16 = 0;
  payloadAt: u32 = 0;
  payloadLen: u32 = 0;
}

/** Checks the UDP datagram in the IPv4 payload b[at .. at+avail) from src to dst (see the file comment). */
export function checkUdp(b: readonly u8[], at: u32, avail: u32, src: u32, dst: u32, h: UdpHeader): Drop {
  if (avail < UDP_HEADER || u32(at + avail) > b.length) return Drop.UdpTruncated;
  const len = u32(readU16Be(b, u32(at + UDP_LENGTH)));
  if (len != avail) return Drop.UdpLength;
  if (readU16Be(b, u32(at + UDP_CHECKSUM)) != 0 && sumFold(udpSum(b, at, len, src, dst)) != 0xffff) return Drop.UdpChecksum;
  const dstPort = readU16Be(b, u32(at + UDP_DST_PORT));
  if (dstPort == 0) return Drop.UdpPort;
  h.srcPort = readU16Be(b, u32(at + UDP_SRC_PORT));
  h.dstPort = dstPort;
  h.payloadAt = u32(at + UDP_HEADER);
  h.payloadLen = u32(len - UDP_HEADER);
  return Drop.None;
}

/**
 * Writes the UDP header at b[at..] for payloadLen bytes already at b[at+8..],
 * from src:srcPort to dst:dstPort, with the checksum (0 sent as 0xffff).
 */
export function writeUdp(b: u8[], at: u32, srcPort: u16, dstPort: u16, payloadLen: u32, src: u32, dst: u32): void {
  const len = u32(UDP_HEADER + payloadLen);
  writeU16Be(b, u32(at + UDP_SRC_PORT), srcPort);
  writeU16Be(b, u32(at + UDP_DST_PORT), dstPort);
  writeU16Be(b, u32(at + UDP_LENGTH), u16(len));
  writeU16Be(b, u32(at + UDP_CHECKSUM), 0);
  let c = sumFinish(udpSum(b, at, len, src, dst));
  if (c == 0) c = 0xffff;
  writeU16Be(b, u32(at + UDP_CHECKSUM), c);
}

export const UDP_SOCKETS: u32 = 16;
export const UDP_QUEUE_DATAGRAMS: u32 = 32;
export const UDP_QUEUE_BYTES: u32 = 16384;
export const EPHEMERAL_FIRST: u32 = 49152;
export const EPHEMERAL_LAST: u32 = 65535;
/** No socket. */
export const NO_SOCKET: u32 = 0xffff_ffff;

/** Where a received datagram came from (and was sent to), and its length. */
export class Datagram {
  srcIp: u32 = 0;
  srcPort: u16 = 0;
  /** Our address or a broadcast address, as the sender addressed it. */
  dstIp: u32 = 0;
  /** The datagram's payload length (it was truncated if longer than the caller's buffer). */
  len: u32 = 0;
}

export class UdpSocket {
  bound: bool = false;
  port: u16 = 0;
  /** Payload bytes, a ring: datagram k starts at start[k] and may wrap. */
  ring: u8[] = array(UDP_QUEUE_BYTES, 0);
  readAt: u32 = 0;
  usedBytes: u32 = 0;
  head: u32 = 0;
  count: u32 = 0;
  start: u32[] = array(UDP_QUEUE_DATAGRAMS, 0);
  len: u32[] = array(UDP_QUEUE_DATAGRAMS, 0);
  srcIp: u32[] = array(UDP_QUEUE_DATAGRAMS, 0);
  srcPort: u16[] = array(UDP_QUEUE_DATAGRAMS, 0);
  dstIp: u32[] = array(UDP_QUEUE_DATAGRAMS, 0);
  /** Datagrams dropped because the queue was full. */
  overflows: u32 = 0;

  reset(): void {
    this.bound = false;
    this.port = 0;
    this.readAt = 0;
    this.usedBytes = 0;
    this.head = 0;
    this.count = 0;
    this.overflows = 0;
  }

  /** Queues b[at .. at+n); false if it does not fit. */
  push(b: u8[], at: u32, n: u32, d: Datagram): bool {
    if (this.count >= UDP_QUEUE_DATAGRAMS || n > u32(UDP_QUEUE_BYTES - this.usedBytes)) {
      this.overflows = u32(this.overflows + 1);
      return false;
    }
    const w = u32(u32(this.readAt + this.usedBytes) % UDP_QUEUE_BYTES);
    const first = min32(n, u32(UDP_QUEUE_BYTES - w));
    copyBytes(this.ring, w, b, at, first);
    if (first < n) copyBytes(this.ring, 0, b, u32(at + first), u32(n - first));
    const k = u32(u32(this.head + this.count) % UDP_QUEUE_DATAGRAMS);
    this.start[k] = w;
    this.len[k] = n;
    this.srcIp[k] = d.srcIp;
    this.srcPort[k] = d.srcPort;
    this.dstIp[k] = d.dstIp;
    this.count = u32(this.count + 1);
    this.usedBytes = u32(this.usedBytes + n);
    return true;
  }

  /**
   * Takes the oldest datagram: its payload into out[0..] (at most out.length
   * bytes: the rest of a longer datagram is discarded) and its addresses and
   * full length into d. False if the queue is empty.
   */
  pop(out: u8[], d: Datagram): bool {
    if (this.count == 0) return false;
    const k = this.head;
    const n = this.len[k];
    const s = this.start[k];
    const take = min32(n, out.length);
    const first = min32(take, u32(UDP_QUEUE_BYTES - s));
    copyBytes(out, 0, this.ring, s, first);
    if (first < take) copyBytes(out, first, this.ring, 0, u32(take - first));
    d.srcIp = this.srcIp[k];
    d.srcPort = this.srcPort[k];
    d.dstIp = this.dstIp[k];
    d.len = n;
    this.head = u32(u32(this.head + 1) % UDP_QUEUE_DATAGRAMS);
    this.count = u32(this.count - 1);
    this.readAt = u32(u32(s + n) % UDP_QUEUE_BYTES);
    this.usedBytes = u32(this.usedBytes - n);
    return true;
  }
}

function min32(a: u32, b: u32): u32 {
  return a < b ? a : b;
}

export class UdpSockets {
  sockets: UdpSocket[] = structs(UDP_SOCKETS, UdpSocket);
  nextEphemeral: u32 = EPHEMERAL_FIRST;

  /** Sets where ephemeral ports start (any value; it is taken into range): lets the caller vary them between boots. */
  seedEphemeral(seed: u32): void {
    this.nextEphemeral = u32(EPHEMERAL_FIRST + u32(seed % u32(EPHEMERAL_LAST - EPHEMERAL_FIRST + 1)));
  }

  /** The socket bound to port, or NO_SOCKET. */
  find(port: u16): u32 {
    for (let i: u32 = 0; i < UDP_SOCKETS; i++) {
      const s = this.sockets[i];
      if (s.bound && s.port == port) return i;
    }
    return NO_SOCKET;
  }

  /**
   * Binds a free socket to port (an ephemeral port if 0): its handle, or
   * NO_SOCKET if the port is in use, every socket is, or no ephemeral port is free.
   */
  open(port: u16): u32 {
    let p: u16 = port;
    if (p == 0) {
      p = this.ephemeral();
      if (p == 0) return NO_SOCKET;
    } else if (this.find(p) != NO_SOCKET) {
      return NO_SOCKET;
    }
    for (let i: u32 = 0; i < UDP_SOCKETS; i++) {
      const s = this.sockets[i];
      if (s.bound) continue;
      s.reset();
      s.bound = true;
      s.port = p;
      return i;
    }
    return NO_SOCKET;
  }

  /** Unbinds a socket and discards its queue. */
  close(h: u32): void {
    if (h < UDP_SOCKETS) this.sockets[h].reset();
  }

  valid(h: u32): bool {
    return h < UDP_SOCKETS && this.sockets[h].bound;
  }

  /** The next ephemeral port not in use, or 0 if all are. */
  ephemeral(): u16 {
    const span = u32(EPHEMERAL_LAST - EPHEMERAL_FIRST + 1);
    for (let n: u32 = 0; n < span; n++) {
      const p = u16(this.nextEphemeral);
      this.nextEphemeral = this.nextEphemeral >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : u32(this.nextEphemeral + 1);
      if (this.find(p) == NO_SOCKET) return p;
      // At most UDP_SOCKETS ports are in use: the loop ends long before span.
    }
    return 0;
  }
}
