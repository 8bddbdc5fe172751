/**
 * `cambi image`: the standard tier's disk image boots to the shell prompt under
 * each firmware (x86_64: UEFI through OVMF and legacy BIOS through SeaBIOS, both
 * by GRUB and Multiboot2; AArch64: UEFI through AAVMF, the kernel itself the UEFI
 * application); an x86_64 image whose `keys` service has one byte changed
 * after signing boots with that service refused and named; and two builds of
 * the same tree, in different directories at different times, give
 * bit-identical kernel, bundle and image files (and the same --print-digest).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { signedModuleAt } from "../../compiler/build/bundle.js";
import { loadTier } from "../../compiler/build/manifest.js";
import { ConsoleSession } from "../harness/console-session.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CAMBI = path.join(ROOT, "bin/cambi");
const dir = mkdtempSync(path.join(tmpdir(), "cambi-image-test-"));
const image = path.join(dir, "standard.img");
const imageA64 = path.join(dir, "standard-aarch64.img");
let epoch: string;
let digest: string;

/** Runs cambi in cwd with a fixed SOURCE_DATE_EPOCH; resolves with its standard output (fails with its output). */
function cambi(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(cwd, "bin/cambi"), args, { cwd, env: { ...process.env, NO_COLOR: "1", SOURCE_DATE_EPOCH: epoch } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`cambi ${args.join(" ")} in ${cwd}: status ${code}\n${err}`))));
  });
}

beforeAll(async () => {
  try {
    epoch = execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    epoch = "1700000000";
  }
  const [out] = await Promise.all([
    cambi(ROOT, ["image", "--arch", "x86_64", "--tier", "standard", "-o", image, "--print-digest"]),
    cambi(ROOT, ["image", "--arch", "aarch64", "--tier", "standard", "-o", imageA64]),
  ]);
  const m = /^blake3 ([0-9a-f]{64}) {2}(.+)$/m.exec(out);
  expect(m, out).not.toBeNull();
  digest = m![1]!;
  expect(m![2]).toBe(image);
  expect(digest).toBe(Buffer.from(blake3(readFileSync(image))).toString("hex"));
}, 900_000);

let session: ConsoleSession | undefined;
afterEach(() => session?.close());
const scratch: string[] = [dir];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

async function bootsToShell(firmware: "uefi" | "bios", img: string, arch = "x86_64"): Promise<ConsoleSession> {
  const s = (session = new ConsoleSession(["--arch", arch, "--image", img, "--firmware", firmware]));
  if (arch === "x86_64") await s.waitFor(/boot: multiboot2 information at 0x[0-9a-f]+, \d+ bytes/, 300_000);
  else await s.waitFor(/boot: UEFI memory map at 0x[0-9a-f]+, \d+ bytes \(\d+ descriptors\); bundle at 0x[0-9a-f]+/, 300_000);
  await s.waitFor(`CambiOS boot OK arch=${arch}`, 300_000);
  return s;
}

describe("cambi run --image", () => {
  it("refuses an image of the other arch, saying which it is", () => {
    for (const [img, arch, other] of [[image, "x86_64", "aarch64"], [imageA64, "aarch64", "x86_64"]] as const) {
      const r = spawnSync(CAMBI, ["run", "--arch", other, "--image", img, "--expect", "x", "--timeout", "5"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`is an ${arch} image: add --arch ${arch}`);
    }
  });
});

describe("cambi image (aarch64, standard tier)", () => {
  it("boots under UEFI (AAVMF), the kernel as the UEFI application, to the shell prompt", async () => {
    const s = await bootsToShell("uefi", imageA64, "aarch64");
    await s.waitFor(/init: \d+ services started, 0 refused/, 300_000);
    const ps = await s.command("ps");
    for (const name of ["init", "log", "shell", "keys", "store"]) expect(ps).toMatch(new RegExp(`\\b${name}\\b`));
  }, 900_000);
});

describe("cambi image (x86_64, standard tier)", () => {
  for (const firmware of ["uefi", "bios"] as const) {
    it(`boots under ${firmware === "uefi" ? "UEFI (OVMF)" : "legacy BIOS (SeaBIOS)"} through GRUB to the shell prompt`, async () => {
      const s = await bootsToShell(firmware, image);
      await s.waitFor(/init: \d+ services started, 0 refused/, 300_000);
      const ps = await s.command("ps");
      for (const name of ["init", "log", "shell", "keys", "store"]) expect(ps).toMatch(new RegExp(`\\b${name}\\b`));
    }, 900_000);
  }

  it("a service changed by one byte after signing is refused and named; the rest boots", async () => {
    const img = readFileSync(image);
    const bundle = readFileSync(path.join(ROOT, "build/x86_64/bundle-standard.bin"));
    const at = img.indexOf(bundle);
    expect(at).toBeGreaterThan(0);
    const index = loadTier("standard").services.findIndex((s) => s.name === "keys");
    expect(index).toBeGreaterThan(0);
    const mod = signedModuleAt(bundle, index);
    const off = at + (mod.byteOffset - bundle.byteOffset) + mod.length - 100;
    img[off] ^= 0x01;
    const tampered = path.join(dir, "tampered.img");
    writeFileSync(tampered, img);
    const s = await bootsToShell("bios", tampered);
    expect((await s.waitFor(/module (\S+) refused: ([^\r\n]+)/, 300_000)).slice(1)).toEqual(["keys", "bad signature"]);
    await s.waitFor(/init: \d+ services started, 1 refused/, 300_000);
    const ps = await s.command("ps");
    expect(ps).toMatch(/\bshell\b/);
    expect(ps).not.toMatch(/\bkeys\b/);
  }, 900_000);

  it("two builds in different directories at different times are bit-identical", async () => {
    // A copy of the tree (tracked and untracked files, no build/), with the same packages.
    const copy = mkdtempSync(path.join(tmpdir(), "cambi-repro-"));
    scratch.push(copy);
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter((f) => f && f !== "node_modules");
    for (const f of files) {
      mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      try {
        copyFileSync(path.join(ROOT, f), path.join(copy, f));
      } catch {
        // a file deleted in the work tree but still in the index
      }
    }
    execFileSync("chmod", ["+x", path.join(copy, "bin/cambi")]);
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    const out = await cambi(copy, ["image", "--arch", "x86_64", "--tier", "standard", "--print-digest"]);
    const m = /^blake3 ([0-9a-f]{64}) {2}(.+)$/m.exec(out);
    expect(m![1], "the digest of the second build").toBe(digest);
    const pairs: [string, string][] = [
      [path.join(ROOT, "build/x86_64/kernel/kernel.elf"), path.join(copy, "build/x86_64/kernel/kernel.elf")],
      [path.join(ROOT, "build/x86_64/bundle-standard.bin"), path.join(copy, "build/x86_64/bundle-standard.bin")],
      [image, path.join(copy, "build/x86_64/cambios-standard.img")],
    ];
    for (const [a, b] of pairs) expect(readFileSync(b).equals(readFileSync(a)), `${path.basename(a)} identical`).toBe(true);
    // Nothing of either build directory is inside.
    const img = readFileSync(image);
    for (const p of [ROOT, copy]) expect(img.indexOf(Buffer.from(p)), p).toBe(-1);
  }, 1_200_000);
});
