/**
 * The channel library (src/lib/channel, docs/channels.md): two endpoints on one
 * region, natively with ASan+UBSan (the region inside a static array) and under
 * Node (a fixed address in the simulated memory), with the same output; a
 * hostile peer checked against an oracle; and the library freestanding for both
 * arches, as services build it.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const HERE = import.meta.dirname;

/** Both worlds: stdin tells the driver where its region lives (channel-world.ts). */
async function bothWorlds(driver: string) {
  const native = await runExe(buildHost(path.join(HERE, driver)), "c");
  const node = await runInNode(path.join(HERE, driver), "n");
  expect(runText(node)).toBe(runText(native));
  return native;
}

it("two endpoints: setup and refusals, block round trip, notifications, full rings, wrap-around, restart, in both worlds", async () => {
  const r = await bothWorlds("channel-driver.ts");
  expect(r.stderr).toBe("");
  expect(r.stdout).toContain("magic 0x4348414e version 1 bytes 32768 entry 32\nrings 64 at 4096, 128 at 8192; data 20480 at 12288\n");
  expect(r.stdout).toContain("push to empty 1, to non-empty 0\n");
  // Four entries fit from 0xfffffffe: the producer index wrapped to 2.
  expect(r.stdout).toContain("pushed 4 producer index 2 consumer index 4294967294\n");
  expect(r.stdout).toMatch(/^sent \d+ served \d+ completed \d+ full [1-9]\d*$/m);
  expect(r.stdout).toMatch(/guard damage 0 failures 0\n$/);
  expect(r.status).toBe(0);
});

it("hostile peer: garbage indices, entries, flags and headers, every result as an oracle predicts, in both worlds", async () => {
  const r = await bothWorlds("channel-hostile.ts");
  expect(r.stderr).toBe("");
  // Each kind of violation occurs thousands of times and valid traffic still flows.
  for (const ring of [0, 1]) {
    const p = r.stdout.match(new RegExp(`^hostile ${ring} producer: ok (\\d+) notify (\\d+) empty (\\d+) protocol (\\d+) \\(index (\\d+) buffer (\\d+)\\) other 0$`, "m"));
    expect(p, r.stdout).not.toBeNull();
    const [ok, notify, empty, protocol, index, buffer] = p!.slice(1).map(Number);
    expect(Math.min(ok!, empty!, protocol!)).toBeGreaterThan(2000);
    expect(Math.min(notify!, index!, buffer!)).toBeGreaterThan(50);
    expect(index! + buffer!).toBe(protocol);
    const c = r.stdout.match(new RegExp(`^hostile ${ring} consumer: ok (\\d+) notify (\\d+) full (\\d+) bad argument (\\d+) protocol (\\d+) \\(index (\\d+)\\) other 0$`, "m"));
    expect(c, r.stdout).not.toBeNull();
    expect(Math.min(...c!.slice(1).map(Number))).toBeGreaterThan(1000);
  }
  const h = r.stdout.match(/^hostile header: accepted (\d+) refused magic (\d+) version (\d+) layout (\d+) indices (\d+)$/m);
  expect(h, r.stdout).not.toBeNull();
  expect(Math.min(...h!.slice(1).map(Number))).toBeGreaterThan(100);
  expect(r.stdout).toMatch(/^mismatches 0 guard damage 0 failures 0$/m);
  expect(r.status).toBe(0);
});

it("an operation of the other side panics, in both worlds", async () => {
  const r = await bothWorlds("channel-side.ts");
  expect(r.stdout).toBe("init 1 push 1\n");
  expect(r.stderr).toMatch(/^panic: channel: operation of the other side at src\/lib\/channel\/channel\.ts:\d+\n$/);
  expect(r.status).toBe(101);
});

describe.each(["x86_64", "aarch64"] as const)("freestanding %s", (arch) => {
  it("channel.ts compiles without a warning and needs only the runtime's hooks", () => {
    const objs = buildFreestanding(path.resolve(HERE, "../../src/lib/channel/channel.ts"), arch);
    const defined = execFileSync("llvm-nm", ["--defined-only", ...objs]).toString();
    expect(defined).toMatch(/\bT lib_channel_channel__Channel__popRequest\b/);
    const names = execFileSync("llvm-nm", ["--undefined-only", ...objs])
      .toString()
      .split("\n")
      .filter((l) => !/^\s*w\s/.test(l))
      .map((l) => l.trim().split(/\s+/).pop())
      .filter((n): n is string => !!n && !n.endsWith(":"));
    const have = new Set(defined.split("\n").map((l) => l.trim().split(/\s+/).pop()));
    expect(names.filter((n) => !have.has(n) && !/^(kts_putc|kts_halt)$/.test(n))).toEqual([]);
  });
});
