/**
 * SHA-512, reduction mod L, the half-size scalar split and Ed25519 verification
 * (src/lib/crypto): test/crypto/ed25519-driver.ts runs a batch of requests generated
 * by ed25519-cases.ts, and its output must match the oracles (@noble/hashes,
 * @noble/ed25519 with { zip215: false }) line for line, under Node and natively.
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { runInNode } from "../harness/node-world";
import { buildHost, runExe } from "../harness/host-world";
import { generateEd25519Cases, type GeneratedCases } from "./ed25519-cases";

const DRIVER = path.resolve(import.meta.dirname, "ed25519-driver.ts");

function firstMismatch(cases: GeneratedCases, stdout: string): string | null {
  const got = stdout.split("\n");
  const want = cases.expected.split("\n");
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      return `line ${i + 1} (${cases.labels[i] ?? "end of output"}): got ${JSON.stringify(got[i])}, want ${JSON.stringify(want[i])}`;
    }
  }
  return got.length === want.length ? null : `extra output after line ${want.length}`;
}

describe("ed25519 / sha512", () => {
  it("matches the oracles under Node on RFC 8032, NIST, edge and 1000+1000 random cases", async () => {
    const cases = generateEd25519Cases({ randomValid: 1000, randomInvalid: 1000 });
    expect(cases.accepted).toBeGreaterThanOrEqual(1005);
    expect(cases.rejected).toBeGreaterThanOrEqual(1000);
    const r = await runInNode(DRIVER, cases.stdin);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(firstMismatch(cases, r.stdout)).toBeNull();
    expect(r.stdout).toBe(cases.expected);
  }, 120_000);

  it("matches the oracles natively (ASan+UBSan) on 1000+1000 random cases", async () => {
    const cases = generateEd25519Cases({ seed: 0xc0de, randomValid: 1000, randomInvalid: 1000 });
    const r = await runExe(buildHost(DRIVER), cases.stdin);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(firstMismatch(cases, r.stdout)).toBeNull();
    expect(r.stdout).toBe(cases.expected);
  }, 120_000);

  it("is deterministic in its seed", async () => {
    const a = generateEd25519Cases({ seed: 7, randomValid: 5, randomInvalid: 5, randomHash: 2, randomScalar: 2 });
    const b = generateEd25519Cases({ seed: 7, randomValid: 5, randomInvalid: 5, randomHash: 2, randomScalar: 2 });
    expect(a.stdin.equals(b.stdin)).toBe(true);
    expect(a.expected).toBe(b.expected);
  });

  it("panics on a truncated request", async () => {
    const r = await runInNode(DRIVER, Buffer.from([1, 0, 0]));
    expect(r.status).toBe(101);
    expect(r.stderr).toMatch(/^panic: truncated input at test\/harness\/stdin-reader\.ts:\d+/);
  });
});
