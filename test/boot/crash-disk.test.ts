/**
 * The power-cut disk under QEMU, both arches: the drivers tier boots with its disk
 * served over NBD by test/harness/crash-disk.ts (`cambi run --disk SOCKET`,
 * the same virtio-blk-pci at slot 4). QEMU connects, the guest sees a write
 * cache (virtio-blk's FLUSH feature), blktest's writes reach the server's cache
 * and its flushes arrive as NBD_CMD_FLUSH, which put them in the image file;
 * then the power is cut (crash) with QEMU still running: what blktest flushed
 * is in the file.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleSession, newDisk } from "../harness/console-session.js";
import { CrashDisk } from "../harness/crash-disk.js";

let session: ConsoleSession | undefined;
let disk: CrashDisk | undefined;
let dir: string | undefined;
afterEach(async () => {
  await session?.stop();
  await disk?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  session = disk = dir = undefined;
});

/** blktest's marker in block 0, written and flushed last (a little-endian u64). */
const MARKER = Buffer.alloc(8);
MARKER.writeBigUInt64LE(0x4341_4d42_4954_4553n);

describe.each(["x86_64", "aarch64"] as const)("the crash disk under QEMU on %s", (arch) => {
  it("QEMU connects over NBD, the guest's writes are cached and its flushes reach the file; a crash keeps them", async () => {
    dir = mkdtempSync(path.join(tmpdir(), `cambi-crash-disk-${arch}-`));
    const d = (disk = await CrashDisk.start({ image: newDisk(path.join(dir, "disk.img"), 16 * 1024 * 1024) }));
    const flushes: { blocks: number; marker: boolean }[] = [];
    d.on("flush", (e) => flushes.push({ blocks: e.blocks, marker: readFileSync(d.image).subarray(0, 8).equals(MARKER) }));

    const s = (session = new ConsoleSession(["--arch", arch, "--tier", "drivers", "--disk", d.socket]));
    await s.waitFor(/virtio-blk: 32768 blocks of 512 bytes \(16 MiB\), queue \d+, irq \d+, write cache true/);
    await s.waitFor(/blktest: wrote and read back 192 blocks across the disk/);

    expect(d.stats).toMatchObject({ connections: 1, sessions: 1, protocolErrors: 0, refused: 0 });
    // 24 runs of 8 blocks, one flush; the marker, another flush.
    expect(d.stats.writes).toBeGreaterThanOrEqual(25);
    expect(d.stats.writeBytes).toBeGreaterThanOrEqual(193 * 512);
    expect(d.stats.flushes).toBeGreaterThanOrEqual(2);
    // The writes waited in the cache until a flush put them in the file.
    expect(flushes.find((f) => f.blocks >= 192)).toBeDefined();
    expect(flushes.findIndex((f) => f.marker)).toBeGreaterThan(0);

    // The power goes while QEMU runs (blktest reads in a loop): nothing flushed is lost.
    const summary = d.crash(1);
    expect(summary.pendingBlocks).toBe(0);
    const file = readFileSync(d.image);
    expect(file.subarray(0, 8).equals(MARKER)).toBe(true);
    expect(file.subarray(512, 512 + 8 * 512).equals(Buffer.alloc(8 * 512))).toBe(false); // spot 0: blocks 1..8
  });
});
