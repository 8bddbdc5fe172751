/**
 * Networking against the test peer (test/harness/net-peer.ts), on both arches,
 * the net tier cabled to it on 127.0.0.1 (--net dgram): the peer's DHCP server
 * gives the address; the guest pings the peer and the peer the guest; the
 * peer's corpus of malformed frames (test/harness/net-corpus.ts, 267 kinds)
 * is sent and every frame is counted under its reason by the net service, which
 * still answers pings afterwards; then the driver is killed while the peer
 * pings: init restarts it, the net service opens it again and pings are
 * answered again (some lost during the restart, none corrupted: the peer checks
 * every reply's payload). The hostile service of the tier, a socket client
 * with no socket yet, is refused the card, sockets without capabilities,
 * others' sockets and forged driver and kernel messages.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession, linesFrom, taskOf } from "../harness/console-session.js";
import { NetPeer } from "../harness/net-peer.js";
import { malformedCorpus } from "../harness/net-corpus.js";
import { PEER_REASON_DROP } from "../lib/net-corpus.js";

let session: ConsoleSession | undefined;
let peer: NetPeer | undefined;
afterEach(async () => {
  session?.close();
  await peer?.close();
});

const GUEST_MAC = "52:54:00:12:34:56";

/** The drop reason names the net service counts the corpus under, with how many frames each. */
function expectedDrops(entries: ReturnType<typeof malformedCorpus>): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    for (const f of e.frames) {
      // An echo reply (IPv4, ICMP type 0) matches no ping of the guest's: PingUnmatched.
      const echoReply = f.length >= 35 && f[12] === 0x08 && f[13] === 0x00 && f[23] === 1 && f[14 + (f[14]! & 0xf) * 4] === 0;
      const name = e.reason === "icmp-type" && echoReply ? "PingUnmatched" : PEER_REASON_DROP[e.reason]!;
      out.set(name, (out.get(name) ?? 0) + 1);
    }
  }
  return out;
}

function dropsFrom(text: string): Map<string, number> {
  const out = new Map<string, number>();
  // The service prints reasons as words ("bad source mac"); the table names them in CamelCase.
  for (const m of text.matchAll(/net: dropped ([a-z ]+) (\d+)/g)) out.set(m[1]!.replace(/(^| )([a-z])/g, (_, _s: string, c: string) => c.toUpperCase()), Number(m[2]));
  return out;
}

describe.each(["x86_64", "aarch64"] as const)("networking with the test peer on %s", (arch) => {
  it("DHCP, pings both ways, 266 kinds of malformed frame counted, the driver killed and restarted", async () => {
    peer = await NetPeer.start({ dhcp: { leaseSeconds: 3600 } });
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "net", "--net", peer.netArg]));
    const lease = await peer.waitForLease(GUEST_MAC, 120_000);
    await s.waitFor(new RegExp(`net: ${lease.ip.replace(/\./g, "\\.")}/24 gateway 10\\.0\\.2\\.2 \\(DHCP lease 3600 s\\)`));
    // The hostile service (no socket, card or driver capability) is refused each network attempt.
    // Anywhere: hostile may finish before or after the lease.
    const summary = await s.waitForAnywhere(/hostile: (all attempts refused|\d+ of \d+ attempts ALLOWED)/);
    const hostile = linesFrom(s.output, "hostile: ").join("\n");
    expect(summary[1], hostile).toMatch(/^all attempts refused/);
    for (const line of [
      "attaching the network card without a claim on it: refused (Denied)",
      "opening a socket through a forged handle: refused (BadCapability)",
      "opening a socket without a notification capability: refused (Invalid)",
      "opening udpecho's port carrying its log capability (no grant right): refused (Denied)",
      "closing 32 guessed socket handles (0 closed): refused (Invalid)",
      "the network card's OPEN sent to the net service: refused (Invalid)",
      "the driver's notification sent to the net service as a call: refused (Invalid)",
      "a timer message forged to the net service: refused (Invalid)",
    ]) expect(hostile).toContain(`hostile: ${line}`);

    // The guest pings the peer, the peer the guest.
    expect(await s.command("ping 10.0.2.2 2")).toContain("ping: 2 sent, 2 answered");
    const theirs = await peer.ping(lease.ip, { count: 3 });
    expect(theirs.replies.length).toBe(3);

    // The corpus: each frame dropped under its reason (counted from before it).
    const before = dropsFrom(await s.command("net drops"));
    // Open in the net tier: 68 (DHCP), 7 (udpecho); 9 is sockettest's for a while, so frames to it are left out.
    const corpus = malformedCorpus(peer.corpusContext({ mac: GUEST_MAC, ip: lease.ip, openUdpPorts: [68, 7] }, 68)).filter((e) => !/ port 9$/.test(e.label));
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    await peer.sendCorpus(corpus, { ratePerSecond: 400 });
    // A ping after the corpus: the guest is up, and every frame before it has been handled.
    expect((await peer.ping(lease.ip, { count: 1 })).replies.length).toBe(1);
    const after = dropsFrom(await s.command("net drops"));
    const counted = new Map<string, number>();
    for (const [name, n] of after) counted.set(name, n - (before.get(name) ?? 0));
    const expected = expectedDrops(corpus);
    for (const [name, n] of expected) {
      // QEMU's virtio-net refuses frames shorter than an Ethernet header and longer than the guest's buffers itself.
      if (name === "GiantFrame" || name === "ShortFrame") expect(counted.get(name) ?? 0, name).toBeLessThanOrEqual(n);
      else expect(counted.get(name) ?? 0, name).toBe(n);
    }

    // The driver killed while the peer pings: restarted, reopened, answering again.
    const driver = taskOf(await s.command("ps"), "virtio-net");
    const pinging = peer.ping(lease.ip, { count: 40, timeoutMs: 500 });
    await s.command(`kill ${driver}`);
    await s.waitFor(/init: restarted virtio-net \(service \d+\) as task \d+/);
    await s.waitFor("net: the NIC is back");
    const during = await pinging;
    expect(during.corrupted).toBe(0);
    const again = await peer.ping(lease.ip, { count: 3 });
    expect(again.replies.length).toBe(3);
  });
});
