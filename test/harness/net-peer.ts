/**
 * A test peer at layer 2: the other end of the guest's network cable, in
 * TypeScript, on a UDP socket bound to 127.0.0.1. QEMU's dgram netdev sends
 * each Ethernet frame the guest transmits as one datagram and delivers each
 * datagram it receives as one frame (`cambi run --net dgram:GUESTPORT:PEERPORT`,
 * see peer.netArg), so nothing leaves this machine.
 *
 * The peer has its own MAC and IPv4 address and:
 *  - answers ARP requests for its address, learns the guest's from its ARP and IP;
 *  - answers ICMP echo requests; ping() sends echo requests and reports replies and RTTs;
 *  - serves DHCP (RFC 2131) from a pool: offers and acknowledges a fixed address
 *    per client, with subnet mask, router, DNS, lease time; NAKs on demand;
 *  - serves SNTP (RFC 4330): mode 4 replies with the peer's clock, which a
 *    test sets (setTime) to check the guest's wall clock against;
 *  - echoes UDP on port 7 (RFC 862), and answers other UDP to closed ports with
 *    ICMP port unreachable;
 *  - udpEcho(): sends N datagrams (sequence number, checksum, random payload,
 *    random size up to 1472 bytes) to a guest UDP echo port within a window and
 *    an optional rate, and counts lost, corrupted, duplicated, reordered replies;
 *  - sendCorpus(): the malformed frames of net-corpus.ts, each kind labelled.
 *
 * Every frame from the guest is checked for being well formed (classifyFrame
 * with no host view): those that are not are kept in `malformed` (a guest bug).
 * Waiting is on events (a frame, a reply); the only timers are protocol
 * retransmissions (ARP) and upper bounds that fail a test.
 */
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import { EventEmitter } from "node:events";
import type { QemuNet } from "../../compiler/build/qemu.js";
import { classifyFrame, corpusCounts, type CorpusContext, type CorpusEntry, type DropReason, type HostView } from "./net-corpus.js";
import {
  ARP_REPLY,
  ARP_REQUEST,
  ANY_IP,
  BOOTREPLY,
  BOOTREQUEST,
  BROADCAST_IP,
  BROADCAST_MAC,
  DHCP,
  DHCP_BROADCAST_FLAG,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DHCP_TYPE_NAMES,
  DHCPOPT,
  ICMP,
  ICMP_PORT_UNREACHABLE,
  NTP_MODE,
  NTP_PORT,
  UDP_MAX_PAYLOAD,
  arpFrame,
  buildDhcp,
  buildNtp,
  decodeFrame,
  describeFrame,
  icmpFrame,
  ipBytes,
  ipFromNumber,
  ipNumber,
  optionIp,
  sameSubnet,
  subnetBroadcast,
  u32Bytes,
  udpFrame,
  ntpFromUnixNs,
  nsFromMs,
  type Decoded,
  type Dhcp,
  type Ipv4,
  type Ntp,
} from "./net-frames.js";

export interface DhcpServerOptions {
  /** First and last address handed out (default .15 to .30 of the peer's subnet). */
  pool?: [string, string];
  /** Option 3 (default the peer's address; null: none). */
  router?: string | null;
  /** Option 6 (default none). */
  dns?: string[];
  /** Option 51 (default 3600); T1 and T2 (options 58, 59) are 1/2 and 7/8 of it. */
  leaseSeconds?: number;
  /** NAK a REQUEST this returns true for (besides the ones RFC 2131 NAKs). */
  nak?: (request: Dhcp) => boolean;
  /** Broadcast every reply, whatever the client's broadcast flag says. */
  broadcast?: boolean;
  /** Answer nothing (the server is down). */
  silent?: boolean;
}

export interface NtpServerOptions {
  /** The peer's clock at start, Unix ms (default the host's clock); setTime changes it. */
  timeMs?: number;
  /** Default 1. */
  stratum?: number;
  /** Leap indicator, 0..3 (3: clock not synchronized). Default 0. */
  leap?: number;
  /** Reference id at stratum 1 (default "GPS"). */
  refId?: string;
  /** Precision, log2 s (default -20, about a microsecond). */
  precision?: number;
  /** Reply a kiss-o'-death (stratum 0) with this code, e.g. "RATE" or "DENY". */
  kiss?: string;
  /** Answer nothing. */
  silent?: boolean;
  /** Reply with an originate timestamp other than the request's transmit timestamp (a reply a client must discard). */
  badOriginate?: boolean;
}

export interface NetPeerOptions {
  /** Default 52:54:00:fe:00:01. */
  mac?: string;
  /** Default 10.0.2.2. */
  ip?: string;
  /** Default 255.255.255.0. */
  netmask?: string;
  /** The peer's UDP port on 127.0.0.1 (default: any free port). */
  peerPort?: number;
  /** QEMU's UDP port on 127.0.0.1 (default: a port free when the peer starts). */
  guestPort?: number;
  /** The DHCP server (default on, with its defaults); false: none. */
  dhcp?: DhcpServerOptions | false;
  /** The SNTP server (default on); false: none. */
  ntp?: NtpServerOptions | false;
  /** Called with a line for every frame in (<) and out (>). */
  log?: (line: string) => void;
}

export interface Lease {
  /** Option 61 if the client sent one (hex), else its MAC. */
  client: string;
  mac: string;
  ip: string;
  state: "offered" | "bound";
  /** Host monotonic ms. */
  expiresAt: number;
}

export interface PingReply {
  seq: number;
  rttMs: number;
  ttl: number;
}

export interface PingResult {
  sent: number;
  received: number;
  /** Replies whose data differed from the request's. */
  corrupted: number;
  replies: PingReply[];
}

export interface UdpEchoOptions {
  /** The guest's address and echo port. */
  ip: string;
  port: number;
  count: number;
  /** Payload sizes are uniform in [minSize, maxSize] (defaults 8 and 1472; the first datagram is maxSize, the second minSize). */
  minSize?: number;
  maxSize?: number;
  /** Datagrams in flight at most (default 8). */
  window?: number;
  /** Datagrams a second at most (default: as fast as the window allows). */
  ratePerSecond?: number;
  /** Seed of sizes and payloads (default 1). */
  seed?: number;
  /** A datagram unanswered this long counts as lost and frees its place in the window (default 3000). */
  lossTimeoutMs?: number;
  /** The peer's source port (default 50000). */
  srcPort?: number;
}

export interface UdpEchoReport {
  sent: number;
  /** Distinct datagrams that came back exactly as sent. */
  received: number;
  lost: number;
  /** Replies whose bytes differ from every datagram sent with their sequence number (or fail their checksum). */
  corrupted: number;
  /** Replies for a datagram already received. */
  duplicated: number;
  /** Replies that came after a reply of a later datagram. */
  reordered: number;
  /** Replies to our port from another address or port than the echo port. */
  misaddressed: number;
  lostSeqs: number[];
  bytesSent: number;
  bytesReceived: number;
  elapsedMs: number;
  rttMs: { min: number; median: number; max: number };
}

export interface PeerStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Datagrams from another address or port than QEMU's (ignored). */
  foreign: number;
  arpRequests: number;
  arpReplies: number;
  echoRequests: number;
  echoReplies: number;
  dhcp: Record<string, number>;
  ntpRequests: number;
  portUnreachableSent: number;
}

export const PEER_DEFAULTS = { mac: "52:54:00:fe:00:01", ip: "10.0.2.2", netmask: "255.255.255.0" } as const;

/** A UDP port on 127.0.0.1 that nothing had bound a moment ago (for QEMU to bind). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Resolves when notify() is called or after ms, whichever comes first. */
class Signal {
  private waiters: Array<() => void> = [];
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done(): void {
        clearTimeout(t);
        self.waiters = self.waiters.filter((f) => f !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}

/** UDP that reached the peer: the addresses, the payload, the whole frame decoded, and when it arrived (host monotonic ns). */
export interface UdpArrival {
  srcMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  decoded: Decoded;
  atNs: bigint;
}

type UdpHandler = (u: UdpArrival) => void;

export class NetPeer extends EventEmitter {
  readonly mac: string;
  readonly ip: string;
  readonly netmask: string;
  readonly peerPort: number;
  readonly guestPort: number;
  readonly stats: PeerStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    foreign: 0,
    arpRequests: 0,
    arpReplies: 0,
    echoRequests: 0,
    echoReplies: 0,
    dhcp: {},
    ntpRequests: 0,
    portUnreachableSent: 0,
  };
  /** Frames from the guest that are not well formed, with why (classifyFrame). */
  readonly malformed: Array<{ frame: Buffer; reason: DropReason }> = [];
  /** IPv4 -> MAC, from the guest's ARP and IP frames. */
  readonly arpCache = new Map<string, string>();
  /** DHCP leases by client. */
  readonly leases = new Map<string, Lease>();
  /** Addresses clients declined (never offered again). */
  readonly declined = new Set<string>();
  /** The DHCP server's settings (change them at any time); null: no server. */
  dhcp: DhcpServerOptions | null;
  /** The SNTP server's settings (change them at any time); null: no server. */
  ntp: NtpServerOptions | null;
  /** The last 200 frames in and out, described (for failure messages: trace()). */
  private recent: string[] = [];
  private nakCount = 0;
  private closed = false;
  private readonly udpHandlers = new Map<number, UdpHandler>();
  private clockBaseNs: bigint;
  private monoBaseNs: bigint;

  private constructor(
    private readonly socket: dgram.Socket,
    o: NetPeerOptions,
    guestPort: number,
  ) {
    super();
    this.setMaxListeners(100);
    this.mac = o.mac ?? PEER_DEFAULTS.mac;
    this.ip = o.ip ?? PEER_DEFAULTS.ip;
    this.netmask = o.netmask ?? PEER_DEFAULTS.netmask;
    this.peerPort = socket.address().port;
    this.guestPort = guestPort;
    this.dhcp = o.dhcp === false ? null : { ...(o.dhcp ?? {}) };
    this.ntp = o.ntp === false ? null : { ...(o.ntp ?? {}) };
    this.monoBaseNs = process.hrtime.bigint();
    this.clockBaseNs = nsFromMs((o.ntp ? o.ntp.timeMs : undefined) ?? Date.now());
    if (o.log) {
      const log = o.log;
      this.on("in", (f: Buffer) => log(`< ${describeFrame(f)}`));
      this.on("out", (f: Buffer) => log(`> ${describeFrame(f)}`));
    }
    socket.on("message", (msg, rinfo) => this.receive(msg, rinfo));
    this.onUdp(DHCP_SERVER_PORT, (u) => this.serveDhcp(u));
    this.onUdp(NTP_PORT, (u) => this.serveNtp(u));
    this.onUdp(7, (u) => void this.sendUdp({ dstIp: u.srcIp, dstMac: u.srcMac, srcPort: 7, dstPort: u.srcPort, payload: u.payload }));
  }

  /** Binds the peer's socket on 127.0.0.1 and picks QEMU's port. */
  static async start(o: NetPeerOptions = {}): Promise<NetPeer> {
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(o.peerPort ?? 0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.on("error", () => {}); // ICMP errors from a guest port nobody listens on yet
    let guestPort = o.guestPort ?? (await freeUdpPort());
    while (guestPort === socket.address().port) guestPort = await freeUdpPort();
    return new NetPeer(socket, o, guestPort);
  }

  /** `cambi run --net` for this peer. */
  get netArg(): string {
    return `dgram:${this.guestPort}:${this.peerPort}`;
  }

  get qemuNet(): QemuNet {
    return { kind: "dgram", guestPort: this.guestPort, peerPort: this.peerPort };
  }

  /** What malformedCorpus needs to address frames from this peer to a guest. */
  corpusContext(guest: HostView, udpPort: number, seed = 1): CorpusContext {
    return { guest, peer: { mac: this.mac, ip: this.ip }, udpPort, seed };
  }

  // ------------------------------------------------------------ sending

  /** Sends one frame to the guest as it is. */
  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.stats.framesOut++;
    this.stats.bytesOut += frame.length;
    this.remember(">", frame);
    this.emit("out", Buffer.from(frame));
    this.socket.send(frame, this.guestPort, "127.0.0.1");
  }

  /** UDP from the peer's address; the destination MAC is dstMac, broadcast, or resolved by ARP. */
  async sendUdp(o: { dstIp: string; dstPort: number; srcPort: number; payload: Uint8Array; dstMac?: string; srcIp?: string }): Promise<void> {
    const dstMac = o.dstMac ?? (o.dstIp === BROADCAST_IP ? BROADCAST_MAC : await this.resolve(o.dstIp));
    this.send(udpFrame({ srcMac: this.mac, dstMac, srcIp: o.srcIp ?? this.ip, dstIp: o.dstIp, srcPort: o.srcPort, dstPort: o.dstPort, payload: o.payload }));
  }

  // ------------------------------------------------------------ waiting

  /**
   * Resolves with probe's first non-undefined answer for a frame from the guest
   * arriving from now on; rejects after timeoutMs (or when the peer closes)
   * with the recent frames.
   */
  waitFrame<T>(probe: (d: Decoded, frame: Buffer) => T | undefined, timeoutMs = 30_000, what = "frame from the guest"): Promise<T> {
    return this.waitEvent("frame", (frame: Buffer, d: Decoded | null) => (d ? probe(d, frame) : undefined), timeoutMs, what);
  }

  /** Resolves with the lease once the peer acknowledges one (to `mac` if given); a lease already bound counts. */
  waitForLease(mac?: string, timeoutMs = 60_000): Promise<Lease> {
    const bound = [...this.leases.values()].find((l) => l.state === "bound" && (!mac || l.mac === mac));
    if (bound) return Promise.resolve(bound);
    return this.waitEvent("lease", (l: Lease) => (!mac || l.mac === mac ? l : undefined), timeoutMs, "DHCP lease acknowledged");
  }

  private waitEvent<A extends unknown[], T>(event: string, probe: (...args: A) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onEvent = (...args: A): void => {
        const got = probe(...args);
        if (got === undefined) return;
        cleanup();
        resolve(got);
      };
      const fail = (why: string): void => {
        cleanup();
        reject(new Error(`net peer: no ${what} ${why}; recent frames:\n${this.trace()}`));
      };
      const onClose = (): void => fail("before the peer closed");
      const timer = setTimeout(() => fail(`in ${timeoutMs} ms`), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, onEvent);
        this.off("close", onClose);
      };
      this.on(event, onEvent);
      this.once("close", onClose);
    });
  }

  /** The last frames in (<) and out (>), one line each. */
  trace(): string {
    return this.recent.join("\n") || "(none)";
  }

  // ------------------------------------------------------------ ARP, ICMP

  /** The MAC of `ip`: from the cache, else by ARP requests every retryMs until one is answered. */
  async resolve(ip: string, timeoutMs = 10_000, retryMs = 250): Promise<string> {
    const known = this.arpCache.get(ip);
    if (known) return known;
    const answered = this.waitFrame((d) => (d.arp?.op === ARP_REPLY && d.arp.spa === ip ? d.arp.sha : undefined), timeoutMs, `ARP reply from ${ip}`);
    const ask = (): void => this.send(arpFrame({ op: ARP_REQUEST, sha: this.mac, spa: this.ip, tpa: ip }));
    ask();
    const timer = setInterval(ask, retryMs);
    try {
      return await answered;
    } finally {
      clearInterval(timer);
    }
  }

  /** Echo requests to `ip` one after another (each waits for its reply or timeoutMs). */
  async ping(ip: string, o: { count?: number; size?: number; timeoutMs?: number; id?: number } = {}): Promise<PingResult> {
    const count = o.count ?? 1;
    const id = o.id ?? 0xcb05;
    const dstMac = await this.resolve(ip, o.timeoutMs ?? 10_000);
    const result: PingResult = { sent: 0, received: 0, corrupted: 0, replies: [] };
    for (let seq = 0; seq < count; seq++) {
      const data = Buffer.alloc(o.size ?? 56);
      for (let i = 0; i < data.length; i++) data[i] = (seq + i) & 0xff;
      const reply = this.waitFrame(
        (d) => (d.ip?.src === ip && d.icmp?.type === ICMP.ECHO_REPLY && d.icmp.id === id && d.icmp.seq === seq ? d : undefined),
        o.timeoutMs ?? 5_000,
        `echo reply ${seq} from ${ip}`,
      ).catch(() => null);
      const t0 = performance.now();
      this.send(icmpFrame({ srcMac: this.mac, dstMac, srcIp: this.ip, dstIp: ip, type: ICMP.ECHO_REQUEST, id, seq, data }));
      result.sent++;
      const d = await reply;
      if (!d) continue;
      if (!d.icmp!.data.equals(data) || !d.icmp!.checksumOk) {
        result.corrupted++;
        continue;
      }
      result.received++;
      result.replies.push({ seq, rttMs: performance.now() - t0, ttl: d.ip!.ttl });
    }
    return result;
  }

  // ------------------------------------------------------------ UDP

  /** Handles UDP to the peer's address (or broadcast) on `port`; returns a function that removes the handler. */
  onUdp(port: number, handler: UdpHandler): () => void {
    if (this.udpHandlers.has(port)) throw new Error(`net peer: UDP port ${port} already has a handler`);
    this.udpHandlers.set(port, handler);
    return () => {
      if (this.udpHandlers.get(port) === handler) this.udpHandlers.delete(port);
    };
  }

  /**
   * The UDP echo test: sends o.count datagrams to the guest's echo port and
   * checks what comes back. Each payload is [seq u32][first 4 bytes of
   * SHA-256(seq, rest)][random rest].
   */
  async udpEcho(o: UdpEchoOptions): Promise<UdpEchoReport> {
    const minSize = Math.max(8, o.minSize ?? 8);
    const maxSize = Math.min(UDP_MAX_PAYLOAD, o.maxSize ?? UDP_MAX_PAYLOAD);
    if (minSize > maxSize) throw new Error(`udpEcho: minSize ${minSize} > maxSize ${maxSize}`);
    const window = Math.max(1, o.window ?? 8);
    const lossTimeoutMs = o.lossTimeoutMs ?? 3_000;
    const srcPort = o.srcPort ?? 50_000;
    const random = xorshift(o.seed ?? 1);
    const dstMac = await this.resolve(o.ip);
    const sent = new Map<number, { payload: Buffer; at: number }>();
    const got = new Set<number>();
    const rtts: number[] = [];
    const report: UdpEchoReport = { sent: 0, received: 0, lost: 0, corrupted: 0, duplicated: 0, reordered: 0, misaddressed: 0, lostSeqs: [], bytesSent: 0, bytesReceived: 0, elapsedMs: 0, rttMs: { min: 0, median: 0, max: 0 } };
    let highest = -1;
    const signal = new Signal();
    const off = this.onUdp(srcPort, (u) => {
      if (u.srcIp !== o.ip || u.srcPort !== o.port) {
        report.misaddressed++;
        return;
      }
      report.bytesReceived += u.payload.length;
      const seq = u.payload.length >= 8 ? u.payload.readUInt32BE(0) : -1;
      const mine = sent.get(seq);
      if (!mine || !mine.payload.equals(u.payload) || !echoPayloadOk(u.payload)) {
        report.corrupted++;
        return;
      }
      if (got.has(seq)) {
        report.duplicated++;
        return;
      }
      got.add(seq);
      rtts.push(performance.now() - mine.at);
      if (seq < highest) report.reordered++;
      highest = Math.max(highest, seq);
      signal.notify();
    });
    const start = performance.now();
    const inFlight = (now: number): number => {
      let n = 0;
      for (const [seq, s] of sent) if (!got.has(seq) && now - s.at < lossTimeoutMs) n++;
      return n;
    };
    /** When the oldest datagram in flight expires (or now + lossTimeoutMs). */
    const nextExpiry = (now: number): number => {
      let t = now + lossTimeoutMs;
      for (const [seq, s] of sent) if (!got.has(seq) && now - s.at < lossTimeoutMs) t = Math.min(t, s.at + lossTimeoutMs);
      return t;
    };
    try {
      for (let seq = 0; seq < o.count; seq++) {
        for (let now = performance.now(); inFlight(now) >= window; now = performance.now()) await signal.wait(nextExpiry(now) - now);
        if (o.ratePerSecond) await sleepUntil(start + (seq * 1000) / o.ratePerSecond);
        const size = seq === 0 ? maxSize : seq === 1 ? minSize : minSize + Math.floor(random() * (maxSize - minSize + 1));
        const payload = echoPayload(seq, size, random);
        sent.set(seq, { payload, at: performance.now() });
        report.sent++;
        report.bytesSent += size;
        this.send(udpFrame({ srcMac: this.mac, dstMac, srcIp: this.ip, dstIp: o.ip, srcPort, dstPort: o.port, payload }));
      }
      for (let now = performance.now(); inFlight(now) > 0; now = performance.now()) await signal.wait(nextExpiry(now) - now);
    } finally {
      off();
    }
    report.received = got.size;
    report.lostSeqs = [...sent.keys()].filter((s) => !got.has(s));
    report.lost = report.lostSeqs.length;
    report.elapsedMs = performance.now() - start;
    rtts.sort((a, b) => a - b);
    if (rtts.length) report.rttMs = { min: rtts[0]!, median: rtts[rtts.length >> 1]!, max: rtts[rtts.length - 1]! };
    return report;
  }

  // ------------------------------------------------------------ corpus

  /**
   * Sends the entries' frames in order, at most ratePerSecond frames a second
   * (default 1000), calling after(entry) once each entry is sent (e.g. a ping
   * to the guest as a barrier, or a read of its counters). Returns the frames
   * sent per reason.
   */
  async sendCorpus(entries: readonly CorpusEntry[], o: { ratePerSecond?: number; after?: (e: CorpusEntry) => Promise<void> | void } = {}): Promise<Map<DropReason, number>> {
    const gap = 1000 / (o.ratePerSecond ?? 1000);
    let due = performance.now();
    for (const e of entries) {
      for (const f of e.frames) {
        await sleepUntil(due);
        due = Math.max(due, performance.now()) + gap;
        this.send(f);
      }
      await o.after?.(e);
    }
    return corpusCounts(entries);
  }

  // ------------------------------------------------------------ clock

  /** Sets the peer's clock (what its SNTP server says) to `unixMs` now; it runs on with the host's monotonic clock. */
  setTime(unixMs: number): void {
    this.monoBaseNs = process.hrtime.bigint();
    this.clockBaseNs = nsFromMs(unixMs);
  }

  /** The peer's clock, Unix ns. */
  nowNs(): bigint {
    return this.clockAt(process.hrtime.bigint());
  }

  /** The peer's clock at a host monotonic time (process.hrtime.bigint()). */
  private clockAt(monoNs: bigint): bigint {
    return this.clockBaseNs + (monoNs - this.monoBaseNs);
  }

  /** The peer's clock, Unix ms. */
  time(): number {
    return Number(this.nowNs() / 1000n) / 1000;
  }

  /** NAKs the next n DHCP REQUESTs. */
  nakNext(n = 1): void {
    this.nakCount += n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    this.emit("close");
  }

  // ------------------------------------------------------------ receiving

  private remember(dir: string, frame: Uint8Array): void {
    this.recent.push(`${dir} ${describeFrame(frame)}`);
    if (this.recent.length > 200) this.recent.shift();
  }

  private receive(frame: Buffer, rinfo: dgram.RemoteInfo): void {
    const atNs = process.hrtime.bigint();
    if (rinfo.address !== "127.0.0.1" || rinfo.port !== this.guestPort) {
      this.stats.foreign++;
      this.emit("foreign", frame, rinfo);
      return;
    }
    this.stats.framesIn++;
    this.stats.bytesIn += frame.length;
    this.remember("<", frame);
    this.emit("in", frame);
    const reason = classifyFrame(frame, null);
    if (reason) this.malformed.push({ frame, reason });
    const d = reason ? null : decodeFrame(frame);
    this.emit("frame", frame, d);
    if (!d) return;
    if (d.arp) return this.handleArp(d);
    if (!d.ip) return;
    if (d.ip.src !== ANY_IP && sameSubnet(d.ip.src, this.ip, this.netmask)) this.arpCache.set(d.ip.src, d.eth.src);
    const forUs = d.ip.dst === this.ip || d.ip.dst === BROADCAST_IP || d.ip.dst === subnetBroadcast(this.ip, this.netmask);
    if (!forUs) return;
    if (d.icmp?.type === ICMP.ECHO_REQUEST && d.ip.dst === this.ip) {
      this.stats.echoRequests++;
      this.send(icmpFrame({ srcMac: this.mac, dstMac: d.eth.src, srcIp: this.ip, dstIp: d.ip.src, type: ICMP.ECHO_REPLY, id: d.icmp.id, seq: d.icmp.seq, data: d.icmp.data }));
      return;
    }
    if (d.icmp?.type === ICMP.ECHO_REPLY) this.stats.echoReplies++;
    if (d.udp) {
      const handler = this.udpHandlers.get(d.udp.dstPort);
      if (handler) handler({ srcMac: d.eth.src, srcIp: d.ip.src, dstIp: d.ip.dst, srcPort: d.udp.srcPort, dstPort: d.udp.dstPort, payload: d.udp.payload, decoded: d, atNs });
      else if (d.ip.dst === this.ip) this.portUnreachable(d.eth.src, d.ip);
    }
  }

  private handleArp(d: Decoded): void {
    const a = d.arp!;
    if (a.op === ARP_REQUEST) this.stats.arpRequests++;
    else if (a.op === ARP_REPLY) this.stats.arpReplies++;
    if (a.spa !== ANY_IP) this.arpCache.set(a.spa, a.sha);
    this.emit("arp", a);
    if (a.op === ARP_REQUEST && a.tpa === this.ip) this.send(arpFrame({ op: ARP_REPLY, sha: this.mac, spa: this.ip, tha: a.sha, tpa: a.spa, dstMac: a.sha }));
  }

  private portUnreachable(dstMac: string, ip: Ipv4): void {
    this.stats.portUnreachableSent++;
    const quoted = Buffer.concat([ip.header, ip.payload.subarray(0, 8)]);
    this.send(icmpFrame({ srcMac: this.mac, dstMac, srcIp: this.ip, dstIp: ip.src, type: ICMP.UNREACHABLE, code: ICMP_PORT_UNREACHABLE, data: quoted }));
  }

  // ------------------------------------------------------------ DHCP server

  private pool(): string[] {
    const net = ipNumber(this.ip) & ipNumber(this.netmask);
    const [first, last] = this.dhcp?.pool ?? [ipFromNumber((net | 15) >>> 0), ipFromNumber((net | 30) >>> 0)];
    const out: string[] = [];
    for (let n = ipNumber(first); n <= ipNumber(last); n++) out.push(ipFromNumber(n));
    return out;
  }

  private addressFor(client: string, requested: string | null): string | null {
    const taken = new Set([...this.leases.values()].filter((l) => l.client !== client && l.expiresAt > performance.now()).map((l) => l.ip));
    const free = (ip: string): boolean => !taken.has(ip) && !this.declined.has(ip);
    const pool = this.pool();
    const mine = this.leases.get(client);
    if (mine && free(mine.ip)) return mine.ip;
    if (requested && pool.includes(requested) && free(requested)) return requested;
    return pool.find(free) ?? null;
  }

  private serveDhcp(u: UdpArrival): void {
    const config = this.dhcp;
    if (!config) return;
    const d = u.decoded.dhcp;
    const name = d ? (DHCP_TYPE_NAMES[d.type ?? 0] ?? `type ${d.type}`) : "malformed";
    this.stats.dhcp[name] = (this.stats.dhcp[name] ?? 0) + 1;
    if (!d || d.op !== BOOTREQUEST || d.htype !== 1 || d.hlen !== 6 || config.silent) return;
    const cid = d.options.get(DHCPOPT.CLIENT_ID);
    const client = cid ? cid.toString("hex") : d.chaddr;
    const requested = optionIp(d, DHCPOPT.REQUESTED_IP);
    const serverId = optionIp(d, DHCPOPT.SERVER_ID);
    const leaseSeconds = config.leaseSeconds ?? 3600;
    let replyType: number | null = null;
    let yiaddr = ANY_IP;
    switch (d.type) {
      case DHCP.DISCOVER: {
        const ip = this.addressFor(client, requested);
        if (!ip) break; // pool exhausted: no offer
        this.leases.set(client, { client, mac: d.chaddr, ip, state: "offered", expiresAt: performance.now() + 60_000 });
        yiaddr = ip;
        replyType = DHCP.OFFER;
        break;
      }
      case DHCP.REQUEST: {
        if (serverId && serverId !== this.ip) {
          // The client took another server's offer.
          if (this.leases.get(client)?.state === "offered") this.leases.delete(client);
          break;
        }
        const want = requested ?? (d.ciaddr !== ANY_IP ? d.ciaddr : null);
        const lease = this.leases.get(client);
        // SELECTING, INIT-REBOOT, RENEWING alike: the address must be the client's lease, or (no lease) free in the pool.
        const forced = this.nakCount > 0 || !!config.nak?.(d);
        const ok = !!want && sameSubnet(want, this.ip, this.netmask) && (lease ? lease.ip === want : this.addressFor(client, want) === want);
        if (forced || !ok) {
          if (this.nakCount > 0) this.nakCount--;
          this.leases.delete(client);
          replyType = DHCP.NAK;
          break;
        }
        const bound: Lease = { client, mac: d.chaddr, ip: want!, state: "bound", expiresAt: performance.now() + leaseSeconds * 1000 };
        this.leases.set(client, bound);
        yiaddr = want!;
        replyType = DHCP.ACK;
        break;
      }
      case DHCP.DECLINE: {
        if (requested) this.declined.add(requested);
        this.leases.delete(client);
        break;
      }
      case DHCP.RELEASE: {
        if (this.leases.get(client)?.ip === d.ciaddr) this.leases.delete(client);
        break;
      }
      case DHCP.INFORM: {
        replyType = DHCP.ACK;
        break;
      }
    }
    if (replyType === null) return;
    const options: Array<[number, Uint8Array]> = [
      [DHCPOPT.MESSAGE_TYPE, Buffer.from([replyType])],
      [DHCPOPT.SERVER_ID, ipBytes(this.ip)],
    ];
    if (replyType === DHCP.NAK) options.push([DHCPOPT.MESSAGE, Buffer.from("address not yours")]);
    else {
      if (d.type !== DHCP.INFORM) {
        options.push([DHCPOPT.LEASE_TIME, u32Bytes(leaseSeconds)], [DHCPOPT.RENEWAL_TIME, u32Bytes(Math.floor(leaseSeconds / 2))], [DHCPOPT.REBINDING_TIME, u32Bytes(Math.floor((leaseSeconds * 7) / 8))]);
      }
      options.push([DHCPOPT.SUBNET_MASK, ipBytes(this.netmask)], [DHCPOPT.BROADCAST, ipBytes(subnetBroadcast(this.ip, this.netmask))]);
      const router = config.router === undefined ? this.ip : config.router;
      if (router) options.push([DHCPOPT.ROUTER, ipBytes(router)]);
      if (config.dns?.length) options.push([DHCPOPT.DNS, Buffer.concat(config.dns.map(ipBytes))]);
    }
    const nak = replyType === DHCP.NAK;
    const reply = buildDhcp({ op: BOOTREPLY, xid: d.xid, flags: d.flags, ciaddr: nak ? ANY_IP : d.ciaddr, yiaddr, siaddr: nak ? ANY_IP : this.ip, giaddr: d.giaddr, chaddr: d.chaddr, options });
    // Where the reply goes (RFC 2131 4.1; no relays here).
    let dstIp: string;
    let dstMac: string;
    if (nak || config.broadcast || (d.ciaddr === ANY_IP && d.flags & DHCP_BROADCAST_FLAG)) {
      dstIp = BROADCAST_IP;
      dstMac = BROADCAST_MAC;
    } else if (d.ciaddr !== ANY_IP) {
      dstIp = d.ciaddr;
      dstMac = u.srcMac;
    } else {
      dstIp = yiaddr;
      dstMac = d.chaddr;
    }
    this.stats.dhcp[`sent ${DHCP_TYPE_NAMES[replyType]}`] = (this.stats.dhcp[`sent ${DHCP_TYPE_NAMES[replyType]}`] ?? 0) + 1;
    this.send(udpFrame({ srcMac: this.mac, dstMac, srcIp: this.ip, dstIp, srcPort: DHCP_SERVER_PORT, dstPort: DHCP_CLIENT_PORT, payload: reply }));
    this.emit("dhcp", { request: d, replyType });
    if (replyType === DHCP.ACK && d.type === DHCP.REQUEST) this.emit("lease", this.leases.get(client));
  }

  // ------------------------------------------------------------ SNTP server

  private serveNtp(u: UdpArrival): void {
    const receiveNs = this.clockAt(u.atNs);
    const config = this.ntp;
    if (!config || u.dstIp !== this.ip) return;
    this.stats.ntpRequests++;
    const req = u.decoded.ntp;
    if (!req || req.mode !== NTP_MODE.CLIENT || config.silent) return;
    const refId = Buffer.alloc(4);
    Buffer.from(config.kiss ?? config.refId ?? "GPS", "latin1").copy(refId, 0, 0, 4);
    const transmitNs = this.nowNs();
    const reply: Partial<Ntp> & Pick<Ntp, "mode"> = {
      leap: config.kiss ? 3 : (config.leap ?? 0),
      version: req.version >= 1 && req.version <= 4 ? req.version : 4,
      mode: NTP_MODE.SERVER,
      stratum: config.kiss ? 0 : (config.stratum ?? 1),
      poll: req.poll,
      precision: config.precision ?? -20,
      rootDelay: 0,
      rootDispersion: 0x0000_0010, // about 0.24 ms
      refId,
      reference: config.kiss ? 0n : ntpFromUnixNs(receiveNs - 16_000_000_000n),
      originate: config.badOriginate ? req.transmit ^ 0x1_0000_0000n : req.transmit,
      receive: config.kiss ? 0n : ntpFromUnixNs(receiveNs),
      transmit: config.kiss ? 0n : ntpFromUnixNs(transmitNs),
    };
    this.emit("ntp", { request: req, reply });
    void this.sendUdp({ dstIp: u.srcIp, dstMac: u.srcMac, srcPort: NTP_PORT, dstPort: u.srcPort, payload: buildNtp(reply) });
  }
}

// ------------------------------------------------------------ helpers

/** Pacing: resolves once performance.now() has reached `t` (timers may fire a little early: it waits again). */
async function sleepUntil(t: number): Promise<void> {
  for (let now = performance.now(); now < t; now = performance.now()) await new Promise((r) => setTimeout(r, t - now));
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function echoTag(payload: Buffer): Buffer {
  return createHash("sha256").update(payload.subarray(0, 4)).update(payload.subarray(8)).digest().subarray(0, 4);
}

/** A UDP echo test payload: [seq u32][tag: SHA-256 of seq and the rest, 4 bytes][random bytes], `size` bytes (at least 8). */
export function echoPayload(seq: number, size: number, random: () => number): Buffer {
  const p = Buffer.alloc(Math.max(8, size));
  p.writeUInt32BE(seq >>> 0, 0);
  for (let i = 8; i < p.length; i++) p[i] = Math.floor(random() * 256);
  echoTag(p).copy(p, 4);
  return p;
}

/** Whether a payload's tag matches its sequence number and bytes. */
export function echoPayloadOk(p: Buffer): boolean {
  return p.length >= 8 && echoTag(p).equals(p.subarray(4, 8));
}
