/**
 * Toolchain processes (clang, ld.lld, llvm tools) run asynchronously, at most
 * one per core at a time across the whole cambi process: a build starts every
 * compile it can and the pool keeps the machine busy without oversubscribing it.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { ToolchainError } from "./errors.js";

/** How many tool processes run at once (CAMBI_JOBS overrides the core count). */
export const JOBS = Math.max(1, Number(process.env.CAMBI_JOBS) || availableParallelism());

let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= JOBS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs cmd with args; resolves with its standard output, throws ToolchainError (command and output) on failure. */
export function runTool(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return slot(
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.on("error", (e) => reject(new ToolchainError(`${cmd}: ${e.message}`)));
        child.on("close", (code, signal) => {
          const stdout = Buffer.concat(out).toString();
          if (code === 0) return resolve(stdout);
          const why = signal ? `killed by ${signal}` : `exit status ${code}`;
          // A link names a hundred cached objects: show the command's start and its output.
          const shown = args.length > 16 ? `${args.slice(0, 12).join(" ")} … (${args.length} arguments)` : args.join(" ");
          reject(new ToolchainError(`${cmd} ${shown} (${why})\n${Buffer.concat(err).toString()}${stdout}`.trim()));
        });
      }),
  );
}
