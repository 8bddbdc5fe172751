/**
 * UDP sockets as capabilities, the ntp service and the UDP echo service on
 * both arches, in one boot each: the net tier cabled to the TypeScript test
 * peer (test/harness/net-peer.ts). The peer's DHCP server gives the address,
 * its SNTP server the time:
 *  - the ntp service opens a socket of the net service, asks the DHCP server
 *    (the peer) for the time and sets the wall clock; the shell's `date` shows
 *    it; a kiss-o'-death is refused; the shell's `ntp 10.0.2.2` asks again,
 *    the server stays silent, ntp tries again until it answers (the peer's
 *    clock moved on to another year meanwhile);
 *  - sockettest (a misbehaving client) gets its refusals, a scribbled ring
 *    closes its socket alone, a socket that hands net no buffers keeps the
 *    stack queue's 32 of 100 datagrams (the rest dropped and counted), and its
 *    sockets are closed by net once it has ended;
 *  - udpecho echoes on port 7 through its socket: the peer sends 10,000
 *    datagrams of random sizes (8..1472 bytes) and gets every one back
 *    unaltered, none lost, duplicated or reordered;
 *  - the net service is killed and restarted: udpecho opens a new socket and
 *    echoes again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession, taskOf } from "../harness/console-session.js";
import { NetPeer } from "../harness/net-peer.js";

let session: ConsoleSession | undefined;
let peer: NetPeer | undefined;
afterEach(async () => {
  session?.close();
  await peer?.close();
  peer = undefined;
});

const FIRST = Date.UTC(2031, 4, 4, 3, 2, 1); // 2031-05-04T03:02:01Z
const SECOND = Date.UTC(2033, 0, 2, 12, 0, 0); // 2033-01-02T12:00:00Z
const FLOOD = 100;

describe.each(["x86_64", "aarch64"] as const)("UDP sockets on %s", (arch) => {
  it("ntp sets the clock from the peer's SNTP server; a misbehaving client hurts only itself; udpecho echoes 10,000 datagrams, and again after net restarts", async () => {
    const p = (peer = await NetPeer.start({ ntp: { timeMs: FIRST } }));
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "net", "--net", p.netArg]));
    const lease = await p.waitForLease(undefined, 180_000);
    // The clock starts from here: ntp asks within a second of the address (it polls net every 500 ms).
    p.setTime(FIRST);
    await s.waitFor(/ntp: clock set to 2031-05-04T03:02:0\d\.\d{3}Z from 10\.0\.2\.2 \(offset: the clock was not set; delay \d+ us\)/);
    expect(await s.command("date")).toMatch(/date: 2031-05-04T03:0[23]:\d\d\.\d{3}Z/);

    // A kiss-o'-death is refused and said.
    p.ntp!.kiss = "RATE";
    expect(await s.command("ntp")).toContain("ntp: asking 10.0.2.2");
    await s.waitFor(/ntp: reply from 10\.0\.2\.2 refused: kiss-o'-death RATE/);
    delete p.ntp!.kiss;
    // The shell asks for a sync now, naming the server, which is silent: ntp tries again (after 2 s, then 4 s more),
    // and once the server answers the clock is set (the peer's clock has jumped meanwhile).
    p.ntp!.silent = true;
    expect(await s.command("ntp 10.0.2.2")).toContain("ntp: asking 10.0.2.2");
    await s.waitFor(/ntp: no answer from 10\.0\.2\.2; trying again/);
    p.ntp!.silent = false;
    p.setTime(SECOND);
    await s.waitFor(/ntp: clock set to 2033-01-02T12:00:0\d\.\d{3}Z from 10\.0\.2\.2 \(offset \d+ ms, delay \d+ us\)/);
    expect(await s.command("date")).toMatch(/date: 2033-01-02T12:0[01]:\d\d\.\d{3}Z/);
    expect(await s.command("ntp 1.2.3")).toContain("ntp: '1.2.3' is not an IPv4 address");

    // sockettest's refusals, and a socket that takes no buffers: 100 datagrams to it, then the signal on port 10.
    await s.waitForAnywhere(/sockettest: ready: port 9 takes no buffers, port 10 listens/);
    for (let i = 0; i < FLOOD; i++) {
      await p.sendUdp({ dstIp: lease.ip, dstPort: 9, srcPort: 40_000, payload: Buffer.alloc(16, i) });
      await new Promise((r) => setTimeout(r, 2));
    }
    await p.sendUdp({ dstIp: lease.ip, dstPort: 10, srcPort: 40_000, payload: Buffer.from("flood over") });
    // The stack's queue for the socket holds 32 datagrams: those came once it handed over buffers, the rest were dropped.
    await s.waitForAnywhere(/sockettest: port 9 kept 32 datagrams while it did not drain/);
    await s.waitForAnywhere(/sockettest: 13 checks passed, 0 failed; ending with 3 sockets open/);
    expect(s.output).not.toContain("sockettest: FAILED");
    await s.waitForAnywhere(/net: socket on port \d+ closed: protocol error/);
    // It ended without closing: net sees its capabilities gone.
    for (const port of [9, 10]) await s.waitForAnywhere(new RegExp(`net: socket on port ${port} closed: its holder is gone`));
    const dropped = /net: frames received \d+, accepted \d+, dropped (\d+)/.exec(await s.command("net"));
    expect(Number(dropped?.[1])).toBeGreaterThanOrEqual(FLOOD - 32);

    // 10,000 datagrams through udpecho's socket, 8 in flight.
    await s.waitForAnywhere(/udpecho: echoing UDP port 7 \(\d+ buffers\)/);
    // A datagram counts as lost after 15 s, not the default 3: a loaded machine can stall a TCG guest for seconds.
    const echo = await p.udpEcho({ ip: lease.ip, port: 7, count: 10_000, window: 8, seed: 12, lossTimeoutMs: 15_000 });
    expect({ ...echo, lostSeqs: echo.lostSeqs.slice(0, 20) }).toMatchObject({ sent: 10_000, received: 10_000, lost: 0, corrupted: 0, duplicated: 0, misaddressed: 0 });
    console.log(`${arch}: 10,000 datagrams echoed in ${(echo.elapsedMs / 1000).toFixed(1)} s (RTT min ${echo.rttMs.min.toFixed(2)} ms, median ${echo.rttMs.median.toFixed(2)} ms, max ${echo.rttMs.max.toFixed(1)} ms)`);
    await s.waitForAnywhere(/udpecho: 10000 datagrams echoed, 0 not sent/);
    expect(await s.command("net")).toMatch(/net: frames received \d+, accepted \d+, dropped \d+, sent \d+, failed 0/);
    expect(p.malformed).toEqual([]);

    // The net service killed: init restarts it, it takes a lease again, and udpecho, finding its
    // socket unknown to the new net, opens another; after one datagram to warm ARP up, none is lost.
    const net = taskOf(await s.command("ps"), "net");
    await s.command(`kill ${net}`);
    await s.waitFor(/init: restarted net \(service \d+\) as task \d+/);
    await s.waitForAnywhere(/udpecho: net no longer knows the socket[^]*udpecho: echoing UDP port 7/);
    await p.udpEcho({ ip: lease.ip, port: 7, count: 1, window: 1, lossTimeoutMs: 2000 });
    const again = await p.udpEcho({ ip: lease.ip, port: 7, count: 200, window: 4, seed: 13, lossTimeoutMs: 15_000 });
    expect(again).toMatchObject({ sent: 200, received: 200, lost: 0, corrupted: 0, duplicated: 0, misaddressed: 0 });
  });
});
