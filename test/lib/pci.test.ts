/**
 * The PCI library (src/lib/pci) on the host:
 *  - pure logic (BAR decoding and sizes, the window allocator, the placement
 *    policy, probing and programming against a config space simulated in KTS,
 *    class names) through test/lib/pci-logic-driver.ts, natively with
 *    ASan+UBSan and under Node: both must print the same;
 *  - config-space access, enumeration, BAR probing/assignment and capability
 *    walks against ECAM device models (test/lib/pci-model.ts) in the Node
 *    world, through test/lib/pci-ecam-node.ts: the driver checks the library's
 *    view, and this file checks the models' final registers independently;
 *  - the library compiles freestanding for both arches.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { bundleForNode, runBundle, runInNode } from "../harness/node-world.js";
import type { RunResult } from "../harness/process.js";

const LOGIC = path.join(import.meta.dirname, "pci-logic-driver.ts");
const ECAM = path.join(import.meta.dirname, "pci-ecam-node.ts");
const ENUMERATE = path.resolve(import.meta.dirname, "../../src/lib/pci/enumerate.ts");

describe("pure logic, both worlds", () => {
  let native: RunResult;
  let node: RunResult;
  beforeAll(async () => {
    [native, node] = await Promise.all([runExe(buildHost(LOGIC)), runInNode(LOGIC)]);
  });

  it("passes its checks natively and prints the same under Node", () => {
    expect(native.stderr).toBe("");
    expect(native.stdout).toContain("failures 0");
    expect(native.status).toBe(0);
    expect(runText(node)).toBe(runText(native));
  });

  it("decodes kinds and sizes, 64-bit sizes included", () => {
    const lines = native.stdout.split("\n");
    for (const l of [
      "decode 0x6: bad prefetchable false",
      "decode 0xc: mem64 prefetchable true",
      "size io 0xffe1 0x0: 0x20",
      "size mem32 0xffffff08 0x0: 0x100",
      "size mem64 0xc 0xffffffff: 0x100000000",
      "size mem64 0xc 0xfffffffe: 0x200000000",
      "size mem64 0x4 0x80000000: 0x8000000000000000",
      "size mem64 0x4 0x0: 0x0",
    ]) {
      expect(lines).toContain(l);
    }
  });

  it("allocates naturally aligned first-fit ranges and refuses when full", () => {
    expect(native.stdout).toContain("alloc 0x10000000 0x10004000 0x10001000 0x10080000 true\n");
    expect(native.stdout).toContain("pages 112 from 0x10010000 to 0x1007f000 ranges 119\n");
  });

  it("places BARs: keeps sound firmware addresses, moves the rest, reports no room", () => {
    for (const l of [
      "bar 0: mem32 0x20000 fw 0xc0000000 -> 0xc0000000 kept",
      "bar 1: mem32 0x1000 fw 0xc0000000 -> 0xc0020000 assigned",
      "bar 2: mem32 0x100 fw 0xc0100100 -> 0xc0023000 assigned",
      "bar 4: mem64 0x100000 fw 0x400000000 -> 0x8000100000 assigned",
      "bar 7: mem32 0x1000000 fw 0x0 -> 0x0 no room",
      "failed 1",
      "placed: failed 0, functions off 1, violations 0",
    ]) {
      expect(native.stdout.split("\n")).toContain(l);
    }
  });

  it("names classes", () => {
    expect(native.stdout).toContain("class 0106 SATA\nclass 0600 host bridge\nclass 0000 unclassified\nclass 12ab class 12.ab\n");
  });
});

interface ModelBar {
  slot: number;
  kind: "io" | "mem32" | "mem64";
  size: string;
  fw: string;
  now: string;
}
interface ModelFn {
  name: string;
  command: number;
  bars: ModelBar[];
}
interface Model {
  violations: string[];
  ghostReads: number;
  functions: ModelFn[];
}

const CMD_IO = 1;
const CMD_MEM = 2;
const CMD_BUS_MASTER = 4;
const PAGE = 0x1000n;

/** Every memory BAR in decode: slot-aligned, inside an allowed window, no two sharing a page. */
function checkPlacement(m: Model, windows: { mem32: [bigint, bigint][]; mem64: [bigint, bigint][] }): void {
  const ranges: { who: string; from: bigint; to: bigint }[] = [];
  for (const f of m.functions) {
    if ((f.command & CMD_MEM) === 0) continue;
    for (const b of f.bars) {
      if (b.kind === "io") continue;
      const who = `${f.name} bar${b.slot}`;
      const at = BigInt(b.now);
      const slot = BigInt(b.size) > PAGE ? BigInt(b.size) : PAGE;
      expect(at % slot, `${who} aligned`).toBe(0n);
      const ws = windows[b.kind];
      expect(ws.some(([base, size]) => at >= base && at + slot <= base + size), `${who} at ${at.toString(16)} inside a window`).toBe(true);
      ranges.push({ who, from: at, to: at + slot });
    }
  }
  ranges.sort((a, b) => (a.from < b.from ? -1 : 1));
  for (let i = 1; i < ranges.length; i++) {
    expect(ranges[i]!.from >= ranges[i - 1]!.to, `${ranges[i - 1]!.who} and ${ranges[i]!.who} overlap`).toBe(true);
  }
}

function fn(m: Model, name: string): ModelFn {
  const f = m.functions.find((x) => x.name === name);
  if (!f) throw new Error(`no function ${name}`);
  return f;
}

function bar(m: Model, name: string, slot: number): ModelBar {
  const b = fn(m, name).bars.find((x) => x.slot === slot);
  if (!b) throw new Error(`no BAR ${slot} of ${name}`);
  return b;
}

describe("ECAM device models, Node world", () => {
  let r: RunResult;
  let models: Record<"A" | "B" | "C" | "D", Model>;
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleForNode(ECAM);
    r = await runBundle(bundle, "");
    const line = r.stdout.split("\n").find((l) => l.startsWith("MODEL "));
    models = JSON.parse(line?.slice(6) ?? "null");
  });

  it("the driver's checks pass", () => {
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("failures 0\n");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("check failed");
  });

  it("no BAR written while decoding, bridges untouched, ghost functions never read", () => {
    for (const m of Object.values(models)) {
      expect(m.violations).toEqual([]);
      expect(m.ghostReads).toBe(0);
    }
  });

  it("enumerates functions with ids, class names and BARs", () => {
    expect(r.stdout).toContain("A: 13 functions, 0 dropped, 72 BAR slots\n");
    const listed = r.stdout.split("\n").filter((l) => /^[0-9a-f]{2}:[0-9a-f]{2}\.\d /.test(l));
    const a = listed.slice(0, 13);
    expect(a).toEqual([
      "00:00.0 1b36:0008 host bridge",
      "00:01.0 8086:2918 ISA bridge",
      "00:01.2 8086:2922 SATA",
      "00:01.3 8086:2930 SMBus",
      "00:01.7 8086:29c4 communication",
      "00:02.0 1af4:1005 class 00.ff",
      "00:03.0 8086:10d3 Ethernet",
      "00:04.0 1b36:000c PCI bridge",
      "00:05.0 1af4:1044 communication",
      "00:06.0 1234:1111 VGA",
      "00:07.0 1b36:0010 NVMe",
      "00:08.0 1b36:000d USB",
      "01:1f.0 8086:293e audio",
    ]);
    expect(r.stdout).toContain("00:03.0 8086:10d3 Ethernet\n  prog-if 0 rev 0 header 0 mf false pin 1 command 0x6\n  bar0 mem64 pref 0x100000 fw 0x0 -> 0x8200000000 assigned\n");
    expect(r.stdout).toContain("  bar3 io 0x20 fw 0x0 -> 0x0 -\n");
    expect(r.stdout).toContain("00:04.0 1b36:000c PCI bridge\n  prog-if 0 rev 0 header 1 mf false pin 0 command 0x0\n  bridge buses 0 0 0\n");
    expect(r.stdout).toContain("A bus 1: 1 functions\n");
    expect(r.stdout).toContain("D: 32 functions, 8 dropped, 192 BAR slots\n");
  });

  it("walks capability lists and refuses broken ones", () => {
    expect(r.stdout).toContain("caps 3: 3 error 0: 0x40=0x1 0x50=0x5 0x70=0x11 \n");
    expect(r.stdout).toContain("caps 5: 2 error 2: 0x40=0x9 0x48=0x5 \n"); // loop
    expect(r.stdout).toContain("caps 6: 1 error 1: 0x40=0x10 \n"); // below 0x40
    expect(r.stdout).toContain("caps 7: 0 error 1: \n"); // unaligned
    expect(r.stdout).toContain("caps 8: 0 error 0: \n"); // no status bit
  });

  it("direct boot: every memory BAR assigned in the windows, decode and bus mastering on", () => {
    const A = models.A;
    checkPlacement(A, { mem32: [[0x1000_0000n, 0x2eff_0000n]], mem64: [[0x1000_0000n, 0x2eff_0000n], [0x80_0000_0000n, 0x80_0000_0000n]] });
    for (const f of A.functions) {
      const memory = f.bars.some((b) => b.kind !== "io");
      const expected = f.name === "00:04.0" || f.name === "00:08.0" || !memory ? 0 : CMD_MEM | CMD_BUS_MASTER;
      expect(f.command, f.name).toBe(expected);
      if (expected !== 0) for (const b of f.bars) if (b.kind !== "io") expect(BigInt(b.now), `${f.name} bar${b.slot}`).not.toBe(0n);
    }
    expect(bar(A, "00:04.0", 0).now).toBe("0x0"); // the bridge's BAR
    expect(BigInt(bar(A, "00:05.0", 0).now) % 0x2_0000_0000n).toBe(0n); // 8 GiB aligned
    expect(BigInt(bar(A, "00:05.0", 0).now) >= 0x80_0000_0000n).toBe(true);
  });

  it("firmware assignments: sound ones kept, others moved into the window", () => {
    const B = models.B;
    checkPlacement(B, { mem32: [[0xc000_0000n, 0x3ec0_0000n]], mem64: [[0xc000_0000n, 0x3ec0_0000n]] });
    for (const [name, slot] of [["00:01.0", 0], ["00:01.0", 3], ["00:04.0", 0], ["00:05.0", 5], ["00:07.0", 0]] as const) {
      expect(bar(B, name, slot).now, `${name} bar${slot} kept`).toBe(bar(B, name, slot).fw);
    }
    for (const [name, slot] of [["00:02.0", 0], ["00:03.0", 0], ["00:03.0", 2], ["00:06.0", 0], ["00:04.0", 2]] as const) {
      expect(bar(B, name, slot).now, `${name} bar${slot} moved`).not.toBe(bar(B, name, slot).fw);
    }
    expect(bar(B, "00:01.0", 1).now).toBe("0xc000"); // IO BARs stay
    expect(bar(B, "00:02.0", 1).now).toBe("0xc040");
    expect(fn(B, "00:01.0").command).toBe(CMD_IO | CMD_MEM | CMD_BUS_MASTER);
    expect(fn(B, "00:02.0").command).toBe(CMD_IO | CMD_MEM | CMD_BUS_MASTER);
    for (const name of ["00:03.0", "00:04.0", "00:05.0", "00:06.0", "00:07.0"]) expect(fn(B, name).command & (CMD_MEM | CMD_BUS_MASTER), name).toBe(CMD_MEM | CMD_BUS_MASTER);
  });

  it("window exhaustion: reported, and functions without room do not decode", () => {
    expect(r.stdout).toContain("C: 4 functions, 2 BARs without room\n");
    expect(r.stdout).toContain("  bar1 mem32 0x1000 fw 0x0 -> 0x0 no room\n");
    const C = models.C;
    checkPlacement(C, { mem32: [[0x1000_0000n, 0x10_0000n]], mem64: [] });
    expect(fn(C, "00:00.0").command).toBe(CMD_MEM | CMD_BUS_MASTER);
    expect(fn(C, "00:01.0").command & CMD_MEM).toBe(0);
    expect(fn(C, "00:02.0").command & CMD_MEM).toBe(0); // the firmware had turned it on
    expect(fn(C, "00:03.0").command).toBe(CMD_IO); // IO only: left alone
  });

  it("refuses a function outside the window and an access past 4 KiB (panics, no access)", async () => {
    const outside = await runBundle(bundle, "outside");
    expect(outside.status).toBe(101);
    expect(outside.stderr).toMatch(/^panic: assertion failed: PCI function outside the ECAM window at src\/lib\/pci\/config\.ts:\d+\n$/);
    const past = await runBundle(bundle, "past");
    expect(past.status).toBe(101);
    expect(past.stderr).toMatch(/^panic: assertion failed: config access unaligned or past 4 KiB at src\/lib\/pci\/config\.ts:\d+\n$/);
  });
});

describe.each(["x86_64", "aarch64"] as const)("freestanding %s", (arch) => {
  it("the library compiles without a warning and defines its entry points", () => {
    const objs = buildFreestanding(ENUMERATE, arch);
    const syms = execFileSync("llvm-nm", ["--defined-only", ...objs]).toString();
    for (const s of ["lib_pci_enumerate__enumerate", "lib_pci_enumerate__assignBars", "lib_pci_config__findCapability", "lib_pci_bars__placeBars"]) {
      expect(syms).toMatch(new RegExp(`\\bT ${s}\\b`));
    }
  });
});
