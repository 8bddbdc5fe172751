/**
 * `./bin/cambi-node fuzz/seeds.ts [target…]`: makes the seed corpora in
 * fuzz/corpus/<target>/ from real inputs, replacing what is there:
 *  - elf: user programs built by the toolchain (stand-in services and real
 *    ones, both machines);
 *  - signed-module: those ELFs signed by a fresh key (the key, then the module);
 *  - bundle: the test tier's version-2 bundle (stand-ins, signed) and a
 *    version-1 bundle of ELFs, each after its key;
 *  - dtb: QEMU virt's device trees (as test/kernel/dtb.test.ts dumps them),
 *    cut to their totalsize;
 *  - store: disks made by the store engine (fuzz/seeds/store-image.ts), sparse;
 *  - ipc, virtqueue, channel: scripts of typical traffic in each target's
 *    input language (see the targets).
 * Every seed must run clean through its target (the test replays them).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import * as ed from "@noble/ed25519";
import { blake3 } from "@noble/hashes/blake3.js";
import { buildUserProgram } from "../compiler/build/user.js";
import { packBundle, packBundleV2 } from "../compiler/build/bundle.js";
import { encodeCapabilities, encodeInspection, endpointTable, loadTier } from "../compiler/build/manifest.js";
import { generateKeyPair } from "../compiler/trust/keys.js";
import { signModule } from "../compiler/trust/signed-module.js";
import { generate } from "../compiler/driver.js";
import { linkHost } from "../compiler/toolchain/clang.js";
import { corpusDir, ROOT, TARGETS, target } from "./lib.js";

const work = mkdtempSync(path.join(tmpdir(), "cambi-fuzz-seeds-"));
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((n) => target(n).name) : TARGETS.map((t) => t.name);

function save(name: string, seeds: Buffer[]): void {
  const dir = corpusDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const max = target(name).maxLen;
  let kept = 0;
  for (const s of seeds) {
    if (s.length > max) {
      process.stdout.write(`seeds: ${name}: a ${s.length}-byte seed is over ${max} bytes, left out\n`);
      continue;
    }
    writeFileSync(path.join(dir, createHash("sha1").update(s).digest("hex")), s);
    kept++;
  }
  process.stdout.write(`seeds: ${name}: ${kept} inputs, ${seeds.reduce((a, s) => a + (s.length <= max ? s.length : 0), 0)} bytes\n`);
}

/** Bytes that pass for an ELF where only the magic matters (test/trust/helpers.ts fakeElf). */
function fakeElf(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  b.write("\x7fELF", 0, "latin1");
  return b;
}
const key = generateKeyPair();
const keyBytes = Buffer.from(key.publicKey);

async function elfs(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const arch of ["x86_64", "aarch64"] as const) {
    for (const entry of ["test/user/hello.ts", "test/trust/services/init/main.ts"]) {
      const u = await buildUserProgram(path.join(ROOT, entry), arch, path.join(work, arch));
      if (u.diagnostics.length > 0) throw new Error(`${entry}: diagnostics`);
      out.push(readFileSync(u.elf));
    }
  }
  return out;
}

/** A QEMU virt device tree, cut to the end of its strings block. */
function qemuDtb(mem: number, smp: number, extra: { initrd?: number; append?: string }): Buffer {
  const out = path.join(work, `virt-${mem}-${smp}.dtb`);
  const args = ["-machine", `virt,gic-version=3,dumpdtb=${out}`, "-cpu", "max", "-m", String(mem), "-smp", String(smp), "-nographic"];
  if (extra.initrd !== undefined || extra.append !== undefined) {
    const kernel = path.join(work, "kernel.bin");
    writeFileSync(kernel, Buffer.alloc(4096));
    args.push("-kernel", kernel);
  }
  if (extra.initrd !== undefined) {
    const initrd = path.join(work, "initrd.bin");
    writeFileSync(initrd, Buffer.alloc(extra.initrd, 0x5a));
    args.push("-initrd", initrd);
  }
  if (extra.append !== undefined) args.push("-append", extra.append);
  const r = spawnSync("qemu-system-aarch64", args, { stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`qemu ${args.join(" ")}: ${r.stderr.toString()}`);
  const blob = readFileSync(out);
  const end = blob.readUInt32BE(12) + blob.readUInt32BE(32);
  const cut = Buffer.from(blob.subarray(0, end));
  cut.writeUInt32BE(end, 4);
  return cut;
}

/** The store images: the engine's own disks, as the target reads them (2-byte header, then blocks). */
function storeImages(): Buffer[] {
  const dir = path.join(work, "store-image");
  const r = generate([path.join(ROOT, "fuzz/seeds/store-image.ts")], { target: { kind: "host", arch: "x86_64" }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) throw new Error(`store-image: ${r.diagnostics.map((d) => d.message).join("\n")}`);
  const exe = path.join(dir, "store-image");
  linkHost(r.cFiles, exe, { sanitize: true, optimize: "-O1" });
  const contentByte = (c: number, j: number) => (j * 7 + c * 31 + (j >>> 8)) & 0xff;
  const sizes = [100, 1000, 5000, 512];
  const sigs = sizes.map((size, c) => {
    const content = Buffer.alloc(size);
    for (let j = 0; j < size; j++) content[j] = contentByte(c, j);
    return Buffer.from(ed.sign(blake3(content), key.secret));
  });
  const text = execFileSync(exe, { input: Buffer.concat([keyBytes, ...sigs]), env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0" } }).toString();
  const images: Map<number, Buffer>[] = [new Map(), new Map()];
  for (const line of text.trim().split("\n")) {
    if (line.startsWith("image ")) {
      process.stdout.write(`seeds: store ${line}\n`);
      continue;
    }
    const [image, block, at, value] = line.split(" ").map(Number) as [number, number, number, number];
    const m = images[image]!;
    if (!m.has(block)) m.set(block, Buffer.alloc(512));
    m.get(block)![at] = value;
  }
  // Pages 40 (header byte: 3 + b % 62); flags bit 0: change, checkpoint, mount again; per block bit 0: seal it.
  const pack = (m: Map<number, Buffer>, flags: number, seal: (block: number) => boolean) => {
    const parts: Buffer[] = [Buffer.from([37, flags])];
    for (const [block, data] of [...m.entries()].sort((a, b) => a[0] - b[0])) {
      const h = Buffer.alloc(3);
      h.writeUInt16LE(block, 0);
      h[2] = seal(block) ? 1 : 0;
      parts.push(h, data);
    }
    return Buffer.concat(parts);
  };
  const meta = (block: number) => block < 10 * 8; // superblocks and both metadata areas (area of 32 blocks)
  return [
    pack(images[0]!, 0, () => false),
    pack(images[0]!, 1, () => false),
    pack(images[1]!, 1, () => false),
    pack(images[1]!, 0, meta),
    pack(images[0]!, 1, meta),
    Buffer.from([17, 1]), // an empty disk: mount formats it
  ];
}

// ---- scripts --------------------------------------------------------------------

class Script {
  parts: Buffer[] = [];
  u8(...v: number[]): this {
    this.parts.push(Buffer.from(v.map((x) => x & 0xff)));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v & 0xffff);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** ipc: a message in the target's layout (label, len, capCount, flags, 4 handles, the payload words len covers). */
function message(s: Script, label: number, payload: Buffer, caps: number[] = []): Script {
  s.u32(label).u32(payload.length).u32(caps.length).u32(0);
  for (let i = 0; i < 4; i++) s.u32(caps[i] ?? 0);
  const words = Math.ceil(Math.min(payload.length, 256) / 8);
  const p = Buffer.alloc(words * 8);
  payload.copy(p);
  return s.bytes(p);
}

function ipcScripts(): Buffer[] {
  const setUp = (s: Script, rights = 7) => {
    for (let t = 0; t < 4; t++) s.u8(rights, rights, rights, 0);
    return s;
  };
  const out: Buffer[] = [];
  // Task 1 waits on endpoint 0; task 0 sends it a message carrying its memory capability (its 4th: k = 3).
  out.push(message(setUp(new Script()).u8(2, 1).u32(0).u8(1).u8(0, 0).u32(0), 5, Buffer.from("hello, endpoint"), [3]).u8(11, 1).done());
  // A call through endpoint 1, received, answered with the token; then a forged reply.
  let s = setUp(new Script()).u8(1, 2).u32(1);
  message(s, 9, Buffer.alloc(24, 0x41));
  s.u8(2, 1).u32(1).u8(1);
  s.u8(3, 1).u8(0);
  message(s, 10, Buffer.from("answer"));
  s.u8(3, 1).u8(1).u64(0x1_0000_0002n);
  message(s, 11, Buffer.alloc(0));
  out.push(s.done());
  // The inspected endpoint: a text request (label 1), a binary one refused, label 2 anything.
  s = setUp(new Script()).u8(2, 2).u32(2).u8(1).u8(0, 0).u32(2);
  message(s, 1, Buffer.from("text only\n"));
  s.u8(0, 1).u32(2);
  message(s, 1, Buffer.from([0, 1, 2, 0xff]));
  s.u8(0, 3).u32(2);
  message(s, 2, Buffer.alloc(256, 0xee));
  s.u8(2, 2).u32(2).u8(0).u8(11, 2);
  out.push(s.done());
  // Kernel posts, a death while blocked, an endpoint closed, derivations and revocations, time passing.
  s = setUp(new Script()).u8(1, 3).u32(0);
  message(s, 3, Buffer.alloc(8, 1));
  s.u8(4, 0).u32(0);
  message(s, 77, Buffer.alloc(16, 2));
  s.u8(5, 3).u8(1).u8(6, 0).u32(0).u8(7, 1).u32(0).u8(2, 7, 3).u16(100).u8(8, 1).u32(0).u8(9, 0).u32(1_000_000_000);
  s.u8(10, 0).u32(3).u8(1).u8(2, 1).u32(0).u8(0);
  out.push(s.done());
  // Over-long and over-capped messages, forged handles.
  s = setUp(new Script(), 5).u8(0, 0).u32(0x12345);
  message(s, 1, Buffer.alloc(0));
  s.u8(0, 0).u32(0).u32(1).u32(300).u32(9).u32(0xffff).u32(0).u32(0).u32(0).u32(0);
  out.push(s.done());
  return out;
}

function virtqueueScripts(): Buffer[] {
  const out: Buffer[] = [];
  for (const sizeLog of [0, 3, 8]) {
    const s = new Script().u8(sizeLog);
    // Chains of 1..3 buffers (readable then writable), published, completed honestly, collected.
    for (let i = 0; i < 6; i++) {
      const n = 1 + (i % 3);
      s.u8(0, n - 1).u16(n === 1 ? 0 : 0xfffe);
      for (let k = 0; k < n; k++) s.u16(64 + 32 * k);
      if (i % 2 === 1) s.u8(1).u8(4).u32(0xffffffff).u8(7).u16(0).u8(5, 1);
    }
    s.u8(1).u8(4).u32(0x7f).u8(4).u32(0).u8(5, 3);
    // A device that lies: an id never published, an index far ahead.
    s.u8(0, 0).u16(0).u16(16).u8(1).u8(2, 0).u32(sizeLog === 0 ? 0 : 5).u32(9999).u8(3).u16(40).u8(5, 2).u8(9, 0, sizeLog);
    out.push(s.done());
  }
  return out;
}

function channelScripts(): Buffer[] {
  const out: Buffer[] = [];
  // Honest side owns the region (client, then server), small rings, data area after them.
  for (const mode of [0, 1]) {
    const s = new Script().u8(3, mode, 3, 3).u32(mode === 0 ? 0 : 0xfffffffc);
    for (let i = 0; i < 5; i++) {
      s.u8(4).u32(i * 64).u32(64).u32(i); // push (client requests or server completions)
      s.u8(6).u8(1); // the peer pops
      s.u8(6).u8(0).u16(i * 32).u16(32); // the peer pushes
      s.u8(3); // the honest side pops
    }
    s.u8(1).u8(1).u32(7).u32(1).u32(0).u32(16).u32(0).u32(0).u32(0).u32(0).u8(3);
    s.u8(1).u8(1).u32(7).u32(1).u32(0xfffffff0).u32(0x100).u32(0).u32(0).u32(0).u32(0).u8(3).u8(3);
    out.push(s.done());
  }
  // The peer lays the region out and rewrites a header word; the honest side attaches.
  out.push(new Script().u8(4, 2, 2, 1).u32(5).u8(1).u8(5).u32(0x100).u8(5).u32(0).u32(0).u32(16).u32(4).u8(0).u8(3).done());
  out.push(new Script().u8(5, 3, 4, 4).u32(0).u8(0).u8(6).u8(0).u16(0).u16(100).u8(3).u8(2, 0).u32(1000).u8(3).done());
  return out;
}

async function main(): Promise<void> {
  const elfImages = wanted.some((n) => n === "elf" || n === "signed-module" || n === "bundle") ? await elfs() : [];
  for (const name of wanted) {
    if (name === "elf") save(name, elfImages);
    else if (name === "signed-module") save(name, elfImages.map((e) => Buffer.concat([keyBytes, signModule(e, key.secret)])));
    else if (name === "bundle") {
      // Version 2: the tiers' real manifests (endpoints, capabilities, inspection rules); service 0 (init)
      // signed real ELF, the others small signed stand-ins (the seed stays small). Version 1: two ELFs.
      const v2 = ["test", "standard", "drivers"].map((tier) => {
        const manifest = loadTier(tier);
        const endpoints = endpointTable(manifest);
        const services = manifest.services.map((s, i) => ({
          name: s.name,
          restart: s.restart,
          caps: encodeCapabilities(s, endpoints),
          signedModule: signModule(i === 0 ? elfImages[0]! : fakeElf(200 + 40 * i, i), key.secret),
        }));
        return Buffer.concat([keyBytes, packBundleV2({ tier, endpoints, services, rules: encodeInspection(manifest, endpoints) })]);
      });
      const v1 = path.join(work, "bundle-v1.bin");
      packBundle(elfImages.slice(0, 2).map((data, i) => ({ name: `prog${i}`, data })), v1);
      save(name, [...v2, Buffer.concat([keyBytes, readFileSync(v1)])]);
    } else if (name === "dtb") {
      save(name, [
        qemuDtb(128, 1, {}),
        qemuDtb(512, 4, { initrd: 12345, append: "console=ttyAMA0 foo" }),
        qemuDtb(4096, 16, { initrd: 3 * 1024 * 1024 + 7, append: "root=/dev/vda " + "abcdefghij".repeat(29) }),
      ]);
    } else if (name === "store") save(name, storeImages());
    else if (name === "ipc") save(name, ipcScripts());
    else if (name === "virtqueue") save(name, virtqueueScripts());
    else if (name === "channel") save(name, channelScripts());
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
