/**
 * An interactive CambiOS boot for tests: `cambi run` under QEMU with the serial
 * console on a pipe, so a test can wait for output and type lines as a person
 * at the console would (the shell reads the UART through its interrupt).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDisk } from "../../compiler/build/qemu.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROMPT = "cambi> ";

export class ConsoleSession {
  private child: ChildProcessWithoutNullStreams;
  private exited = false;
  /** Everything the console printed so far. */
  output = "";
  /** Where the next waitFor starts looking: each waitFor match consumes the output up to its end (commands do not). */
  private cursor = 0;
  /** Output length when a line was last typed (a prompt must come after it before the next). */
  private typedAt = 0;

  /**
   * The session's own disk (QEMU locks an image: two boots cannot share the default one),
   * unless runArgs has --disk: an image file, or a CrashDisk's socket (test/harness/crash-disk.ts)
   * for the disk over NBD with a volatile cache that crash() can cut the power of.
   */
  private diskDir: string | undefined;

  constructor(runArgs: string[]) {
    const args = [...runArgs];
    if (!args.includes("--disk")) {
      this.diskDir = mkdtempSync(path.join(tmpdir(), "cambi-disk-"));
      args.push("--disk", newDisk(path.join(this.diskDir, "disk.img")));
    }
    this.child = spawn(path.join(ROOT, "bin/cambi"), ["run", ...args, "--expect", "a line no kernel prints", "--timeout", "600"], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const take = (d: Buffer) => (this.output += d.toString());
    this.child.stdout.on("data", take);
    this.child.stderr.on("data", take);
    this.child.on("exit", () => (this.exited = true));
    this.child.stdin.on("error", () => {});
  }

  /** Waits until `pattern` appears after the previous match; returns the match. Fails with the output on timeout. */
  async waitFor(pattern: RegExp | string, timeoutMs = 120_000): Promise<RegExpExecArray> {
    const re = typeof pattern === "string" ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : pattern;
    const m = await this.until(() => re.exec(this.output.slice(this.cursor)), String(re), timeoutMs);
    this.cursor += m.index + m[0].length;
    return m;
  }

  /** Waits until `pattern` appears anywhere in the output so far (for lines whose order against others varies). */
  async waitForAnywhere(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
    return this.until(() => pattern.exec(this.output), String(pattern), timeoutMs);
  }

  /** Types a line at the console (Enter is CR, as a terminal sends it). */
  type(line: string): void {
    this.child.stdin.write(`${line}\r`);
  }

  /**
   * Types a command once the shell shows a prompt it has not yet been given a
   * line at, and returns what the command printed up to the next prompt.
   */
  async command(line: string, timeoutMs = 120_000): Promise<string> {
    await this.until(() => (this.output.lastIndexOf(PROMPT) >= this.typedAt ? true : null), `a prompt before typing ${line}`, timeoutMs);
    this.type(line);
    const start = this.output.length;
    this.typedAt = start;
    const end = await this.until(
      () => {
        const at = this.output.indexOf(PROMPT, start);
        return at >= 0 ? at : null;
      },
      `the prompt after ${line}`,
      timeoutMs,
    );
    return this.output.slice(start, end);
  }

  /** Polls probe until it gives something (not null); fails with the output if QEMU exits or time runs out. */
  private async until<T>(probe: () => T | null, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = probe();
      if (got !== null) return got;
      if (this.exited || Date.now() > deadline) throw new Error(`console: ${this.exited ? "QEMU exited" : "timed out"} waiting for ${what}; output:\n${this.output.slice(-6000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops cambi and resolves once it has exited (it waits for its QEMU). */
  async stop(): Promise<void> {
    const gone = this.exited ? Promise.resolve() : new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.close();
    await gone;
  }

  /** Stops cambi, which stops its QEMU. */
  close(): void {
    this.child.kill("SIGTERM");
    if (this.diskDir) rmSync(this.diskDir, { recursive: true, force: true });
  }
}

/** A new empty raw disk image of `bytes` (sparse, 64 MiB by default); returns its path. */
export function newDisk(file: string, bytes = 64 * 1024 * 1024): string {
  return createDisk(file, bytes);
}

/** The task id `ps` lists for a service name. */
export function taskOf(ps: string, name: string): number {
  const m = new RegExp(`^\\s*(\\d+)\\s+\\S+\\s+\\d+\\s+\\d+\\s+\\d+\\s+${name}\\s*$`, "m").exec(ps);
  if (!m) throw new Error(`no ${name} in ps:\n${ps}`);
  return Number(m[1]);
}

/** The lines of output that say `prefix` (cut at it: a line may follow the shell's prompt, which has no newline). */
export function linesFrom(output: string, prefix: string): string[] {
  return output
    .split("\n")
    .map((l) => l.slice(Math.max(0, l.indexOf(prefix))))
    .filter((l) => l.startsWith(prefix));
}
