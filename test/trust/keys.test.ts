/**
 * Keys: `cambi keygen` (file modes, formats, no secret on the terminal, no
 * overwriting), the bootstrap key a build uses (--key, CAMBI_KEY, the
 * development key created once outside the repository), and the key compiled
 * into a kernel (a program reading it through src/kernel/loader/bootstrap-key.ts
 * gets exactly the key, and does not link without one).
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "../../compiler/driver.js";
import { linkHost, compileFreestanding } from "../../compiler/toolchain/clang.js";
import { bootstrapKeyC } from "../../compiler/build/bootstrap-key-c.js";
import { devKeyPath, resolveBootstrapKey } from "../../compiler/trust/bootstrap-key.js";
import { generateKeyPair, KeyFileError, publicKeyOf, publicKeyText, readPublicKey, readSecretKey, secretKeyText, toHex } from "../../compiler/trust/keys.js";
import { runExe } from "../harness/host-world.js";
import { cambi, ROOT, tempDir } from "./helpers.js";

describe("cambi keygen", () => {
  it("writes a 0600 secret key and a public key, prints no secret, and never overwrites", async () => {
    const dir = path.join(tempDir("keygen"), "keys");
    const r = await cambi(["keygen", "-o", dir]);
    expect(r.status, r.stderr).toBe(0);
    const keyFile = path.join(dir, "cambi.key");
    const pubFile = path.join(dir, "cambi.pub");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(pubFile).mode & 0o777).toBe(0o644);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^cambi-ed25519-secret-v1 [0-9a-f]{64}\n$/);
    expect(readFileSync(pubFile, "utf8")).toMatch(/^cambi-ed25519-public-v1 [0-9a-f]{64}\n$/);
    const secret = readSecretKey(keyFile);
    const pub = readPublicKey(pubFile);
    expect(toHex(publicKeyOf(secret))).toBe(toHex(pub));
    // The secret, in any spelling, is never shown; the public key's prefix is.
    const shownText = r.stdout + r.stderr;
    const secretHex = toHex(secret);
    for (let i = 0; i + 8 <= 64; i += 8) expect(shownText.toLowerCase()).not.toContain(secretHex.slice(i, i + 8));
    expect(shownText).not.toContain(Buffer.from(secret).toString("base64").slice(0, 12));
    expect(r.stdout).toContain(toHex(pub).slice(0, 16));

    const before = readFileSync(keyFile, "utf8");
    const again = await cambi(["keygen", "-o", dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${keyFile} already exists; refusing to overwrite`);
    expect(again.stdout).toBe("");
    expect(readFileSync(keyFile, "utf8")).toBe(before);
  });

  it("key files are read strictly, and a wrong kind of key is named", () => {
    const dir = tempDir("keyfiles");
    const pair = generateKeyPair();
    const sec = path.join(dir, "s");
    const pub = path.join(dir, "p");
    writeFileSync(sec, secretKeyText(pair.secret));
    writeFileSync(pub, publicKeyText(pair.publicKey));
    expect(() => readPublicKey(sec)).toThrow(/not a cambi public key file \(it is a secret key file\)/);
    expect(() => readSecretKey(pub)).toThrow(/not a cambi secret key file \(it is a public key file\)/);
    writeFileSync(sec, "cambi-ed25519-secret-v1 abcd\n");
    expect(() => readSecretKey(sec)).toThrow(KeyFileError);
    expect(() => readSecretKey(path.join(dir, "missing"))).toThrow(/cannot read key file .*ENOENT/);
  });
});

describe("the bootstrap key", () => {
  it("is a development key created once under XDG_CONFIG_HOME, with a one-line notice", () => {
    const xdg = tempDir("xdg");
    const env = { XDG_CONFIG_HOME: xdg, HOME: "/nonexistent" };
    const notices: string[] = [];
    const k1 = resolveBootstrapKey({ env, notice: (l) => notices.push(l) });
    const file = path.join(xdg, "cambi", "dev-key");
    expect(devKeyPath(env)).toBe(file);
    expect(k1.file).toBe(file);
    expect(k1.source).toBe("development key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(notices).toEqual([`cambi: created development key ${file} (outside the repository)`]);
    const k2 = resolveBootstrapKey({ env, notice: (l) => notices.push(l) });
    expect(notices.length).toBe(1);
    expect(toHex(k2.publicKey)).toBe(toHex(k1.publicKey));
    expect(devKeyPath({ HOME: "/home/x" })).toBe("/home/x/.config/cambi/dev-key");
    expect(devKeyPath({ HOME: "/home/x", XDG_CONFIG_HOME: "relative" })).toBe("/home/x/.config/cambi/dev-key");
  });

  it("--key wins over CAMBI_KEY, which wins over the development key", () => {
    const dir = tempDir("keys");
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    writeFileSync(path.join(dir, "a.key"), secretKeyText(a.secret), { mode: 0o600 });
    writeFileSync(path.join(dir, "b.key"), secretKeyText(b.secret), { mode: 0o600 });
    const xdg = tempDir("xdg");
    const env = { XDG_CONFIG_HOME: xdg, CAMBI_KEY: path.join(dir, "b.key") };
    const viaOption = resolveBootstrapKey({ key: path.join(dir, "a.key"), env, notice: () => {} });
    expect(viaOption.source).toBe("--key");
    expect(toHex(viaOption.publicKey)).toBe(toHex(a.publicKey));
    const viaEnv = resolveBootstrapKey({ env, notice: () => {} });
    expect(viaEnv.source).toBe("CAMBI_KEY");
    expect(toHex(viaEnv.publicKey)).toBe(toHex(b.publicKey));
    expect(existsSync(path.join(xdg, "cambi"))).toBe(false);
  });

  it("is never created inside the repository", () => {
    const env = { XDG_CONFIG_HOME: path.join(ROOT, "build", "xdg-inside") };
    expect(() => resolveBootstrapKey({ env, notice: () => {} })).toThrow(/inside the repository/);
    expect(existsSync(path.join(ROOT, "build", "xdg-inside"))).toBe(false);
  });
});

describe("the key compiled into the kernel", () => {
  const driver = path.join(import.meta.dirname, "bootstrap-key-driver.ts");

  it("is what the kernel's accessor reads, and a build without it does not link", async () => {
    const dir = tempDir("embed");
    const r = generate([driver], { target: { kind: "host", arch: "x86_64" }, outDir: path.join(dir, "gen") });
    expect(r.diagnostics).toEqual([]);
    const pub = generateKeyPair().publicKey;
    const keyC = path.join(dir, "kts_bootstrap_key.c");
    writeFileSync(keyC, bootstrapKeyC(pub));
    const exe = path.join(dir, "with-key");
    linkHost([...r.cFiles, keyC], exe, { sanitize: true, optimize: "-O1" });
    const out = await runExe(exe);
    expect(out.stderr).toBe("");
    expect(out.stdout.trim().split("\n").map(Number)).toEqual([...pub]);
    expect(() => linkHost(r.cFiles, path.join(dir, "without-key"), { sanitize: false, optimize: "-O0" })).toThrow(/kts_bootstrap_key_byte/);
  });

  it("compiles freestanding for both arches", () => {
    const dir = tempDir("embed-fs");
    const keyC = path.join(dir, "kts_bootstrap_key.c");
    writeFileSync(keyC, bootstrapKeyC(generateKeyPair().publicKey));
    for (const arch of ["x86_64", "aarch64"] as const) {
      const out = path.join(dir, arch);
      mkdirSync(out);
      expect(compileFreestanding([keyC], out, arch).length).toBe(2);
    }
  });
});
