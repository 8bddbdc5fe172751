/**
 * One build at a time per arch: `cambi run`, `build`, `test` and `bench` all
 * write into build/<arch>/ (generated C, objects, images, bundles), and tests
 * run several of them at once. The lock is a directory (mkdir is atomic) with
 * the holder's pid inside; a holder that died leaves a lock the next process
 * takes over. Re-entrant within a process.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../project/load.js";

const WAIT_MS = 100;
const GIVE_UP_MS = 15 * 60_000;
const held = new Map<string, number>();
const pause = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function acquire(dir: string): void {
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    try {
      mkdirSync(path.dirname(dir), { recursive: true });
      mkdirSync(dir);
      writeFileSync(path.join(dir, "pid"), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(dir, "pid"), "utf8"));
    } catch {
      // Just created by its holder, pid not written yet: wait.
    }
    if (owner > 0 && !alive(owner)) rmSync(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`cambi: ${dir} is held by process ${owner} for more than 15 minutes`);
    else Atomics.wait(pause, 0, 0, WAIT_MS);
  }
}

/** Runs fn holding build/<arch>'s lock. */
export function withBuildLock<T>(arch: string, fn: () => T): T {
  const dir = path.join(REPO_ROOT, "build", `${arch}.lock`);
  const depth = held.get(dir) ?? 0;
  if (depth === 0) acquire(dir);
  held.set(dir, depth + 1);
  try {
    return fn();
  } finally {
    held.set(dir, depth);
    if (depth === 0) rmSync(dir, { recursive: true, force: true });
  }
}
