/**
 * `cambi run`: boots the kernel in QEMU (TCG) with the serial port on standard
 * input/output. With --expect REGEX it exits 0 as soon as the serial output
 * matches, and non-zero on timeout, panic or QEMU exit, printing the last 40 lines.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { Arch } from "../intrinsics/table.js";
import { buildOrExit, bundleOrExit } from "./build.js";
import { qemuArgs } from "../build/qemu.js";
import { tail, watchQemu } from "../build/qemu-session.js";

export interface RunFlags {
  arch: Arch;
  smp: string;
  mem: string;
  gdb?: boolean;
  expect?: string;
  timeout: string;
  entry?: string;
  append?: string;
  programs?: string;
}

export async function runCommand(flags: RunFlags): Promise<void> {
  const variant = flags.entry ? path.basename(flags.entry, ".ts") : "kernel";
  const b = buildOrExit(flags.arch, { quiet: !!flags.expect, ...(flags.entry ? { entry: flags.entry, variant } : {}) });
  const initrd = bundleOrExit(flags.arch, flags.programs ? flags.programs.split(",") : [], variant);
  const { cmd, args } = qemuArgs(flags.arch, b.bootImage, {
    smp: Number(flags.smp),
    memMiB: Number(flags.mem),
    gdb: !!flags.gdb,
    ...(flags.append ? { append: flags.append } : {}),
    ...(initrd ? { initrd } : {}),
  });
  if (flags.gdb) process.stderr.write(`QEMU waits for gdb on localhost:1234: gdb-multiarch ${b.elf} -ex 'target remote :1234'\n`);
  if (!flags.expect) {
    const child = spawn(cmd, args, { stdio: "inherit" });
    child.on("exit", (code) => process.exit(normalizeExit(flags.arch, code)));
    return;
  }
  const re = new RegExp(flags.expect);
  const r = await watchQemu(cmd, args, { until: re, timeoutMs: Number(flags.timeout) * 1000, echo: true, stdin: process.stdin });
  if (r.outcome === "matched") process.exit(0);
  const why = {
    panic: "the kernel panicked",
    timeout: `timed out after ${flags.timeout} s waiting for /${re.source}/`,
    exited: `QEMU exited (status ${r.exitCode}) before /${re.source}/ appeared`,
  }[r.outcome];
  process.stderr.write(`cambi run: ${why}\n--- last 40 lines of serial output ---\n${tail(r.output)}\n`);
  process.exit(r.outcome === "timeout" ? 124 : 1);
}

/** QEMU's exit status for a clean power-off: 0, or 1 from x86 isa-debug-exit code 0. */
export function normalizeExit(arch: Arch, code: number | null): number {
  if (arch === "x86_64" && code === 1) return 0;
  return code ?? 1;
}
