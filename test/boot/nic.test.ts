/**
 * The virtio-net driver on both arches, 4 CPUs, the net tier on QEMU's user
 * network cut off from everything beyond QEMU (--net user:restrict): pci hands
 * the card to virtio-net (its manifest claim), which reads the MAC and link
 * state from the device; nictest, its client, sends an ARP request for the
 * gateway from a channel buffer and the answer arrives in another, in place.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession } from "../harness/console-session.js";

let session: ConsoleSession | undefined;
afterEach(() => session?.close());

describe.each(["x86_64", "aarch64"] as const)("the network card on %s", (arch) => {
  it("virtio-net: MAC, link, a frame sent and one received in place", async () => {
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "net", "--net", "user:restrict"]));
    await s.waitFor(/pci: 1af4:1041 at 0:\d+\.0 attached to task \d+/);
    await s.waitFor(/virtio-net: MAC 52:54:00:12:34:56, link up true, queues \d+\/\d+, irq \d+/);
    await s.waitFor(/nictest: opened, 512000 bytes of channel, MTU 1500, link 1/);
    const reply = await s.waitFor(/nictest: (ARP reply: 10\.0\.2\.2 is at 52:55:0a:00:02:02|no ARP reply).*/);
    expect(reply[0]).toContain("52:55:0a:00:02:02");
    await s.waitFor(/nictest: driver counters: received [1-9]\d*, sent [1-9]\d*, errors 0, link 1/);
  });
});
