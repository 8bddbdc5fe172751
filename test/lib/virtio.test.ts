/**
 * The virtio library (src/lib/virtio): the split virtqueue against a device
 * model in KTS, natively with ASan+UBSan and under Node with identical output;
 * the capability-list parser in both worlds; the PCI transport under Node
 * against a modelled virtio-pci function (mapDevice), and compiled freestanding
 * for both arches (MMIO exists only there in the C world).
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { buildFreestanding, buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode } from "../harness/node-world.js";

const here = (f: string) => path.join(import.meta.dirname, f);

it("virtqueue: traffic past 16-bit wrap, full queue, chains of 1..3, NO_NOTIFY, hostile device; same in both worlds", async () => {
  const [native, node] = await Promise.all([runExe(buildHost(here("virtqueue-native.ts"))), runInNode(here("virtqueue-node.ts"))]);
  expect(native.stderr).toBe("");
  expect(native.stdout).toContain("failures 0");
  expect(native.status).toBe(0);
  expect(runText(node)).toBe(runText(native));
  const out = native.stdout;
  // Statuses: 0 Ok, 1 NoRoom, 2 Empty, 3 BadArgument, 4 DeviceError.
  expect(out).toContain("init size 0/3/512: 3 3 3");
  expect(out).toContain("init misaligned va/pa: 3 3 3");
  expect(out).toContain("never initialised: add 4 collect 4 notify false");
  expect(out).toContain("empty 3, writable before readable 3, longer than the queue 3, address wraps 3, chain of 16 takes another false; free 8");
  expect(out).toContain("fill 8: 3+3 0 0, 3 more 1 (free 2), 2 more 0, 1 more 1; heads 0 3 6");
  expect(out).toContain("collected heads (as digits) 630, then 2, free 8, device errors 0");
  expect(out).toContain("avail flags with interrupts off/on: 1 0");
  expect(out).toContain("size 1: 0 1, collect 0 head 0, again 0");
  for (let c = 1; c <= 10; c++) expect(out).toMatch(new RegExp(`^hostile ${c}: 4, then add 4 collect 4 notify false, free (\\d+) \\(was \\1\\)$`, "m"));
  expect(out).toContain("scribbled ring: 3 completions collected, free 8, then 8 single chains fit");
  expect(out).toMatch(/^fuzz: 3000 rounds, \d+ completions accepted, \d+ device errors, \d+ empty, 0 inconsistencies$/m);
  expect(out).toMatch(/^traffic: 1500\d\d completed of 1500\d\d added/m);
  expect(out).toMatch(/index wraps 2, device errors 0$/m);
});

it("virtio-pci capability list: good, 25 kinds of damage, 20000 random headers; same in both worlds", async () => {
  const driver = here("virtio-pci-caps-driver.ts");
  const [native, node] = await Promise.all([runExe(buildHost(driver)), runInNode(driver)]);
  expect(native.stderr).toBe("");
  expect(native.status).toBe(0);
  expect(native.stdout).toContain("failures 0");
  expect(runText(node)).toBe(runText(native));
  expect(native.stdout).toContain("good: 0 common 0 isr 4096 device 8192 notify 12288 x4 bar 4 len 4096");
  expect(native.stdout).toMatch(/accepted outside a BAR 0$/m);
});

it("virtio-pci transport against a modelled function (Node world, mapDevice)", async () => {
  const r = await runInNode(here("virtio-pci-node.ts"));
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const out = r.stdout;
  expect(out).toContain("probe 0: common 0x90000000 notify 0x90003000 isr 0x90001000 device 0x90002000 config 16 command 0");
  expect(out).toContain("negotiate 0: features 0x100000001 driver words 0x1 0x1 status log 0,1,3,11,15");
  expect(out).toContain("no VERSION_1: 13, status 0x83, driver feature writes 0");
  expect(out).toContain("FEATURES_OK cleared: 14, status 0x83");
  expect(out).toContain("reset after 3 stale reads true, never false");
  expect(out).toContain("queues 5: sizes 256 64 0 128 0");
  expect(out).toContain("queue 1 (128 > 100): 17, queue 2 (size 0): 16, queue 3 (notify off 0x400): 19 enable 0, queue 9: 16");
  expect(out).toContain("notify: 1 write at 0x3014 size 2 value 0 fenced true avail idx seen 1");
  expect(out).toContain("isr 3 then 0");
  expect(out).toContain("malformed (loop): 3, command 0");
  expect(out).toContain("malformed (beyond its BAR): 5, command 0");
  expect(out).toContain("model complaints: none");
  expect(out).toContain("failures 0");
});

describe.each(["x86_64", "aarch64"] as const)("virtio library, freestanding %s", (arch) => {
  it("the transport and the virtqueue compile without a warning", () => {
    const objs = buildFreestanding(path.resolve(import.meta.dirname, "../../src/lib/virtio/pci-transport.ts"), arch);
    expect(objs.length).toBeGreaterThanOrEqual(3);
  });
});
