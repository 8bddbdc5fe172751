/**
 * The kernel's gate on boot modules, on both arches: a bundle holding the
 * standard services plus five bad modules — a flipped byte after signing, a
 * signature by another key, a truncated ELF, a writable+executable segment and
 * an entry point in the kernel half (the last three correctly signed, so the
 * ELF gate itself must catch them). Each is refused with its own reason and
 * audited, init is told so when it asks for them, and the rest boots to the
 * shell.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildTierBundle } from "../../compiler/build/tier.js";
import { packBundleV2, type BundleService } from "../../compiler/build/bundle.js";
import { encodeCapabilities } from "../../compiler/build/manifest.js";
import { resolveBootstrapKey } from "../../compiler/trust/bootstrap-key.js";
import { generateKeyPair } from "../../compiler/trust/keys.js";
import { signModule } from "../../compiler/trust/signed-module.js";
import { ConsoleSession } from "../harness/console-session.js";

const ARCHES = ["x86_64", "aarch64"] as const;
const bundles: Record<string, string> = {};

/** The reason the kernel must log for each bad module. */
const EXPECTED: Record<string, string> = {
  flipped: "bad signature",
  wrongkey: "signer is not the bootstrap key",
  truncated: "truncated ELF (a segment lies outside the file)",
  wx: "a writable and executable segment (W^X)",
  kentry: "entry point in the kernel half",
};

function phdr(elf: Buffer, i: number): number {
  return Number(elf.readBigUInt64LE(32)) + 56 * i;
}

/** The five bad modules, made from a good service ELF. */
function badModules(elf: Buffer, secret: Uint8Array): Record<string, Buffer> {
  const flipped = signModule(elf, secret);
  flipped[flipped.length - 100] ^= 0x01;
  const wx = Buffer.from(elf);
  for (let i = 0; i < wx.readUInt16LE(56); i++) {
    const at = phdr(wx, i);
    if (wx.readUInt32LE(at) === 1 && (wx.readUInt32LE(at + 4) & 1) !== 0) wx.writeUInt32LE(wx.readUInt32LE(at + 4) | 2, at + 4); // PT_LOAD with PF_X gets PF_W
  }
  const kentry = Buffer.from(elf);
  kentry.writeBigUInt64LE(0xffff_8000_0000_1000n, 24);
  return {
    flipped,
    wrongkey: signModule(elf, generateKeyPair().secret),
    truncated: signModule(elf.subarray(0, 0x1800), secret),
    wx: signModule(wx, secret),
    kentry: signModule(kentry, secret),
  };
}

beforeAll(async () => {
  const { secret } = resolveBootstrapKey();
  for (const arch of ARCHES) {
    const dir = mkdtempSync(path.join(tmpdir(), `cambi-tampered-${arch}-`));
    const tier = await buildTierBundle(arch, "standard", { secret, out: path.join(dir, "standard.bin"), workDir: dir });
    expect(tier.diagnostics).toEqual([]);
    const services: BundleService[] = tier.manifest.services.map((s, i) => ({ name: s.name, restart: s.restart, caps: encodeCapabilities(s, tier.endpoints), signedModule: tier.services[i]!.signedModule }));
    const bad = badModules(readFileSync(tier.services.find((s) => s.name === "log")!.elf), secret);
    for (const [name, signedModule] of Object.entries(bad)) services.push({ name, restart: "never", caps: [], signedModule });
    const file = path.join(dir, "tampered.bin");
    writeFileSync(file, packBundleV2({ tier: "tampered", endpoints: tier.endpoints, services }));
    bundles[arch] = file;
  }
}, 300_000);

let session: ConsoleSession | undefined;
afterEach(() => session?.close());

describe.each(ARCHES)("tampered boot modules on %s", (arch) => {
  it("each bad module is refused with its reason, audited, and the rest boots to the shell", async () => {
    const s = (session = new ConsoleSession(["--arch", arch, "--smp", "4", "--initrd", bundles[arch]!]));
    for (const [name, reason] of Object.entries(EXPECTED)) expect((await s.waitFor(new RegExp(`module (\\S+) refused: ([^\\r\\n]+)`)))!.slice(1)).toEqual([name, reason]);
    await s.waitFor("boot bundle: 10 of 15 modules verified");
    for (let i = 10; i < 15; i++) await s.waitFor(`init: service ${i} refused by the kernel`);
    await s.waitFor("init: 9 services started, 5 refused");
    const ps = await s.command("ps");
    for (const name of ["init", "log", "shell"]) expect(ps).toMatch(new RegExp(`\\b${name}\\b`));
    for (const name of Object.keys(EXPECTED)) expect(ps).not.toMatch(new RegExp(`\\b${name}\\b`));
    // From the first record: typing the commands adds records (one per character under load), which could push the refusals out of the last 32.
    const audit = await s.command("audit 32 0");
    expect(audit.match(/module refused/g)?.length, audit).toBe(5);
  });
});
