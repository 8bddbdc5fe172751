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
import { buildArm64Image, buildX86Image, ImageToolMissing, type BuiltImage } from "../image/disk.js";
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
  const key = bootstrapKeyOrExit(flags.key);
  const [bundle, kernel] = await Promise.all([tierBundleOrExit(flags.arch, flags.tier, key), buildOrExit(flags.arch, { bootstrap: key })]);
  const out = path.resolve(flags.out ?? defaultImagePath(flags.arch, flags.tier));
  let built: BuiltImage;
  try {
    if (flags.arch === "aarch64") {
      if (flags.append) process.stderr.write("cambi image: --append is not used on aarch64 yet (no command line from UEFI)\n");
      built = buildArm64Image({ kernelElf: kernel.elf, kernelImage: kernel.bootImage, bundle, time: sourceDateEpoch() });
    } else {
      built = buildX86Image({ kernelElf: kernel.elf, bundle, tier: flags.tier, time: sourceDateEpoch(), ...(flags.append ? { cmdline: flags.append } : {}) });
    }
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
      `kernel ${kib(built.kernel.length)}, bundle ${kib(built.bundle.length)}` +
      (built.grubEfi && built.grubCore ? `, GRUB ${kib(built.grubEfi.length)} UEFI + ${kib(built.grubCore.length)} BIOS` : ", the kernel is the UEFI application") +
      `) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (flags.printDigest) process.stdout.write(`blake3 ${Buffer.from(blake3(built.image)).toString("hex")}  ${out}\n`);
}
