/**
 * User programs: a KTS entry module (exporting main(): u32) compiled
 * freestanding, linked with the user runtime (src/lib/user/<arch>.S: _start and
 * the syscall stub; runtime-c/src/user.c: print() through write) and
 * linker-scripts/user.ld into a static ELF at 4 MiB. Incremental like kernels:
 * a stamp skips an up-to-date program, and objects come from the object cache.
 * With `lto`, the program's generated C is linked with ThinLTO, like the kernel
 * (the runtime stays plain objects): the library's one-line accessors inline
 * into the program's loops.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT, relPath } from "../project/root.js";
import { FREESTANDING_RUNTIME, compileAll, freestandingFlags } from "../toolchain/clang.js";
import { CACHE_DIR } from "../toolchain/object-cache.js";
import { runTool } from "../toolchain/jobs.js";
import { withLock } from "./lock.js";
import { isFresh, toolchainFingerprint, writeStamp } from "./stamp.js";

export interface UserBuild {
  name: string;
  elf: string;
  diagnostics: Diagnostic[];
  /** False when the ELF was already up to date. */
  rebuilt: boolean;
}

/**
 * User code is not in the kernel's top 2 GiB: the default code model, no
 * kernel-only flags. Leaf functions make no frame record: the message
 * accessors a server's loop calls (msgWord, msgSetWord, errorOf...) are leaves
 * of a few instructions, and the record was 3 more per call, about 33 per IPC
 * round trip. The chain of records stays whole (a leaf leaves x29/rbp alone),
 * and a user fault is reported by its pc.
 */
function userFlags(arch: Arch): string[] {
  const flags = freestandingFlags(arch).filter((f) => f !== "-mcmodel=kernel" && f !== "-mno-omit-leaf-frame-pointer");
  return [...flags, "-momit-leaf-frame-pointer"];
}

/** A program's name: its service folder (src/services/<name>/main.ts) or its file name. */
export function programName(entry: string): string {
  return path.basename(entry, ".ts") === "main" ? path.basename(path.dirname(entry)) : path.basename(entry, ".ts");
}

/** Builds entry into <outRoot>/<name>/<name>.elf, holding that folder's lock (with lto, <outRoot> should be its own folder). */
export function buildUserProgram(entry: string, arch: Arch, outRoot: string, opts: { lto?: boolean } = {}): Promise<UserBuild> {
  const name = programName(entry);
  const dir = path.join(outRoot, name);
  return withLock(dir, () => buildUnlocked(entry, arch, name, dir, opts.lto ?? false));
}

async function buildUnlocked(entry: string, arch: Arch, name: string, dir: string, lto: boolean): Promise<UserBuild> {
  const elf = path.join(dir, `${name}.elf`);
  const stampFile = path.join(dir, "stamp.json");
  const key = JSON.stringify({ step: "user", arch, entry: relPath(entry), lto, toolchain: toolchainFingerprint() });
  if (isFresh(stampFile, key, [elf])) return { name, elf, diagnostics: [], rebuilt: false };
  rmSync(stampFile, { force: true });
  const { generate } = await import("../driver.js");
  const r = generate([entry], { target: { kind: "freestanding", arch }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) return { name, elf, diagnostics: r.diagnostics, rebuilt: false };
  mkdirSync(dir, { recursive: true });
  const runtime = [FREESTANDING_RUNTIME, path.join(REPO_ROOT, "runtime-c/src/user.c"), path.join(REPO_ROOT, "src/lib/user", `${arch}.S`)];
  const generated = (await compileAll(r.cFiles, lto ? [...userFlags(arch), "-flto=thin"] : userFlags(arch))).map((o) => o.object);
  const objs = [...generated, ...(await compileAll(runtime, userFlags(arch))).map((o) => o.object)];
  const main = `${r.modules[r.modules.length - 1]!.base}__main`;
  const ltoFlags = lto ? [`--thinlto-cache-dir=${path.join(CACHE_DIR, "thinlto-user")}`] : [];
  await runTool("ld.lld", ["-T", path.join(REPO_ROOT, "linker-scripts/user.ld"), "-nostdlib", "-static", "-z", "max-page-size=4096", `--defsym=kts_user_main=${main}`, ...ltoFlags, "-o", elf, ...objs]);
  writeStamp(stampFile, key, r.sources);
  return { name, elf, diagnostics: [], rebuilt: true };
}
