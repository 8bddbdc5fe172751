/**
 * The ELF gate (src/kernel/loader/elf.ts) on real user programs built by the
 * toolchain for both arches, and on damaged copies: a flipped magic byte, the
 * wrong machine, truncation, a W+X segment, an entry in the kernel half or
 * outside code, overlapping segments, a segment beyond the file, over budget,
 * and random byte flips. Run natively (ASan+UBSan) and under Node: same output,
 * never a panic, and each damage refused with its own error.
 */
import { beforeAll, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildUserProgram } from "../../compiler/build/user.js";
import { buildHost, runExe } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const DRIVER = path.join(import.meta.dirname, "elf-driver.ts");
const ROOT = path.resolve(import.meta.dirname, "../..");
const EM = { x86_64: 62, aarch64: 183 } as const;
const E = { Ok: 0, TooSmall: 1, BadMagic: 2, NotElf64: 3, WrongMachine: 4, NotExecutable: 5, BadProgramHeaders: 6, SegmentOutsideFile: 7, SegmentInKernelHalf: 8, WriteExec: 9, Overlap: 10, OverBudget: 11, EntryNotExecutable: 12, EntryInKernelHalf: 15 };

interface Case {
  name: string;
  machine: number;
  bytes: Buffer;
  expect?: number;
}
const cases: Case[] = [];

function phdr(b: Buffer, i: number): number {
  return Number(b.readBigUInt64LE(32)) + 56 * i;
}

beforeAll(async () => {
  const out = mkdtempSync(path.join(tmpdir(), "kts-elf-"));
  for (const arch of ["x86_64", "aarch64"] as const) {
    const elf = readFileSync((await buildUserProgram(path.join(ROOT, "test/user/hello.ts"), arch, path.join(out, arch))).elf);
    const m = EM[arch];
    const mutate = (name: string, f: (b: Buffer) => Buffer | void, expect: number) => {
      const b = Buffer.from(elf);
      cases.push({ name: `${arch} ${name}`, machine: m, bytes: f(b) ?? b, expect });
    };
    cases.push({ name: `${arch} intact`, machine: m, bytes: elf, expect: E.Ok });
    mutate("bad magic", (b) => void (b[1] = 0x46), E.BadMagic);
    mutate("32-bit class", (b) => void (b[4] = 1), E.NotElf64);
    cases.push({ name: `${arch} other machine`, machine: arch === "x86_64" ? EM.aarch64 : EM.x86_64, bytes: elf, expect: E.WrongMachine });
    mutate("shared object", (b) => void b.writeUInt16LE(3, 16), E.NotExecutable);
    mutate("truncated header", (b) => b.subarray(0, 40), E.TooSmall);
    mutate("truncated segments", (b) => b.subarray(0, 0x1800), E.SegmentOutsideFile);
    mutate("phentsize", (b) => void b.writeUInt16LE(32, 54), E.BadProgramHeaders);
    mutate("phoff past end", (b) => void b.writeBigUInt64LE(BigInt(b.length), 32), E.BadProgramHeaders);
    mutate("W+X text", (b) => void b.writeUInt32LE(7, phdr(b, 0) + 4), E.WriteExec);
    mutate("kernel-half segment", (b) => void b.writeBigUInt64LE(0xffff_8000_0000_0000n, phdr(b, 0) + 16), E.SegmentInKernelHalf);
    mutate("entry in the kernel half", (b) => void b.writeBigUInt64LE(0xffff_8000_0000_0000n, 24), E.EntryInKernelHalf);
    mutate("entry in data", (b) => void b.writeBigUInt64LE(b.readBigUInt64LE(phdr(b, 2) + 16), 24), E.EntryNotExecutable);
    mutate("overlapping segments", (b) => void b.writeBigUInt64LE(b.readBigUInt64LE(phdr(b, 0) + 16), phdr(b, 1) + 16), E.Overlap);
    mutate("segment past the file", (b) => void b.writeBigUInt64LE(0x100000n, phdr(b, 1) + 32), E.SegmentOutsideFile);
    mutate("over budget", (b) => void b.writeBigUInt64LE(0x200_0000n, phdr(b, 2) + 40), E.OverBudget);
    let seed = 0x1234 + m;
    for (let i = 0; i < 150; i++) {
      const b = Buffer.from(elf);
      for (let k = 0; k < 4; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b[seed % 256] ^= 1 << (seed >>> 29);
      }
      cases.push({ name: `${arch} random ${i}`, machine: m, bytes: b });
    }
  }
});

function stdin(): Buffer {
  return Buffer.concat(cases.flatMap((c) => { const h = Buffer.alloc(8); h.writeUInt32LE(c.machine, 0); h.writeUInt32LE(c.bytes.length, 4); return [h, c.bytes]; }));
}

it("refuses every damaged image with its reason, in both worlds, never panicking", async () => {
  const input = stdin();
  const native = await runExe(buildHost(DRIVER), input);
  const node = await runInNode(DRIVER, input);
  expect(native.stderr).toBe("");
  expect(native.status).toBe(0);
  expect(node.stdout).toBe(native.stdout);
  const lines = native.stdout.trim().split("\n");
  expect(lines.length).toBe(cases.length);
  cases.forEach((c, i) => {
    const err = Number(/error (\d+)/.exec(lines[i]!)![1]);
    if (c.expect !== undefined) expect(err, c.name).toBe(c.expect);
  });
  const intact = lines.filter((l, i) => cases[i]!.name.endsWith("intact"));
  for (const l of intact) expect(l).toMatch(/error 0 segments 3 entry 0x400000/);
});
