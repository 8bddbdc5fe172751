/**
 * One QEMU run watched through its serial output: echoes it, stops as soon as
 * `until` matches, and reports a panic, a timeout or QEMU exiting first.
 * Used by `cambi run --expect`, `cambi test` and the boot tests.
 *
 * QEMU's serial output goes to a regular file that is polled, not to a pipe:
 * QEMU makes its stdout non-blocking and writes one byte per write(), so a
 * socket to a briefly busy reader fills after a few hundred bytes, and the
 * 16550 model then drops characters (seen in CI as a line missing 16 bytes).
 * A file never refuses a write.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const POLL_MS = 15;

export interface SessionResult {
  outcome: "matched" | "panic" | "timeout" | "exited";
  output: string;
  match?: RegExpMatchArray;
  exitCode?: number | null;
}

export function watchQemu(
  cmd: string,
  args: string[],
  opts: { until: RegExp; timeoutMs: number; echo: boolean; stdin?: NodeJS.ReadableStream; onOutput?: (output: string) => void },
): Promise<SessionResult> {
  return new Promise((resolve) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cambi-serial-"));
    const logPath = path.join(dir, "serial.log");
    const logOut = fs.openSync(logPath, "w");
    const child = spawn(cmd, args, { stdio: ["pipe", logOut, "pipe"] });
    fs.closeSync(logOut);
    const logIn = fs.openSync(logPath, "r");
    if (opts.stdin) opts.stdin.pipe(child.stdin!);
    let output = "";
    let done = false;
    let panicSeen = false;
    const decoder = new TextDecoder();
    const chunk = Buffer.alloc(64 * 1024);

    // If this process is told to stop, QEMU must not outlive it: exit once it is gone
    // (so its disk image is unlocked for whoever boots next).
    const onSignal = (sig: NodeJS.Signals) => {
      const leave = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(sig === "SIGINT" ? 130 : 143);
      };
      if (child.exitCode !== null || child.signalCode !== null) leave();
      child.once("exit", leave);
      child.kill("SIGKILL");
    };
    const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];
    for (const sig of signals) process.on(sig, onSignal);
    const finish = (r: Omit<SessionResult, "output">) => {
      if (done) return;
      done = true;
      for (const sig of signals) process.off(sig, onSignal);
      clearTimeout(timer);
      clearInterval(poller);
      child.kill("SIGKILL");
      opts.stdin?.unpipe(child.stdin!);
      readNew();
      fs.closeSync(logIn);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ ...r, output });
    };
    /** Appends whatever QEMU wrote since the last look; true if any. */
    const readNew = (): boolean => {
      let any = false;
      for (;;) {
        const n = fs.readSync(logIn, chunk, 0, chunk.length, null);
        if (n <= 0) return any;
        any = true;
        const s = decoder.decode(chunk.subarray(0, n), { stream: true });
        if (opts.echo) process.stdout.write(s);
        output += s;
      }
    };
    const look = () => {
      if (done || !readNew()) return;
      opts.onOutput?.(output);
      const m = output.match(opts.until);
      if (m) finish({ outcome: "matched", match: m });
      // Give a panic a moment to print its backtrace before stopping.
      else if (!panicSeen && /(^|\n)panic: /.test(output)) {
        panicSeen = true;
        setTimeout(() => finish({ outcome: "panic" }), 300);
      }
    };
    const timer = setTimeout(() => finish({ outcome: "timeout" }), opts.timeoutMs);
    const poller = setInterval(look, POLL_MS);
    child.stderr!.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("exit", (code) =>
      setTimeout(() => {
        look();
        if (done) return;
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
