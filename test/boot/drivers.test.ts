/**
 * User-space drivers on both arches, 4 CPUs, the test tier with a disk of its
 * own (virtio-blk-pci at slot 4; virtio-rng at slot 5):
 *  - pci enumerates the root bus (BARs assigned on AArch64's direct boot, kept
 *    from SeaBIOS on x86_64), hands the disk to virtio-blk (its manifest claim)
 *    with its interrupt line from the platform's routing; lspci shows it;
 *  - blktest writes patterns across the disk (the last block too) with many
 *    requests queued, reads them back, is refused past the end and for
 *    malformed requests; the driver is killed while blktest reads in a loop:
 *    the requests in flight fail (PeerDied), never hang, init restarts the
 *    driver, and reads work again;
 *  - the hostile service is refused the disk (no claim), DMA addresses, writable
 *    configuration space, registers past its own BAR, configuration space past
 *    its own function;
 *  - a second boot on the same disk finds the first boot's patterns;
 *  - the object store refuses that disk (not a store, not empty) and writes nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleSession, linesFrom, newDisk, taskOf } from "../harness/console-session.js";

let session: ConsoleSession | undefined;
afterEach(() => session?.close());

describe.each(["x86_64", "aarch64"] as const)("drivers on %s", (arch) => {
  it("the disk through pci, virtio-blk and a channel: patterns, refusals, a driver killed mid-I/O, a reboot", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), `cambi-drivers-${arch}-`));
    try {
      const disk = newDisk(path.join(dir, "disk.img"), 16 * 1024 * 1024);
      const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "drivers", "--disk", disk]));
      await s.waitFor(/pci: \d+ functions on bus 0/);
      await s.waitFor(/pci: 1af4:1042 at 0:4\.0 attached to task \d+/);
      const line = arch === "x86_64" ? 20 : 35; // q35: PIRQ E + (4 + 0) mod 4; virt: the interrupt-map's SPI 3 for slot 4
      await s.waitFor(new RegExp(`virtio-blk: 32768 blocks of 512 bytes \\(16 MiB\\), queue \\d+, irq ${line}`));
      await s.waitFor(/blktest: wrote and read back 192 blocks across the disk, the last block 32767 included/);
      await s.waitFor("blktest: requests past the end and malformed ones are refused");
      await s.waitFor("blktest: reading in a loop");

      const ps = await s.command("ps");
      const driver = taskOf(ps, "virtio-blk");
      const lspci = await s.command("lspci");
      expect(lspci).toMatch(new RegExp(`00:04\\.0 1af4:1042 SCSI storage\\s+irq ${line}\\s+held by task ${driver}`));
      expect(lspci).toMatch(/00:05\.0 1af4:1044 /);
      expect(lspci).toMatch(/BAR4 mem64 0x[0-9a-f]+\+0x4000/);
      // The driver holds its own function's registers and nothing of ECAM beyond them.
      const caps = await s.command(`caps ${driver}`);
      expect(caps).toMatch(/MMIO\s+---m--\s+0x[0-9a-f]+\+0x1000/); // configuration space: read-only, one page
      expect(caps).toMatch(/memory\s+--gmwd/); // its pinned DMA memory
      expect(caps).toMatch(/device\s+------\s+1af4:1042/);

      // Killed in the middle of I/O: the client's requests end with an error, init restarts the driver.
      expect(await s.command(`kill ${driver}`)).toMatch(new RegExp(`kill: task ${driver} ended`));
      // (The services print concurrently: the order of these lines varies.)
      await s.waitFor("blktest: reads work again after the driver's restart");
      const after = s.output.slice(s.output.lastIndexOf(`kill: task ${driver} ended`));
      expect(after).toMatch(/blktest: the driver died with requests in flight: they failed \((PeerDied|Denied)\)/);
      expect(after).toMatch(/init: restarted virtio-blk \(service 5\) as task \d+/);
      expect(after).toMatch(/pci: 1af4:1042 at 0:4\.0 attached to task \d+/);

      // The hostile service against the driver model.
      const hostile = linesFrom(s.output, "hostile: ").join("\n");
      expect(hostile).toMatch(/hostile: all attempts refused \(\d+ attempts\)/);
      expect(hostile).toContain("hostile: attaching the disk without a claim on it: refused (Denied)");
      expect(hostile).toContain("hostile: the physical address of its memory without the DMA right: refused (Denied)");
      expect(hostile).toContain("hostile: mapping its memory region as device registers: refused (Denied)");
      expect(hostile).toContain("hostile: the PCI host's description without configuration space: refused (Denied)");
      expect(hostile).toContain("hostile: writable mapping of its device's configuration space: refused (Denied)");
      expect(hostile).toContain("hostile: executable mapping of its device's registers: refused (WriteExec)");
      // A driver's registers come without the grant right: it cannot even derive a part of them.
      expect(hostile).toContain("hostile: registers past the end of its BAR: refused (Denied)");
      expect(hostile).toContain("hostile: configuration space beyond its own function: refused (Denied)");
      expect(hostile).toContain("hostile: a part of its memory region reaching past its end: refused (Invalid)");
      expect(hostile).toContain("hostile: a DMA address through device registers: refused (Denied)");
      expect(hostile).toContain("hostile: mapping its own device's registers: error 0");
      // The kernel never reads or writes device registers for a task (a buffer there is a bad address).
      expect(hostile).toContain("hostile: write from its device's registers: refused (BadAddress)");
      await s.stop();

      // A reboot on the same disk: what the first boot wrote is there.
      const again = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "drivers", "--disk", disk]));
      await again.waitFor("blktest: the patterns of the last boot are there: 192 blocks verified");
      await again.stop();

      // The object store on that disk: not a store and not empty, so it is refused, and not one byte changes.
      const before = createHash("sha256").update(readFileSync(disk)).digest("hex");
      const store = (session = new ConsoleSession(["--arch", arch, "--smp", "2", "--tier", "standard", "--disk", disk]));
      await store.waitForAnywhere(/store: the disk is not an object store and not empty: refusing to use it \(nothing was written\)/);
      expect(await store.command("put anything")).toContain("put: I/O error");
      // The standard tier without a network card (--net none): net serves its callers with the network down.
      expect(await store.command("net")).toContain("net: no network card");
      await store.stop();
      expect(createHash("sha256").update(readFileSync(disk)).digest("hex")).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
