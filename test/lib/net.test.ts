/**
 * The network protocol library (src/lib/net, docs/networking.md) on the host,
 * natively with ASan+UBSan and under Node, with the same output:
 *  - net-units.ts: each protocol's parse/build round trips and known-answer
 *    vectors (RFC 1071 checksums, a hand-made DHCP offer/ack and NTP reply),
 *    SNTP's refusals and the 2036 wrap, the ARP cache (expiry, the waiting
 *    frame, retransmits, give-up), UDP sockets (overflow), ping matching, the
 *    DHCP client through a whole exchange with NAK, renewal, rebinding and
 *    expiry;
 *  - net-corpus-driver.ts: the malformed-frame corpus of net-corpus.ts, each
 *    frame counted under its expected reason, then random damage, then a
 *    valid ping answered;
 *  - the library compiles freestanding for both arches.
 * The builds and runs go one after another (the machine has 2 cores).
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode, type RunResult } from "../harness/node-world.js";
import { corpus, corpusInput, peerDrop, DROP, DROP_NAME, OUR_MAC, PEER_MAC, type Entry } from "./net-corpus.js";
import { malformedCorpus, DROP_REASONS as PEER_REASONS } from "../harness/net-corpus.js";

const HERE = import.meta.dirname;

/** Both worlds with the same input; the native run. */
async function bothWorlds(driver: string, stdin?: Buffer): Promise<RunResult> {
  const entry = path.join(HERE, driver);
  const native = await runExe(buildHost(entry), stdin);
  const node = await runInNode(entry, stdin);
  expect(runText(node)).toBe(runText(native));
  return native;
}

/** Every line of want is a line of out. */
function lines(out: string, want: string[]): void {
  const have = out.split("\n");
  for (const l of want) expect(have, l).toContain(l);
}

describe("protocols one by one", () => {
  it("known answers, round trips, sockets, SNTP and DHCP replies, in both worlds", async () => {
    const r = await bothWorlds("net-units.ts");
    expect(r.stderr).toBe("");
    lines(r.stdout, [
      // RFC 1071 section 3's example; a published IPv4 header; the Windows ping (id 1, seq 1, "abcdefghijklmnopqrstuvwabcdefghi").
      "rfc1071: sum 0xddf2 checksum 0x220d",
      "ipv4 example: checksum 0xb861 valid true",
      "windows ping: checksum 0x4d5a",
      "echo request id 1 seq 1 with the Windows data: checksum 0x4d5a",
      "multicast MAC of 239.255.255.250: 0x1 0x0 0x5e 0x7f 0xff 0xfa",
      "header: 0x52540012 0x34565255 0xa000202 0x800",
      "request: built as on the wire true; parsed 0 oper 1 spa 0xa000202 tpa 0xa00020f sha 0x52..0x2",
      // 45 00 0078 | beef 4000 | 40 11 399c | 10.0.2.15 | 93.184.216.34
      "built: 0x45000078 0xbeef4000 0x4011399c 0xa00020f 0x5db8d822",
      "parsed 0: hl 20 total 120 id 0xbeef flags 0x4000 ttl 64 proto 17 payload at 34 len 100",
      // The UDP checksums were computed independently (Python, from RFC 768's pseudo-header).
      "dns query: length 37 checksum 0xac21",
      "zero checksum sent as 0xffff",
      "ephemeral: 49152 49153",
      "small datagrams: queued 32 overflows 8",
      "largest datagrams: queued 11 overflows 11 bytes 16192",
      "request: 48 bytes, first 0x23, transmit 0xe93c7f00.0x0",
      // Short, mode 3, mode 0, version 2, version 5, LI 3, kiss "RATE", stratum 16, originate, zero receive, zero transmit, 1968, zero originate, kiss "DENY" with LI 3.
      ...[2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 8, 6].map((s, k) => `refused ${k}: ${s} code ${k === 6 ? "0x52415445" : k === 13 ? "0x44454e59" : "0x0"}`),
      "reply: 0 offset 3500000000 delay 31250000 time 1704067203535156250 stratum 2 version 4",
      "broadcast v3, clock an hour behind: 0 offset 3603500000000",
      "wrap: ntp 0x0 before 0xffffffff00000000",
      "after the wrap: 0 offset 2000000000 time 2208988802000000000",
      "offer: 0 type 2 yiaddr 0xa00020f server 0xa000202 lease 86400 mask 0xffffff00 router 0xa000202 dns 2 0xa000203 0x8080808",
      "ack: 0 type 5 lease 3600 t1 1800 t2 3150 router 0xa000202 dns 1 0xa000203",
      // Short, op, htype, hlen, xid, cookie, chaddr, then bad options (type length, server id length, no END, cut, no type, DNS length, overload 4).
      ...[1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 9, 8, 8].map((c, k) => `refused ${k}: ${c}`),
      "overloaded offer: 0 type 2 server 0xa000202 lease 3600",
    ]);
    expect(r.stdout).toMatch(/^sntp: 3000 damaged replies, \d+ still valid$/m);
    expect(r.stdout).toMatch(/^dhcp: 3000 random option areas, \d+ accepted$/m);
    // Each reason's name is its enum member's, in words.
    for (const [name, v] of Object.entries(DROP)) {
      expect(r.stdout).toContain(`drop name ${v}: ${name.replace(/(?<!^)(?=[A-Z])/g, " ").toLowerCase()}\n`);
    }
    expect(r.stdout).toMatch(/failures 0\n$/);
    expect(r.status).toBe(0);
  });
});

describe("the static configuration of the boot command line", () => {
  it("net.static=A.B.C.D/N[,GATEWAY] among other words, and every malformed kind refused, in both worlds", async () => {
    const cases: [string, string][] = [
      ["", "absent"],
      ["loglevel=1", "absent"],
      ["net.static=10.0.2.77/24,10.0.2.2", "ok 0xa00024d 0xffffff00 0xa000202"],
      ["loglevel=2 net.static=192.168.1.9/16 quiet", "ok 0xc0a80109 0xffff0000 0x0"],
      ["net.static=10.1.2.3/32", "ok 0xa010203 0xffffffff 0x0"],
      ["net.static=10.1.2.3/1,10.200.0.1", "ok 0xa010203 0x80000000 0xac80001"],
      ["net.static=10.0.0.1/8 net.static=10.0.0.2/8", "ok 0xa000002 0xff000000 0x0"],
      ["xnet.static=10.0.0.1/8", "absent"],
      ["net.static=", "malformed"],
      ["net.static=10.0.2.77", "malformed"],
      ["net.static=10.0.2.77/", "malformed"],
      ["net.static=10.0.2.77/0", "malformed"],
      ["net.static=10.0.2.77/33", "malformed"],
      ["net.static=10.0.2.77/024", "malformed"],
      ["net.static=10.0.2.77/2x", "malformed"],
      ["net.static=0.0.0.0/24", "malformed"],
      ["net.static=10.0.2/24", "malformed"],
      ["net.static=10.0.2.256/24", "malformed"],
      ["net.static=10.0.2.77/24,", "malformed"],
      ["net.static=10.0.2.77/24,10.0.3.1", "malformed"],
      ["net.static=10.0.2.77/24,10.0.2.77", "malformed"],
      ["net.static=10.0.2.77/24,10.0.2.1,10.0.2.2", "malformed"],
      ["net.static=/24,10.0.2.1", "malformed"],
    ];
    const r = await bothWorlds("net-static-driver.ts", Buffer.from(cases.map(([l]) => `${l}\n`).join("")));
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(cases.map(([, want], i) => `${i}: ${want}`));
  });
});

describe("the stack through scenarios", () => {
  it("ARP, routing, ping, a full transmit queue and DHCP from discover to expiry, in both worlds", async () => {
    const r = await bothWorlds("net-stack-driver.ts");
    expect(r.stderr).toBe("");
    const out = r.stdout;
    lines(out, [
      // ARP: one request at once, one frame waiting (the newer replaces it), requests at 1 s and 2 s, given up at 3 s.
      "first send 1: ARP oper 1 to broadcast true target 0xa000214 sender 0xa00020f",
      "second send 1: frames 0 lost 1",
      "retransmits: before 1 s 0, at 1 s 1, at 2 s 1, at 3 s 0; gave up 1 lost 2 entries 0 requests 3",
      "released: to 0x2:..:0x20 ip 0xa000214 port 7 length 14 data 0x69 frame 60",
      "after 61 s: 1 entries 1",
      "our reply: oper 2 to 0x20 sha 0x56 spa 0xa00020f tha 0x20 tpa 0xa00021e",
      "off-link: to the gateway's MAC true ip 0x8080808",
      "multicast MAC 0x1 0x0 0x5e 0x1 0x2 0x3",
      "refusals: own 2 zero 2 loopback 2 too long 3 port 0 8 bad socket 5",
      "no gateway: off-link 2",
      // Frames for .20, .40 and .21 were waiting for ARP when the address changed.
      "new address: entries 0 lost 3",
      "unconfigured: 6",
      "17 resolving: entries 16 requests 17 lost 1 first still there false",
      "resolved 16: released 16 entries 16",
      "one more: entries 16 oldest (.101) gone true lost 1",
      // Ping.
      "request: to peer true proto 1 type 8 id 0x99 seq 1 length 98 icmp ok true ip ok true ttl 64 df 0x4000",
      "reply: from 0xa000202 id 0x99 seq 1 data 56 ttl 64 rtt 12345678 ns",
      `duplicate ${DROP.PingUnmatched}, seq never sent ${DROP.PingUnmatched}`,
      "ninth: 7; timeouts before 10 s 0, at 10 s 8",
      "largest: frame 1514 icmp ok true; 1473: 3",
      "answer: type 0 to 0x5db8d822 from 0xa00020f via true id 0x55 seq 9 data same true icmp ok true",
      // 16 frames fit; then the 17th ARP request and an echo request are dropped (TxQueueFull), a send and a ping refused.
      `answered 16, 17th ${DROP.TxQueueFull}, echo ${DROP.TxQueueFull}, udpSend 4, ping 4, queued 16, lost 4, dropped TxQueueFull 2`,
      // DHCP.
      "request: to broadcast true from 0x0 type 3 requested 0xa00020f server 0xa000202 ciaddr 0x0 xid same true",
      "after nak: type 1 new xid true state 2 address 0x0 naks 1",
      "bound: state 4 ip 0xa00020f mask 0xffffff00 gateway 0xa000202 dns 1 0xa000203 lease 3600 server 0xa000202 queued 0",
      "timers: t1 1800 s t2 3150 s expiry 3600 s",
      "renewed: t1 in 3600 s expiry in 5400 s ip 0xa00020f",
      "  3150 s: ack from 0xa000204: 0 state 4 server 0xa000204",
      "  4950 s: type 3 broadcast false to 0xa000204 from 0xa00020f ciaddr 0xa00020f server option false state 5 ip 0xa00020f",
      "nak: 0 then type 1 from 0x0 state 2 ip 0x0",
      "lease 1000: t1 500 s t2 875 s",
      "infinite lease: after 10^7 s state 4 sent 0",
      "discovers in 300 s: 8, counted as tries of one exchange true",
      // Refusals: xid, source port, broadcast yiaddr, no server id, ACK while selecting, wrong server, wrong address, no lease, lease 0, mask, OFFER while requesting, short.
      ...[5, 0, 12, 11, 10, 13, 12, 14, 14, 15, 10, 1].map((why, k) => `refused ${k}: ${DROP.DhcpRejected} why ${why} state ${k < 5 ? 2 : 3} queued 0`),
      `ack of the subnet broadcast: ${DROP.DhcpRejected} why 12`,
      `static fallback: state 0 ip 0xa00020f offer now ${DROP.NoSocket}`,
      // 1500 damaged offers, acks and naks to clients selecting, requesting and renewing: all reach the client, which then still binds.
      "damaged replies: 1500, used true, refused true, others 0",
      "afterwards: state 4 ip 0xa00020f",
    ]);
    expect(out).toMatch(/^discover: to broadcast true 0x0 -> 0xffffffff ports 68 -> 67 udp ok true op 1 htype 1 hlen 6 xid 0x[0-9a-f]+ ciaddr 0x0 chaddr 0x52..0x56 cookie 0x63825363 type 1 client id 0x1525400 frame 342$/m);
    // Renewing (unicast to the server) at T1 = 1800 s, again after half the time left to T2 (at least 60 s), rebinding
    // (broadcast) at T2 = 3150 s, again after half the time left of the lease, then at 3600 s the lease is gone:
    // DISCOVERs from 0.0.0.0 after 4, 8, 16, 32 s (each +-1 s).
    const timeline = out.slice(out.indexOf("-- dhcp renew, rebind, expiry"), out.indexOf("end: state"));
    const sends = [...timeline.matchAll(/^ {2}(\d+) s: type (\d) broadcast (\w+) to (0x[0-9a-f]+) from (0x[0-9a-f]+)/gm)].map((m) => m.slice(1).join(" "));
    expect(sends.slice(0, 11)).toEqual([
      ...[1800, 2475, 2813, 2982, 3066, 3126].map((t) => `${t} 3 false 0xa000202 0xa00020f`),
      ...[3150, 3375, 3488, 3548].map((t) => `${t} 3 true 0xffffffff 0xa00020f`),
      "3600 1 true 0xffffffff 0x0",
    ]);
    for (const s of sends.slice(11)) expect(s).toMatch(/^\d+ 1 true 0xffffffff 0x0$/);
    const after = sends.slice(10).map((s) => Number(s.split(" ")[0]));
    [4, 8, 16, 32].forEach((gap, i) => expect(Math.abs(after[i + 1]! - after[i]! - gap), `gap ${i}`).toBeLessThanOrEqual(1));
    expect(out).toContain("end: state 2 ip 0x0 leases lost 1\n");
    // Back-off while selecting: 4, 8, 16, 32, 64, 64, 64 s, each moved by at most 1 s.
    const gaps = [...out.matchAll(/^ {2}discover again after (\d+) cs$/gm)].map((m) => Number(m[1]) / 100);
    expect(gaps.length).toBe(7);
    [4, 8, 16, 32, 64, 64, 64].forEach((g, i) => expect(Math.abs(gaps[i]! - g), `discover gap ${i}`).toBeLessThanOrEqual(1));
    // Requesting: REQUESTs after about 4, 8, 16 s, then (32 s later, 4 sent) back to DISCOVER.
    const req = out.slice(out.indexOf("discovers in 300 s"), out.indexOf("-- dhcp refusals"));
    const steps = [...req.matchAll(/^ {2}(\d+) s: type (\d) state (\d)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(steps.slice(0, 4).map((s) => s[1])).toEqual([3, 3, 3, 1]);
    [4, 12, 28, 60].forEach((t, i) => expect(Math.abs(steps[i]![0] - t), `request ${i}`).toBeLessThanOrEqual(4));
    expect(out).toMatch(/failures 0\n$/);
    expect(r.status).toBe(0);
  });
});

describe("malformed-frame corpus", () => {
  const entries = corpus();

  it("has at least 200 kinds, every reason of the stack's receive path among them", () => {
    const kinds = new Set(entries.map((e) => e.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(200);
    const reasons = new Set(entries.map((e) => e.expect));
    for (const name of Object.keys(DROP)) {
      // DhcpRejected needs DHCP running and TxQueueFull an undrained queue: net-units.ts covers them.
      if (name === "DhcpRejected" || name === "TxQueueFull") continue;
      expect(reasons, name).toContain(DROP[name]);
    }
  });

  it("counts every frame under its reason, survives random damage, then answers a ping, in both worlds", async () => {
    const r = await bothWorlds("net-corpus-driver.ts", corpusInput(entries));
    const named = r.stdout.replace(/^mismatch (\d+): expected (\d+) got (\d+)$/gm, (_, i, e, g) => `mismatch ${entries[Number(i)]!.kind}: expected ${DROP_NAME[Number(e)]} got ${DROP_NAME[Number(g)]}`);
    expect(r.stderr).toBe("");
    expect(named).not.toMatch(/^(mismatch|replies) /m);
    const want = new Map<number, number>();
    for (const e of entries) if (e.expect !== 0) want.set(e.expect, (want.get(e.expect) ?? 0) + 1);
    for (const [d, n] of want) expect(r.stdout, DROP_NAME[d]).toContain(`drop ${d} ${n}\n`);
    expect(r.stdout).toMatch(/^corpus: frames \d+ accepted \d+ dropped \d+ answers \d+ mismatches 0$/m);
    expect(r.stdout).toContain("final ping: true reply 142 bytes, as expected true, header checksum true\n");
    expect(r.stdout).toMatch(/failures 0\n$/);
    expect(r.status).toBe(0);
  });
});

describe("the test peer's corpus (test/harness/net-corpus.ts)", () => {
  const mac = (m: number[]): string => m.map((b) => b.toString(16).padStart(2, "0")).join(":");
  const ctx = {
    guest: { mac: mac(OUR_MAC), ip: "10.0.2.15", netmask: "255.255.255.0", openUdpPorts: [7777, 68] },
    peer: { mac: mac(PEER_MAC), ip: "10.0.2.2" },
    udpPort: 7777,
  };
  const entries: Entry[] = malformedCorpus(ctx).flatMap((e) => e.frames.map((f) => ({ kind: `${e.label} (${e.reason})`, frame: f, expect: peerDrop(e.reason, f), replies: 0 })));

  it("maps each of the peer's reasons to one of the stack's", () => {
    for (const reason of Object.keys(PEER_REASONS)) expect(() => peerDrop(reason, new Uint8Array(0)), reason).not.toThrow();
  });

  it("counts every frame of it under the reason the peer says, with DHCP running, in both worlds", async () => {
    const r = await bothWorlds("net-corpus-driver.ts", corpusInput(entries, 1));
    const named = r.stdout.replace(/^mismatch (\d+): expected (\d+) got (\d+)$/gm, (_, i, e, g) => `mismatch ${entries[Number(i)]!.kind}: expected ${DROP_NAME[Number(e)]} got ${DROP_NAME[Number(g)]}`);
    expect(r.stderr).toBe("");
    expect(named).toContain("setup: 1 dhcp state 4\n");
    expect(named).toContain(`corpus: frames ${entries.length} accepted 0 dropped ${entries.length} answers 0 mismatches 0\n`);
    expect(named).not.toMatch(/^(mismatch|replies) /m);
    expect(r.stdout).toContain("final ping: true reply 142 bytes, as expected true, header checksum true\n");
    expect(r.stdout).toMatch(/failures 0\n$/);
    expect(r.status).toBe(0);
  });
});

it("compiles freestanding for both arches", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    const objects = buildFreestanding(path.join(HERE, "../../src/lib/net/stack.ts"), arch);
    expect(objects.length).toBeGreaterThan(5);
  }
});
