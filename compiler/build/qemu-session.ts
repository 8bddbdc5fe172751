/**
 * One QEMU run watched through its serial output: echoes it, stops as soon as
 * `until` matches, and reports a panic, a timeout or QEMU exiting first.
 * Used by `cambi run --expect`, `cambi test` and the boot tests.
 */
import { spawn } from "node:child_process";

export interface SessionResult {
  outcome: "matched" | "panic" | "timeout" | "exited";
  output: string;
  match?: RegExpMatchArray;
  exitCode?: number | null;
}

export function watchQemu(
  cmd: string,
  args: string[],
  opts: { until: RegExp; timeoutMs: number; echo: boolean; stdin?: NodeJS.ReadableStream },
): Promise<SessionResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    if (opts.stdin) opts.stdin.pipe(child.stdin);
    let output = "";
    let done = false;
    const finish = (r: Omit<SessionResult, "output">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      opts.stdin?.unpipe(child.stdin);
      resolve({ ...r, output });
    };
    const timer = setTimeout(() => finish({ outcome: "timeout" }), opts.timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      const s = d.toString();
      if (opts.echo) process.stdout.write(s);
      output += s;
      const m = output.match(opts.until);
      if (m) finish({ outcome: "matched", match: m });
      // Give a panic a moment to print its backtrace before stopping.
      else if (/(^|\n)panic: /.test(output)) setTimeout(() => finish({ outcome: "panic" }), 300);
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("exit", (code) =>
      setTimeout(() => {
        const m = output.match(opts.until);
        finish(m ? { outcome: "matched", match: m, exitCode: code } : { outcome: "exited", exitCode: code });
      }, 50),
    );
  });
}

/** The last n lines of a serial log. */
export function tail(output: string, n = 40): string {
  return output.split("\n").slice(-n - 1).join("\n");
}
