/**
 * `./bin/cambi-node bench/block/linux-main.ts [--arch x86_64|aarch64] [--requests N]`:
 * the block benchmark under Debian's Linux (linux.ts), for both arches unless
 * --arch is given. A benchmark, not a test: prints one JSON document of the
 * figures on stdout; progress goes to stderr.
 */
import { linuxBlockBench, type LinuxArch } from "./linux.js";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const arches: LinuxArch[] = flag("--arch") ? [flag("--arch") as LinuxArch] : ["x86_64", "aarch64"];
if (arches.some((a) => a !== "x86_64" && a !== "aarch64")) {
  process.stderr.write("linux-block: --arch must be x86_64 or aarch64\n");
  process.exit(2);
}
const requests = flag("--requests") ? Number(flag("--requests")) : undefined;

const results = [];
for (const arch of arches) {
  try {
    results.push({ arch, ...(await linuxBlockBench(arch, { requests })) });
  } catch (e) {
    process.stderr.write(`linux-block: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
process.stdout.write(
  JSON.stringify({ benchmark: "linux-block", unit: "virtual ns under QEMU -icount shift=0 (one guest instruction per ns while running)", results }, null, 2) + "\n",
);
