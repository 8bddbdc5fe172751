/**
 * One writer per output folder: `cambi run`, `build`, `test` and `bench` write
 * generated C, images and bundles into build/<arch>/<variant>/, and tests run
 * several of them at once. Each folder has its own lock, so unrelated variants
 * and both arches build side by side, and a second process that wants the same
 * variant waits and then finds it up to date. The lock is a directory (mkdir is
 * atomic) with the holder's pid inside; a holder that died leaves a lock the
 * next process takes over. Re-entrant within a process. Shared objects need no
 * lock: the object cache writes whole files by rename.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const WAIT_MS = 100;
const GIVE_UP_MS = 30 * 60_000;
const held = new Map<string, number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function acquire(dir: string): Promise<void> {
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
    else if (Date.now() > deadline) throw new Error(`cambi: ${dir} is held by process ${owner} for more than 30 minutes`);
    else await new Promise((r) => setTimeout(r, WAIT_MS));
  }
}

/** Runs fn holding the lock of output folder dir (the lock is dir + ".lock"). */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  const depth = held.get(lock) ?? 0;
  if (depth === 0) await acquire(lock);
  held.set(lock, depth + 1);
  try {
    return await fn();
  } finally {
    held.set(lock, depth);
    if (depth === 0) rmSync(lock, { recursive: true, force: true });
  }
}
