/**
 * `cambi exec --world native|node FILE`: runs a KTS program (entry exporting
 * main()) in either world, the differential oracle as a command. native: the C
 * world, built with AddressSanitizer and UndefinedBehaviorSanitizer; node: the
 * same source under Node with the prelude. Output, panics and the exit status
 * are what the tests compare: stdout and stderr passed through, exit status
 * main's low 8 bits, or 101 after a panic.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "../driver.js";
import { bundleForNode, NODE_ARGS } from "../exec/node-world.js";
import { linkHost, ToolchainError } from "../toolchain/clang.js";
import { CommandExit, printDiagnostics } from "./output.js";

export interface ExecFlags {
  world: "native" | "node";
}

export async function execCommand(entry: string, flags: ExecFlags): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "kts-exec-"));
  const r = generate([entry], { target: { kind: "host", arch: "x86_64" }, outDir: path.join(dir, "gen") });
  if (r.diagnostics.length > 0) {
    printDiagnostics(r.diagnostics);
    throw new CommandExit(1);
  }
  if (!r.entryHasMain) {
    process.stderr.write(`${entry}: an entry must export function main()\n`);
    throw new CommandExit(1);
  }
  let cmd: string;
  let args: string[];
  if (flags.world === "node") {
    cmd = process.execPath;
    args = [...NODE_ARGS, await bundleForNode(entry)];
  } else {
    cmd = path.join(dir, "prog");
    try {
      linkHost(r.cFiles, cmd, { sanitize: true, optimize: "-O1" });
    } catch (e) {
      if (!(e instanceof ToolchainError)) throw e;
      process.stderr.write(`internal compiler error: the generated C did not compile (this is a cambi bug)\n${e.message}\n`);
      throw new CommandExit(3);
    }
    args = [];
  }
  const run = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0" } });
  throw new CommandExit(run.status ?? 1);
}
