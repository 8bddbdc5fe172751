/**
 * Boot-image manifests: the real tiers validate and give each service
 * exactly the capability order the services are written against; bad manifests
 * are refused with the file and the field path; the endpoint table and the
 * bundle codes; a build names the service source that is missing.
 */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { availableTiers, labelValue, encodeCapabilities, endpointTable, IMAGES_DIR, loadManifest, loadTier, ManifestError, parseManifest, type Capability } from "../../compiler/build/manifest.js";
import { cambi, ROOT, tempDir } from "./helpers.js";

const system = { kind: "system", rights: ["send", "receive"] } as const;
const audit = { kind: "audit" } as const;
const consoleCap = { kind: "console" } as const;
const ep = (name: string, ...rights: string[]) => ({ kind: "endpoint", name, rights });
/** The order services are written against (images/README.md). */
const CAPS: Record<string, object[]> = {
  init: [system, ep("init", "send", "receive"), consoleCap],
  log: [ep("log", "receive"), audit, consoleCap],
  shell: [{ kind: "irq", line: "console" }, ep("shell", "send", "receive"), ep("init", "send"), ep("log", "send"), system, audit, consoleCap, ep("pci", "send"), ep("store", "send"), ep("keys", "send")],
  hostile: [ep("log", "send"), { kind: "memory", pages: 2, rights: ["map", "write", "grant"] }, ep("pci", "send"), { kind: "device", vendor: "1af4", device: "1044" }, ep("store", "send"), ep("keys", "send")],
  keys: [ep("keys", "receive"), ep("store", "send"), ep("vault", "send"), { kind: "random" }],
  store: [
    ep("store", "receive"),
    ep("blk", "send"),
    ep("vault", "send"),
    { kind: "system", rights: ["receive"] },
    { kind: "random" },
    ...Array(4).fill({ kind: "memory", pages: 256, rights: ["map", "write", "grant"] }),
  ],
  storetest: [ep("store", "send"), ep("keys", "send")],
  storecrash: [ep("store", "send"), ep("keys", "send")],
  storebench: [ep("store", "send"), ep("keys", "send"), { kind: "system", rights: ["receive"] }],
  pci: [
    ep("pci", "receive"),
    { kind: "mmio", window: "pci-ecam", rights: ["map", "write", "grant"] },
    { kind: "mmio", window: "pci-memory", rights: ["map", "write", "grant"] },
    { kind: "irq", line: "pci", rights: ["receive", "grant"] },
    { kind: "system", rights: ["receive"] },
  ],
  "virtio-blk": [ep("pci", "send"), ep("blk", "send", "receive"), { kind: "device", vendor: "1af4", device: "1042" }, { kind: "memory", pages: 256, rights: ["map", "write", "grant", "dma"] }],
  blktest: [ep("blk", "send")],
  "virtio-net": [ep("pci", "send"), ep("nic", "send", "receive"), { kind: "device", vendor: "1af4", device: "1041" }, { kind: "memory", pages: 128, rights: ["map", "write", "grant", "dma"] }],
  net: [ep("nic", "send"), ep("net", "send", "receive", "grant"), { kind: "random" }, ...Array(8).fill({ kind: "memory", pages: 8, rights: ["map", "write", "grant"] })],
  ntp: [ep("ntp", "send", "receive", "grant"), ep("net", "send"), { kind: "clock" }],
  udpecho: [ep("udpecho", "send", "receive", "grant"), ep("net", "send")],
  netbench: [ep("netbench", "send", "receive", "grant"), ep("net", "send"), { kind: "system", rights: ["receive"] }],
  sockettest: [ep("sockettest", "send", "receive", "grant"), ep("net", "send")],
  blkbench: [ep("blk", "send"), { kind: "system", rights: ["receive"] }],
  sysfuzz: [system, ep("fuzz", "send", "receive"), ep("fza", "send"), ep("fzb", "send"), ep("fzc", "send")],
  ...Object.fromEntries(["a", "b", "c"].map((x) => [`sysfuzz-${x}`, fuzzerCaps(x)])),
  "sysfuzz-v": [ep("fza", "send"), ep("fzb", "send"), ep("fzc", "send"), ep("log", "send"), { kind: "memory", pages: 1, rights: ["map", "write"] }],
};
/** A fuzzing task's capabilities (src/services/sysfuzz/protocol.ts). */
function fuzzerCaps(x: string): object[] {
  return [
    ep(`fz${x}`, "send", "receive"),
    ep("fuzz", "send"),
    system,
    ep("fza", "send", "grant"),
    ep("fzb", "send", "grant"),
    ep("fzc", "send", "grant"),
    ep("log", "send"),
    { kind: "memory", pages: 4, rights: ["map", "write", "grant"] },
    { kind: "memory", pages: 1, rights: ["map", "grant"] },
    { kind: "irq", line: "pci", rights: ["receive", "grant"] },
    { kind: "random" },
    audit,
    ep("fzv", "send", "grant"),
    { kind: "mmio", window: "pci-ecam", rights: ["map", "grant"] },
  ];
}
/** The fuzz tier's shell: placeholders without the send right for pci, store and keys, then the fuzzer's controller. */
const FUZZ_SHELL: object[] = [...CAPS.shell!.slice(0, 7), ep("none", "grant"), ep("none", "grant"), ep("none", "grant"), ep("fuzz", "send")];
/** The drivers tier has no store: its shell and hostile service go without the store's endpoints. */
const WITHOUT_STORE: Record<string, object[]> = {
  shell: CAPS.shell!.slice(0, 8),
  hostile: CAPS.hostile!.slice(0, 4),
};
/** The net tier's shell: no store or keys (placeholders keep the positions), the net and ntp services' endpoints where the shell looks for them. */
const NET_SHELL: object[] = [...CAPS.shell!.slice(0, 8), ep("none", "grant"), ep("none", "grant"), ep("none", "grant"), ep("net", "send"), ep("ntp", "send")];
/** The standard and full tiers' shell: the test tier's, then a placeholder and the net and ntp services' endpoints at the net tier's positions. */
const NETWORKED_SHELL: object[] = [...CAPS.shell!, ep("none", "grant"), ep("net", "send"), ep("ntp", "send")];
/** The net tier's hostile service: no store or keys (placeholders keep the positions), then the net endpoint as any socket client holds it. */
const NET_HOSTILE: object[] = [...CAPS.hostile!.slice(0, 4), ep("none", "grant"), ep("none", "grant"), ep("net", "send")];
const TIERS: Record<string, string[]> = {
  embedded: ["init", "log", "shell"],
  standard: ["init", "log", "shell", "pci", "virtio-blk", "keys", "store", "virtio-net", "net", "ntp"],
  full: ["init", "log", "shell", "pci", "virtio-blk", "keys", "store", "virtio-net", "net", "ntp", "udpecho"],
  test: ["init", "log", "shell", "hostile", "pci", "virtio-blk", "keys", "store", "storetest"],
  drivers: ["init", "log", "shell", "hostile", "pci", "virtio-blk", "blktest"],
  net: ["init", "log", "shell", "pci", "virtio-net", "net", "ntp", "udpecho", "sockettest", "hostile"],
  crash: ["init", "log", "pci", "virtio-blk", "keys", "store", "storecrash"],
  bench: ["init", "log", "pci", "virtio-blk", "blkbench"],
  storebench: ["init", "log", "pci", "virtio-blk", "keys", "store", "storebench"],
  netbench: ["init", "log", "pci", "virtio-net", "net", "udpecho", "netbench"],
  fuzz: ["init", "log", "shell", "sysfuzz", "sysfuzz-a", "sysfuzz-b", "sysfuzz-c", "sysfuzz-v"],
};

describe("the real manifests", () => {
  it("are exactly the four tiers, the drivers, network and crash tests', the benchmarks' and the fuzzer's, valid, with the services' capability order", () => {
    expect(availableTiers()).toEqual(Object.keys(TIERS).sort());
    for (const [tier, services] of Object.entries(TIERS)) {
      const m = loadTier(tier);
      expect(m.tier).toBe(tier);
      expect(m.services.map((s) => s.name)).toEqual(services);
      for (const s of m.services) {
        const special = tier === "drivers" ? WITHOUT_STORE[s.name] : tier === "net" && s.name === "shell" ? NET_SHELL : tier === "net" && s.name === "hostile" ? NET_HOSTILE : tier === "embedded" && s.name === "shell" ? CAPS.shell!.slice(0, 7) : (tier === "standard" || tier === "full") && s.name === "shell" ? NETWORKED_SHELL : tier === "fuzz" && s.name === "shell" ? FUZZ_SHELL : undefined;
        expect(s.capabilities, `${tier}/${s.name}`).toEqual(special ?? CAPS[s.name]);
      }
    }
  });

  it("give the endpoint table in order of first use and the bundle's codes", () => {
    const m = loadTier("test");
    const endpoints = endpointTable(m);
    expect(endpoints).toEqual(["init", "log", "shell", "pci", "store", "keys", "blk", "vault"]);
    const shell = m.services.find((s) => s.name === "shell")!;
    expect(encodeCapabilities(shell, endpoints)).toEqual([
      { kind: 3, rights: 2, arg: 0 },
      { kind: 1, rights: 3, arg: 2 },
      { kind: 1, rights: 1, arg: 0 },
      { kind: 1, rights: 1, arg: 1 },
      { kind: 8, rights: 3, arg: 0 },
      { kind: 7, rights: 2, arg: 0 },
      { kind: 9, rights: 1, arg: 0 },
      { kind: 1, rights: 1, arg: 3 },
      { kind: 1, rights: 1, arg: 4 },
      { kind: 1, rights: 1, arg: 5 },
    ]);
    const driver = m.services.find((s) => s.name === "virtio-blk")!;
    expect(encodeCapabilities(driver, endpoints)).toEqual([
      { kind: 1, rights: 1, arg: 3 },
      { kind: 1, rights: 3, arg: 6 },
      { kind: 10, rights: 0, arg: 0x1af41042 },
      { kind: 2, rights: 60, arg: 256 },
    ]);
    const pci = m.services.find((s) => s.name === "pci")!;
    expect(encodeCapabilities(pci, endpoints).slice(1, 4)).toEqual([
      { kind: 4, rights: 28, arg: 1 },
      { kind: 4, rights: 28, arg: 2 },
      { kind: 3, rights: 6, arg: 1 },
    ]);
    expect(encodeCapabilities(m.services.find((s) => s.name === "keys")!, endpoints)[3]).toEqual({ kind: 11, rights: 2, arg: 0 });
    // The wall clock's setter: kind 12, right send, no argument.
    const clocked = { ...m.services[0]!, capabilities: [{ kind: "clock" } as Capability] };
    expect(encodeCapabilities(clocked, endpoints)).toEqual([{ kind: 12, rights: 1, arg: 0 }]);
    expect(m.services.map((s) => s.restart)).toEqual(["never", "always", "always", "never", "always", "always", "always", "always", "never"]);
  });
});

describe("bad manifests", () => {
  const file = path.join(IMAGES_DIR, "standard.json");
  const good = () => JSON.parse(JSON.stringify(loadTier("standard"))) as { services: { name: string; restart: string; capabilities: Capability[] }[] };
  const errorOf = (json: unknown, f = file): string => {
    try {
      parseManifest(f, json);
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestError);
      return (e as Error).message;
    }
    throw new Error("accepted");
  };
  const strip = (m: ReturnType<typeof good>) => ({ services: m.services });

  it("name the file and the field", () => {
    const cases: [string, (m: ReturnType<typeof good>) => unknown, RegExp][] = [
      ["unknown right", (m) => ((m.services[2]!.capabilities[1] as { rights: string[] }).rights = ["send", "write"]), /^images\/standard\.json: services\[2\]\.capabilities\[1\]\.rights\[1\]: Invalid option/],
      ["grant on system", (m) => ((m.services[0]!.capabilities[0] as { rights: string[] }).rights = ["grant"]), /^images\/standard\.json: services\[0\]\.capabilities\[0\]\.rights\[0\]: /],
      ["empty rights", (m) => ((m.services[2]!.capabilities[2] as { rights: string[] }).rights = []), /^images\/standard\.json: services\[2\]\.capabilities\[2\]\.rights: needs at least one right/],
      ["repeated right", (m) => ((m.services[1]!.capabilities[0] as { rights: string[] }).rights = ["receive", "receive"]), /^images\/standard\.json: services\[1\]\.capabilities\[0\]\.rights: a right is listed twice/],
      ["unknown kind", (m) => ((m.services[1]!.capabilities[1] as { kind: string }).kind = "disk"), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.kind: /],
      ["unknown irq line", (m) => ((m.services[2]!.capabilities[0] as { line: string }).line = "timer"), /^images\/standard\.json: services\[2\]\.capabilities\[0\]\.line: Invalid option: expected one of "console"\|"pci"/],
      ["DMA memory without a device", (m) => (m.services[1]!.capabilities[1] = { kind: "memory", pages: 1, rights: ["map", "dma"] }), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.rights: only a device driver \(a service with a device capability\) may hold DMA memory/],
      ["unknown mmio window", (m) => (m.services[3]!.capabilities[1] = { kind: "mmio", window: "vga" as "pci-ecam", rights: ["map"] }), /^images\/standard\.json: services\[3\]\.capabilities\[1\]\.window: Invalid option/],
      ["mmio without map", (m) => (m.services[3]!.capabilities[1] = { kind: "mmio", window: "pci-ecam", rights: ["write"] }), /^images\/standard\.json: services\[3\]\.capabilities\[1\]\.rights: an mmio capability needs the map right/],
      ["a device id in capitals", (m) => (m.services[4]!.capabilities[2] = { kind: "device", vendor: "1AF4", device: "1042" }), /^images\/standard\.json: services\[4\]\.capabilities\[2\]\.vendor: a PCI id: 4 lowercase hex digits/],
      ["extra field", (m) => ((m.services[1]!.capabilities[1] as Record<string, unknown>).rights = ["receive"]), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.rights: unknown field/],
      ["bad service name", (m) => (m.services[1]!.name = "Log"), /^images\/standard\.json: services\[1\]\.name: must match \^\[a-z\]\[a-z0-9-\]\{0,30\}\$/],
      ["long service name", (m) => (m.services[1]!.name = "l".repeat(32)), /^images\/standard\.json: services\[1\]\.name: must match/],
      ["bad endpoint name", (m) => ((m.services[1]!.capabilities[0] as { name: string }).name = "log_1"), /^images\/standard\.json: services\[1\]\.capabilities\[0\]\.name: must match/],
      ["bad restart", (m) => (m.services[1]!.restart = "sometimes"), /^images\/standard\.json: services\[1\]\.restart: Invalid option/],
      ["missing capabilities", (m) => delete (m.services[2] as Partial<(typeof m.services)[0]>).capabilities, /^images\/standard\.json: services\[2\]\.capabilities: /],
      ["init not first", (m) => m.services.reverse(), /^images\/standard\.json: services\[0\]\.name: the first service must be 'init', not 'ntp'/],
      ["twice", (m) => (m.services[2]!.name = "log"), /^images\/standard\.json: services\[2\]\.name: service 'log' is listed twice/],
      ["no services", (m) => (m.services = []), /^images\/standard\.json: services: a tier needs at least init/],
      ["too many capabilities", (m) => (m.services[0]!.capabilities = Array(17).fill(audit)), /^images\/standard\.json: services\[0\]\.capabilities: at most 16 capabilities/],
      ["memory of 0 pages", (m) => (m.services[1]!.capabilities[1] = { kind: "memory", pages: 0, rights: ["map"] }), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.pages: /],
      ["memory of 257 pages", (m) => (m.services[1]!.capabilities[1] = { kind: "memory", pages: 257, rights: ["map"] }), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.pages: /],
      ["memory without map", (m) => (m.services[1]!.capabilities[1] = { kind: "memory", pages: 1, rights: ["write"] }), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.rights: a memory capability needs the map right/],
      ["memory with send", (m) => (m.services[1]!.capabilities[1] = { kind: "memory", pages: 1, rights: ["map", "send"] }), /^images\/standard\.json: services\[1\]\.capabilities\[1\]\.rights\[1\]: /],
      ["unknown top-level field", () => {}, /^images\/standard\.json: kernel: unknown field/],
    ];
    for (const [name, change, re] of cases) {
      const m = good();
      change(m);
      const json = name === "unknown top-level field" ? { ...strip(m), kernel: "x" } : strip(m);
      expect(errorOf(json), name).toMatch(re);
    }
  });

  it("name the inspection field at fault", () => {
    const m = good();
    const withInspect = (inspect: unknown) => ({ services: m.services, inspect });
    expect(errorOf(withInspect({ nolog: { "LOG!": "text" } }))).toMatch(/^images\/standard\.json: inspect\.nolog: no service uses an endpoint named 'nolog'/);
    expect(errorOf(withInspect({ log: { LOG: "text" } }))).toMatch(/^images\/standard\.json: inspect\.log\.LOG: a label is 4 printable ASCII characters/);
    expect(errorOf(withInspect({ log: { "LOG!": "binary" } }))).toMatch(/^images\/standard\.json: inspect\.log\.LOG!: Invalid option/);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`L${String(i).padStart(3, "0")}`, "any"]));
    expect(errorOf(withInspect({ log: many }))).toMatch(/^images\/standard\.json: inspect: 33 inspection rules, at most 32/);
    expect(labelValue("LOG!")).toBe(0x4c4f4721);
  });

  it("report every problem, one line each", () => {
    const m = good();
    m.services[1]!.restart = "maybe";
    (m.services[2]!.capabilities[0] as { line: string }).line = "uart";
    const lines = errorOf(strip(m)).split("\n");
    expect(lines).toEqual([expect.stringMatching(/^images\/standard\.json: services\[1\]\.restart: /), expect.stringMatching(/^images\/standard\.json: services\[2\]\.capabilities\[0\]\.line: /)]);
  });

  it("from files: JSON syntax, missing tier", () => {
    const dir = tempDir("images");
    const f = path.join(dir, "broken.json");
    writeFileSync(f, "{ \"services\": [ }");
    expect(() => loadManifest(f)).toThrow(new RegExp(`^${f}: not valid JSON`));
    expect(() => loadTier("nosuch")).toThrow(/no manifest for tier 'nosuch' \(images\/nosuch\.json\); tiers: bench, crash, drivers, embedded, full, fuzz, net, netbench, standard, storebench, test/);
  });
});

describe("cambi build", () => {
  it("names each missing service source, and a missing tier", async () => {
    const empty = tempDir("no-services");
    const [missing, noTier] = await Promise.all([
      cambi(["build", "--arch", "x86_64", "--tier", "embedded", "--services", empty]),
      cambi(["build", "--arch", "x86_64", "--tier", "nosuch"]),
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`images/embedded.json: service 'init': ${path.join(empty, "init/main.ts")} does not exist`);
    expect(missing.stderr).toContain(`images/embedded.json: service 'log': ${path.join(empty, "log/main.ts")} does not exist`);
    expect(noTier.status).toBe(1);
    expect(noTier.stderr).toContain("no manifest for tier 'nosuch'");
    expect(path.relative(ROOT, empty).startsWith("..")).toBe(true);
  });
});
