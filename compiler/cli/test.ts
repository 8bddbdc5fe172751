/**
 * `cambi test --arch A`: builds the test kernel (entry src/kernel/tests/main.ts),
 * boots it in QEMU and waits for its "N passed, N failed" line. Exit status 0
 * only if it appears with 0 failures; a panic, a timeout or a missing summary fail.
 */
import path from "node:path";
import type { Arch } from "../intrinsics/table.js";
import { REPO_ROOT } from "../project/root.js";
import { buildOrExit } from "./build.js";
import { qemuArgs } from "../build/qemu.js";
import { tail, watchQemu } from "../build/qemu-session.js";

export const TEST_ENTRY = path.join(REPO_ROOT, "src/kernel/tests/main.ts");
/** The summary line, up to its newline: matching earlier could stop QEMU mid-line. */
export const SUMMARY = /(\d+) passed, (\d+) failed\r?\n/;

export async function testCommand(flags: { arch: Arch; smp: string; mem: string; timeout: string }): Promise<void> {
  const b = await buildOrExit(flags.arch, { entry: TEST_ENTRY, variant: "test" });
  const { cmd, args } = qemuArgs(flags.arch, b.bootImage, { smp: Number(flags.smp), memMiB: Number(flags.mem) });
  const r = await watchQemu(cmd, args, { until: SUMMARY, timeoutMs: Number(flags.timeout) * 1000, echo: true });
  if (r.outcome === "matched" && r.match![2] === "0") process.exit(0);
  if (r.outcome !== "matched") {
    process.stderr.write(`cambi test: no summary line (${r.outcome})\n--- last 40 lines of serial output ---\n${tail(r.output)}\n`);
  }
  process.exit(1);
}
