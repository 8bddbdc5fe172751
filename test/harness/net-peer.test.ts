/**
 * The network test peer (net-peer.ts) and its frames (net-frames.ts,
 * net-corpus.ts), without QEMU: a tiny guest in TypeScript, made of the same
 * frame helpers, sits on QEMU's side of the 127.0.0.1 cable and does what the
 * CambiOS stack will (DHCP, ARP, ping, SNTP, UDP echo), with faults injected
 * where the peer must count them; every corpus frame is checked to be what its
 * label says; the frame helpers are checked against known answers and a
 * reference checksum; `--net` parsing and QEMU's arguments.
 */
import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { NET_MAC, NET_SLOT, netArgs, parseNet, qemuVersion } from "../../compiler/build/qemu.js";
import { DROP_REASONS, FIELD, classifyFrame, corpusBaseFrames, corpusCounts, malformedCorpus, type CorpusContext, type DropReason } from "./net-corpus.js";
import {
  ARP_REPLY,
  ARP_REQUEST,
  BOOTREQUEST,
  BROADCAST_IP,
  BROADCAST_MAC,
  DHCP,
  DHCP_BROADCAST_FLAG,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DHCPOPT,
  ICMP,
  ICMP_PORT_UNREACHABLE,
  NTP_MODE,
  NTP_PORT,
  arpFrame,
  buildDhcp,
  buildIpv4,
  buildNtp,
  decodeFrame,
  icmpFrame,
  internetChecksum,
  ipBytes,
  ntpFromUnixMs,
  ntpFromUnixNs,
  optionIp,
  optionIps,
  optionU32,
  parseDhcp,
  parseIpv4,
  udpFrame,
  unixMsFromNtp,
  unixNsFromNtp,
  type Decoded,
  type Dhcp,
  type Ntp,
} from "./net-frames.js";
import { NetPeer, echoPayloadOk } from "./net-peer.js";

const GUEST_MAC = NET_MAC;

interface EchoFaults {
  drop?: (seq: number) => boolean;
  corrupt?: (seq: number) => boolean;
  duplicate?: (seq: number) => boolean;
  /** Hold this datagram's echo until the next one has been echoed. */
  holdBack?: (seq: number) => boolean;
  /** Also echo it from another port (a misaddressed reply). */
  fromOtherPort?: (seq: number) => boolean;
}

/**
 * QEMU's side of the cable, in TypeScript: a host with a MAC, an address from
 * DHCP, an ARP responder, ping both ways, an SNTP client and a UDP echo
 * server on port 7 (with faults on demand).
 */
class MiniGuest {
  ip = "0.0.0.0";
  /** Every frame received, in order. */
  readonly received: Buffer[] = [];
  readonly arp = new Map<string, string>();
  faults: EchoFaults = {};
  private listeners: Array<(f: Buffer, d: Decoded | null) => void> = [];
  private held: Buffer | null = null;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly peerPort: number,
    readonly mac: string,
  ) {
    socket.on("message", (f) => this.receive(f));
  }

  static async attach(peer: NetPeer, mac = GUEST_MAC): Promise<MiniGuest> {
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => socket.bind(peer.guestPort, "127.0.0.1", resolve));
    return new MiniGuest(socket, peer.peerPort, mac);
  }

  send(frame: Buffer): void {
    this.socket.send(frame, this.peerPort, "127.0.0.1");
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** The next frame (from now on) probe answers for. */
  next<T>(probe: (d: Decoded, f: Buffer) => T | undefined, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const l = (f: Buffer, d: Decoded | null): void => {
        const got = d ? probe(d, f) : undefined;
        if (got === undefined) return;
        done();
        resolve(got);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error("mini guest: timed out"));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((x) => x !== l);
      };
      this.listeners.push(l);
    });
  }

  private receive(f: Buffer): void {
    this.received.push(f);
    const d = decodeFrame(f);
    for (const l of [...this.listeners]) l(f, d);
    if (!d || classifyFrame(f, { mac: this.mac, ip: this.ip, openUdpPorts: [7, DHCP_CLIENT_PORT, 50123] }) !== null) return;
    if (d.arp) {
      this.arp.set(d.arp.spa, d.arp.sha);
      if (d.arp.op === ARP_REQUEST) this.send(arpFrame({ op: ARP_REPLY, sha: this.mac, spa: this.ip, tha: d.arp.sha, tpa: d.arp.spa }));
      return;
    }
    if (d.icmp?.type === ICMP.ECHO_REQUEST)
      this.send(icmpFrame({ srcMac: this.mac, dstMac: d.eth.src, srcIp: this.ip, dstIp: d.ip!.src, type: ICMP.ECHO_REPLY, id: d.icmp.id, seq: d.icmp.seq, data: d.icmp.data }));
    if (d.udp?.dstPort === 7) this.echo(d);
  }

  private echo(d: Decoded): void {
    const payload = Buffer.from(d.udp!.payload);
    const seq = payload.length >= 4 ? payload.readUInt32BE(0) : -1;
    const f = this.faults;
    if (f.drop?.(seq)) return;
    if (f.corrupt?.(seq)) payload[payload.length - 1]! ^= 0x40;
    const reply = (srcPort: number): Buffer =>
      udpFrame({ srcMac: this.mac, dstMac: d.eth.src, srcIp: this.ip, dstIp: d.ip!.src, srcPort, dstPort: d.udp!.srcPort, payload });
    if (f.fromOtherPort?.(seq)) this.send(reply(8));
    if (f.holdBack?.(seq)) {
      this.held = reply(7);
      return;
    }
    this.send(reply(7));
    if (f.duplicate?.(seq)) this.send(reply(7));
    if (this.held) {
      this.send(this.held);
      this.held = null;
    }
  }

  /** DISCOVER, OFFER, REQUEST, ACK; the address is the guest's from then on. */
  async dhcp(o: { xid?: number; broadcastFlag?: boolean; requested?: string } = {}): Promise<{ offer: Dhcp; ack: Dhcp }> {
    const xid = o.xid ?? 0x1234abcd;
    const flags = o.broadcastFlag ? DHCP_BROADCAST_FLAG : 0;
    const reply = (type: number): Promise<Dhcp> => this.next((d) => (d.dhcp?.xid === xid && d.dhcp.type === type ? d.dhcp : undefined));
    const offered = reply(DHCP.OFFER);
    this.sendDhcp({ xid, flags, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.DISCOVER])], ...(o.requested ? ([[DHCPOPT.REQUESTED_IP, ipBytes(o.requested)]] as Array<[number, Buffer]>) : [])] });
    const offer = await offered;
    const acked = reply(DHCP.ACK);
    this.sendDhcp({
      xid,
      flags,
      options: [
        [DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.REQUEST])],
        [DHCPOPT.REQUESTED_IP, ipBytes(offer.yiaddr)],
        [DHCPOPT.SERVER_ID, ipBytes(optionIp(offer, DHCPOPT.SERVER_ID)!)],
      ],
    });
    const ack = await acked;
    this.ip = ack.yiaddr;
    return { offer, ack };
  }

  /** A DHCP request from 0.0.0.0:68 to 255.255.255.255:67. */
  sendDhcp(o: { xid: number; flags?: number; ciaddr?: string; options: Array<[number, Uint8Array]> }): void {
    const payload = buildDhcp({ op: BOOTREQUEST, xid: o.xid, chaddr: this.mac, flags: o.flags ?? 0, ciaddr: o.ciaddr ?? "0.0.0.0", options: o.options });
    const src = o.ciaddr ?? "0.0.0.0";
    this.send(udpFrame({ srcMac: this.mac, dstMac: BROADCAST_MAC, srcIp: src, dstIp: BROADCAST_IP, srcPort: DHCP_CLIENT_PORT, dstPort: DHCP_SERVER_PORT, payload }));
  }

  /** An SNTP query (RFC 4330 section 5): the reply, and the local clock when sent and received (Unix ns). */
  async sntp(server: string, serverMac: string): Promise<{ reply: Ntp; t1: bigint; t4: bigint }> {
    const t1 = BigInt(Date.now()) * 1_000_000n;
    const transmit = ntpFromUnixNs(t1);
    const got = this.next((d) => (d.ntp && d.udp?.dstPort === 50123 ? d.ntp : undefined));
    this.send(udpFrame({ srcMac: this.mac, dstMac: serverMac, srcIp: this.ip, dstIp: server, srcPort: 50123, dstPort: NTP_PORT, payload: buildNtp({ mode: NTP_MODE.CLIENT, version: 4, transmit }) }));
    const reply = await got;
    return { reply, t1, t4: BigInt(Date.now()) * 1_000_000n };
  }
}

let peer: NetPeer | undefined;
let guest: MiniGuest | undefined;
afterEach(async () => {
  await guest?.close();
  await peer?.close();
  guest = undefined;
  peer = undefined;
});

async function cable(o: Parameters<typeof NetPeer.start>[0] = {}): Promise<{ p: NetPeer; g: MiniGuest }> {
  const p = (peer = await NetPeer.start(o));
  const g = (guest = await MiniGuest.attach(p));
  return { p, g };
}

describe("frame helpers", () => {
  it("the Internet checksum agrees with a reference sum over any split of the bytes, and with a known header", () => {
    // RFC 1071 by the book: 16-bit words (odd byte padded), end-around carry, complement.
    const reference = (b: Buffer): number => {
      let sum = 0n;
      for (let i = 0; i < b.length; i += 2) sum += BigInt((b[i]! << 8) | (b[i + 1] ?? 0));
      while (sum > 0xffffn) sum = (sum & 0xffffn) + (sum >> 16n);
      return Number(~sum & 0xffffn);
    };
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let t = 0; t < 500; t++) {
      const b = Buffer.from(Array.from({ length: rnd(200) }, () => (rnd(3) === 0 ? 0xff : rnd(256))));
      const cut1 = rnd(b.length + 1);
      const cut2 = cut1 + rnd(b.length - cut1 + 1);
      expect(internetChecksum(b.subarray(0, cut1), b.subarray(cut1, cut2), b.subarray(cut2))).toBe(reference(b));
    }
    // The IPv4 header of Wikipedia's "IPv4 header checksum" example.
    const h = Buffer.from("450000730000400040110000c0a80001c0a800c7", "hex");
    expect(internetChecksum(h).toString(16)).toBe("b861");
    const built = buildIpv4({ src: "192.168.0.1", dst: "192.168.0.199", protocol: 17, flags: 2, payload: Buffer.alloc(0x73 - 20) });
    expect(built.subarray(0, 20).toString("hex")).toBe("45000073000040004011b861c0a80001c0a800c7");
    expect(parseIpv4(built)?.checksumOk).toBe(true);
  });

  it("NTP timestamps: the Unix epoch, the 2036 era boundary, round trips", () => {
    expect(ntpFromUnixMs(0) >> 32n).toBe(2_208_988_800n);
    expect(unixMsFromNtp(2_208_988_800n << 32n)).toBe(0);
    // Era 1 starts 2036-02-07T06:28:16Z: NTP seconds wrap to 0.
    const era1 = Date.UTC(2036, 1, 7, 6, 28, 16);
    expect(ntpFromUnixMs(era1)).toBe(0n);
    expect(unixMsFromNtp(0n)).toBe(era1);
    expect(unixMsFromNtp(ntpFromUnixMs(era1 - 1000))).toBe(era1 - 1000);
    for (const ms of [Date.UTC(1990, 0, 1), Date.UTC(2025, 5, 1, 12, 0, 0, 250), Date.UTC(2099, 11, 31, 23, 59, 59)]) expect(unixMsFromNtp(ntpFromUnixMs(ms))).toBe(ms);
    // The fraction: half a second is 0x80000000.
    expect(ntpFromUnixNs(500_000_000n) & 0xffffffffn).toBe(0x80000000n);
    for (const ns of [0n, 1n, 999_999_999n, 1_700_000_000_123_456_789n, 2_085_978_495_999_999_999n, 2_085_978_496_000_000_001n]) expect(unixNsFromNtp(ntpFromUnixNs(ns))).toBe(ns);
  });

  it("DHCP: build and parse round trip; split options join; PAD skipped; no END or an overrun is refused", () => {
    const b = buildDhcp({ op: 2, xid: 0xdeadbeef, chaddr: GUEST_MAC, yiaddr: "10.0.2.15", flags: 0x8000, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.ACK])], [DHCPOPT.DNS, ipBytes("1.1.1.1")], [DHCPOPT.DNS, ipBytes("9.9.9.9")], [DHCPOPT.LEASE_TIME, Buffer.from([0, 0, 0x0e, 0x10])]] });
    expect(b.length).toBe(300);
    const d = parseDhcp(b)!;
    expect(d).toMatchObject({ op: 2, xid: 0xdeadbeef, chaddr: GUEST_MAC, yiaddr: "10.0.2.15", flags: 0x8000, type: DHCP.ACK });
    expect(optionIps(d, DHCPOPT.DNS)).toEqual(["1.1.1.1", "9.9.9.9"]);
    expect(optionU32(d, DHCPOPT.LEASE_TIME)).toBe(3600);
    const padded = Buffer.concat([b.subarray(0, 240), Buffer.from([0, 0, 53, 1, 1, 255])]);
    expect(parseDhcp(padded)?.type).toBe(DHCP.DISCOVER);
    expect(parseDhcp(Buffer.concat([b.subarray(0, 240), Buffer.from([53, 1, 1, 0, 0])]))).toBeNull();
    expect(parseDhcp(Buffer.concat([b.subarray(0, 240), Buffer.from([53, 5, 1, 255])]))).toBeNull();
  });
});

describe("the malformed-frame corpus", () => {
  const ctx: CorpusContext = {
    guest: { mac: GUEST_MAC, ip: "10.0.2.15", openUdpPorts: [7, DHCP_CLIENT_PORT] },
    peer: { mac: "52:54:00:fe:00:01", ip: "10.0.2.2" },
    udpPort: 7,
  };
  const corpus = malformedCorpus(ctx);

  it("has at least 200 labelled kinds, every reason, no empty frame; the same corpus each time", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.map((e) => e.label)).size).toBe(corpus.length);
    expect(new Set(corpus.map((e) => e.reason))).toEqual(new Set(Object.keys(DROP_REASONS)));
    for (const e of corpus) for (const f of e.frames) expect(f.length, e.label).toBeGreaterThan(0);
    expect(malformedCorpus(ctx).map((e) => Buffer.concat(e.frames).toString("hex"))).toEqual(corpus.map((e) => Buffer.concat(e.frames).toString("hex")));
    // Without a DHCP client listening, its 13 DHCP kinds go, the rest stay.
    const noDhcp = malformedCorpus({ ...ctx, guest: { ...ctx.guest, openUdpPorts: [7] } });
    expect(noDhcp.some((e) => e.reason === "dhcp-malformed")).toBe(false);
    expect(noDhcp.length).toBeGreaterThanOrEqual(200);
  });

  it("the frames they were made from are ordinary traffic for the guest", () => {
    for (const f of corpusBaseFrames(ctx)) expect(classifyFrame(f, ctx.guest)).toBeNull();
    for (const e of corpus) if (e.base) expect(classifyFrame(e.base, ctx.guest), e.label).toBeNull();
  });

  it("every frame is dropped for the reason its label gives", () => {
    const wrong = corpus.flatMap((e) => e.frames.map((f) => [e.label, e.reason, classifyFrame(f, ctx.guest)] as const)).filter(([, want, got]) => want !== got);
    expect(wrong).toEqual([]);
  });

  it("truncations are prefixes of a valid frame; field damage touches only the fields named", () => {
    for (const e of corpus) {
      if (e.damage === "truncated") {
        expect(e.frames[0]!.length, e.label).toBeLessThan(e.base!.length);
        expect(e.base!.subarray(0, e.frames[0]!.length).equals(e.frames[0]!), e.label).toBe(true);
      }
      if (e.damage === "fields") {
        const f = e.frames[0]!;
        expect(f.length, e.label).toBe(e.base!.length);
        const differing = [...f.keys()].filter((i) => f[i] !== e.base![i]);
        expect(differing.length, `${e.label}: no byte changed`).toBeGreaterThan(0);
        for (const i of differing) expect(e.fields!.some(([a, b]) => i >= a && i < b), `${e.label}: byte ${i} changed outside ${JSON.stringify(e.fields)}`).toBe(true);
      }
    }
    // Every header boundary of the UDP frame up to its payload is a truncation, and the frame's every byte count inside the Ethernet header.
    const cuts = new Set(corpus.filter((e) => e.damage === "truncated" && e.base?.length === 60).map((e) => e.frames[0]!.length));
    for (const n of [1, 6, 12, 13, 14, 15, 16, 18, 20, 22, 23, 24, 26, 30, 34, 36, 38, 40, 42]) expect(cuts.has(n), `cut at ${n}`).toBe(true);
  });

  it("bad-checksum frames have a wrong checksum of their layer and are valid once it is recomputed", () => {
    const layer: Partial<Record<DropReason, { field: readonly [number, number]; sum: (f: Buffer) => Buffer[] }>> = {
      "ip-checksum": { field: FIELD.ipChecksum, sum: (f) => [f.subarray(14, 34)] },
      "icmp-checksum": { field: FIELD.icmpChecksum, sum: (f) => [f.subarray(34, 14 + f.readUInt16BE(16))] },
      "udp-checksum": {
        field: FIELD.udpChecksum,
        sum: (f) => [Buffer.concat([f.subarray(26, 34), Buffer.from([0, 17]), f.subarray(38, 40)]), f.subarray(34, 14 + f.readUInt16BE(16))],
      },
    };
    let n = 0;
    for (const e of corpus) {
      const l = layer[e.reason];
      if (!l) continue;
      const f = Buffer.from(e.frames[0]!);
      const stated = f.readUInt16BE(l.field[0]);
      f.writeUInt16BE(0, l.field[0]);
      const right = internetChecksum(...l.sum(f));
      expect(stated === right || (e.reason === "udp-checksum" && right === 0 && stated === 0xffff), `${e.label}: the checksum is right`).toBe(false);
      f.writeUInt16BE(e.reason === "udp-checksum" && right === 0 ? 0xffff : right, l.field[0]);
      expect(classifyFrame(f, ctx.guest), `${e.label} with its checksum recomputed`).toBeNull();
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(18);
  });

  it("corpusCounts counts frames per reason (storms and fragment pairs count each frame)", () => {
    const counts = corpusCounts(corpus);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(corpus.reduce((a, e) => a + e.frames.length, 0));
    expect(counts.get("arp-not-for-us")).toBeGreaterThanOrEqual(64 + 32);
  });
});

describe("the peer and a TypeScript guest on a 127.0.0.1 cable", () => {
  it("DHCP: offer and acknowledge an address from the pool with mask, router, DNS and lease time; a second client gets another", async () => {
    const { p, g } = await cable({ dhcp: { pool: ["10.0.2.40", "10.0.2.41"], dns: ["10.0.2.3"], leaseSeconds: 600 } });
    const leased = p.waitForLease(GUEST_MAC);
    const { offer, ack } = await g.dhcp();
    expect(offer.yiaddr).toBe("10.0.2.40");
    expect(ack.yiaddr).toBe("10.0.2.40");
    expect(optionIp(ack, DHCPOPT.SUBNET_MASK)).toBe("255.255.255.0");
    expect(optionIp(ack, DHCPOPT.ROUTER)).toBe(p.ip);
    expect(optionIp(ack, DHCPOPT.SERVER_ID)).toBe(p.ip);
    expect(optionIps(ack, DHCPOPT.DNS)).toEqual(["10.0.2.3"]);
    expect(optionU32(ack, DHCPOPT.LEASE_TIME)).toBe(600);
    expect(optionU32(ack, DHCPOPT.RENEWAL_TIME)).toBe(300);
    expect(optionU32(ack, DHCPOPT.REBINDING_TIME)).toBe(525);
    expect(await leased).toMatchObject({ mac: GUEST_MAC, ip: "10.0.2.40", state: "bound" });
    // The same client again: the same address.
    expect((await g.dhcp({ xid: 2 })).ack.yiaddr).toBe("10.0.2.40");
    // Unicast to the new address without the broadcast flag; broadcast with it.
    const withFlag = g.next((d) => (d.dhcp?.xid === 3 ? d : undefined));
    g.sendDhcp({ xid: 3, flags: DHCP_BROADCAST_FLAG, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.DISCOVER])]] });
    expect((await withFlag).ip!.dst).toBe(BROADCAST_IP);
    const withoutFlag = g.next((d) => (d.dhcp?.xid === 4 ? d : undefined));
    g.sendDhcp({ xid: 4, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.DISCOVER])]] });
    const unicast = await withoutFlag;
    expect([unicast.ip!.dst, unicast.eth.dst]).toEqual(["10.0.2.40", GUEST_MAC]);
    // Another client (another MAC) on the same cable gets the other address; then the pool is empty.
    await g.close();
    const g2 = (guest = await MiniGuest.attach(p, "52:54:00:12:34:57"));
    expect((await g2.dhcp({ xid: 5 })).ack.yiaddr).toBe("10.0.2.41");
    expect(p.leases.size).toBe(2);
  });

  it("DHCP NAKs: on demand, for an address not the client's, off the subnet; RELEASE frees; another server's id gets no answer", async () => {
    const { p, g } = await cable({ dhcp: { pool: ["10.0.2.50", "10.0.2.50"] } });
    await g.dhcp();
    const answer = (xid: number): Promise<Dhcp> => g.next((d) => (d.dhcp?.xid === xid ? d.dhcp : undefined));
    const request = (xid: number, ip: string, serverId?: string): void =>
      g.sendDhcp({ xid, options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.REQUEST])], [DHCPOPT.REQUESTED_IP, ipBytes(ip)], ...(serverId ? ([[DHCPOPT.SERVER_ID, ipBytes(serverId)]] as Array<[number, Buffer]>) : [])] });
    p.nakNext();
    let a = answer(10);
    request(10, "10.0.2.50");
    const nak = await a;
    expect(nak.type).toBe(DHCP.NAK);
    expect(nak.yiaddr).toBe("0.0.0.0");
    expect(nak.options.get(DHCPOPT.MESSAGE)?.toString()).toBe("address not yours");
    // The NAK forgot the lease: the address is free and the client may have it again (INIT-REBOOT).
    a = answer(11);
    request(11, "10.0.2.50");
    expect((await a).type).toBe(DHCP.ACK);
    a = answer(12);
    request(12, "10.0.2.99");
    expect((await a).type).toBe(DHCP.NAK);
    a = answer(13);
    request(13, "192.168.7.7");
    expect((await a).type).toBe(DHCP.NAK);
    // A predicate NAKs too.
    p.dhcp!.nak = (r) => r.xid === 14;
    a = answer(14);
    request(14, "10.0.2.50");
    expect((await a).type).toBe(DHCP.NAK);
    p.dhcp!.nak = undefined;
    // Another server's id: silence (the next request's answer comes, none for this one before it).
    request(15, "10.0.2.50", "10.0.2.254");
    a = answer(16);
    request(16, "10.0.2.50");
    expect((await a).type).toBe(DHCP.ACK);
    expect(g.received.filter((f) => decodeFrame(f)?.dhcp?.xid === 15)).toEqual([]);
    // RELEASE: the lease goes.
    expect(p.leases.size).toBe(1);
    const released = p.waitFrame((d) => (d.dhcp?.xid === 17 ? true : undefined));
    g.sendDhcp({ xid: 17, ciaddr: "10.0.2.50", options: [[DHCPOPT.MESSAGE_TYPE, Buffer.from([DHCP.RELEASE])], [DHCPOPT.SERVER_ID, ipBytes(p.ip)]] });
    await released;
    expect(p.leases.size).toBe(0);
    expect(p.stats.dhcp).toMatchObject({ DISCOVER: 1, REQUEST: 8, RELEASE: 1, "sent OFFER": 1, "sent NAK": 4, "sent ACK": 3 });
  });

  it("ARP both ways; ping both ways with RTTs; the peer's UDP echo port; UDP to a closed peer port gets port unreachable", async () => {
    const { p, g } = await cable();
    g.ip = "10.0.2.15";
    expect(await p.resolve("10.0.2.15")).toBe(GUEST_MAC);
    const r = await p.ping("10.0.2.15", { count: 5, size: 100 });
    expect(r).toMatchObject({ sent: 5, received: 5, corrupted: 0 });
    expect(r.replies.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4]);
    for (const x of r.replies) expect(x.rttMs).toBeGreaterThan(0);
    // The guest asks for the peer's MAC, pings it.
    const arpReply = g.next((d) => (d.arp?.op === ARP_REPLY ? d.arp : undefined));
    g.send(arpFrame({ op: ARP_REQUEST, sha: GUEST_MAC, spa: g.ip, tpa: p.ip }));
    expect((await arpReply).sha).toBe(p.mac);
    const echo = g.next((d) => (d.icmp?.type === ICMP.ECHO_REPLY ? d.icmp : undefined));
    g.send(icmpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, type: ICMP.ECHO_REQUEST, id: 9, seq: 77, data: Buffer.from("hello peer") }));
    expect(await echo).toMatchObject({ id: 9, seq: 77, checksumOk: true });
    // UDP echo on the peer's port 7.
    const back = g.next((d) => (d.udp?.srcPort === 7 ? d.udp.payload.toString() : undefined));
    g.send(udpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, srcPort: 4444, dstPort: 7, payload: Buffer.from("echo me") }));
    expect(await back).toBe("echo me");
    // A closed port: ICMP port unreachable quoting the datagram's header.
    const unreachable = g.next((d) => (d.icmp?.type === ICMP.UNREACHABLE ? d.icmp : undefined));
    g.send(udpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, srcPort: 4444, dstPort: 9999, payload: Buffer.from("anyone?") }));
    const u = await unreachable;
    expect(u.code).toBe(ICMP_PORT_UNREACHABLE);
    expect(u.data.readUInt16BE(20 + 2)).toBe(9999);
    expect(p.stats).toMatchObject({ echoRequests: 1, portUnreachableSent: 1, foreign: 0 });
    expect(p.malformed).toEqual([]);
  });

  it("SNTP: mode 4 replies carry the peer's clock (set by the test, 2036 era boundary included); kiss-o'-death, leap, silence, a wrong originate", async () => {
    const { p, g } = await cable();
    g.ip = "10.0.2.15";
    for (const target of [Date.UTC(2030, 0, 1, 12, 0, 0), Date.UTC(2036, 1, 7, 6, 28, 15, 500), Date.UTC(2041, 6, 4)]) {
      p.setTime(target);
      const setAt = Date.now();
      const { reply, t1, t4 } = await g.sntp(p.ip, p.mac);
      expect(reply).toMatchObject({ mode: NTP_MODE.SERVER, version: 4, stratum: 1, leap: 0 });
      expect(reply.refId.toString("latin1")).toBe("GPS\0");
      expect(reply.originate).toBe(ntpFromUnixNs(t1));
      // RFC 4330 section 5: offset = ((T2 - T1) + (T3 - T4)) / 2; the clock it gives is off by at most half the round trip.
      const t2 = unixNsFromNtp(reply.receive);
      const t3 = unixNsFromNtp(reply.transmit);
      expect(t3 >= t2).toBe(true);
      const offset = (t2 - t1 + (t3 - t4)) / 2n;
      const guestClockAtT4 = Number((t4 + offset) / 1_000_000n);
      const peerClockAtT4 = target + (Number(t4 / 1_000_000n) - setAt);
      const halfRtt = Number(t4 - t1) / 2e6;
      expect(Math.abs(guestClockAtT4 - peerClockAtT4)).toBeLessThanOrEqual(halfRtt + 5); // + Date.now()'s millisecond steps
    }
    p.ntp!.kiss = "RATE";
    let r = (await g.sntp(p.ip, p.mac)).reply;
    expect([r.stratum, r.refId.toString("latin1"), r.transmit]).toEqual([0, "RATE", 0n]);
    p.ntp = { leap: 3, stratum: 2, refId: "\x0a\x00\x02\x01" };
    r = (await g.sntp(p.ip, p.mac)).reply;
    expect([r.leap, r.stratum, [...r.refId]]).toEqual([3, 2, [10, 0, 2, 1]]);
    p.ntp = { badOriginate: true };
    const { reply, t1 } = await g.sntp(p.ip, p.mac);
    expect(reply.originate).not.toBe(ntpFromUnixNs(t1));
    // Silent: a request gets nothing; the next (answered) request's reply is the only one after it.
    const replies = (): number => g.received.filter((f) => decodeFrame(f)?.ntp?.mode === NTP_MODE.SERVER).length;
    const before = replies();
    p.ntp = { silent: true };
    g.send(udpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, srcPort: 50123, dstPort: NTP_PORT, payload: buildNtp({ mode: NTP_MODE.CLIENT, transmit: 12345n }) }));
    const silentSeen = p.waitFrame((d) => (d.ntp?.transmit === 12345n ? true : undefined));
    await silentSeen;
    p.ntp = {};
    const answered = await g.sntp(p.ip, p.mac);
    expect(answered.reply.originate).not.toBe(12345n);
    expect(replies()).toBe(before + 1);
    expect(p.stats.ntpRequests).toBe(8);
  }, 60_000);

  it("UDP echo: 400 datagrams of random sizes up to 1472 bytes come back exactly; faults are counted exactly", async () => {
    const { p, g } = await cable();
    g.ip = "10.0.2.15";
    const clean = await p.udpEcho({ ip: g.ip, port: 7, count: 400, window: 16, seed: 3 });
    expect(clean).toMatchObject({ sent: 400, received: 400, lost: 0, corrupted: 0, duplicated: 0, reordered: 0, misaddressed: 0 });
    expect(clean.bytesSent).toBe(clean.bytesReceived);
    // Sizes: the largest and the smallest are there, and the frames the guest got say so.
    const sizes = g.received.map((f) => decodeFrame(f)?.udp).filter((u) => u?.dstPort === 7).map((u) => u!.payload.length);
    expect(Math.max(...sizes)).toBe(1472);
    expect(Math.min(...sizes)).toBe(8);
    expect(new Set(sizes).size).toBeGreaterThan(300);
    for (const f of g.received) if (decodeFrame(f)?.udp?.dstPort === 7) expect(echoPayloadOk(decodeFrame(f)!.udp!.payload)).toBe(true);

    g.faults = {
      drop: (s) => s % 50 === 7,
      corrupt: (s) => s % 60 === 11,
      duplicate: (s) => s % 70 === 13,
      holdBack: (s) => s % 40 === 20,
      fromOtherPort: (s) => s % 90 === 45,
    };
    const count = 300;
    const seqs = Array.from({ length: count }, (_, i) => i);
    const dropped = seqs.filter((s) => s % 50 === 7);
    const corrupted = seqs.filter((s) => s % 60 === 11);
    const r = await p.udpEcho({ ip: g.ip, port: 7, count, window: 16, seed: 4, lossTimeoutMs: 1500 });
    expect(r.sent).toBe(count);
    expect(r.corrupted).toBe(corrupted.length);
    expect(r.lostSeqs).toEqual([...dropped, ...corrupted].sort((a, b) => a - b));
    expect(r.lost).toBe(dropped.length + corrupted.length);
    expect(r.received).toBe(count - r.lost);
    expect(r.duplicated).toBe(seqs.filter((s) => s % 70 === 13).length);
    expect(r.reordered).toBe(seqs.filter((s) => s % 40 === 20).length);
    expect(r.misaddressed).toBe(seqs.filter((s) => s % 90 === 45).length);

    // A bounded rate: 100 datagrams at 500 a second take at least 198 ms.
    g.faults = {};
    const paced = await p.udpEcho({ ip: g.ip, port: 7, count: 100, window: 4, ratePerSecond: 500, seed: 5 });
    expect(paced.received).toBe(100);
    expect(paced.elapsedMs).toBeGreaterThanOrEqual(198);
    expect(p.malformed).toEqual([]);
  }, 60_000);

  it("the corpus crosses the cable intact, in order, entry by entry behind a ping barrier", async () => {
    const { p, g } = await cable();
    g.ip = "10.0.2.15";
    const ctx = p.corpusContext({ mac: GUEST_MAC, ip: g.ip, openUdpPorts: [7, DHCP_CLIENT_PORT] }, 7);
    const corpus = malformedCorpus(ctx);
    await p.resolve(g.ip);
    const start = g.received.length;
    const isPing = (f: Buffer): boolean => {
      const d = decodeFrame(f);
      return !!d?.icmp && d.icmp.id === 0xcb05 && d.eth.src === p.mac;
    };
    const corpusSoFar = (): Buffer[] => g.received.slice(start).filter((f) => !isPing(f));
    const seen: Buffer[] = [];
    const counts = await p.sendCorpus(corpus, {
      ratePerSecond: 20_000,
      after: async (e) => {
        // The ping's reply comes after the entry's frames: the guest has them all by then.
        seen.push(...e.frames);
        expect((await p.ping(g.ip)).received, e.label).toBe(1);
        expect(corpusSoFar().length, e.label).toBe(seen.length);
      },
    });
    const corpusFrames = corpusSoFar();
    expect(corpusFrames.length).toBe(seen.length);
    expect(corpusFrames.every((f, i) => f.equals(seen[i]!))).toBe(true);
    expect(corpusFrames.some((f) => f.length === 65507)).toBe(true);
    // What the guest would count, per reason, is what sendCorpus says it sent.
    const byReason = new Map<DropReason, number>();
    for (const f of corpusFrames) {
      const reason = classifyFrame(f, ctx.guest)!;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    expect(byReason).toEqual(counts);
  }, 60_000);

  it("frames from the guest that are not well formed are kept with their reason and not answered; datagrams from elsewhere are ignored", async () => {
    const { p, g } = await cable();
    g.ip = "10.0.2.15";
    const bad = icmpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, type: ICMP.ECHO_REQUEST, id: 1, seq: 1, data: Buffer.from("x"), checksum: 0x1234 });
    g.send(bad);
    const good = g.next((d) => (d.icmp?.type === ICMP.ECHO_REPLY ? d.icmp.seq : undefined));
    g.send(icmpFrame({ srcMac: GUEST_MAC, dstMac: p.mac, srcIp: g.ip, dstIp: p.ip, type: ICMP.ECHO_REQUEST, id: 1, seq: 2, data: Buffer.from("x") }));
    expect(await good).toBe(2); // the first (bad) request was not answered: its reply would have come first
    expect(p.malformed.map((m) => m.reason)).toEqual(["icmp-checksum"]);
    expect(p.stats.echoRequests).toBe(1);
    // A datagram from another port than QEMU's.
    const stranger = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => stranger.bind(0, "127.0.0.1", resolve));
    const ignored = new Promise<void>((resolve) => p.once("foreign", () => resolve()));
    stranger.send(bad, p.peerPort, "127.0.0.1");
    await ignored;
    expect(p.stats.foreign).toBe(1);
    expect(p.stats.framesIn).toBe(2);
    await new Promise<void>((resolve) => stranger.close(() => resolve()));
  });
});

describe("cambi run --net and QEMU's arguments", () => {
  it("parses the four forms and refuses the rest", () => {
    expect(parseNet("none")).toEqual({ kind: "none" });
    expect(parseNet("user")).toEqual({ kind: "user", restrict: false });
    expect(parseNet("user:restrict")).toEqual({ kind: "user", restrict: true });
    expect(parseNet("dgram:40001:40002")).toEqual({ kind: "dgram", guestPort: 40001, peerPort: 40002 });
    for (const bad of ["", "tap", "user:open", "dgram:1", "dgram:0:5", "dgram:5:5", "dgram:70000:1", "dgram:a:b", "dgram:1:2:3"]) expect(() => parseNet(bad), bad).toThrow(/expected none, user, user:restrict or dgram/);
  });

  it("a modern virtio-net-pci at its slot with a fixed MAC; restrict=on only when asked; dgram on 127.0.0.1 only", () => {
    expect(netArgs({ kind: "none" })).toEqual([]);
    const device = `virtio-net-pci,netdev=net0,disable-legacy=on,mac=${NET_MAC},addr=${NET_SLOT},romfile=`;
    expect(netArgs({ kind: "user", restrict: true })).toEqual(["-netdev", "user,id=net0,restrict=on", "-device", device]);
    expect(netArgs({ kind: "user", restrict: false })).toEqual(["-netdev", "user,id=net0", "-device", device]);
    expect(netArgs({ kind: "dgram", guestPort: 5000, peerPort: 5001 }, true)).toEqual([
      "-netdev",
      "dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=5000,remote.type=inet,remote.host=127.0.0.1,remote.port=5001",
      "-device",
      device,
    ]);
    // QEMU before 7.2: the socket netdev's UDP mode, the same datagrams.
    expect(netArgs({ kind: "dgram", guestPort: 5000, peerPort: 5001 }, false)).toEqual(["-netdev", "socket,id=net0,udp=127.0.0.1:5001,localaddr=127.0.0.1:5000", "-device", device]);
    expect(netArgs({ kind: "dgram", guestPort: 5000, peerPort: 5001 })[1]).toMatch(qemuVersion() >= 702 ? /^dgram,/ : /^socket,/);
  });
});
