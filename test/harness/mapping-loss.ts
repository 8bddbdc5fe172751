/**
 * The move-and-back scenario of issue #16 (test/user/bouncer.ts, returner.ts,
 * three churners beside them) booted again and again on 4 CPUs: each boot
 * must end with every mapping intact, every task exiting 0 and every frame
 * back. A lost mapping ends bouncer with a fault; the frame checker (on in
 * every kernel) turns a frame misuse into a panic naming both owners.
 */
import path from "node:path";
import { runProcess } from "./process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROGRAMS = ["returner", "bouncer", "churner"].map((p) => `test/user/${p}.ts`).join(",");

export interface BootVerdict {
  boot: number;
  ok: boolean;
  /** Why not, with the end of the console output. */
  why: string;
}

/** One boot: ok, or what went wrong. */
export async function mappingLossBoot(arch: "x86_64" | "aarch64", boot: number): Promise<BootVerdict> {
  const r = await runProcess(
    path.join(ROOT, "bin/cambi"),
    ["run", "--arch", arch, "--smp", "4", "--entry", "src/kernel/tests/user-main.ts", "--programs", PROGRAMS, "--expect", "user tasks done", "--timeout", "300"],
    "",
    { ...process.env, NO_COLOR: "1" },
    ROOT,
  );
  const out = r.stdout + r.stderr;
  const frames = /frames free: (\d+) before the tasks, (\d+) after/.exec(out);
  const problems = [
    r.status !== 0 ? `cambi run exited ${r.status}` : "",
    /bouncer: 300 rounds, every mapping intact/.test(out) ? "" : "bouncer did not finish its rounds intact",
    /returner: 300 capabilities sent back, 0 calls without one/.test(out) ? "" : "returner did not send every capability back",
    (out.match(/churner: \d+ rounds, 0 errors/g) ?? []).length === 3 ? "" : "a churner saw errors",
    /task \d+ exit [1-9]|faults [1-9]/.test(out) ? "a task failed or faulted" : "",
    frames && frames[1] === frames[2] ? "" : "frames did not all come back",
  ].filter((p) => p !== "");
  return { boot, ok: problems.length === 0, why: problems.length === 0 ? "" : `${problems.join("; ")}\n${out.slice(-3000)}` };
}
