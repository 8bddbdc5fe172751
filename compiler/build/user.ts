/**
 * User programs: a KTS entry module (exporting main(): u32) compiled
 * freestanding, linked with the user runtime (src/lib/user/<arch>.S: _start and
 * the syscall stub; runtime-c/src/user.c: print() through write) and
 * linker-scripts/user.ld into a static ELF at 4 MiB.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { generate } from "../driver.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT } from "../project/load.js";
import { freestandingFlags, ToolchainError } from "../toolchain/clang.js";

export interface UserBuild {
  name: string;
  elf: string;
  diagnostics: Diagnostic[];
}

/** User code is not in the kernel's top 2 GiB: the default code model, no kernel-only flags. */
function userFlags(arch: Arch): string[] {
  return freestandingFlags(arch).filter((f) => f !== "-mcmodel=kernel");
}

function run(args: string[], cwd?: string): void {
  try {
    execFileSync(args[0]!, args.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new ToolchainError(`${args.join(" ")}\n${err.stderr?.toString() ?? ""}`.trim());
  }
}

export function buildUserProgram(entry: string, arch: Arch, outRoot: string): UserBuild {
  const name = path.basename(path.dirname(entry)) === "services" ? path.basename(entry, ".ts") : path.basename(entry, ".ts") === "main" ? path.basename(path.dirname(entry)) : path.basename(entry, ".ts");
  const dir = path.join(outRoot, name);
  const gen = path.join(dir, "gen");
  const obj = path.join(dir, "obj");
  mkdirSync(obj, { recursive: true });
  const r = generate([entry], { target: { kind: "freestanding", arch }, outDir: gen });
  const elf = path.join(dir, `${name}.elf`);
  if (r.diagnostics.length > 0) return { name, elf, diagnostics: r.diagnostics };
  for (const f of readdirSync(obj)) if (f.endsWith(".o")) execFileSync("rm", ["-f", path.join(obj, f)]);
  const sources = [...r.cFiles, path.join(REPO_ROOT, "runtime-c/src/freestanding.c"), path.join(REPO_ROOT, "runtime-c/src/user.c"), path.join(REPO_ROOT, "src/lib/user", `${arch}.S`)];
  run(["clang", ...userFlags(arch), "-c", ...sources], obj);
  const objs = readdirSync(obj).filter((f) => f.endsWith(".o")).sort().map((f) => path.join(obj, f));
  const entryModule = r.modules[r.modules.length - 1]!;
  run(["ld.lld", "-T", path.join(REPO_ROOT, "linker-scripts/user.ld"), "-nostdlib", "-static", "-z", "max-page-size=4096", `--defsym=kts_user_main=${entryModule.base}__main`, "-o", elf, ...objs]);
  return { name, elf, diagnostics: [] };
}
