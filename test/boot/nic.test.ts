/**
 * Networking on both arches, 4 CPUs, the net tier on QEMU's user network cut
 * off from everything beyond QEMU (--net user:restrict): pci hands the card to
 * virtio-net (its manifest claim), which reads the MAC and link state; the net
 * service (its only client, frames in the channel's buffers in place) gets an
 * address by DHCP from QEMU's server; the shell's `net` shows it with the
 * counters, and `ping` reaches QEMU's gateway address and back. Without a
 * DHCP server (the test peer's turned off), the boot command line's
 * net.static= configures the stack after 10 s, and pings go both ways.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession } from "../harness/console-session.js";
import { NetPeer } from "../harness/net-peer.js";

let session: ConsoleSession | undefined;
let peer: NetPeer | undefined;
afterEach(async () => {
  session?.close();
  await peer?.close();
  peer = undefined;
});

describe.each(["x86_64", "aarch64"] as const)("networking on %s", (arch) => {
  it("virtio-net and the net service: DHCP, net, ping", async () => {
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "net", "--net", "user:restrict"]));
    await s.waitFor(/pci: 1af4:1041 at 0:6\.0 attached to task \d+/);
    await s.waitFor(/virtio-net: MAC 52:54:00:12:34:56, link up true, queues \d+\/\d+, irq \d+/);
    // QEMU's DHCP server leases 10.0.2.15 for a day (restricted: no router option).
    await s.waitFor(/net: 10\.0\.2\.15\/24 gateway 0\.0\.0\.0 \(DHCP lease 86400 s\)/);
    const info = await s.command("net");
    expect(info).toContain("net: address 10.0.2.15/24, lease 86400 s");
    expect(info).toContain("net: MAC 52:54:00:12:34:56, link up true");
    expect(info).toMatch(/net: frames received [1-9]\d*, accepted [1-9]\d*, dropped \d+, sent [1-9]\d*, failed 0/);
    const ping = await s.command("ping 10.0.2.2 2");
    expect(ping).toMatch(/ping: reply from 10\.0\.2\.2 seq 1 ttl \d+ time \d+ us/);
    expect(ping).toContain("ping: 2 sent, 2 answered");
  });

  it("no DHCP server: the static configuration of the boot command line", async () => {
    const p = (peer = await NetPeer.start({ dhcp: false }));
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "2", "--tier", "net", "--net", p.netArg, "--append", "net.static=10.0.2.77/24,10.0.2.2"]));
    await s.waitFor(/net: no DHCP lease after 10 s: using net\.static= from the boot command line/);
    await s.waitFor(/net: 10\.0\.2\.77\/24 gateway 10\.0\.2\.2 \(static, from the boot command line\)/);
    expect(await s.command("net")).toContain("net: address 10.0.2.77/24, static (boot command line)");
    // ntp asks the gateway at once: after its answer the peer's MAC is known (an ARP entry holds one waiting frame, so a ping racing ntp's request could lose its first).
    await s.waitForAnywhere(/ntp: clock set to [^\n]* from 10\.0\.2\.2/);
    expect(await s.command("ping 10.0.2.2 2")).toContain("ping: 2 sent, 2 answered");
    expect((await p.ping("10.0.2.77", { count: 2 })).replies.length).toBe(2);
  });
});
