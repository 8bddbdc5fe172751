/**
 * `cambi build --watch`: builds, then rebuilds whenever a file under src/ or
 * images/ is saved, and says what it rebuilt and how long it took. The process
 * stays resident, so TypeScript's parsed lib and unchanged modules are kept
 * between builds. Edits to cambi itself (compiler/) need a restart: the
 * running compiler is the old one.
 */
import { watch } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import type { BootstrapKey } from "../trust/bootstrap-key.js";
import { buildOnce, type BuildFlags } from "./build.js";
import { CommandExit, progress } from "./output.js";

const SETTLE_MS = 150;

export async function watchBuild(flags: BuildFlags, key: BootstrapKey): Promise<void> {
  let changed = new Set<string>();
  let building = false;
  let timer: NodeJS.Timeout | undefined;

  const build = async (why: string) => {
    building = true;
    const t0 = Date.now();
    progress(`--- ${why}`);
    try {
      await buildOnce(flags, key);
      progress(`--- rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)} s; watching src/ and images/ (Ctrl-C ends)`);
    } catch (e) {
      if (!(e instanceof CommandExit)) throw e;
      progress(`--- build failed (status ${e.status}); fix and save to rebuild`);
    }
    building = false;
    if (changed.size > 0) schedule();
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (building) return;
      const files = [...changed].sort();
      changed = new Set();
      void build(`changed: ${files.slice(0, 5).join(", ")}${files.length > 5 ? ` and ${files.length - 5} more` : ""}`);
    }, SETTLE_MS);
  };
  for (const dir of ["src", "images"]) {
    watch(path.join(REPO_ROOT, dir), { recursive: true }, (_event, file) => {
      if (!file || !/\.(ts|json|S|c|h)$/.test(file)) return;
      changed.add(path.join(dir, file.toString()));
      schedule();
    });
  }
  await build("first build");
  await new Promise(() => {});
}
