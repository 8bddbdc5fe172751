/**
 * ICMP (RFC 792) echo: answering echo requests and matching the replies to
 * our own pings. Other ICMP types are counted and dropped (Drop.IcmpType); we
 * send no ICMP errors (no port or protocol unreachable).
 *
 * Message layout: type (1), code (1), checksum (2) over the whole message,
 * then for echo: identifier (2), sequence number (2), data.
 *
 * Pings: PingTable remembers up to PING_SLOTS outstanding echo requests
 * (destination, identifier, sequence, the caller's send time and payload
 * length). A reply from that destination with that identifier and sequence
 * and our payload completes it: the round trip is the receive time minus the
 * send time, both from the caller's clock. Completed pings wait in a queue of
 * PING_RESULTS for the caller (the oldest is overwritten when it is full). An
 * outstanding ping is forgotten PING_TIMEOUT_NS after it was sent.
 */
import { u8, u16, u32, u64, bool, array, structs, readU16Be, writeU16Be } from "kts";
import { Drop } from "./counters";
import { checksum, checksumValid } from "./checksum";

export const ICMP_HEADER: u32 = 8;
export const ICMP_TYPE: u32 = 0;
export const ICMP_CODE: u32 = 1;
export const ICMP_CHECKSUM: u32 = 2;
export const ICMP_ID: u32 = 4;
export const ICMP_SEQ: u32 = 6;
export const ICMP_ECHO_REPLY: u8 = 0;
export const ICMP_ECHO_REQUEST: u8 = 8;

/** Checks the ICMP message at b[at .. at+len): the header's length and the checksum. */
export function checkIcmp(b: readonly u8[], at: u32, len: u32): Drop {
  if (len < ICMP_HEADER || u32(at + len) > b.length) return Drop.IcmpLength;
  if (!checksumValid(b, at, len)) return Drop.IcmpChecksum;
  return Drop.None;
}

/**
 * Writes an echo header at b[at..] (type, code 0, id, seq) and the checksum
 * over the header and the dataLen bytes of data already at b[at+8..].
 */
export function writeEcho(b: u8[], at: u32, type: u8, id: u16, seq: u16, dataLen: u32): void {
  b[at] = type;
  b[u32(at + ICMP_CODE)] = 0;
  writeU16Be(b, u32(at + ICMP_CHECKSUM), 0);
  writeU16Be(b, u32(at + ICMP_ID), id);
  writeU16Be(b, u32(at + ICMP_SEQ), seq);
  writeU16Be(b, u32(at + ICMP_CHECKSUM), checksum(b, at, u32(ICMP_HEADER + dataLen)));
}

/** Byte i of our pings' payload (a fixed pattern the reply must carry back). */
export function pingByte(i: u32): u8 {
  return u8(u32(i * 7) + 0x21);
}

/** Writes our ping payload to b[at .. at+len). */
export function writePingPayload(b: u8[], at: u32, len: u32): void {
  for (let i: u32 = 0; i < len; i++) b[u32(at + i)] = pingByte(i);
}

export const PING_SLOTS: u32 = 8;
export const PING_RESULTS: u32 = 8;
/** Outstanding pings are forgotten after 10 s. */
export const PING_TIMEOUT_NS: u64 = 10_000_000_000n;
/** Payload of stack.ping(): 56 bytes, as the usual ping tools send. */
export const PING_DEFAULT_DATA: u32 = 56;

export class PingSlot {
  used: bool = false;
  dst: u32 = 0;
  id: u16 = 0;
  seq: u16 = 0;
  sentAt: u64 = 0n;
  dataLen: u32 = 0;
}

/** A completed ping. */
export class PingReply {
  from: u32 = 0;
  id: u16 = 0;
  seq: u16 = 0;
  dataLen: u32 = 0;
  ttl: u8 = 0;
  /** Round trip in nanoseconds of the caller's clock. */
  rtt: u64 = 0n;
}

export class PingTable {
  slots: PingSlot[] = structs(PING_SLOTS, PingSlot);
  results: PingReply[] = structs(PING_RESULTS, PingReply);
  resultHead: u32 = 0;
  resultCount: u32 = 0;
  /** Results overwritten before the caller took them. */
  resultsLost: u32 = 0;

  /**
   * Records an outstanding ping; false if the table is full (the oldest slot is
   * then not replaced: the caller may wait for tick() to time it out). A ping
   * with the same destination, id and seq as an outstanding one replaces it.
   */
  add(dst: u32, id: u16, seq: u16, dataLen: u32, now: u64): bool {
    let free: u32 = PING_SLOTS;
    for (let i: u32 = 0; i < PING_SLOTS; i++) {
      const s = this.slots[i];
      if (s.used && s.dst == dst && s.id == id && s.seq == seq) {
        free = i;
        break;
      }
      if (!s.used && free == PING_SLOTS) free = i;
    }
    if (free == PING_SLOTS) return false;
    const s = this.slots[free];
    s.used = true;
    s.dst = dst;
    s.id = id;
    s.seq = seq;
    s.sentAt = now;
    s.dataLen = dataLen;
    return true;
  }

  /**
   * Matches the echo reply at b[at .. at+len) (checked by checkIcmp) from src:
   * Drop.None and a result queued if it completes an outstanding ping,
   * Drop.PingUnmatched otherwise (unknown, duplicate, or a changed payload).
   */
  match(b: readonly u8[], at: u32, len: u32, src: u32, ttl: u8, now: u64): Drop {
    const id = readU16Be(b, u32(at + ICMP_ID));
    const seq = readU16Be(b, u32(at + ICMP_SEQ));
    const dataLen = u32(len - ICMP_HEADER);
    for (let i: u32 = 0; i < PING_SLOTS; i++) {
      const s = this.slots[i];
      if (!s.used || s.dst != src || s.id != id || s.seq != seq) continue;
      if (s.dataLen != dataLen) return Drop.PingUnmatched;
      for (let j: u32 = 0; j < dataLen; j++) {
        if (b[u32(at + ICMP_HEADER + j)] != pingByte(j)) return Drop.PingUnmatched;
      }
      s.used = false;
      const slot = u32(u32(this.resultHead + this.resultCount) % PING_RESULTS);
      if (this.resultCount == PING_RESULTS) {
        this.resultHead = u32(u32(this.resultHead + 1) % PING_RESULTS);
        this.resultsLost = u32(this.resultsLost + 1);
      } else {
        this.resultCount = u32(this.resultCount + 1);
      }
      const r = this.results[slot];
      r.from = src;
      r.id = id;
      r.seq = seq;
      r.dataLen = dataLen;
      r.ttl = ttl;
      r.rtt = now >= s.sentAt ? u64(now - s.sentAt) : 0n;
      return Drop.None;
    }
    return Drop.PingUnmatched;
  }

  /** Forgets an outstanding ping (one that could not be sent). */
  cancel(dst: u32, id: u16, seq: u16): void {
    for (let i: u32 = 0; i < PING_SLOTS; i++) {
      const s = this.slots[i];
      if (s.used && s.dst == dst && s.id == id && s.seq == seq) s.used = false;
    }
  }

  reset(): void {
    for (let i: u32 = 0; i < PING_SLOTS; i++) this.slots[i].used = false;
    this.resultHead = 0;
    this.resultCount = 0;
    this.resultsLost = 0;
  }

  /** Takes the oldest completed ping into out; false if there is none. */
  take(out: PingReply): bool {
    if (this.resultCount == 0) return false;
    const r = this.results[this.resultHead];
    out.from = r.from;
    out.id = r.id;
    out.seq = r.seq;
    out.dataLen = r.dataLen;
    out.ttl = r.ttl;
    out.rtt = r.rtt;
    this.resultHead = u32(u32(this.resultHead + 1) % PING_RESULTS);
    this.resultCount = u32(this.resultCount - 1);
    return true;
  }

  /** Forgets pings sent PING_TIMEOUT_NS or more before now; returns how many. */
  expire(now: u64): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < PING_SLOTS; i++) {
      const s = this.slots[i];
      if (s.used && now >= s.sentAt && u64(now - s.sentAt) >= PING_TIMEOUT_NS) {
        s.used = false;
        n = u32(n + 1);
      }
    }
    return n;
  }

  outstanding(): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < PING_SLOTS; i++) {
      if (this.slots[i].used) n = u32(n + 1);
    }
    return n;
  }
}
