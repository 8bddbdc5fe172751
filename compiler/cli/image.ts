/**
 * `cambi image --arch A --tier T [-o FILE] [--key FILE] [--print-digest]`: a
 * bootable disk image (compiler/image/disk.ts) of the tier's signed bundle and
 * the kernel, written to FILE (default build/<A>/cambios-<T>.img). Times inside
 * come from SOURCE_DATE_EPOCH, else the last commit's time, so two builds of one
 * tree are bit-identical. --print-digest prints `blake3 <hex>  <file>` on
 * standard output.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { REPO_ROOT } from "../project/root.js";
import type { Arch } from "../intrinsics/table.js";
import { bootstrapKeyOrExit, buildOrExit, tierBundleOrExit } from "./build.js";
import { buildX86Image, ImageToolMissing } from "../image/disk.js";
import { CommandExit, progress } from "./output.js";

export interface ImageFlags {
  arch: Arch;
  tier: string;
  out?: string;
  key?: string;
  printDigest?: boolean;
  append?: string;
}

/** SOURCE_DATE_EPOCH, else the time of the last commit of the tree, else 1980-01-01. */
export function sourceDateEpoch(): number {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== "") {
    if (!/^\d+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH=${env}: not a number of seconds`);
    return Number(env);
  }
  try {
    const t = execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (/^\d+$/.test(t)) return Number(t);
  } catch {
    // not a git checkout
  }
  return 315532800;
}

export function defaultImagePath(arch: Arch, tier: string): string {
  return path.join(REPO_ROOT, "build", arch, `cambios-${tier}.img`);
}

export async function imageCommand(flags: ImageFlags): Promise<void> {
  const t0 = Date.now();
  if (flags.arch !== "x86_64") {
    process.stderr.write(`cambi image: not built yet for ${flags.arch} (x86_64 images only so far)\n`);
    throw new CommandExit(2);
  }
  const key = bootstrapKeyOrExit(flags.key);
  const [bundle, kernel] = await Promise.all([tierBundleOrExit(flags.arch, flags.tier, key), buildOrExit(flags.arch, { bootstrap: key })]);
  const out = path.resolve(flags.out ?? defaultImagePath(flags.arch, flags.tier));
  let built;
  try {
    built = buildX86Image({ kernelElf: kernel.elf, bundle, tier: flags.tier, time: sourceDateEpoch(), ...(flags.append ? { cmdline: flags.append } : {}) });
  } catch (e) {
    if (e instanceof ImageToolMissing) {
      process.stderr.write(`cambi image: ${e.message}\n`);
      throw new CommandExit(1);
    }
    throw e;
  }
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, built.image);
  renameSync(tmp, out);
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  progress(
    `built ${path.relative(process.cwd(), out)} (tier ${flags.tier}, ${flags.arch}: ${(built.image.length / (1 << 20)).toFixed(0)} MiB disk; ` +
      `kernel ${kib(built.kernel.length)}, bundle ${kib(built.bundle.length)}, GRUB ${kib(built.grubEfi.length)} UEFI + ${kib(built.grubCore.length)} BIOS) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (flags.printDigest) process.stdout.write(`blake3 ${Buffer.from(blake3(built.image)).toString("hex")}  ${out}\n`);
}
