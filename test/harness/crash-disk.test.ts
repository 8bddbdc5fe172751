/**
 * The power-cut disk (crash-disk.ts) against a small NBD client written here:
 * the handshake (GO, EXPORT_NAME, LIST, ABORT, declined options), reads that
 * see pending writes, FLUSH making them durable, FUA, refusals, and crash():
 * only a subset of the pending blocks reaches the file, chosen by the seed (the
 * same seed gives the same file), torn writes happen, nothing sent after the
 * crash lands, and everything flushed before it is there. No QEMU here (see
 * test/boot/crash-disk.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { BLOCK, CMD, CMD_FLAG_FUA, copyDisk, CrashDisk, INFO, NBD_EINVAL, NBD_ENOSPC, OPT, prng, REP, TFLAG } from "./crash-disk.js";
import { createDisk } from "../../compiler/build/qemu.js";

const SIZE = 1024 * 1024;

/** A minimal NBD client: fixed newstyle handshake, simple replies, requests in order. */
class NbdClient {
  private socket: net.Socket;
  private chunks: Buffer[] = [];
  private have = 0;
  private wake: (() => void) | undefined;
  private nextCookie = 1n;
  closed = false;
  size = 0;
  flags = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.have += d.length;
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => {});
  }

  /** Connects and does the first exchange (server greeting, client flags). */
  static async connect(socketPath: string, clientFlags = 3): Promise<NbdClient> {
    const s = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      s.once("connect", resolve);
      s.once("error", reject);
    });
    const c = new NbdClient(s);
    const hello = await c.bytes(18);
    expect(hello.subarray(0, 8).toString()).toBe("NBDMAGIC");
    expect(hello.subarray(8, 16).toString()).toBe("IHAVEOPT");
    expect(hello.readUInt16BE(16)).toBe(3); // FIXED_NEWSTYLE | NO_ZEROES
    const f = Buffer.alloc(4);
    f.writeUInt32BE(clientFlags);
    s.write(f);
    return c;
  }

  /** Exactly n bytes from the server; fails if it closes first. */
  async bytes(n: number): Promise<Buffer> {
    while (this.have < n) {
      if (this.closed) throw new Error(`connection closed with ${this.have} of ${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.have -= n;
    return all.subarray(0, n);
  }

  /** Resolves once the server has closed the connection. */
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => (this.wake = r));
  }

  sendOption(option: number, data: Buffer = Buffer.alloc(0)): void {
    const h = Buffer.alloc(16);
    h.write("IHAVEOPT", 0, "latin1");
    h.writeUInt32BE(option, 8);
    h.writeUInt32BE(data.length, 12);
    this.socket.write(Buffer.concat([h, data]));
  }

  async optionReply(option: number): Promise<{ type: number; data: Buffer }> {
    const h = await this.bytes(20);
    expect(h.readBigUInt64BE(0)).toBe(0x3e889045565a9n);
    expect(h.readUInt32BE(8)).toBe(option);
    return { type: h.readUInt32BE(12), data: await this.bytes(h.readUInt32BE(16)) };
  }

  /** NBD_OPT_GO (asking for block sizes): the replies up to ACK; enters transmission. */
  async go(name = ""): Promise<{ type: number; data: Buffer }[]> {
    const d = Buffer.alloc(4 + name.length + 2 + 2);
    d.writeUInt32BE(name.length, 0);
    d.write(name, 4);
    d.writeUInt16BE(1, 4 + name.length);
    d.writeUInt16BE(INFO.BLOCK_SIZE, 6 + name.length);
    this.sendOption(OPT.GO, d);
    const replies = [];
    for (;;) {
      const r = await this.optionReply(OPT.GO);
      replies.push(r);
      if (r.type !== REP.INFO) break;
      if (r.data.readUInt16BE(0) === INFO.EXPORT) {
        this.size = Number(r.data.readBigUInt64BE(2));
        this.flags = r.data.readUInt16BE(10);
      }
    }
    return replies;
  }

  /** Sends a request without waiting; returns its cookie. */
  send(type: number, offset: number, length: number, data?: Buffer, flags = 0): bigint {
    const h = Buffer.alloc(28);
    h.writeUInt32BE(0x25609513, 0);
    h.writeUInt16BE(flags, 4);
    h.writeUInt16BE(type, 6);
    const cookie = this.nextCookie++;
    h.writeBigUInt64BE(cookie, 8);
    h.writeBigUInt64BE(BigInt(offset), 16);
    h.writeUInt32BE(length, 24);
    this.socket.write(data ? Buffer.concat([h, data]) : h);
    return cookie;
  }

  /** The next simple reply (with `dataLength` bytes of data if it succeeded). */
  async reply(cookie: bigint, dataLength = 0): Promise<{ error: number; data: Buffer }> {
    const h = await this.bytes(16);
    expect(h.readUInt32BE(0)).toBe(0x67446698);
    expect(h.readBigUInt64BE(8)).toBe(cookie);
    const error = h.readUInt32BE(4);
    return { error, data: error ? Buffer.alloc(0) : await this.bytes(dataLength) };
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const r = await this.reply(this.send(CMD.READ, offset, length), length);
    expect(r.error).toBe(0);
    return r.data;
  }

  async write(offset: number, data: Buffer, flags = 0): Promise<number> {
    return (await this.reply(this.send(CMD.WRITE, offset, data.length, data, flags))).error;
  }

  async flush(): Promise<number> {
    return (await this.reply(this.send(CMD.FLUSH, 0, 0))).error;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** `blocks` blocks of a pattern of its own for `tag` (every block differs from every other). */
function pattern(tag: number, blocks: number): Buffer {
  const b = Buffer.alloc(blocks * BLOCK);
  const r = prng(tag * 7919 + 1);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((r() * 2 ** 32) >>> 0, i);
  return b;
}

function blockOf(file: Buffer | string, block: number): Buffer {
  const data = typeof file === "string" ? readFileSync(file) : file;
  return data.subarray(block * BLOCK, (block + 1) * BLOCK);
}

let dir: string;
let disks: CrashDisk[] = [];
let clients: NbdClient[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "crash-disk-test-"));
});
afterEach(async () => {
  for (const c of clients) c.destroy();
  for (const d of disks) await d.close();
  clients = [];
  disks = [];
  rmSync(dir, { recursive: true, force: true });
});

async function serve(image = createDisk(path.join(dir, `disk${disks.length}.img`), SIZE), fua = true): Promise<CrashDisk> {
  const d = await CrashDisk.start({ image, fua });
  disks.push(d);
  return d;
}

async function client(d: CrashDisk): Promise<NbdClient> {
  const c = await NbdClient.connect(d.socket);
  clients.push(c);
  const replies = await c.go();
  expect(replies.at(-1)!.type).toBe(REP.ACK);
  return c;
}

describe("crash disk: the NBD handshake", () => {
  it("declines unknown options, structured replies and extended headers, then GO gives size, flags and block sizes", async () => {
    const d = await serve();
    const c = await NbdClient.connect(d.socket);
    clients.push(c);
    for (const opt of [OPT.STRUCTURED_REPLY, OPT.EXTENDED_HEADERS, OPT.SET_META_CONTEXT, OPT.STARTTLS, 4242]) {
      c.sendOption(opt);
      expect((await c.optionReply(opt)).type).toBe(REP.ERR_UNSUP);
    }
    c.sendOption(OPT.LIST);
    const server = await c.optionReply(OPT.LIST);
    expect(server.type).toBe(REP.SERVER);
    expect(server.data.readUInt32BE(0)).toBe(0); // the export "" (any name is accepted)
    expect((await c.optionReply(OPT.LIST)).type).toBe(REP.ACK);

    // A malformed GO (too short for its name) is refused, not fatal.
    c.sendOption(OPT.GO, Buffer.from([0, 0, 0, 9, 0]));
    expect((await c.optionReply(OPT.GO)).type).toBe(REP.ERR_INVALID);

    const replies = await c.go("any");
    expect(replies.map((r) => [r.type, r.data.length ? r.data.readUInt16BE(0) : -1])).toEqual([
      [REP.INFO, INFO.EXPORT],
      [REP.INFO, INFO.BLOCK_SIZE],
      [REP.ACK, -1],
    ]);
    expect(c.size).toBe(SIZE);
    expect(c.flags).toBe(TFLAG.HAS_FLAGS | TFLAG.SEND_FLUSH | TFLAG.SEND_FUA);
    const bs = replies[1].data;
    expect([bs.readUInt32BE(2), bs.readUInt32BE(6), bs.readUInt32BE(10)]).toEqual([512, 4096, 32 * 1024 * 1024]);
    expect(await c.read(0, 512)).toEqual(Buffer.alloc(512));
    expect(d.stats.sessions).toBe(1);
  });

  it("EXPORT_NAME: size and flags, with or without the 124 zero bytes; ABORT is acknowledged and closes", async () => {
    const d = await serve(undefined, false);
    for (const clientFlags of [3, 1]) {
      const c = await NbdClient.connect(d.socket, clientFlags);
      clients.push(c);
      c.sendOption(OPT.EXPORT_NAME, Buffer.from("disk"));
      const r = await c.bytes(clientFlags === 3 ? 10 : 134);
      expect(Number(r.readBigUInt64BE(0))).toBe(SIZE);
      expect(r.readUInt16BE(8)).toBe(TFLAG.HAS_FLAGS | TFLAG.SEND_FLUSH); // fua: false
      if (clientFlags === 1) expect(r.subarray(10)).toEqual(Buffer.alloc(124));
      expect(await c.write(512, pattern(1, 1))).toBe(0);
      expect(await c.read(512, 512)).toEqual(pattern(1, 1));
    }
    const a = await NbdClient.connect(d.socket);
    clients.push(a);
    a.sendOption(OPT.ABORT);
    expect((await a.optionReply(OPT.ABORT)).type).toBe(REP.ACK);
    await a.untilClosed();
    expect(d.stats.sessions).toBe(2);
  });

  it("a bad magic ends that connection only; unknown client flags too", async () => {
    const d = await serve();
    const bad = await NbdClient.connect(d.socket);
    clients.push(bad);
    bad["socket"].write(Buffer.alloc(16, 1));
    await bad.untilClosed();
    const flags = await NbdClient.connect(d.socket, 0x80);
    clients.push(flags);
    await flags.untilClosed();
    expect(d.stats.protocolErrors).toBe(2);
    const good = await client(d);
    expect(await good.read(0, 512)).toEqual(Buffer.alloc(512));
  });
});

describe("crash disk: the cache and FLUSH", () => {
  it("reads see pending writes (partial blocks too); the file gets them only at FLUSH", async () => {
    const d = await serve();
    const c = await client(d);
    const flushed: number[] = [];
    d.on("flush", (e) => flushed.push(e.blocks));
    expect(await c.write(4096, pattern(1, 8))).toBe(0);
    expect(await c.write(4096 + 100, Buffer.alloc(50, 0xab))).toBe(0); // inside block 8
    expect(await c.write(SIZE - 1000, Buffer.alloc(1000, 0xcd))).toBe(0); // straddles the last two blocks
    const expected = Buffer.from(pattern(1, 8));
    expected.fill(0xab, 100, 150);
    expect(await c.read(4096, 8 * 512)).toEqual(expected);
    expect(await c.read(4096 + 90, 70)).toEqual(expected.subarray(90, 160));
    expect(await c.read(SIZE - 1024, 1024)).toEqual(Buffer.concat([Buffer.alloc(24), Buffer.alloc(1000, 0xcd)]));
    expect(d.read(4096, 8 * 512)).toEqual(expected);
    expect(readFileSync(d.image).equals(Buffer.alloc(SIZE))).toBe(true);
    expect(d.pendingBlocks).toBe(8 + 1 + 2);

    expect(await c.flush()).toBe(0);
    expect(flushed).toEqual([11]);
    expect(d.pendingBlocks).toBe(0);
    const file = readFileSync(d.image);
    expect(file.subarray(4096, 4096 + 8 * 512)).toEqual(expected);
    expect(file.subarray(SIZE - 1000)).toEqual(Buffer.alloc(1000, 0xcd));
    expect(d.stats).toMatchObject({ writes: 3, writeBytes: 4096 + 50 + 1000, flushes: 1, reads: 3 });
  });

  it("large writes split over many chunks, pipelined requests answered in order", async () => {
    const d = await serve();
    const c = await client(d);
    const big = pattern(2, 1024); // 512 KiB
    const cookies = [c.send(CMD.WRITE, 0, big.length, big), c.send(CMD.WRITE, big.length, 512, pattern(3, 1)), c.send(CMD.FLUSH, 0, 0)];
    const readCookie = c.send(CMD.READ, 0, big.length);
    for (const k of cookies) expect((await c.reply(k)).error).toBe(0);
    // (Buffer.equals: toEqual compares half a megabyte byte by byte, slowly.)
    expect((await c.reply(readCookie, big.length)).data.equals(big)).toBe(true);
    expect(readFileSync(d.image).subarray(0, big.length + 512).equals(Buffer.concat([big, pattern(3, 1)]))).toBe(true);
  });

  it("a FUA write is in the file at once and supersedes older pending versions of its blocks", async () => {
    const d = await serve();
    const c = await client(d);
    expect(await c.write(3 * 512, pattern(1, 2))).toBe(0); // blocks 3, 4 pending
    expect(await c.write(4 * 512, pattern(2, 2), CMD_FLAG_FUA)).toBe(0); // blocks 4, 5 durable
    expect(blockOf(d.image, 3)).toEqual(Buffer.alloc(512));
    expect(readFileSync(d.image).subarray(4 * 512, 6 * 512)).toEqual(pattern(2, 2));
    expect(d.pendingBlocks).toBe(1);
    expect(d.stats.fuaWrites).toBe(1);
    d.crash(1, { probability: 1 });
    const file = readFileSync(d.image);
    expect(file.subarray(3 * 512, 4 * 512)).toEqual(pattern(1, 1));
    expect(file.subarray(4 * 512, 6 * 512)).toEqual(pattern(2, 2));
  });

  it("refuses reads past the end (EINVAL), writes past the end (ENOSPC), TRIM and WRITE_ZEROES (EINVAL), and goes on", async () => {
    const d = await serve();
    const c = await client(d);
    expect((await c.reply(c.send(CMD.READ, SIZE - 512, 1024))).error).toBe(NBD_EINVAL);
    expect(await c.write(SIZE, Buffer.alloc(512))).toBe(NBD_ENOSPC);
    expect((await c.reply(c.send(CMD.TRIM, 0, 512))).error).toBe(NBD_EINVAL);
    expect((await c.reply(c.send(CMD.WRITE_ZEROES, 0, 512))).error).toBe(NBD_EINVAL);
    expect(d.stats.refused).toBe(4);
    expect(await c.write(0, pattern(1, 1))).toBe(0);
    expect(await c.read(0, 512)).toEqual(pattern(1, 1));
    c.send(CMD.DISC, 0, 0);
    await c.untilClosed();
  });

  it("connections share the cache; whenCount waits for flushes without a fixed sleep", async () => {
    const d = await serve();
    const a = await client(d);
    const b = await client(d);
    const twoFlushes = d.whenCount("flushes", 2);
    let resolved = false;
    void twoFlushes.then(() => (resolved = true));
    expect(await a.write(0, pattern(5, 1))).toBe(0);
    expect(await b.read(0, 512)).toEqual(pattern(5, 1));
    expect(await b.flush()).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    expect(await a.flush()).toBe(0);
    await twoFlushes;
    expect(d.stats.connections).toBe(2);
    const never = d.whenCount("flushes", 3);
    d.crash(0);
    await expect(never).rejects.toThrow(/ended \(crash\) before flushes reached 3/);
  });

  it("close() stops serving and drops what is pending; copyDisk copies an image sparsely", async () => {
    const image = createDisk(path.join(dir, "base.img"), 8 * 1024 * 1024);
    const d = await serve(image);
    const c = await client(d);
    expect(await c.write(1024 * 1024, pattern(7, 4))).toBe(0);
    expect(await c.flush()).toBe(0);
    expect(await c.write(0, pattern(8, 1))).toBe(0);
    expect(await d.close()).toBe(1);
    expect(existsSync(d.socket)).toBe(false);
    await c.untilClosed();
    expect(blockOf(image, 0)).toEqual(Buffer.alloc(512));

    const copy = copyDisk(image, path.join(dir, "copy.img"));
    expect(readFileSync(copy).equals(readFileSync(image))).toBe(true);
    expect(statSync(copy).blocks * 512).toBeLessThan(1024 * 1024); // sparse: one 64 KiB grain written
    expect(() => copyDisk(image, copy)).toThrow(/EEXIST/);
  });
});

describe("crash disk: crash(seed)", () => {
  /** A disk whose file holds `base` at blocks 0..63 (flushed) and then the pending writes of `pendingWrites`. */
  async function prepared(name: string): Promise<{ d: CrashDisk; c: NbdClient }> {
    const d = await serve(createDisk(path.join(dir, name), SIZE));
    const c = await client(d);
    expect(await c.write(0, pattern(100, 64))).toBe(0);
    expect(await c.flush()).toBe(0);
    await pendingWrites(c);
    return { d, c };
  }
  /** Writes after the flush: a 16-block write, two versions of block 5 (flushed before), single blocks. */
  async function pendingWrites(c: NbdClient): Promise<void> {
    expect(await c.write(100 * 512, pattern(1, 16))).toBe(0);
    expect(await c.write(5 * 512, pattern(2, 1))).toBe(0);
    expect(await c.write(5 * 512, pattern(3, 1))).toBe(0);
    for (let i = 0; i < 10; i++) expect(await c.write((200 + 3 * i) * 512, pattern(10 + i, 1))).toBe(0);
  }

  it("applies a subset chosen by the seed: the same seed gives the same file, other seeds others", async () => {
    const results = new Map<string, number>();
    const files: Buffer[] = [];
    for (const [i, seed] of [7, 7, 8, 9, 10, 11].entries()) {
      const { d } = await prepared(`s${i}.img`);
      expect(d.pendingBlocks).toBe(28);
      const s = d.crash(seed);
      expect(s.pendingBlocks).toBe(28);
      expect(s.appliedBlocks).toBe(s.applied.length);
      expect(s.appliedBlocks).toBeLessThanOrEqual(28);
      const file = readFileSync(d.image);
      files.push(file);
      results.set(`${seed}:${file.toString("base64")}`, seed);
      // Every block is as flushed or one of its pending versions.
      expect(file.subarray(6 * 512, 64 * 512)).toEqual(pattern(100, 64).subarray(6 * 512));
      expect([pattern(100, 64).subarray(5 * 512, 6 * 512), pattern(2, 1), pattern(3, 1)]).toContainEqual(blockOf(file, 5));
      for (let b = 0; b < 16; b++) expect([Buffer.alloc(512), blockOf(pattern(1, 16), b)]).toContainEqual(blockOf(file, 100 + b));
      for (let i = 0; i < 10; i++) expect([Buffer.alloc(512), pattern(10 + i, 1)]).toContainEqual(blockOf(file, 200 + 3 * i));
      // Nothing else changed.
      const untouched = Buffer.from(file);
      for (const b of [5, ...Array.from({ length: 16 }, (_, k) => 100 + k), ...Array.from({ length: 10 }, (_, k) => 200 + 3 * k)]) untouched.fill(0, b * 512, (b + 1) * 512);
      untouched.fill(0, 0, 64 * 512);
      expect(untouched.equals(Buffer.alloc(SIZE))).toBe(true);
    }
    expect(files[0].equals(files[1])).toBe(true);
    // Six crashes, five seeds: at least four different files.
    expect(new Set(files.map((f) => f.toString("base64"))).size).toBeGreaterThanOrEqual(4);
  });

  it("tears multi-block writes, and the probability bounds what lands (0: nothing, 1: everything)", async () => {
    let torn = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { d } = await prepared(`t${seed}.img`);
      const s = d.crash(seed, { probability: 0.5 });
      const landed = s.applied.filter((b) => b >= 100 && b < 116).length;
      if (landed > 0 && landed < 16) torn++;
    }
    expect(torn).toBeGreaterThan(5);

    const none = await prepared("none.img");
    expect(none.d.crash(3, { probability: 0 }).appliedBlocks).toBe(0);
    const nothing = readFileSync(none.d.image);
    expect(nothing.subarray(0, 64 * 512)).toEqual(pattern(100, 64)); // the flushed data, block 5 included
    expect(nothing.subarray(64 * 512).equals(Buffer.alloc(SIZE - 64 * 512))).toBe(true);

    const all = await prepared("all.img");
    expect(all.d.crash(3, { probability: 1 }).appliedBlocks).toBe(28);
    const everything = readFileSync(all.d.image);
    expect(everything.subarray(100 * 512, 116 * 512)).toEqual(pattern(1, 16));
    expect([pattern(2, 1), pattern(3, 1)]).toContainEqual(blockOf(everything, 5)); // either version, in a random order
  });

  it("stops at once: requests after the crash never land and the one being handled gets no reply", async () => {
    const d = await serve();
    const c = await client(d);
    expect(await c.write(0, pattern(1, 4))).toBe(0);
    expect(await c.flush()).toBe(0);
    // Ten writes in one go; the power goes while the fifth is being handled.
    let summary: ReturnType<CrashDisk["crash"]> | undefined;
    d.on("write", () => {
      if (d.stats.writes === 1 + 5) summary = d.crash(42, { probability: 1 });
    });
    const cookies = Array.from({ length: 10 }, (_, i) => c.send(CMD.WRITE, (10 + i) * 512, 512, pattern(20 + i, 1)));
    c.send(CMD.FLUSH, 0, 0);
    // The replies to the first four may have gone out before the power did; the fifth's never.
    await c.untilClosed();
    let replied = 0;
    for (;;) {
      try {
        expect((await c.reply(cookies[replied])).error).toBe(0);
        replied++;
      } catch (e) {
        expect(String(e)).toMatch(/closed/);
        break;
      }
    }
    expect(replied).toBeLessThanOrEqual(4);
    expect(summary).toMatchObject({ pendingBlocks: 5, appliedBlocks: 5 });
    const file = readFileSync(d.image);
    expect(file.subarray(0, 4 * 512)).toEqual(pattern(1, 4)); // flushed before the crash
    for (let i = 0; i < 5; i++) expect(blockOf(file, 10 + i)).toEqual(pattern(20 + i, 1));
    for (let i = 5; i < 10; i++) expect(blockOf(file, 10 + i)).toEqual(Buffer.alloc(512));
    expect(d.stats).toMatchObject({ writes: 6, flushes: 1 });
    expect(existsSync(d.socket)).toBe(false);
    await expect(NbdClient.connect(d.socket)).rejects.toThrow(/ENOENT/);
    expect(() => d.read(0, 512)).toThrow(/after crash/);
  });

  it("everything flushed before the crash is there, whatever the seed", async () => {
    for (let seed = 100; seed < 110; seed++) {
      const d = await serve(createDisk(path.join(dir, `f${seed}.img`), SIZE));
      const c = await client(d);
      // Acknowledged writes (each followed by a flush), then pending ones over the same blocks and others.
      for (let i = 0; i < 8; i++) {
        expect(await c.write(i * 8 * 512, pattern(seed * 10 + i, 8))).toBe(0);
        expect(await c.flush()).toBe(0);
      }
      expect(await c.write(4 * 512, pattern(1, 4))).toBe(0); // over blocks 4..7
      expect(await c.write(500 * 512, pattern(2, 4))).toBe(0);
      const s = d.crash(seed);
      const file = readFileSync(d.image);
      for (let i = 0; i < 8; i++) {
        for (let b = 0; b < 8; b++) {
          const block = i * 8 + b;
          const flushed = blockOf(pattern(seed * 10 + i, 8), b);
          if (block >= 4 && block < 8 && s.applied.includes(block)) expect(blockOf(file, block)).toEqual(blockOf(pattern(1, 4), block - 4));
          else expect(blockOf(file, block)).toEqual(flushed);
        }
      }
    }
  });
});
