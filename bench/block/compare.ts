/**
 * `npm run bench:block`: CambiOS's block workloads (`cambi bench`, the bench
 * tier's blkbench) and the same workloads under Debian's Linux (linux.ts), run
 * side by side in one go on the same QEMU machine and disk, per arch. Prints a
 * table of busy guest instructions per 4 KiB request (time the CPU was not
 * halted: the figure that counts instructions, see linux.ts) and the ratio
 * CambiOS / Linux. A benchmark, not a test. Linux's writes are O_SYNC (a cache
 * flush each), CambiOS's are not: compare reads.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { linuxBlockBench, type LinuxArch } from "./linux.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKLOADS = [
  ["seq-read", "blk_seq_read_busy"],
  ["rand-read", "blk_rand_read_busy"],
  ["seq-write", "blk_seq_write_busy"],
  ["rand-write", "blk_rand_write_busy"],
] as const;

for (const arch of ["x86_64", "aarch64"] as LinuxArch[]) {
  const cambi = spawnSync(path.join(ROOT, "bin/cambi"), ["bench", "--arch", arch], { encoding: "utf8" });
  if (cambi.status !== 0) {
    process.stderr.write(`bench:block: cambi bench failed on ${arch}\n${cambi.stderr}\n`);
    process.exit(1);
  }
  const ours = new Map<string, number>();
  for (const line of cambi.stdout.trim().split("\n")) {
    const f = JSON.parse(line) as { figure: string; guest_instructions: number };
    ours.set(f.figure, f.guest_instructions);
  }
  const linux = await linuxBlockBench(arch);
  process.stdout.write(`\n${arch} (4 KiB, one request at a time; busy guest instructions per request)\n`);
  process.stdout.write(`  workload     CambiOS    Linux ${linux.kernel}   ratio\n`);
  for (const [workload, figure] of WORKLOADS) {
    const l = linux.figures.find((f) => f.workload === workload)!.busyInstructionsPerRequest;
    const c = ours.get(figure)!;
    process.stdout.write(`  ${workload.padEnd(11)} ${String(c).padStart(8)} ${String(Math.round(l)).padStart(8)}   ${(c / l).toFixed(2)}\n`);
  }
}
