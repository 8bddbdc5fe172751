/**
 * The key store and the object store on both arches (the test tier, 4 CPUs,
 * a 64 MiB disk of its own), through the shell as a person would use them:
 *  - id: the shell's principal and public key, the same on every call;
 *  - put, cat, ls, rm, grant (storetest then reads what was granted), df;
 *  - storetest streams a 16 MiB object through its 1 MiB session buffer and
 *    reads it back verified;
 *  - the hostile service's attempts against both stores, each refused;
 *  - a reboot on the same disk keeps the objects; a byte flipped in one
 *    object's bytes in the image between the boots makes exactly that object
 *    damaged: reported, never shown, while the others read back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleSession, linesFrom, newDisk } from "../harness/console-session.js";

let session: ConsoleSession | undefined;
afterEach(() => session?.close());

const KEPT = "object one: kept across the reboot";
const DELETED = "object two: deleted";
const DAMAGED = "object three: to be damaged on the disk";
const GRANTED = "granted to storetest by the shell";

/** The address `put` printed for text. */
async function put(s: ConsoleSession, text: string): Promise<string> {
  const out = await s.command(`put ${text}`);
  const m = new RegExp(`put: ([0-9a-f]{64}) \\(${text.length} bytes\\)`).exec(out);
  expect(m, out).not.toBeNull();
  return m![1]!;
}

/** Flips one byte in the middle of text's only occurrence in the disk image. */
function flipInImage(image: string, text: string): void {
  const bytes = readFileSync(image);
  const at = bytes.indexOf(Buffer.from(text));
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(Buffer.from(text), at + 1)).toBe(-1);
  bytes[at + 7] ^= 0x20;
  writeFileSync(image, bytes);
}

describe.each(["x86_64", "aarch64"] as const)("store on %s", (arch) => {
  it("a CPU without a random generator: the boot says so loudly, and keys still come from the kernel's generator", async () => {
    const cpu = arch === "x86_64" ? "max,-rdrand,-rdseed" : "cortex-a72";
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "2", "--cpu", cpu]));
    await s.waitFor(/random: WARNING: no hardware random generator \(the CPU has [^)]*\); seeded from timer jitter only: keys made on this boot may be guessable/);
    await s.waitForAnywhere(/store: formatted an empty disk/);
    expect(await s.command("id")).toMatch(/id: key [0-9a-f]{64}/);
    expect(s.output).not.toMatch(/random: seeded from/);
  });

  it("keys and objects through the shell, storetest and hostile, a reboot, damage on the disk", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), `cambi-store-${arch}-`));
    try {
      const disk = newDisk(path.join(dir, "disk.img"), 64 * 1024 * 1024);
      const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "test", "--disk", disk]));
      await s.waitForAnywhere(/store: formatted an empty disk of 64 MiB \(format version 1\)/);
      expect(s.output).toMatch(arch === "x86_64" ? /random: seeded from (RDSEED|RDRAND) \(8 words\)/ : /random: seeded from RNDR \(8 words\)/);

      const id = await s.command("id");
      const principal = /id: principal ([0-9a-f]{64})/.exec(id)![1];
      const key = /id: key ([0-9a-f]{64})/.exec(id)![1];
      expect(principal).not.toBe(key);
      const id2 = await s.command("id");
      expect(id2).toContain(`id: principal ${principal}`);
      expect(id2).toContain(`id: key ${key}`);

      const kept = await put(s, KEPT);
      const deleted = await put(s, DELETED);
      const damaged = await put(s, DAMAGED);
      expect(await s.command(`cat ${kept}`)).toContain(KEPT);
      expect(await s.command(`put ${KEPT}`)).toContain("put: exists");
      const ls = await s.command("ls");
      for (const a of [kept, deleted, damaged]) expect(ls).toContain(a);
      expect(ls).toContain("ls: 3 objects");
      expect(await s.command(`rm ${deleted}`)).toContain("rm: deleted");
      expect(await s.command(`cat ${deleted}`)).toContain("cat: not found");
      expect(await s.command(`rm ${deleted}`)).toContain("rm: not found");
      expect(await s.command("ls")).toContain("ls: 2 objects");
      expect(await s.command("cat 1234")).toContain("cat: usage");

      // storetest: the 16 MiB object, then a grant from the shell that it reads.
      await s.waitForAnywhere(/storetest: a 16 MiB object was stored, read back and verified, then deleted/, 300_000);
      const other = (await s.waitForAnywhere(/storetest: principal ([0-9a-f]{64})/, 300_000))[1]!;
      const victim = (await s.command("ls " + other)).match(/ls: (\d+) objects/)![1];
      expect(victim).toBe("0"); // storetest's victim object is not granted to the shell
      const granted = await put(s, GRANTED);
      const g = await s.command(`grant ${granted} ${other}`);
      expect(g).toContain("grant: granted");
      await s.waitForAnywhere(new RegExp(`storetest: read the object granted to it: ${GRANTED}`), 60_000);
      const df = await s.command("df");
      expect(df).toMatch(/df: \d+ MiB, \d+ MiB free, \d+ objects; mine: \d+ bytes in 3 objects \(quota 40 MiB\); \d+ refusals, 0 damaged records/);

      // The hostile service: every attempt against the stores refused.
      const summary = await s.waitForAnywhere(/hostile: (all attempts refused \((\d+) attempts\)|(\d+) of (\d+) attempts ALLOWED)/, 300_000);
      expect(summary[1]).toMatch(/^all attempts refused/);
      const hostile = linesFrom(s.output, "hostile: ").join("\n");
      for (const line of [
        "reading another principal's object without a grant: refused (denied)",
        "deleting another principal's object: refused (denied)",
        "granting itself another principal's object: refused (denied)",
        "the key store's vault (secret keys) without the vault endpoint: refused (denied)",
        "a put signed by a key that is not its own: refused (bad signature)",
        "a put whose bytes are not the ones signed: refused (hash mismatch)",
        "an object of 2^63 bytes: refused (too large)",
        "an object one byte over 16 MiB: refused (too large)",
        "more bytes than the object has: refused (invalid)",
        "data at an offset out of order: refused (invalid)",
        "a chunk longer than its session buffer: refused (invalid)",
        "reading data without a verified get: refused (invalid)",
        "reading past the end of its own object: refused (invalid)",
        "object 65 over its quota of 64: refused (over quota)",
      ]) expect(hostile).toContain(`hostile: ${line}`);
      // Each refusal is audited by the store.
      expect(s.output).toMatch(/store: refused SGBG from task \d+ \(principal [0-9a-f]{16}\): denied/);
      expect(s.output).toMatch(/store: refused VGET from task \d+ \(principal [0-9a-f]{16}\): denied/);
      await s.stop();

      // Between the boots, one byte of one object's bytes changes on the disk.
      flipInImage(disk, DAMAGED);
      const again = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--tier", "test", "--disk", disk]));
      await again.waitForAnywhere(/store: mounted 64 MiB: \d+ objects, \d+ keys, \d+ MiB free, 0 damaged records/);
      expect(await again.command("id")).toContain(key);
      expect(await again.command(`cat ${kept}`)).toContain(KEPT);
      const bad = await again.command(`cat ${damaged}`);
      expect(bad).toContain("cat: the object is damaged");
      expect(bad).not.toContain("to be damaged");
      expect(again.output).toMatch(new RegExp(`store: object ${damaged} is damaged: its bytes are not given out`));
      expect(await again.command(`cat ${deleted}`)).toContain("cat: not found");
      const ls2 = await again.command("ls");
      expect(ls2).toContain("ls: 3 objects");
      expect(await again.command(`rm ${damaged}`)).toContain("rm: deleted");
      expect(await again.command("ls")).toContain("ls: 2 objects");
    } catch (e) {
      console.log(session?.output.slice(-6000));
      throw e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
