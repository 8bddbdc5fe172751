/**
 * A DHCP client (RFC 2131, options of RFC 2132) for one Ethernet interface.
 *
 * States (RFC 2131 figure 5, without INIT-REBOOT):
 *   Init -> (DISCOVER, broadcast) Selecting -> first valid OFFER -> (REQUEST,
 *   broadcast, with the offered address and the server's id) Requesting ->
 *   ACK -> Bound. NAK, or REQUEST_TRIES requests unanswered -> Init.
 *   Bound -> at T1 Renewing (REQUEST unicast to the server, ciaddr set) -> at
 *   T2 Rebinding (REQUEST broadcast) -> at the lease's end the address is
 *   lost and the client starts again at Init. An ACK while renewing or
 *   rebinding extends the lease; a NAK loses the address at once.
 * T1 and T2 are the server's (options 58, 59) when they are consistent
 * (T1 < T2 < lease), else 0.5 and 0.875 of the lease.
 *
 * Retransmission: DISCOVER and REQUEST (Selecting, Requesting) after 4, 8, 16,
 * 32, then every 64 seconds, each moved by a random -1..+1 s (RFC 2131 4.1);
 * renewing and rebinding requests after half the time left until T2 (until
 * the lease's end when rebinding), at least 60 s (4.4.5). The first DISCOVER
 * goes at once (no random 1..10 s delay: the caller may delay start()).
 * Randomness (the xids and the jitter) comes from the seed the caller gives;
 * each acquisition, renewal and rebinding is a new transaction (a new xid).
 *
 * Every reply is checked (checkReply): op BOOTREPLY, htype 1, hlen 6, our
 * xid, the magic cookie, our MAC in chaddr, well-formed options (each option's
 * length within the message, known options of the right length, an END), a
 * message type; then against the state: an OFFER needs a server id and a
 * usable address; an ACK the server we asked (when requesting or renewing),
 * the address we asked for (not its subnet's network or broadcast address), a
 * lease time and a contiguous subnet mask (RFC 1122's classful one if none).
 * Option overload (52) is followed into the file and sname fields.
 * Not implemented: DECLINE (no ARP probe of the offered address), RELEASE,
 * INFORM, INIT-REBOOT, relay agents (giaddr is ignored).
 *
 * Nothing here sends or reads a clock: poll() writes the message due at the
 * caller's time `now` (u64 ns) and says where it goes; receive() takes a
 * reply's UDP payload. The stack (stack.ts) runs both.
 */
import { u8, u16, u32, u64, bool, array, readU16Be, readU32Be, writeU16Be, writeU32Be, fillBytes } from "kts";
import { MAC_BYTES, IP_BROADCAST, readIp, writeIp, ipIsMulticast, ipIsLoopback, macCopy, macEqual } from "./addr";
import { NetConfig, MAX_DNS, maskValid, classfulMask } from "./config";

// Message layout (RFC 2131 section 2).
export const DHCP_OP: u32 = 0;
export const DHCP_HTYPE: u32 = 1;
export const DHCP_HLEN: u32 = 2;
export const DHCP_HOPS: u32 = 3;
export const DHCP_XID: u32 = 4;
export const DHCP_SECS: u32 = 8;
export const DHCP_FLAGS: u32 = 10;
export const DHCP_CIADDR: u32 = 12;
export const DHCP_YIADDR: u32 = 16;
export const DHCP_SIADDR: u32 = 20;
export const DHCP_GIADDR: u32 = 24;
export const DHCP_CHADDR: u32 = 28;
export const DHCP_SNAME: u32 = 44;
export const DHCP_FILE: u32 = 108;
export const DHCP_COOKIE: u32 = 236;
export const DHCP_OPTIONS: u32 = 240;
/** Size of the messages we send (the BOOTP minimum, RFC 1542). */
export const DHCP_MESSAGE: u32 = 300;
export const DHCP_MAGIC: u32 = 0x6382_5363;
export const DHCP_SERVER_PORT: u16 = 67;
export const DHCP_CLIENT_PORT: u16 = 68;

export const BOOTREQUEST: u8 = 1;
export const BOOTREPLY: u8 = 2;

export const DHCPDISCOVER: u8 = 1;
export const DHCPOFFER: u8 = 2;
export const DHCPREQUEST: u8 = 3;
export const DHCPDECLINE: u8 = 4;
export const DHCPACK: u8 = 5;
export const DHCPNAK: u8 = 6;
export const DHCPRELEASE: u8 = 7;
export const DHCPINFORM: u8 = 8;

export const OPT_PAD: u8 = 0;
export const OPT_SUBNET_MASK: u8 = 1;
export const OPT_ROUTER: u8 = 3;
export const OPT_DNS: u8 = 6;
export const OPT_REQUESTED_IP: u8 = 50;
export const OPT_LEASE_TIME: u8 = 51;
export const OPT_OVERLOAD: u8 = 52;
export const OPT_MESSAGE_TYPE: u8 = 53;
export const OPT_SERVER_ID: u8 = 54;
export const OPT_PARAMS: u8 = 55;
export const OPT_MAX_SIZE: u8 = 57;
export const OPT_T1: u8 = 58;
export const OPT_T2: u8 = 59;
export const OPT_CLIENT_ID: u8 = 61;
export const OPT_END: u8 = 255;

export const NANOS: u64 = 1_000_000_000n;
/** REQUESTs sent while Requesting before starting again at Init. */
export const REQUEST_TRIES: u32 = 4;
export const INFINITE_LEASE: u32 = 0xffff_ffff;
const NEVER: u64 = 0xffff_ffff_ffff_ffffn;

/** Why checkReply or receive refused a message (Ok: it was used). */
export enum DhcpCheck {
  Ok = 0,
  /** Shorter than the fixed part, cookie and one option byte. */
  Short = 1,
  Op = 2,
  Htype = 3,
  Hlen = 4,
  Xid = 5,
  Cookie = 6,
  Chaddr = 7,
  /** An option runs past its field, a known option has the wrong length, no END, or a bad overload value. */
  Options = 8,
  NoMessageType = 9,
  /** Not the type this state waits for, or nothing is awaited (Init, Bound, Off). */
  Unexpected = 10,
  NoServerId = 11,
  /** The offered (or acknowledged) address is unusable, or not the one asked for. */
  BadAddress = 12,
  /** From a server other than the one we asked. */
  WrongServer = 13,
  /** An ACK without a lease time, or a lease of 0 s. */
  BadLease = 14,
  /** A subnet mask that is not a contiguous prefix. */
  BadMask = 15,
}

/** The fields of a checked reply. */
export class DhcpReply {
  xid: u32 = 0;
  yiaddr: u32 = 0;
  siaddr: u32 = 0;
  type: u8 = 0;
  serverId: u32 = 0;
  hasServerId: bool = false;
  lease: u32 = 0;
  hasLease: bool = false;
  t1: u32 = 0;
  hasT1: bool = false;
  t2: u32 = 0;
  hasT2: bool = false;
  mask: u32 = 0;
  hasMask: bool = false;
  router: u32 = 0;
  hasRouter: bool = false;
  dns: u32[] = array(MAX_DNS, 0);
  dnsCount: u32 = 0;
  overload: u8 = 0;

  clear(): void {
    this.type = 0;
    this.hasServerId = false;
    this.hasLease = false;
    this.hasT1 = false;
    this.hasT2 = false;
    this.hasMask = false;
    this.hasRouter = false;
    this.dnsCount = 0;
    this.overload = 0;
  }
}

/** Reads a 4-byte option value; false (and nothing set) if the length is not 4. */
function opt32(b: readonly u8[], at: u32, len: u32): bool {
  return len == 4 && u32(at + 4) <= b.length;
}

/**
 * Parses options in b[at .. end) into r. needEnd: the field must end with an
 * END option (the main options field); sname and file may simply run out.
 */
export function parseOptions(b: readonly u8[], at: u32, end: u32, needEnd: bool, r: DhcpReply): bool {
  let i: u32 = at;
  while (i < end) {
    const code = b[i];
    if (code == OPT_PAD) {
      i = u32(i + 1);
      continue;
    }
    if (code == OPT_END) return true;
    if (u32(i + 2) > end) return false;
    const len = u32(b[u32(i + 1)]);
    const v = u32(i + 2);
    if (u32(v + len) > end) return false;
    if (code == OPT_MESSAGE_TYPE) {
      if (len != 1) return false;
      r.type = b[v];
    } else if (code == OPT_SERVER_ID) {
      if (!opt32(b, v, len)) return false;
      r.serverId = readIp(b, v);
      r.hasServerId = true;
    } else if (code == OPT_LEASE_TIME) {
      if (!opt32(b, v, len)) return false;
      r.lease = readU32Be(b, v);
      r.hasLease = true;
    } else if (code == OPT_T1) {
      if (!opt32(b, v, len)) return false;
      r.t1 = readU32Be(b, v);
      r.hasT1 = true;
    } else if (code == OPT_T2) {
      if (!opt32(b, v, len)) return false;
      r.t2 = readU32Be(b, v);
      r.hasT2 = true;
    } else if (code == OPT_SUBNET_MASK) {
      if (!opt32(b, v, len)) return false;
      r.mask = readIp(b, v);
      r.hasMask = true;
    } else if (code == OPT_ROUTER) {
      if (len < 4 || len % 4 != 0) return false;
      r.router = readIp(b, v);
      r.hasRouter = true;
    } else if (code == OPT_DNS) {
      if (len < 4 || len % 4 != 0) return false;
      r.dnsCount = 0;
      for (let k: u32 = 0; k < len; k = u32(k + 4)) {
        if (r.dnsCount < MAX_DNS) {
          r.dns[r.dnsCount] = readIp(b, u32(v + k));
          r.dnsCount = u32(r.dnsCount + 1);
        }
      }
    } else if (code == OPT_OVERLOAD) {
      if (len != 1) return false;
      const o = b[v];
      if (o < 1 || o > 3) return false;
      r.overload = o;
    }
    i = u32(v + len);
  }
  return !needEnd;
}

/**
 * Checks the reply b[at .. at+len) for the client with MAC mac[0..6) and
 * transaction xid, and parses its options into r.
 */
export function checkReply(b: readonly u8[], at: u32, len: u32, mac: readonly u8[], xid: u32, r: DhcpReply): DhcpCheck {
  r.clear();
  if (len <= DHCP_OPTIONS || u32(at + len) > b.length) return DhcpCheck.Short;
  if (b[u32(at + DHCP_OP)] != BOOTREPLY) return DhcpCheck.Op;
  if (b[u32(at + DHCP_HTYPE)] != 1) return DhcpCheck.Htype;
  if (b[u32(at + DHCP_HLEN)] != 6) return DhcpCheck.Hlen;
  r.xid = readU32Be(b, u32(at + DHCP_XID));
  if (r.xid != xid) return DhcpCheck.Xid;
  if (readU32Be(b, u32(at + DHCP_COOKIE)) != DHCP_MAGIC) return DhcpCheck.Cookie;
  if (!macEqual(b, u32(at + DHCP_CHADDR), mac, 0)) return DhcpCheck.Chaddr;
  r.yiaddr = readIp(b, u32(at + DHCP_YIADDR));
  r.siaddr = readIp(b, u32(at + DHCP_SIADDR));
  if (!parseOptions(b, u32(at + DHCP_OPTIONS), u32(at + len), true, r)) return DhcpCheck.Options;
  // RFC 2131 4.1: with overload, options continue in file (1), sname (2) or both (3: file first).
  if ((r.overload & 1) != 0 && !parseOptions(b, u32(at + DHCP_FILE), u32(at + DHCP_COOKIE), false, r)) return DhcpCheck.Options;
  if ((r.overload & 2) != 0 && !parseOptions(b, u32(at + DHCP_SNAME), u32(at + DHCP_FILE), false, r)) return DhcpCheck.Options;
  if (r.type == 0) return DhcpCheck.NoMessageType;
  return DhcpCheck.Ok;
}

/** An address a server may give a client: not 0, broadcast, multicast, loopback or class E. */
function usableAddress(ip: u32): bool {
  return ip != 0 && ip != IP_BROADCAST && !ipIsMulticast(ip) && !ipIsLoopback(ip) && ip >>> 28 != 0xf;
}

export enum DhcpState {
  /** Not running (static configuration, or never started). */
  Off = 0,
  Init = 1,
  Selecting = 2,
  Requesting = 3,
  Bound = 4,
  Renewing = 5,
  Rebinding = 6,
}

export class DhcpClient {
  state: DhcpState = DhcpState.Off;
  mac: u8[] = array(MAC_BYTES, 0);
  xid: u32 = 0;
  rng: u32 = 1;
  /** When this acquisition started (the secs field counts from it). */
  startedAt: u64 = 0n;
  /** When the next (re)transmission is due. */
  nextAt: u64 = 0n;
  /** Messages sent in this state. */
  tries: u32 = 0;
  /** The offer being requested. */
  offered: u32 = 0;
  server: u32 = 0;
  /** The lease (valid in Bound, Renewing, Rebinding). */
  lease = new NetConfig();
  boundAt: u64 = 0n;
  t1At: u64 = 0n;
  t2At: u64 = 0n;
  expireAt: u64 = 0n;
  /** Bumped whenever the lease is gained, renewed or lost: the stack applies it. */
  leaseChanges: u32 = 0;
  /** Where poll()'s message goes: an address (IP_BROADCAST for broadcast) and our source address. */
  sendTo: u32 = 0;
  sendFrom: u32 = 0;
  /** Counters. */
  sent: u32 = 0;
  rejected: u32 = 0;
  lastReject: DhcpCheck = DhcpCheck.Ok;
  acks: u32 = 0;
  naks: u32 = 0;
  leasesLost: u32 = 0;
  reply = new DhcpReply();

  /** Forgets everything, counters included (stopped). */
  reset(): void {
    this.state = DhcpState.Off;
    this.lease.clear();
    this.leaseChanges = 0;
    this.xid = 0;
    this.tries = 0;
    this.sent = 0;
    this.rejected = 0;
    this.lastReject = DhcpCheck.Ok;
    this.acks = 0;
    this.naks = 0;
    this.leasesLost = 0;
  }

  /** Starts acquiring an address for mac[at..at+6); seed drives the xids and jitter. The first DISCOVER is due at now. */
  start(mac: readonly u8[], at: u32, now: u64, seed: u32): void {
    macCopy(this.mac, 0, mac, at);
    this.rng = seed == 0 ? 0x9e37_79b9 : seed;
    if (this.hasLease()) this.loseLease();
    this.restart(now);
  }

  /** Stops the client (its lease, if any, is forgotten: the caller configures statically). */
  stop(): void {
    if (this.hasLease()) this.loseLease();
    this.state = DhcpState.Off;
  }

  hasLease(): bool {
    return this.state == DhcpState.Bound || this.state == DhcpState.Renewing || this.state == DhcpState.Rebinding;
  }

  /** True while a reply may come (the stack then lets replies to port 68 through before we have an address). */
  active(): bool {
    return this.state != DhcpState.Off;
  }

  /** xorshift32. */
  random(): u32 {
    let x = this.rng;
    x = u32(x ^ (x << 13));
    x = u32(x ^ (x >>> 17));
    x = u32(x ^ (x << 5));
    this.rng = x;
    return x;
  }

  private restart(now: u64): void {
    this.state = DhcpState.Init;
    this.tries = 0;
    this.nextAt = now;
    this.offered = 0;
    this.server = 0;
  }

  /** Starts renewing or rebinding: a new transaction (xid, secs from now), its first request due now. */
  private enter(state: DhcpState, now: u64): void {
    this.state = state;
    this.xid = this.random();
    this.startedAt = now;
    this.tries = 0;
    this.nextAt = now;
  }

  private loseLease(): void {
    this.lease.clear();
    this.leaseChanges = u32(this.leaseChanges + 1);
    this.leasesLost = u32(this.leasesLost + 1);
  }

  /** 4 s doubled per earlier try up to 64 s, moved by -1..+1 s (in ms steps). */
  backoff(tries: u32): u64 {
    let secs: u64 = 4n;
    const doublings: u32 = tries < 5 ? tries : 5;
    for (let k: u32 = 1; k < doublings; k++) secs = u64(secs * 2n);
    const jitterMs = u64(this.random() % 2001);
    return u64(secs * NANOS - NANOS + jitterMs * 1_000_000n);
  }

  /** Half the time from now to until, at least 60 s (never past until). */
  private halfway(now: u64, until: u64): u64 {
    if (until <= now) return until;
    let wait: u64 = u64(u64(until - now) / 2n);
    if (wait < u64(60n * NANOS)) wait = u64(60n * NANOS);
    if (u64(until - now) <= wait) return until;
    return u64(now + wait);
  }

  /**
   * Advances the timers to now and writes the message due, if any, into
   * out[at .. at+DHCP_MESSAGE): returns its length (0 if nothing is due);
   * sendTo and sendFrom say where it goes. The lease may be lost here
   * (leaseChanges moves).
   */
  poll(now: u64, out: u8[], at: u32): u32 {
    if (this.state == DhcpState.Off) return 0;
    if (this.hasLease() && now >= this.expireAt) {
      this.loseLease();
      this.restart(now);
    }
    if (this.state == DhcpState.Bound) {
      if (now >= this.t2At) {
        this.enter(DhcpState.Rebinding, now);
      } else if (now >= this.t1At) {
        this.enter(DhcpState.Renewing, now);
      } else {
        return 0;
      }
    }
    if (this.state == DhcpState.Renewing && now >= this.t2At) this.enter(DhcpState.Rebinding, now);
    if (this.state == DhcpState.Requesting && now >= this.nextAt && this.tries >= REQUEST_TRIES) this.restart(now);
    if (now < this.nextAt) return 0;
    if (this.state == DhcpState.Init) {
      this.xid = this.random();
      this.startedAt = now;
      this.state = DhcpState.Selecting;
      this.tries = 0;
    }
    this.tries = u32(this.tries + 1);
    this.sent = u32(this.sent + 1);
    switch (this.state) {
      case DhcpState.Selecting:
        this.nextAt = u64(now + this.backoff(this.tries));
        this.sendTo = IP_BROADCAST;
        this.sendFrom = 0;
        return this.write(out, at, now, DHCPDISCOVER, 0, true);
      case DhcpState.Requesting:
        this.nextAt = u64(now + this.backoff(this.tries));
        this.sendTo = IP_BROADCAST;
        this.sendFrom = 0;
        return this.write(out, at, now, DHCPREQUEST, 0, true);
      case DhcpState.Renewing:
        this.nextAt = this.halfway(now, this.t2At);
        this.sendTo = this.server;
        this.sendFrom = this.lease.ip;
        return this.write(out, at, now, DHCPREQUEST, this.lease.ip, false);
      case DhcpState.Rebinding:
        this.nextAt = this.halfway(now, this.expireAt);
        this.sendTo = IP_BROADCAST;
        this.sendFrom = this.lease.ip;
        return this.write(out, at, now, DHCPREQUEST, this.lease.ip, false);
      default:
        return 0;
    }
  }

  /** Writes a DISCOVER or REQUEST; selecting: with the requested address and server id options. */
  private write(out: u8[], at: u32, now: u64, type: u8, ciaddr: u32, selecting: bool): u32 {
    fillBytes(out, at, DHCP_MESSAGE, 0);
    out[u32(at + DHCP_OP)] = BOOTREQUEST;
    out[u32(at + DHCP_HTYPE)] = 1;
    out[u32(at + DHCP_HLEN)] = 6;
    writeU32Be(out, u32(at + DHCP_XID), this.xid);
    let secs: u64 = now >= this.startedAt ? u64(u64(now - this.startedAt) / NANOS) : 0n;
    if (secs > 0xffffn) secs = 0xffffn;
    writeU16Be(out, u32(at + DHCP_SECS), u16(secs));
    writeIp(out, u32(at + DHCP_CIADDR), ciaddr);
    macCopy(out, u32(at + DHCP_CHADDR), this.mac, 0);
    writeU32Be(out, u32(at + DHCP_COOKIE), DHCP_MAGIC);
    let o = u32(at + DHCP_OPTIONS);
    out[o] = OPT_MESSAGE_TYPE;
    out[u32(o + 1)] = 1;
    out[u32(o + 2)] = type;
    o = u32(o + 3);
    out[o] = OPT_CLIENT_ID;
    out[u32(o + 1)] = 7;
    out[u32(o + 2)] = 1;
    macCopy(out, u32(o + 3), this.mac, 0);
    o = u32(o + 9);
    if (type == DHCPREQUEST && selecting) {
      out[o] = OPT_REQUESTED_IP;
      out[u32(o + 1)] = 4;
      writeIp(out, u32(o + 2), this.offered);
      o = u32(o + 6);
      out[o] = OPT_SERVER_ID;
      out[u32(o + 1)] = 4;
      writeIp(out, u32(o + 2), this.server);
      o = u32(o + 6);
    }
    out[o] = OPT_MAX_SIZE;
    out[u32(o + 1)] = 2;
    writeU16Be(out, u32(o + 2), 1500);
    o = u32(o + 4);
    out[o] = OPT_PARAMS;
    out[u32(o + 1)] = 6;
    out[u32(o + 2)] = OPT_SUBNET_MASK;
    out[u32(o + 3)] = OPT_ROUTER;
    out[u32(o + 4)] = OPT_DNS;
    out[u32(o + 5)] = OPT_LEASE_TIME;
    out[u32(o + 6)] = OPT_T1;
    out[u32(o + 7)] = OPT_T2;
    o = u32(o + 8);
    out[o] = OPT_END;
    return DHCP_MESSAGE;
  }

  private reject(why: DhcpCheck): DhcpCheck {
    this.rejected = u32(this.rejected + 1);
    this.lastReject = why;
    return why;
  }

  /**
   * Takes a reply (the UDP payload b[at .. at+len) that came to port 68 from
   * port 67) at now. DhcpCheck.Ok if it was used; after it, poll() has the
   * next message due (a REQUEST after an OFFER, a DISCOVER after a NAK).
   */
  receive(b: readonly u8[], at: u32, len: u32, now: u64): DhcpCheck {
    const s = this.state;
    if (s != DhcpState.Selecting && s != DhcpState.Requesting && s != DhcpState.Renewing && s != DhcpState.Rebinding) return this.reject(DhcpCheck.Unexpected);
    const r = this.reply;
    const c = checkReply(b, at, len, this.mac, this.xid, r);
    if (c != DhcpCheck.Ok) return this.reject(c);
    if (s == DhcpState.Selecting) {
      if (r.type != DHCPOFFER) return this.reject(DhcpCheck.Unexpected);
      if (!r.hasServerId || !usableAddress(r.serverId)) return this.reject(DhcpCheck.NoServerId);
      if (!usableAddress(r.yiaddr)) return this.reject(DhcpCheck.BadAddress);
      this.offered = r.yiaddr;
      this.server = r.serverId;
      this.state = DhcpState.Requesting;
      this.tries = 0;
      this.nextAt = now;
      return DhcpCheck.Ok;
    }
    if (r.type == DHCPNAK) {
      // RFC 2131 3.1.5/4.4.5: a NAK carries the server id; when requesting or renewing it is the server we asked.
      if (!r.hasServerId) return this.reject(DhcpCheck.NoServerId);
      if (s != DhcpState.Rebinding && r.serverId != this.server) return this.reject(DhcpCheck.WrongServer);
      this.naks = u32(this.naks + 1);
      if (this.hasLease()) this.loseLease();
      this.restart(now);
      return DhcpCheck.Ok;
    }
    if (r.type != DHCPACK) return this.reject(DhcpCheck.Unexpected);
    if (!r.hasServerId || !usableAddress(r.serverId)) return this.reject(DhcpCheck.NoServerId);
    if (s != DhcpState.Rebinding && r.serverId != this.server) return this.reject(DhcpCheck.WrongServer);
    const want = s == DhcpState.Requesting ? this.offered : this.lease.ip;
    if (r.yiaddr != want) return this.reject(DhcpCheck.BadAddress);
    if (!r.hasLease || r.lease == 0) return this.reject(DhcpCheck.BadLease);
    const mask = r.hasMask ? r.mask : classfulMask(r.yiaddr);
    if (!maskValid(mask) || mask == 0) return this.reject(DhcpCheck.BadMask);
    // Not the subnet's own address or its broadcast (unless the subnet is a /31 or /32, which have neither).
    const host = u32(r.yiaddr & ~mask);
    if (mask < 0xffff_fffe && (host == 0 || host == u32(~mask))) return this.reject(DhcpCheck.BadAddress);
    this.bind(now, mask);
    return DhcpCheck.Ok;
  }

  private bind(now: u64, mask: u32): void {
    const r = this.reply;
    const l = this.lease;
    l.ip = r.yiaddr;
    l.netmask = mask;
    l.gateway = r.hasRouter ? r.router : 0;
    l.dnsCount = r.dnsCount;
    l.dns[0] = r.dnsCount > 0 ? r.dns[0] : 0;
    l.dns[1] = r.dnsCount > 1 ? r.dns[1] : 0;
    l.leaseSecs = r.lease;
    l.server = r.serverId;
    this.server = r.serverId;
    this.boundAt = now;
    this.acks = u32(this.acks + 1);
    if (r.lease == INFINITE_LEASE) {
      this.t1At = NEVER;
      this.t2At = NEVER;
      this.expireAt = NEVER;
    } else {
      const leaseNs = u64(u64(r.lease) * NANOS);
      let t1 = u64(leaseNs / 2n);
      let t2 = u64(leaseNs - u64(leaseNs / 8n)); // 7/8 without overflowing
      if (r.hasT1 && r.hasT2 && r.t1 < r.t2 && r.t2 < r.lease) {
        t1 = u64(u64(r.t1) * NANOS);
        t2 = u64(u64(r.t2) * NANOS);
      } else if (r.hasT1 && !r.hasT2 && r.t1 < r.lease && u64(u64(r.t1) * NANOS) < t2) {
        t1 = u64(u64(r.t1) * NANOS);
      } else if (r.hasT2 && !r.hasT1 && r.t2 < r.lease && u64(u64(r.t2) * NANOS) > t1) {
        t2 = u64(u64(r.t2) * NANOS);
      }
      this.t1At = u64(now + t1);
      this.t2At = u64(now + t2);
      this.expireAt = u64(now + leaseNs);
    }
    this.state = DhcpState.Bound;
    this.tries = 0;
    this.leaseChanges = u32(this.leaseChanges + 1);
  }
}
