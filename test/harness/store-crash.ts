/**
 * The object store's crash test: boots the crash tier (store + storecrash, its
 * workload) with the disk served by a CrashDisk (a volatile write cache), cuts
 * the power at a random write request, applies a random subset of the
 * unflushed writes (as a power cut does), boots again on what is left and
 * checks storecrash's inventory against the host's log of acknowledged
 * operations:
 *  - lost: an object whose put was acknowledged (and not deleted since) is
 *    missing or fails verification;
 *  - damaged: an object the store reports damaged (a crash must not leave one);
 *  - phantom: an object present that was never acknowledged nor in flight
 *    (a deleted one back, or garbage);
 *  - leaked: space not reclaimed (the store's used bytes are not exactly the
 *    pages of the objects present).
 * All four must stay 0. Each point's boot continues the workload of the last.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConsoleSession, newDisk } from "./console-session.js";
import { CrashDisk, prng } from "./crash-disk.js";

export interface CrashRun {
  arch: "x86_64" | "aarch64";
  points: number;
  seed: number;
  /** Called after each point with its figures (progress for long runs). */
  onPoint?: (p: PointResult) => void;
  /** A directory to keep every boot's console output in (boot-N.txt), to look into a failing point. */
  logs?: string;
}

export interface PointResult {
  point: number;
  /** The write request the power was cut at (counted from the boot), and what the cut applied. */
  atWrite: number;
  pendingBlocks: number;
  appliedBlocks: number;
  /** Acknowledged puts and deletes of the boot that crashed. */
  ackedPuts: number;
  ackedDeletes: number;
  /** Objects the next boot found. */
  objects: number;
  lost: string[];
  damaged: string[];
  phantom: string[];
  leaked: number;
}

export interface CrashTotals {
  points: number;
  ackedPuts: number;
  ackedDeletes: number;
  lost: number;
  damaged: number;
  phantom: number;
  leaked: number;
  results: PointResult[];
}

const INVENTORY = /storecrash: inventory (\d+) objects, (\d+) damaged, (\d+) allocated, store (\d+) total (\d+) free/;

/** The inventory in output (after `from`): objects with their verdicts, and the space figures. */
function inventoryOf(output: string): { have: Map<string, boolean>; allocated: number; used: number } {
  const have = new Map<string, boolean>();
  for (const m of output.matchAll(/storecrash: have ([0-9a-f]{64}) \d+ (ok|damaged)/g)) have.set(m[1]!, m[2] === "ok");
  const inv = INVENTORY.exec(output)!;
  return { have, allocated: Number(inv[3]), used: Number(inv[4]) - Number(inv[5]) };
}

/** What a boot's workload did, from its output: acknowledged and in-flight operations, in order. */
function operationsOf(output: string): { puts: Set<string>; deletes: Set<string>; inFlight: Set<string>; ackedPuts: number; ackedDeletes: number } {
  const puts = new Set<string>();
  const deletes = new Set<string>();
  const inFlight = new Set<string>();
  let ackedPuts = 0;
  let ackedDeletes = 0;
  for (const m of output.matchAll(/storecrash: (putting|acked put|deleting|acked delete) ([0-9a-f]{64})/g)) {
    const [what, h] = [m[1]!, m[2]!];
    if (what === "putting" || what === "deleting") inFlight.add(h);
    else if (what === "acked put") {
      inFlight.delete(h);
      puts.add(h);
      deletes.delete(h);
      ackedPuts++;
    } else {
      inFlight.delete(h);
      deletes.add(h);
      puts.delete(h);
      ackedDeletes++;
    }
  }
  return { puts, deletes, inFlight, ackedPuts, ackedDeletes };
}

export async function runCrashPoints(run: CrashRun): Promise<CrashTotals> {
  const dir = mkdtempSync(path.join(tmpdir(), `cambi-store-crash-${run.arch}-`));
  const random = prng(run.seed);
  const image = newDisk(path.join(dir, "disk.img"), 64 * 1024 * 1024);
  const totals: CrashTotals = { points: 0, ackedPuts: 0, ackedDeletes: 0, lost: 0, damaged: 0, phantom: 0, leaked: 0, results: [] };
  /** The host's model: the objects that must be there. */
  let present = new Set<string>();
  let session: ConsoleSession | undefined;
  let disk: CrashDisk | undefined;
  const boot = async () => {
    disk = await CrashDisk.start({ image });
    session = new ConsoleSession(["--arch", run.arch, "--smp", "2", "--tier", "crash", "--disk", disk.socket]);
    await session.waitFor(INVENTORY, 300_000);
    return { s: session, d: disk };
  };
  try {
    let { s, d } = await boot();
    for (let point = 1; point <= run.points; point++) {
      // The power goes at a random write request from now on: inside a put's data, its record, a delete, a checkpoint.
      const atWrite = d.stats.writes + 1 + Math.floor(random() * 120);
      const cut = new Promise<{ pendingBlocks: number; appliedBlocks: number }>((resolve) => {
        d.on("write", () => {
          if (d.stats.writes === atWrite) resolve(d.crash(Math.floor(random() * 2 ** 32)));
        });
      });
      const summary = await Promise.race([cut, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`crash point ${point}: write ${atWrite} never came; output:\n${s.output.slice(-3000)}`)), 300_000))]);
      // The console lines printed before the cut may still be on their way (QEMU -> cambi run -> here):
      // the workload's first I/O error comes after all of them, so once it is here, they are too.
      await s.waitForAnywhere(/storecrash: (put|delete) refused \(I\/O error\)/, 300_000);
      await s.stop();
      await d.close();
      if (run.logs) writeFileSync(path.join(run.logs, `boot-${point}.txt`), s.output);
      const ops = operationsOf(s.output);
      ({ s, d } = await boot());
      const inv = inventoryOf(s.output);
      const expected = new Set([...present, ...ops.puts].filter((h) => !ops.deletes.has(h)));
      const lost = [...expected].filter((h) => !ops.inFlight.has(h) && inv.have.get(h) !== true);
      const damaged = [...inv.have].filter(([, ok]) => !ok).map(([h]) => h);
      const phantom = [...inv.have.keys()].filter((h) => !expected.has(h) && !ops.inFlight.has(h));
      const leaked = inv.used - inv.allocated;
      const r: PointResult = {
        point,
        atWrite,
        pendingBlocks: summary.pendingBlocks,
        appliedBlocks: summary.appliedBlocks,
        ackedPuts: ops.ackedPuts,
        ackedDeletes: ops.ackedDeletes,
        objects: inv.have.size,
        lost,
        damaged,
        phantom,
        leaked,
      };
      totals.points++;
      totals.ackedPuts += r.ackedPuts;
      totals.ackedDeletes += r.ackedDeletes;
      totals.lost += lost.length;
      totals.damaged += damaged.length;
      totals.phantom += phantom.length;
      totals.leaked += leaked !== 0 ? 1 : 0;
      totals.results.push(r);
      run.onPoint?.(r);
      // What this boot found is the truth from now on (in-flight operations landed or not).
      present = new Set([...inv.have].filter(([, ok]) => ok).map(([h]) => h));
    }
    await s.stop();
    await d.close();
    return totals;
  } finally {
    await session?.stop();
    await disk?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
