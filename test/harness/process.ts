/**
 * Runs a process to completion without blocking the test worker's event loop
 * (long synchronous runs starve vitest's worker RPC on a busy machine).
 */
import { spawn } from "node:child_process";

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

export function runProcess(cmd: string, args: string[], stdin?: string | Buffer, env?: NodeJS.ProcessEnv, cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], ...(env ? { env } : {}), ...(cwd ? { cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status: code ?? (signal ? 128 : -1) }),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(stdin ?? "");
  });
}
