/**
 * The network protocol library (src/lib/net, docs/networking.md) on the host,
 * natively with ASan+UBSan and under Node, with the same output:
 *  - net-units.ts: each protocol's parse/build round trips and known-answer
 *    vectors (RFC 1071 checksums, a hand-made DHCP offer/ack and NTP reply),
 *    SNTP's refusals and the 2036 wrap, the ARP cache (expiry, the waiting
 *    frame, retransmits, give-up), UDP sockets (overflow), ping matching, the
 *    DHCP client through a whole exchange with NAK, renewal, rebinding and
 *    expiry;
 *  - net-corpus-driver.ts: the malformed-frame corpus of net-corpus.ts, each
 *    frame counted under its expected reason, then random damage, then a
 *    valid ping answered;
 *  - the library compiles freestanding for both arches.
 * The builds and runs go one after another (the machine has 2 cores).
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode, type RunResult } from "../harness/node-world.js";
import { corpus, corpusInput, DROP, DROP_NAME } from "./net-corpus.js";

const HERE = import.meta.dirname;

/** Both worlds with the same input; the native run. */
async function bothWorlds(driver: string, stdin?: Buffer): Promise<RunResult> {
  const entry = path.join(HERE, driver);
  const native = await runExe(buildHost(entry), stdin);
  const node = await runInNode(entry, stdin);
  expect(runText(node)).toBe(runText(native));
  return native;
}

describe("malformed-frame corpus", () => {
  const entries = corpus();

  it("has at least 200 kinds, every reason of the stack's receive path among them", () => {
    const kinds = new Set(entries.map((e) => e.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(200);
    const reasons = new Set(entries.map((e) => e.expect));
    for (const name of Object.keys(DROP)) {
      // DhcpRejected needs DHCP running and TxQueueFull an undrained queue: net-units.ts covers them.
      if (name === "DhcpRejected" || name === "TxQueueFull") continue;
      expect(reasons, name).toContain(DROP[name]);
    }
  });

  it("counts every frame under its reason, survives random damage, then answers a ping, in both worlds", async () => {
    const r = await bothWorlds("net-corpus-driver.ts", corpusInput(entries));
    const named = r.stdout.replace(/^mismatch (\d+): expected (\d+) got (\d+)$/gm, (_, i, e, g) => `mismatch ${entries[Number(i)]!.kind}: expected ${DROP_NAME[Number(e)]} got ${DROP_NAME[Number(g)]}`);
    expect(r.stderr).toBe("");
    expect(named).not.toMatch(/^(mismatch|replies) /m);
    const want = new Map<number, number>();
    for (const e of entries) if (e.expect !== 0) want.set(e.expect, (want.get(e.expect) ?? 0) + 1);
    for (const [d, n] of want) expect(r.stdout, DROP_NAME[d]).toContain(`drop ${d} ${n}\n`);
    expect(r.stdout).toMatch(/^corpus: frames \d+ accepted \d+ dropped \d+ answers \d+ mismatches 0$/m);
    expect(r.stdout).toContain("final ping: true reply 142 bytes, as expected true, header checksum true\n");
    expect(r.stdout).toMatch(/failures 0\n$/);
    expect(r.status).toBe(0);
  });
});
