/**
 * Signed modules: `cambi sign` and `cambi verify` round trip, each kind of
 * damage refused with its reason, non-ELF input refused; and the kernel's KTS
 * verifier (src/kernel/loader/signed-module.ts, natively with ASan+UBSan and
 * under Node) agrees with the toolchain's (compiler/trust/signed-module.ts) on
 * intact modules, every header field damaged, wrong keys, truncation and a few
 * hundred random bit flips.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildUserProgram } from "../../compiler/build/user.js";
import { generateKeyPair, keyPrefix, publicKeyText, secretKeyText } from "../../compiler/trust/keys.js";
import { OFF, signModule, verdictCode, verifyModule, VERDICTS, type Verdict } from "../../compiler/trust/signed-module.js";
import { buildHost, runExe } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";
import { cambi, fakeElf, lcgBytes, STAND_INS, tempDir } from "./helpers.js";

const DRIVER = path.join(import.meta.dirname, "signed-module-driver.ts");
const A = generateKeyPair();
const B = generateKeyPair();
/** The group order L of Ed25519, little-endian: S + L is the same signature with a non-canonical S. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function damaged(m: Buffer, f: (b: Buffer) => Buffer | void): Buffer {
  const b = Buffer.from(m);
  return f(b) ?? b;
}

describe("cambi sign and cambi verify", () => {
  it("round trip, refuse every damage with its reason, and refuse non-ELF input", async () => {
    const dir = tempDir("sign");
    const key = path.join(dir, "cambi.key");
    const pub = path.join(dir, "cambi.pub");
    const otherPub = path.join(dir, "other.pub");
    writeFileSync(key, secretKeyText(A.secret), { mode: 0o600 });
    writeFileSync(pub, publicKeyText(A.publicKey));
    writeFileSync(otherPub, publicKeyText(B.publicKey));
    const elf = path.join(dir, "svc.elf");
    writeFileSync(elf, fakeElf(5000, 1));
    const notElf = path.join(dir, "notes.txt");
    writeFileSync(notElf, "hello, not an ELF\n");

    const [signed, refusedText] = await Promise.all([cambi(["sign", elf, "--key", key]), cambi(["sign", notElf, "--key", key, "-o", path.join(dir, "x")])]);
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`${elf}.signed`);
    expect(refusedText.status).toBe(1);
    expect(refusedText.stderr).toContain(`${notElf} is not an ELF file`);
    const m = readFileSync(`${elf}.signed`);
    expect(verifyModule(m, A.publicKey).verdict).toBe("ok");

    const cases: [string, Buffer, string][] = [
      ["intact", m, `ok: signed by ${keyPrefix(A.publicKey)}`],
      ["truncated", m.subarray(0, m.length - 1), "refused: truncated"],
      ["magic", damaged(m, (b) => void (b[3] ^= 0x20)), "refused: bad magic"],
      ["version", damaged(m, (b) => void b.writeUInt32LE(2, OFF.version)), "refused: unsupported version"],
      ["payload", damaged(m, (b) => void (b[2000] ^= 1)), "refused: bad signature"],
      ["signature", damaged(m, (b) => void (b[OFF.signature + 5] ^= 0x80)), "refused: bad signature"],
    ];
    for (const [name, bytes] of cases) writeFileSync(path.join(dir, `${name}.mod`), bytes);
    const runs = await Promise.all([
      ...cases.map(([name]) => cambi(["verify", path.join(dir, `${name}.mod`), "--pubkey", pub])),
      cambi(["verify", `${elf}.signed`, "--pubkey", otherPub]),
      cambi(["sign", `${elf}.signed`, "--key", key]),
      cambi(["verify", `${elf}.signed`, "--pubkey", key]),
    ]);
    cases.forEach(([name, , line], i) => {
      expect(runs[i]!.stdout, name).toBe(`${line}\n`);
      expect(runs[i]!.status, name).toBe(name === "intact" ? 0 : 1);
    });
    const [wrongKey, resign, secretAsPub] = runs.slice(cases.length);
    expect(wrongKey!.stdout).toBe("refused: signer is not the given key\n");
    expect(wrongKey!.status).toBe(1);
    expect(resign!.status).toBe(1);
    expect(resign!.stderr).toContain("is already a signed module");
    expect(secretAsPub!.status).toBe(1);
    expect(secretAsPub!.stderr).toContain("not a cambi public key file (it is a secret key file)");
    // The secret is printed by none of these commands.
    const secretHex = Buffer.from(A.secret).toString("hex");
    for (const r of [signed, refusedText, ...runs]) expect(r.stdout + r.stderr).not.toContain(secretHex.slice(0, 16));
  });
});

interface Case {
  name: string;
  bytes: Buffer;
  key: Uint8Array;
  expect?: Verdict;
}

describe("the kernel's verifier", () => {
  const cases: Case[] = [];

  beforeAll(async () => {
    const realElf = readFileSync((await buildUserProgram(path.join(STAND_INS, "init/main.ts"), "x86_64", tempDir("elf"))).elf);
    for (const [label, payload] of [["real ELF", realElf], ["small", fakeElf(1000, 7)], ["empty payload", Buffer.alloc(0)]] as const) {
      const m = signModule(payload, A.secret);
      const add = (name: string, bytes: Buffer, expect: Verdict, key: Uint8Array = A.publicKey) => cases.push({ name: `${label}: ${name}`, bytes, key, expect });
      add("intact", m, "ok");
      add("wrong key", m, "signer is not the given key", B.publicKey);
      add("magic", damaged(m, (b) => void (b[0] ^= 1)), "bad magic");
      add("version", damaged(m, (b) => void b.writeUInt32LE(0, OFF.version)), "unsupported version");
      add("header size", damaged(m, (b) => void b.writeUInt32LE(64, OFF.headerBytes)), "unsupported version");
      add("reserved byte", damaged(m, (b) => void (b[OFF.reserved + 7] = 1)), "unsupported version");
      add("payload size", damaged(m, (b) => void b.writeBigUInt64LE(BigInt(payload.length + 1), OFF.payloadSize)), "truncated");
      add("huge payload size", damaged(m, (b) => void b.writeBigUInt64LE(0xffff_ffff_ffff_ff80n, OFF.payloadSize)), "truncated");
      add("signer byte", damaged(m, (b) => void (b[OFF.signer + 31] ^= 0x40)), "signer is not the given key");
      add("signature R", damaged(m, (b) => void (b[OFF.signature] ^= 1)), "bad signature");
      add("signature S", damaged(m, (b) => void (b[OFF.signature + 40] ^= 1)), "bad signature");
      add("non-canonical S", damaged(m, (b) => {
        const s = b.readBigUInt64LE(OFF.signature + 32) | (b.readBigUInt64LE(OFF.signature + 40) << 64n) | (b.readBigUInt64LE(OFF.signature + 48) << 128n) | (b.readBigUInt64LE(OFF.signature + 56) << 192n);
        const t = s + L;
        for (let i = 0; i < 4; i++) b.writeBigUInt64LE((t >> BigInt(64 * i)) & 0xffff_ffff_ffff_ffffn, OFF.signature + 32 + 8 * i);
      }), "bad signature");
      add("too short for a header", m.subarray(0, 127), "truncated");
      add("header only", m.subarray(0, 128), payload.length === 0 ? "ok" : "truncated");
      add("nothing", Buffer.alloc(0), "truncated");
      add("trailing byte", Buffer.concat([m, Buffer.from([0])]), "truncated");
      if (payload.length > 0) {
        add("payload first byte", damaged(m, (b) => void (b[128] ^= 1)), "bad signature");
        add("payload last byte", damaged(m, (b) => void (b[b.length - 1] ^= 0x80)), "bad signature");
        add("payload cut by one", m.subarray(0, m.length - 1), "truncated");
      }
      // A module signed by B that claims to be A's: the signer matches, the signature does not.
      const forged = signModule(payload, B.secret);
      A.publicKey.forEach((v, i) => (forged[OFF.signer + i] = v));
      add("forged signer", forged, "bad signature");
    }
    // Random damage: 1 to 3 bit flips anywhere in a small module (a few hit the header).
    const m = signModule(fakeElf(700, 9), A.secret);
    const rnd = lcgBytes(300 * 8, 0x5eed);
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(m);
      const flips = 1 + (rnd[8 * i]! % 3);
      for (let k = 0; k < flips; k++) {
        const at = (rnd.readUInt16LE(8 * i + 1 + 2 * k) * 7 + i) % (i % 4 === 0 ? 128 : b.length);
        b[at]! ^= 1 << (rnd[8 * i + 7]! % 8);
      }
      cases.push({ name: `random ${i}`, bytes: b, key: A.publicKey });
    }
  });

  it("agrees with the toolchain's verifier in both worlds, never panicking", async () => {
    const input = Buffer.concat(cases.flatMap((c) => [Buffer.from(new Uint32Array([c.bytes.length]).buffer), c.bytes, Buffer.from(c.key)]));
    const [native, node] = await Promise.all([runExe(buildHost(DRIVER), input), runInNode(DRIVER, input)]);
    expect(native.stderr).toBe("");
    expect(native.status).toBe(0);
    expect(node.stderr).toBe("");
    expect(node.stdout).toBe(native.stdout);
    const lines = native.stdout.trim().split("\n");
    expect(lines.length).toBe(cases.length);
    const seen = new Set<number>();
    cases.forEach((c, i) => {
      const [, verdict, offset, size] = /verdict (\d+) payload (\d+) (\d+)/.exec(lines[i]!)!.map(Number);
      const ts = verifyModule(c.bytes, c.key);
      expect(VERDICTS[verdict!], c.name).toBe(ts.verdict);
      if (c.expect) expect(ts.verdict, c.name).toBe(c.expect);
      if (ts.verdict === "ok") {
        expect(c.bytes.subarray(offset!, offset! + size!).equals(ts.payload), c.name).toBe(true);
      }
      seen.add(verdict!);
    });
    // Between them, the cases reach every verdict.
    expect([...seen].sort()).toEqual(VERDICTS.map((v) => verdictCode(v)));
  });
});
