/**
 * `cambi run`: boots the kernel in QEMU (TCG) with the serial port on standard
 * input/output. With --expect REGEX it exits 0 as soon as the serial output
 * matches, and non-zero on timeout, panic or QEMU exit, printing the last 40 lines.
 */
import { spawn } from "node:child_process";
import type { Arch } from "../intrinsics/table.js";
import { buildOrExit } from "./build.js";
import { qemuArgs } from "../build/qemu.js";

export interface RunFlags {
  arch: Arch;
  smp: string;
  mem: string;
  gdb?: boolean;
  expect?: string;
  timeout: string;
  build: boolean;
}

export function runCommand(flags: RunFlags): Promise<void> {
  const b = buildOrExit(flags.arch, { quiet: !!flags.expect });
  const { cmd, args } = qemuArgs(flags.arch, b.bootImage, { smp: Number(flags.smp), memMiB: Number(flags.mem), gdb: !!flags.gdb });
  if (flags.gdb) process.stderr.write(`QEMU waits for gdb on localhost:1234: gdb-multiarch ${b.elf} -ex 'target remote :1234'\n`);
  if (!flags.expect) {
    const child = spawn(cmd, args, { stdio: "inherit" });
    return new Promise(() => child.on("exit", (code) => process.exit(normalizeExit(flags.arch, code))));
  }
  return expectRun(cmd, args, new RegExp(flags.expect), Number(flags.timeout) * 1000, flags.arch);
}

/** QEMU's exit status for a clean power-off: 0, or 1 from x86 isa-debug-exit code 0. */
export function normalizeExit(arch: Arch, code: number | null): number {
  if (arch === "x86_64" && code === 1) return 0;
  return code ?? 1;
}

function expectRun(cmd: string, args: string[], re: RegExp, timeoutMs: number, arch: Arch): Promise<void> {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
  process.stdin.pipe(child.stdin);
  let out = "";
  let done = false;
  const finish = (code: number, why: string) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    child.kill("SIGKILL");
    if (code !== 0) {
      const lines = out.split("\n");
      process.stderr.write(`cambi run: ${why}\n--- last 40 lines of serial output ---\n${lines.slice(-41).join("\n")}\n`);
    }
    process.exit(code);
  };
  const timer = setTimeout(() => finish(124, `timed out after ${timeoutMs / 1000} s waiting for /${re.source}/`), timeoutMs);
  child.stdout.on("data", (d: Buffer) => {
    const s = d.toString();
    process.stdout.write(s);
    out += s;
    if (re.test(out)) finish(0, "matched");
    else if (/(^|\n)panic: /.test(out)) setTimeout(() => finish(101, "the kernel panicked"), 200);
  });
  child.on("exit", (code) => setTimeout(() => finish(re.test(out) ? 0 : normalizeExit(arch, code) || 1, `QEMU exited (status ${code}) before /${re.source}/ appeared`), 50));
  return new Promise(() => {});
}
