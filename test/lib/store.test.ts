/**
 * The object store engine (src/lib/store, docs/store-format.md) on a simulated
 * disk (store-world.ts), natively with ASan+UBSan and under Node, with the
 * same output: mount results and refusals, the API, damage, hostile images,
 * the crash model, a large object (1 MiB in both worlds, 16 MiB natively: Node
 * runs the engine's hashing about 50 times slower). The tests run one after
 * another: each is heavy, and the machine has 2 cores. Signatures come from @noble/ed25519 over
 * stdin (store-input.ts).
 */
import { expect, it } from "vitest";
import path from "node:path";
import { buildHost, runExe, runText } from "../harness/host-world.js";
import { runInNode, type RunResult } from "../harness/node-world.js";
import { storeInput } from "./store-input.js";

const HERE = import.meta.dirname;

/** Both worlds with the same input (but the world letter); the native run. */
async function bothWorlds(driver: string, extra: number[] = [], params: number[] = []): Promise<RunResult> {
  const entry = path.join(HERE, driver);
  const [native, node] = await Promise.all([runExe(buildHost(entry), storeInput("c", extra, params)), runInNode(entry, storeInput("n", extra, params))]);
  expect(runText(node)).toBe(runText(native));
  return native;
}

it("mount results, refusals, the API, damage and hostile images, in both worlds", async () => {
  const r = await bothWorlds("store-driver.ts");
  expect(r.stderr).toBe("");
  const out = r.stdout;
  expect(out).toContain("random disk: NotAStore, writes 0, unchanged true\n");
  expect(out).toContain("version 2 superblock: NewerVersion true 2\n");
  expect(out).toContain("absurd superblocks: 9 of 9 Damaged\n");
  expect(out).toContain("objects 13, read back and verified 12\n");
  expect(out).toMatch(/^checkpoints [1-9]\d*, generation \d+$/m);
  expect(out).toContain("remount: objects 12 vault 4 damaged 0 rejected 0");
  expect(out).toContain("filled: 15 more, then TableFull true at 31\n");
  expect(out).toContain("data damage: damaged 1 ok 7\n");
  expect(out).toContain("damaged record: damaged 1 objects 7 third put there false\n");
  expect(out).toContain("newest superblock damaged: Mounted true");
  expect(out).toContain("crafted 14: Mounted true objects 2 rejected 12 damaged 0\n");
  expect(out).toMatch(/failures 0\n$/);
  expect(r.status).toBe(0);
}, 900_000);

function crashSummary(out: string) {
  const m = out.match(/^rounds (\d+) crashes (\d+) \(in a checkpoint (\d+), during format (\d+)\)\nacknowledged (\d+) refused (\d+); in flight at the crash: took effect (\d+), did not (\d+)\ncheckpoints (\d+), live at the end \d+, mismatches (\d+)$/m);
  expect(m, out).not.toBeNull();
  const [rounds, crashes, inCheckpoint, duringFormat, acknowledged, , tookEffect, didNot, checkpoints, mismatches] = m!.slice(1).map(Number);
  return { rounds, crashes, inCheckpoint, duringFormat, acknowledged, tookEffect, didNot, checkpoints, mismatches };
}

it("crash model: every acknowledged operation survives a crash at a random I/O, in both worlds", async () => {
  const r = await bothWorlds("store-crash.ts", [], [20, 100, 11]);
  expect(r.stderr).toBe("");
  const s = crashSummary(r.stdout);
  expect(s.crashes).toBe(20);
  expect(s.mismatches).toBe(0);
  expect(s.acknowledged).toBeGreaterThan(100);
  expect(r.status).toBe(0);
}, 900_000);

it("crash model natively: 2 x 1000 crashes, many inside checkpoints and formats", async () => {
  const exe = buildHost(path.join(HERE, "store-crash.ts"));
  const runs = [await runExe(exe, storeInput("c", [], [1000, 100, 7])), await runExe(exe, storeInput("c", [], [1000, 100, 8]))];
  for (const r of runs) {
    expect(r.stderr).toBe("");
    const s = crashSummary(r.stdout);
    expect(s.crashes).toBe(1000);
    expect(s.mismatches).toBe(0);
    expect(s.inCheckpoint).toBeGreaterThan(50);
    expect(s.duringFormat).toBeGreaterThan(5);
    expect(s.tookEffect).toBeGreaterThan(20);
    expect(s.didNot).toBeGreaterThan(100);
    expect(s.checkpoints).toBeGreaterThan(500);
    expect(r.status).toBe(0);
  }
}, 900_000);

it("a 1 MiB object streamed through a 32 KiB chunk, read back, verified, deleted, in both worlds", async () => {
  const r = await bothWorlds("store-large.ts", [1 << 20]);
  expect(r.stderr).toBe("");
  expect(r.stdout).toContain("put: pages 256 ");
  expect(r.stdout).toContain("verify 0\nafter remount: verify 0\n");
  expect(r.stdout).toMatch(/failures 0\n$/);
  expect(r.status).toBe(0);
}, 900_000);

it("a 16 MiB object natively", async () => {
  const r = await runExe(buildHost(path.join(HERE, "store-large.ts")), storeInput("c", [16 << 20]));
  expect(r.stderr).toBe("");
  expect(r.stdout).toContain("object 16777216 bytes\nput: pages 4096 ");
  expect(r.stdout).toContain("verify 0\nafter remount: verify 0\n");
  expect(r.stdout).toMatch(/failures 0\n$/);
  expect(r.status).toBe(0);
}, 900_000);
