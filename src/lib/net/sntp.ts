/**
 * An SNTP client (RFC 4330) over UDP port 123.
 *
 * request() writes a 48-byte mode-3 (client) version-4 request whose transmit
 * timestamp is the caller's clock (UTC nanoseconds since 1970; any value: a
 * clock that does not know the date yet may start at 0) and remembers it.
 * reply() checks the server's answer (in this order): a request outstanding,
 * at least 48 bytes, mode 4 (server) or 5 (broadcast), version 3 or 4,
 * stratum not 0 (a kiss-o'-death, its code in the reference id; RFC 4330
 * section 8 sends it with leap indicator 3, so it is told apart first), leap
 * indicator not 3 (unsynchronized), stratum at most 15, the originate
 * timestamp equal to the transmit
 * timestamp we sent, non-zero receive and transmit timestamps, server times
 * not before 1970. Then (RFC 4330 section 5), with T1 our send time, T2 the
 * server's receive time, T3 its transmit time and T4 our receive time:
 *   offset = ((T2 - T1) + (T3 - T4)) / 2,   delay = (T4 - T1) - (T3 - T2)
 * and the time at T4 is T4 + offset, all in nanoseconds.
 *
 * Timestamps: 32 bits of seconds since 1900-01-01 (era 0) and 32 bits of
 * fraction. The seconds wrap on 2036-02-07 06:28:16 UTC; as RFC 4330 section 3
 * says, a time whose seconds have the top bit set is in 1968..2036 (from 1900),
 * one without it in 2036..2104 (from the wrap). So this client works until 2104.
 */
import { u8, u32, u64, i64, bool, readU64Be, writeU64Be, fillBytes } from "kts";

export const NTP_PORT: u32 = 123;
export const NTP_PACKET: u32 = 48;
export const NTP_LI_VN_MODE: u32 = 0;
export const NTP_STRATUM: u32 = 1;
export const NTP_POLL: u32 = 2;
export const NTP_PRECISION: u32 = 3;
export const NTP_ROOT_DELAY: u32 = 4;
export const NTP_ROOT_DISPERSION: u32 = 8;
export const NTP_REFERENCE_ID: u32 = 12;
export const NTP_REFERENCE_TS: u32 = 16;
export const NTP_ORIGINATE_TS: u32 = 24;
export const NTP_RECEIVE_TS: u32 = 32;
export const NTP_TRANSMIT_TS: u32 = 40;

export const NTP_MODE_CLIENT: u8 = 3;
export const NTP_MODE_SERVER: u8 = 4;
export const NTP_MODE_BROADCAST: u8 = 5;

/** Seconds from 1900-01-01 to 1970-01-01. */
export const NTP_UNIX_OFFSET: u64 = 2_208_988_800n;
const NANOS: u64 = 1_000_000_000n;
const ERA: u64 = 0x1_0000_0000n;
/** ntpToUnix of a time before 1970. */
export const NTP_BEFORE_1970: u64 = 0xffff_ffff_ffff_ffffn;

/** A UTC time (ns since 1970) as an NTP timestamp (seconds modulo 2^32, the fraction rounded down). */
export function unixToNtp(ns: u64): u64 {
  const secs = u64(u64(u64(ns / NANOS) + NTP_UNIX_OFFSET) & 0xffff_ffffn);
  const frac = u64(u64(u64(ns % NANOS) << 32n) / NANOS);
  return u64((secs << 32n) | frac);
}

/** An NTP timestamp as UTC ns since 1970, by the RFC 4330 era rule; NTP_BEFORE_1970 for 1968..1970. */
export function ntpToUnix(ts: u64): u64 {
  let secs: u64 = u64(ts >> 32n);
  const frac: u64 = u64(ts & 0xffff_ffffn);
  if ((secs & 0x8000_0000n) == 0n) secs = u64(secs + ERA);
  if (secs < NTP_UNIX_OFFSET) return NTP_BEFORE_1970;
  return u64(u64(u64(secs - NTP_UNIX_OFFSET) * NANOS) + u64(u64(frac * NANOS) >> 32n));
}

export enum SntpStatus {
  Ok = 0,
  /** No request is outstanding (or its reply was already taken). */
  NotWaiting = 1,
  Short = 2,
  BadMode = 3,
  BadVersion = 4,
  /** Leap indicator 3: the server's clock is not synchronized. */
  Unsynchronized = 5,
  /** Stratum 0: a kiss-o'-death (the reference id holds its code, e.g. "RATE"). */
  KissOfDeath = 6,
  /** Stratum above 15. */
  BadStratum = 7,
  /** Not the reply to our request (or a replay). */
  BadOriginate = 8,
  ZeroReceive = 9,
  ZeroTransmit = 10,
  /** A server time before 1970. */
  BadTime = 11,
}

export class SntpResult {
  /** Add to the caller's clock to get the server's (ns; negative if the caller is ahead). */
  offset: i64 = 0n;
  /** Round-trip delay less the server's processing time (ns). */
  delay: i64 = 0n;
  /** UTC ns since 1970 at T4 (the caller's receive time corrected by offset). */
  time: u64 = 0n;
  stratum: u8 = 0;
  leap: u8 = 0;
  version: u8 = 0;
  /** Kiss-o'-death: the 4-character code as a big-endian u32. */
  kissCode: u32 = 0;
}

export class SntpClient {
  waiting: bool = false;
  /** The transmit timestamp we sent, and the caller's time it came from (T1). */
  sentTs: u64 = 0n;
  sentAt: u64 = 0n;

  /** Writes a request into b[at .. at+48) stamped with the caller's UTC time now; returns 48. */
  request(b: u8[], at: u32, now: u64): u32 {
    fillBytes(b, at, NTP_PACKET, 0);
    b[at] = u8((4 << 3) | NTP_MODE_CLIENT); // LI 0, VN 4, mode 3
    this.sentTs = unixToNtp(now);
    this.sentAt = now;
    writeU64Be(b, u32(at + NTP_TRANSMIT_TS), this.sentTs);
    this.waiting = true;
    return NTP_PACKET;
  }

  /** Checks the reply b[at .. at+len) received at the caller's UTC time now; fills r if Ok (the request is then answered). */
  reply(b: readonly u8[], at: u32, len: u32, now: u64, r: SntpResult): SntpStatus {
    if (!this.waiting) return SntpStatus.NotWaiting;
    if (len < NTP_PACKET || u32(at + len) > b.length) return SntpStatus.Short;
    const first = u32(b[at]);
    const leap = u8(first >>> 6);
    const version = u8((first >>> 3) & 7);
    const mode = u8(first & 7);
    r.kissCode = 0;
    if (mode != NTP_MODE_SERVER && mode != NTP_MODE_BROADCAST) return SntpStatus.BadMode;
    if (version != 3 && version != 4) return SntpStatus.BadVersion;
    const stratum = b[u32(at + NTP_STRATUM)];
    if (stratum == 0) {
      r.kissCode = u32(
        (u32(b[u32(at + 12)]) << 24) | (u32(b[u32(at + 13)]) << 16) | (u32(b[u32(at + 14)]) << 8) | u32(b[u32(at + 15)]),
      );
      return SntpStatus.KissOfDeath;
    }
    if (leap == 3) return SntpStatus.Unsynchronized;
    if (stratum > 15) return SntpStatus.BadStratum;
    if (readU64Be(b, u32(at + NTP_ORIGINATE_TS)) != this.sentTs) return SntpStatus.BadOriginate;
    const rx = readU64Be(b, u32(at + NTP_RECEIVE_TS));
    const tx = readU64Be(b, u32(at + NTP_TRANSMIT_TS));
    if (rx == 0n) return SntpStatus.ZeroReceive;
    if (tx == 0n) return SntpStatus.ZeroTransmit;
    const t2 = ntpToUnix(rx);
    const t3 = ntpToUnix(tx);
    if (t2 == NTP_BEFORE_1970 || t3 == NTP_BEFORE_1970) return SntpStatus.BadTime;
    const t1 = this.sentAt;
    const t4 = now;
    const a = i64(i64(t2) - i64(t1));
    const c = i64(i64(t3) - i64(t4));
    r.offset = i64(i64(a + c) / 2n);
    r.delay = i64(i64(i64(t4) - i64(t1)) - i64(i64(t3) - i64(t2)));
    r.time = u64(i64(i64(t4) + r.offset));
    r.stratum = stratum;
    r.leap = leap;
    r.version = version;
    this.waiting = false;
    return SntpStatus.Ok;
  }
}
