/**
 * ARP for IPv4 over Ethernet (RFC 826): the 28-byte packet, and the cache of
 * resolved and resolving addresses.
 *
 * The cache has ARP_ENTRIES entries. A resolved entry lives ARP_LIFETIME_NS
 * after it was last confirmed (a reply, or a request addressed to us from that
 * host) and is then forgotten. Resolving an address sends a request at once,
 * again every ARP_RETRY_NS, ARP_MAX_REQUESTS requests in all; with no reply
 * ARP_RETRY_NS after the last one the address is given up. While an address
 * resolves, one outgoing frame waits in its entry: a newer frame for the same
 * address replaces it (the older is counted as lost by the stack). When the
 * cache is full, a new address takes the free entry, else the resolved entry
 * confirmed longest ago, else the resolving entry started longest ago (its
 * waiting frame is lost).
 *
 * Times are u64 nanoseconds from the caller's monotonic clock; nothing here
 * reads a clock or sends: the stack does (stack.ts).
 */
import { u8, u16, u32, u64, bool, array, structs, readU16Be, writeU16Be, copyBytes } from "kts";
import { Drop } from "./counters";
import { MAC_BYTES, IP_BROADCAST, readIp, writeIp, ipIsMulticast, macCopy, macIsMulticast, macFill } from "./addr";
import { ETH_MAX_FRAME } from "./ethernet";

// Packet layout (offsets from the start of the ARP packet).
export const ARP_HTYPE: u32 = 0;
export const ARP_PTYPE: u32 = 2;
export const ARP_HLEN: u32 = 4;
export const ARP_PLEN: u32 = 5;
export const ARP_OPER: u32 = 6;
export const ARP_SHA: u32 = 8;
export const ARP_SPA: u32 = 14;
export const ARP_THA: u32 = 18;
export const ARP_TPA: u32 = 24;
export const ARP_PACKET: u32 = 28;

export const ARP_HTYPE_ETHERNET: u16 = 1;
export const ARP_PTYPE_IPV4: u16 = 0x0800;
export const ARP_REQUEST: u16 = 1;
export const ARP_REPLY: u16 = 2;

/** The fields of a parsed ARP packet. */
export class ArpPacket {
  oper: u16 = 0;
  sha: u8[] = array(MAC_BYTES, 0);
  spa: u32 = 0;
  tha: u8[] = array(MAC_BYTES, 0);
  tpa: u32 = 0;
}

/**
 * Parses the ARP packet at p[at .. at+len): at least 28 bytes
 * (Drop.ArpTruncated), then IPv4 over Ethernet, request or reply, a unicast
 * sender MAC and a sender address that is not a group or broadcast address
 * (Drop.ArpMalformed). Bytes past the 28 are Ethernet padding and ignored.
 */
export function parseArp(p: readonly u8[], at: u32, len: u32, out: ArpPacket): Drop {
  if (len < ARP_PACKET || u32(at + len) > p.length) return Drop.ArpTruncated;
  if (readU16Be(p, u32(at + ARP_HTYPE)) != ARP_HTYPE_ETHERNET) return Drop.ArpMalformed;
  if (readU16Be(p, u32(at + ARP_PTYPE)) != ARP_PTYPE_IPV4) return Drop.ArpMalformed;
  if (p[u32(at + ARP_HLEN)] != 6 || p[u32(at + ARP_PLEN)] != 4) return Drop.ArpMalformed;
  const oper = readU16Be(p, u32(at + ARP_OPER));
  if (oper != ARP_REQUEST && oper != ARP_REPLY) return Drop.ArpMalformed;
  if (macIsMulticast(p, u32(at + ARP_SHA))) return Drop.ArpMalformed;
  const spa = readIp(p, u32(at + ARP_SPA));
  if (spa == IP_BROADCAST || ipIsMulticast(spa)) return Drop.ArpMalformed;
  out.oper = oper;
  macCopy(out.sha, 0, p, u32(at + ARP_SHA));
  out.spa = spa;
  macCopy(out.tha, 0, p, u32(at + ARP_THA));
  out.tpa = readIp(p, u32(at + ARP_TPA));
  return Drop.None;
}

/** Writes an ARP packet at p[at .. at+28). tha is tha[0..6) (zeros for a request). */
export function writeArp(p: u8[], at: u32, oper: u16, sha: readonly u8[], spa: u32, tha: readonly u8[], tpa: u32): void {
  writeU16Be(p, u32(at + ARP_HTYPE), ARP_HTYPE_ETHERNET);
  writeU16Be(p, u32(at + ARP_PTYPE), ARP_PTYPE_IPV4);
  p[u32(at + ARP_HLEN)] = 6;
  p[u32(at + ARP_PLEN)] = 4;
  writeU16Be(p, u32(at + ARP_OPER), oper);
  macCopy(p, u32(at + ARP_SHA), sha, 0);
  writeIp(p, u32(at + ARP_SPA), spa);
  macCopy(p, u32(at + ARP_THA), tha, 0);
  writeIp(p, u32(at + ARP_TPA), tpa);
}

export const ARP_ENTRIES: u32 = 16;
/** How long a resolved entry is used after its last confirmation: 60 s. */
export const ARP_LIFETIME_NS: u64 = 60_000_000_000n;
/** Time between requests for an address that does not answer: 1 s. */
export const ARP_RETRY_NS: u64 = 1_000_000_000n;
/** Requests sent for an address before giving it up. */
export const ARP_MAX_REQUESTS: u32 = 3;
/** No entry. */
export const ARP_NONE: u32 = 0xffff_ffff;

export enum ArpState {
  Free = 0,
  /** A request is out; `due` is when the next one (or the give-up) is. */
  Resolving = 1,
  /** `mac` is valid until `due`. */
  Resolved = 2,
}

export class ArpEntry {
  state: ArpState = ArpState.Free;
  ip: u32 = 0;
  mac: u8[] = array(MAC_BYTES, 0);
  /** Resolving: the next request or the give-up; Resolved: the expiry. */
  due: u64 = 0n;
  /** Resolving: when resolution started; Resolved: the last confirmation. */
  since: u64 = 0n;
  /** Requests sent so far (Resolving). */
  requests: u32 = 0;
  /** The frame waiting for this address (its destination MAC is filled in when it resolves); 0 if none. */
  pendingLen: u32 = 0;
  pending: u8[] = array(ETH_MAX_FRAME, 0);
}

/** What tick() found due for one entry. */
export enum ArpTimer {
  None = 0,
  /** Send another request for the entry's address (already counted in `requests`). */
  Request = 1,
  /** The address did not answer: the entry is free again; a waiting frame (if pendingLost) is lost. */
  GaveUp = 2,
  /** A resolved entry expired and is free again. */
  Expired = 3,
}

export class ArpCache {
  entries: ArpEntry[] = structs(ARP_ENTRIES, ArpEntry);
  /** Set by take() (and so learn() and resolve()) and timer() when the entry they freed had a waiting frame; cleared by each of them. */
  pendingLost: bool = false;
  /** Set by resolve(): a request for the address is to be sent now. */
  needRequest: bool = false;

  clear(): void {
    for (let i: u32 = 0; i < ARP_ENTRIES; i++) this.free(i);
  }

  free(i: u32): void {
    const e = this.entries[i];
    e.state = ArpState.Free;
    e.ip = 0;
    e.requests = 0;
    e.pendingLen = 0;
    macFill(e.mac, 0, 0);
  }

  /** The entry for ip in any state other than Free, or ARP_NONE. */
  find(ip: u32): u32 {
    for (let i: u32 = 0; i < ARP_ENTRIES; i++) {
      const e = this.entries[i];
      if (e.state != ArpState.Free && e.ip == ip) return i;
    }
    return ARP_NONE;
  }

  /** Copies ip's MAC to out[at..] if it is resolved and not expired at now. */
  lookup(ip: u32, now: u64, out: u8[], at: u32): bool {
    const i = this.find(ip);
    if (i == ARP_NONE) return false;
    const e = this.entries[i];
    if (e.state != ArpState.Resolved || now >= e.due) return false;
    macCopy(out, at, e.mac, 0);
    return true;
  }

  /**
   * An entry for ip, made free for it if there was none (see the file comment
   * for which entry is taken when the cache is full). pendingLost tells whether
   * a waiting frame went with the entry taken.
   */
  take(ip: u32): u32 {
    this.pendingLost = false;
    const found = this.find(ip);
    if (found != ARP_NONE) return found;
    let pick: u32 = ARP_NONE;
    let pickState: ArpState = ArpState.Free;
    for (let i: u32 = 0; i < ARP_ENTRIES; i++) {
      const e = this.entries[i];
      if (e.state == ArpState.Free) {
        pick = i;
        pickState = ArpState.Free;
        break;
      }
      if (pick == ARP_NONE) {
        pick = i;
        pickState = e.state;
        continue;
      }
      const p = this.entries[pick];
      // Resolved entries go before resolving ones; within a state the oldest goes.
      if (e.state == ArpState.Resolved && pickState == ArpState.Resolving) {
        pick = i;
        pickState = e.state;
      } else if (e.state == pickState && e.since < p.since) {
        pick = i;
      }
    }
    if (pickState == ArpState.Resolving && this.entries[pick].pendingLen != 0) this.pendingLost = true;
    this.free(pick);
    this.entries[pick].ip = ip;
    return pick;
  }

  /**
   * Records ip -> mac[at..] as resolved and confirmed at now. With create
   * false only an existing entry (resolving or resolved) is updated: a reply
   * we did not ask for makes none. Returns the entry, or ARP_NONE if nothing
   * was recorded. A frame waiting in the entry is still there: the stack sends
   * it (sendPending) and clears it.
   */
  learn(ip: u32, mac: readonly u8[], at: u32, now: u64, create: bool): u32 {
    this.pendingLost = false;
    let i = this.find(ip);
    if (i == ARP_NONE) {
      if (!create) return ARP_NONE;
      i = this.take(ip);
    }
    const e = this.entries[i];
    e.state = ArpState.Resolved;
    macCopy(e.mac, 0, mac, at);
    e.since = now;
    e.due = u64(now + ARP_LIFETIME_NS);
    e.requests = 0;
    return i;
  }

  /**
   * Starts resolving ip unless it is resolved or already resolving: returns the
   * entry and whether the stack must send the first request now (needRequest).
   * With an existing resolving entry nothing changes (its timer repeats the request).
   */
  resolve(ip: u32, now: u64): u32 {
    this.needRequest = false;
    this.pendingLost = false;
    const found = this.find(ip);
    if (found != ARP_NONE) {
      const e = this.entries[found];
      if (e.state == ArpState.Resolving) return found;
      if (now < e.due) return found;
    }
    const i = this.take(ip);
    const e = this.entries[i];
    e.state = ArpState.Resolving;
    e.since = now;
    e.requests = 1;
    e.due = u64(now + ARP_RETRY_NS);
    e.pendingLen = 0;
    this.needRequest = true;
    return i;
  }

  /**
   * Keeps frame[0 .. len) in entry i until its address resolves; true if it
   * replaced an older waiting frame (which is lost).
   */
  hold(i: u32, frame: u8[], len: u32): bool {
    const e = this.entries[i];
    const replaced = e.pendingLen != 0;
    copyBytes(e.pending, 0, frame, 0, len);
    e.pendingLen = len;
    return replaced;
  }

  /** The timer of entry i at now (see ArpTimer); tick the stack's every entry. */
  timer(i: u32, now: u64): ArpTimer {
    this.pendingLost = false;
    const e = this.entries[i];
    if (e.state == ArpState.Free || now < e.due) return ArpTimer.None;
    if (e.state == ArpState.Resolved) {
      this.free(i);
      return ArpTimer.Expired;
    }
    if (e.requests < ARP_MAX_REQUESTS) {
      e.requests = u32(e.requests + 1);
      e.due = u64(e.due + ARP_RETRY_NS);
      if (e.due <= now) e.due = u64(now + ARP_RETRY_NS);
      return ArpTimer.Request;
    }
    this.pendingLost = e.pendingLen != 0;
    this.free(i);
    return ArpTimer.GaveUp;
  }

  /** Entries in use (resolving or resolved). */
  used(): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < ARP_ENTRIES; i++) {
      if (this.entries[i].state != ArpState.Free) n = u32(n + 1);
    }
    return n;
  }
}
