/**
 * A disk that can lose power: an NBD server (fixed newstyle, simple replies)
 * exporting a raw image file over a UNIX socket, for crash tests under QEMU
 * (qemuArgs attaches it when `disk` is the socket: `cambi run --disk SOCKET`).
 *
 * The image file is the durable medium. A WRITE goes to a volatile cache, an
 * in-memory list of pending 512-byte blocks in the order written (reads see
 * the latest pending version of a block over the file); FLUSH writes the cache
 * to the file (no fsync: the host does not lose power) and empties it before
 * it replies; a write with NBD_CMD_FLAG_FUA goes to the file at once (only that
 * write: older pending versions of its blocks are dropped, it supersedes them).
 *
 * crash(seed) is the power cut: the socket and every connection are destroyed
 * at once (no request is taken after it; a request being handled when it is
 * called from an event handler gets no reply), then a random subset of the
 * pending blocks, chosen by a PRNG seeded with `seed`, is written to the file
 * in a random order, as a drive's cache may have written some of them before
 * the power went: a multi-block write can be torn, a later write can be there
 * and an earlier one not, and a block written twice since the last flush ends
 * as any of its versions or as it was. Same seed, same pending writes: same
 * file. Everything flushed before the crash (or written with FUA) is in the file.
 *
 * close() is a clean stop: it serves no more and leaves the file as it is;
 * writes still pending are dropped, not applied (a guest that shuts down
 * cleanly flushed them; QEMU also flushes when it exits cleanly, not when it
 * is killed). Call flush() first to keep them.
 *
 * Killing QEMU does not end the disk: its pending writes stay pending (the
 * drive keeps power) and a new connection sees them; crash() or close() ends it.
 *
 * Protocol: NBD_OPT_GO/INFO (NBD_INFO_EXPORT, and NBD_INFO_BLOCK_SIZE when
 * asked: 512 minimum, 4096 preferred, 32 MiB maximum), NBD_OPT_EXPORT_NAME,
 * NBD_OPT_LIST, NBD_OPT_ABORT; any other option (structured replies, extended
 * headers, meta contexts, TLS) is answered NBD_REP_ERR_UNSUP. One export of
 * any name. Transmission flags HAS_FLAGS | SEND_FLUSH | SEND_FUA; commands
 * READ, WRITE, FLUSH, DISC; TRIM, WRITE_ZEROES and the rest are refused
 * (NBD_EINVAL; they are not advertised). Several connections may be open at
 * once; they share the one cache.
 */
import { EventEmitter } from "node:events";
import { closeSync, existsSync, fstatSync, ftruncateSync, lstatSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const BLOCK = 512;

// Handshake (https://github.com/NetworkBlockDevice/nbd/blob/master/doc/proto.md).
const NBDMAGIC = 0x4e42444d41474943n;
const IHAVEOPT = 0x49484156454f5054n;
const REPLY_MAGIC = 0x3e889045565a9n;
const FLAG_FIXED_NEWSTYLE = 1;
const FLAG_NO_ZEROES = 2;
export const OPT = { EXPORT_NAME: 1, ABORT: 2, LIST: 3, STARTTLS: 5, INFO: 6, GO: 7, STRUCTURED_REPLY: 8, LIST_META_CONTEXT: 9, SET_META_CONTEXT: 10, EXTENDED_HEADERS: 11 } as const;
export const REP = { ACK: 1, SERVER: 2, INFO: 3, ERR_UNSUP: 0x80000001, ERR_INVALID: 0x80000003, ERR_TOO_BIG: 0x80000009 } as const;
export const INFO = { EXPORT: 0, NAME: 1, DESCRIPTION: 2, BLOCK_SIZE: 3 } as const;
// Transmission.
export const TFLAG = { HAS_FLAGS: 1, READ_ONLY: 2, SEND_FLUSH: 4, SEND_FUA: 8, ROTATIONAL: 16, SEND_TRIM: 32, SEND_WRITE_ZEROES: 64 } as const;
export const CMD = { READ: 0, WRITE: 1, DISC: 2, FLUSH: 3, TRIM: 4, CACHE: 5, WRITE_ZEROES: 6, BLOCK_STATUS: 7 } as const;
export const CMD_FLAG_FUA = 1;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
export const NBD_EINVAL = 22;
export const NBD_ENOSPC = 28;
/** The largest request accepted (QEMU's default maximum transfer); a larger one ends the connection. */
const MAX_REQUEST = 32 * 1024 * 1024;
const MAX_OPTION = 64 * 1024;

export interface CrashDiskOptions {
  /** The raw image (the durable medium): an existing file whose size is a multiple of 512 (createDisk, copyDisk). */
  image: string;
  /** The UNIX socket to listen on; by default nbd.sock in a new temporary directory (removed when the disk ends). */
  socket?: string;
  /** Advertise NBD_FLAG_SEND_FUA (default true). */
  fua?: boolean;
}

export interface CrashDiskStats {
  /** Connections accepted, and handshakes that reached transmission. */
  connections: number;
  sessions: number;
  reads: number;
  readBytes: number;
  /** WRITE requests (FUA ones included), bytes written, and those with FUA. */
  writes: number;
  writeBytes: number;
  fuaWrites: number;
  /** FLUSH requests handled (the cache written to the file). */
  flushes: number;
  /** Requests answered with an error, and connections ended for a protocol violation. */
  refused: number;
  protocolErrors: number;
}
export type CrashDiskCounter = keyof CrashDiskStats;

export interface CrashSummary {
  seed: number;
  /** The chance each pending block had of being written (drawn from the seed unless given). */
  probability: number;
  /** Block versions pending at the crash (a block written twice counts twice), and how many were written. */
  pendingBlocks: number;
  appliedBlocks: number;
  /** The block numbers written, in the order written. */
  applied: number[];
}

/**
 * Events (synchronous; a handler that calls crash() cuts the power at that
 * instant: the request's reply is never sent):
 *  - "connect" (): a connection was accepted;
 *  - "write" ({ offset, length, fua }): a WRITE took effect (cached, or in the file if FUA), before its reply;
 *  - "flush" ({ flushes, blocks }): a FLUSH wrote `blocks` block versions to the file, before its reply;
 *  - "end" ({ reason }): a connection ended ("disconnect", "closed", "protocol: ...", "crash", "close").
 */
export interface CrashDiskEvents {
  connect: [];
  write: [{ offset: number; length: number; fua: boolean }];
  flush: [{ flushes: number; blocks: number }];
  end: [{ reason: string }];
}

interface Pending {
  block: number;
  data: Buffer;
}

export class CrashDisk extends EventEmitter<CrashDiskEvents> {
  readonly image: string;
  readonly socket: string;
  /** The export's size in bytes (the image's size). */
  readonly size: number;
  readonly stats: CrashDiskStats = { connections: 0, sessions: 0, reads: 0, readBytes: 0, writes: 0, writeBytes: 0, fuaWrites: 0, flushes: 0, refused: 0, protocolErrors: 0 };
  /** The last protocol violation seen (a connection ended for it). */
  lastProtocolError: string | undefined;
  readonly transmissionFlags: number;

  private fd: number;
  private server: net.Server;
  private connections = new Set<Connection>();
  private pending: Pending[] = [];
  private latest = new Map<number, Buffer>();
  private ended: "crash" | "close" | undefined;
  private socketDir: string | undefined;
  private counted = new EventEmitter();

  private constructor(o: CrashDiskOptions, server: net.Server, socket: string, socketDir: string | undefined) {
    super();
    this.image = o.image;
    this.socket = socket;
    this.socketDir = socketDir;
    this.server = server;
    this.fd = openSync(o.image, "r+");
    this.size = fstatSync(this.fd).size;
    if (this.size % BLOCK !== 0 || this.size === 0) {
      closeSync(this.fd);
      throw new Error(`crash disk: ${o.image} is ${this.size} bytes, not a positive multiple of ${BLOCK}`);
    }
    this.transmissionFlags = TFLAG.HAS_FLAGS | TFLAG.SEND_FLUSH | (o.fua === false ? 0 : TFLAG.SEND_FUA);
    this.counted.setMaxListeners(0);
  }

  /** Serves `image` on a UNIX socket; resolves once it listens (QEMU may connect then). */
  static async start(o: CrashDiskOptions): Promise<CrashDisk> {
    const socketDir = o.socket ? undefined : mkdtempSync(path.join(tmpdir(), "cambi-nbd-"));
    const socket = o.socket ?? path.join(socketDir!, "nbd.sock");
    if (o.socket && isSocket(socket)) unlinkSync(socket); // a stale one
    const server = net.createServer();
    let disk: CrashDisk;
    try {
      disk = new CrashDisk(o, server, socket, socketDir);
    } catch (e) {
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
      throw e;
    }
    server.on("connection", (s) => disk.accept(s));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socket, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      await disk.close();
      throw e;
    }
    return disk;
  }

  /** Block versions written and not yet flushed (a block written twice counts twice). */
  get pendingBlocks(): number {
    return this.pending.length;
  }

  /** Whether crash() or close() ended the disk. */
  get done(): boolean {
    return this.ended !== undefined;
  }

  /** What a reader sees now: the cache over the file. */
  read(offset: number, length: number): Buffer {
    this.alive();
    const out = Buffer.alloc(length);
    if (length > 0) readSync(this.fd, out, 0, length, offset);
    if (this.latest.size === 0) return out;
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    for (let b = first; b <= last; b++) {
      const data = this.latest.get(b);
      if (!data) continue;
      const from = Math.max(offset, b * BLOCK);
      const to = Math.min(offset + length, (b + 1) * BLOCK);
      data.copy(out, from - offset, from - b * BLOCK, to - b * BLOCK);
    }
    return out;
  }

  /** Writes the cache to the file and empties it (what NBD_CMD_FLUSH does); returns the block versions it wrote. */
  flush(): number {
    this.alive();
    const n = this.pending.length;
    const blocks = [...this.latest.keys()].sort((a, b) => a - b);
    // Runs of consecutive blocks in one write each.
    for (let i = 0; i < blocks.length; ) {
      let j = i + 1;
      while (j < blocks.length && blocks[j] === blocks[j - 1] + 1) j++;
      const run = blocks.slice(i, j).map((b) => this.latest.get(b)!);
      writeSync(this.fd, run.length === 1 ? run[0] : Buffer.concat(run), 0, run.length * BLOCK, blocks[i] * BLOCK);
      i = j;
    }
    this.pending = [];
    this.latest.clear();
    return n;
  }

  /**
   * The power cut: stops serving at once, then writes a random subset of the
   * pending blocks to the file in a random order, from a PRNG seeded with `seed`
   * (an integer). Each block version is written with chance `probability`,
   * drawn uniformly from the seed unless given (so seeds vary from "almost
   * nothing" to "almost everything"). The disk is done afterwards.
   */
  crash(seed: number, o: { probability?: number } = {}): CrashSummary {
    this.alive();
    this.stop("crash");
    const rng = prng(seed);
    const probability = o.probability ?? rng();
    const chosen = this.pending.filter(() => rng() < probability);
    for (let i = chosen.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
    }
    for (const p of chosen) writeSync(this.fd, p.data, 0, BLOCK, p.block * BLOCK);
    const summary = { seed, probability, pendingBlocks: this.pending.length, appliedBlocks: chosen.length, applied: chosen.map((p) => p.block) };
    this.pending = [];
    this.latest.clear();
    closeSync(this.fd);
    return summary;
  }

  /** A clean stop: serves no more, leaves the file as it is (pending writes are dropped; see the top). Returns the block versions dropped. */
  async close(): Promise<number> {
    if (this.ended) return 0;
    const dropped = this.pending.length;
    this.stop("close");
    this.pending = [];
    this.latest.clear();
    closeSync(this.fd);
    return dropped;
  }

  /**
   * Resolves once stats[counter] >= n (e.g. whenCount("flushes", 2)); rejects
   * if the disk ends first or after timeoutMs, with the counters in the message.
   */
  whenCount(counter: CrashDiskCounter, n: number, timeoutMs = 120_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.stats[counter] >= n) finish();
        else if (this.ended) finish(new Error(`crash disk: ended (${this.ended}) before ${counter} reached ${n}: ${JSON.stringify(this.stats)}`));
      };
      const timer = setTimeout(() => finish(new Error(`crash disk: timed out waiting for ${counter} >= ${n}: ${JSON.stringify(this.stats)}`)), timeoutMs);
      const finish = (e?: Error) => {
        clearTimeout(timer);
        this.counted.off("change", check);
        if (e) reject(e);
        else resolve();
      };
      this.counted.on("change", check);
      check();
    });
  }

  private alive(): void {
    if (this.ended) throw new Error(`crash disk: used after ${this.ended}()`);
  }

  private stop(reason: "crash" | "close"): void {
    this.ended = reason;
    this.server.close();
    for (const c of this.connections) c.end(reason);
    this.connections.clear();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    else if (isSocket(this.socket)) unlinkSync(this.socket);
    this.counted.emit("change");
  }

  private accept(socket: net.Socket): void {
    if (this.ended) {
      socket.destroy();
      return;
    }
    const c = new Connection(this, socket);
    this.connections.add(c);
    socket.on("close", () => this.connections.delete(c));
    this.count("connections");
    this.emit("connect");
    c.begin();
  }

  /** @internal */
  count(counter: CrashDiskCounter, by = 1): void {
    this.stats[counter] += by;
    this.counted.emit("change");
  }

  /** @internal The connection's view of the disk: whether it still serves. */
  get serving(): boolean {
    return !this.ended;
  }

  /** @internal A WRITE: cached (or to the file with FUA). */
  cacheWrite(offset: number, data: Buffer, fua: boolean): void {
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + data.length - 1) / BLOCK);
    const blocks: Pending[] = [];
    for (let b = first; b <= last; b++) {
      const start = b * BLOCK;
      let block: Buffer;
      if (start >= offset && start + BLOCK <= offset + data.length) block = data.subarray(start - offset, start - offset + BLOCK);
      else {
        // A part of a block: the rest is what a reader sees now.
        block = this.read(start, BLOCK);
        const from = Math.max(offset, start);
        data.copy(block, from - start, from - offset, Math.min(offset + data.length, start + BLOCK) - offset);
      }
      blocks.push({ block: b, data: block });
    }
    if (fua) {
      for (const p of blocks) writeSync(this.fd, p.data, 0, BLOCK, p.block * BLOCK);
      const done = new Set(blocks.map((p) => p.block));
      if (this.pending.some((p) => done.has(p.block))) this.pending = this.pending.filter((p) => !done.has(p.block));
      for (const b of done) this.latest.delete(b);
    } else {
      for (const p of blocks) {
        this.pending.push(p);
        this.latest.set(p.block, p.data);
      }
    }
  }

  /** @internal */
  protocolError(why: string): void {
    this.lastProtocolError = why;
    this.count("protocolErrors");
  }
}

/** One client: the handshake, then requests handled in order as their bytes arrive. */
class Connection {
  private queue = new ByteQueue();
  private state: "flags" | "option" | "transmission" | "ended" = "flags";
  private noZeroes = false;

  constructor(
    private disk: CrashDisk,
    private socket: net.Socket,
  ) {}

  begin(): void {
    this.socket.on("data", (d: Buffer) => {
      this.queue.push(d);
      this.pump();
    });
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      if (this.state !== "ended") this.finish("closed");
    });
    const hello = Buffer.alloc(18);
    hello.writeBigUInt64BE(NBDMAGIC, 0);
    hello.writeBigUInt64BE(IHAVEOPT, 8);
    hello.writeUInt16BE(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, 16);
    this.socket.write(hello);
  }

  /** Ends the connection at once (the disk ended, or the client is done or broke the protocol). */
  end(reason: string): void {
    if (this.state === "ended") return;
    this.socket.destroy();
    this.finish(reason);
  }

  private finish(reason: string): void {
    this.state = "ended";
    this.disk.emit("end", { reason });
  }

  private live(): boolean {
    return this.state !== "ended" && this.disk.serving;
  }

  private pump(): void {
    while (this.live()) {
      if (this.state === "flags") {
        if (this.queue.length < 4) return;
        const flags = this.queue.take(4).readUInt32BE(0);
        if (flags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) return this.violation(`unknown client flags ${flags}`);
        this.noZeroes = (flags & FLAG_NO_ZEROES) !== 0;
        this.state = "option";
      } else if (this.state === "option") {
        if (this.queue.length < 16) return;
        const h = this.queue.peek(16);
        if (h.readBigUInt64BE(0) !== IHAVEOPT) return this.violation("bad option magic");
        const length = h.readUInt32BE(12);
        if (length > MAX_OPTION) return this.violation(`option of ${length} bytes`);
        if (this.queue.length < 16 + length) return;
        this.queue.take(16);
        this.option(h.readUInt32BE(8), this.queue.take(length));
      } else {
        if (this.queue.length < 28) return;
        const h = this.queue.peek(28);
        if (h.readUInt32BE(0) !== REQUEST_MAGIC) return this.violation("bad request magic");
        const type = h.readUInt16BE(6);
        const length = h.readUInt32BE(24);
        const payload = type === CMD.WRITE ? length : 0;
        if (payload > MAX_REQUEST) return this.violation(`write of ${length} bytes`);
        if (this.queue.length < 28 + payload) return;
        this.queue.take(28);
        this.request(h.readUInt16BE(4), type, h.subarray(8, 16), Number(h.readBigUInt64BE(16)), length, this.queue.take(payload));
      }
    }
  }

  private violation(why: string): void {
    this.disk.protocolError(why);
    this.end(`protocol: ${why}`);
  }

  private optionReply(option: number, type: number, data: Buffer = Buffer.alloc(0)): void {
    const h = Buffer.alloc(20);
    h.writeBigUInt64BE(REPLY_MAGIC, 0);
    h.writeUInt32BE(option, 8);
    h.writeUInt32BE(type >>> 0, 12);
    h.writeUInt32BE(data.length, 16);
    this.socket.write(Buffer.concat([h, data]));
  }

  private option(option: number, data: Buffer): void {
    switch (option) {
      case OPT.EXPORT_NAME: {
        const r = Buffer.alloc(this.noZeroes ? 10 : 134);
        r.writeBigUInt64BE(BigInt(this.disk.size), 0);
        r.writeUInt16BE(this.disk.transmissionFlags, 8);
        this.socket.write(r);
        this.transmit();
        return;
      }
      case OPT.ABORT:
        this.optionReply(option, REP.ACK);
        this.socket.end();
        this.state = "ended";
        this.finish("abort");
        return;
      case OPT.LIST: {
        if (data.length !== 0) return this.optionReply(option, REP.ERR_INVALID);
        this.optionReply(option, REP.SERVER, Buffer.alloc(4)); // one export, named ""
        this.optionReply(option, REP.ACK);
        return;
      }
      case OPT.INFO:
      case OPT.GO: {
        const nameLength = data.length >= 4 ? data.readUInt32BE(0) : -1;
        const count = nameLength >= 0 && data.length >= 6 + nameLength ? data.readUInt16BE(4 + nameLength) : -1;
        if (count < 0 || data.length !== 6 + nameLength + 2 * count) return this.optionReply(option, REP.ERR_INVALID);
        const asked = Array.from({ length: count }, (_, i) => data.readUInt16BE(6 + nameLength + 2 * i));
        const exp = Buffer.alloc(12);
        exp.writeUInt16BE(INFO.EXPORT, 0);
        exp.writeBigUInt64BE(BigInt(this.disk.size), 2);
        exp.writeUInt16BE(this.disk.transmissionFlags, 10);
        this.optionReply(option, REP.INFO, exp);
        if (asked.includes(INFO.BLOCK_SIZE)) {
          const bs = Buffer.alloc(14);
          bs.writeUInt16BE(INFO.BLOCK_SIZE, 0);
          bs.writeUInt32BE(BLOCK, 2);
          bs.writeUInt32BE(4096, 6);
          bs.writeUInt32BE(MAX_REQUEST, 10);
          this.optionReply(option, REP.INFO, bs);
        }
        this.optionReply(option, REP.ACK);
        if (option === OPT.GO) this.transmit();
        return;
      }
      default:
        // Structured replies, extended headers, meta contexts, TLS, anything newer: declined.
        this.optionReply(option, REP.ERR_UNSUP);
    }
  }

  private transmit(): void {
    this.state = "transmission";
    this.disk.count("sessions");
  }

  private reply(cookie: Buffer, error: number, data?: Buffer): void {
    const h = Buffer.alloc(16);
    h.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
    h.writeUInt32BE(error, 4);
    cookie.copy(h, 8);
    if (error) this.disk.count("refused");
    // A handler of the request's event may have crashed the disk: no reply then.
    if (this.live()) this.socket.write(data && !error ? Buffer.concat([h, data]) : h);
  }

  private request(flags: number, type: number, cookie: Buffer, offset: number, length: number, payload: Buffer): void {
    const d = this.disk;
    const inRange = offset + length <= d.size;
    switch (type) {
      case CMD.READ:
        if (!inRange || length > MAX_REQUEST) return this.reply(cookie, NBD_EINVAL);
        d.count("reads");
        d.count("readBytes", length);
        return this.reply(cookie, 0, d.read(offset, length));
      case CMD.WRITE: {
        if (!inRange) return this.reply(cookie, NBD_ENOSPC);
        const fua = (flags & CMD_FLAG_FUA) !== 0 && (d.transmissionFlags & TFLAG.SEND_FUA) !== 0;
        if (length > 0) d.cacheWrite(offset, payload, fua);
        d.count("writes");
        d.count("writeBytes", length);
        if (fua) d.count("fuaWrites");
        d.emit("write", { offset, length, fua });
        return this.reply(cookie, 0);
      }
      case CMD.FLUSH: {
        const blocks = d.flush();
        d.count("flushes");
        d.emit("flush", { flushes: d.stats.flushes, blocks });
        return this.reply(cookie, 0);
      }
      case CMD.DISC:
        this.socket.end();
        this.state = "ended";
        this.finish("disconnect");
        return;
      default:
        return this.reply(cookie, NBD_EINVAL);
    }
  }
}

/** Bytes received and not yet parsed, as the chunks that brought them (joined only as much as a take needs). */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return Buffer.from(this.chunks[0].subarray(0, n));
  }

  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.length -= n;
    return out;
  }
}

/** mulberry32: a small seeded PRNG giving numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Copies a raw image (e.g. a disk prepared once, to crash from many times)
 * keeping it sparse: runs of zeros are not written. Fails if `to` exists. Returns `to`.
 */
export function copyDisk(from: string, to: string): string {
  const src = openSync(from, "r");
  const dst = openSync(to, "wx");
  try {
    const size = fstatSync(src).size;
    ftruncateSync(dst, size);
    const chunk = Buffer.alloc(1024 * 1024);
    const GRAIN = ZEROES.length;
    for (let at = 0; at < size; ) {
      const n = readSync(src, chunk, 0, chunk.length, at);
      if (n <= 0) break;
      for (let i = 0; i < n; i += GRAIN) {
        const part = chunk.subarray(i, Math.min(n, i + GRAIN));
        if (!isZero(part)) writeSync(dst, part, 0, part.length, at + i);
      }
      at += n;
    }
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  return to;
}

const ZEROES = Buffer.alloc(64 * 1024);
function isSocket(file: string): boolean {
  return existsSync(file) && lstatSync(file).isSocket();
}

function isZero(b: Buffer): boolean {
  return b.equals(ZEROES.subarray(0, b.length));
}
