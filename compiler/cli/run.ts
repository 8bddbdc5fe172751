/**
 * `cambi run`: boots the kernel in QEMU (TCG) with the serial port on standard
 * input/output. With --expect REGEX it exits 0 as soon as the serial output
 * matches, and non-zero on timeout, panic or QEMU exit, printing the last 40 lines.
 * The initrd is, first that applies: --initrd FILE; the v1 bundle of --programs;
 * nothing for --entry images without --tier; else the signed bundle of --tier
 * (default standard). Without an explicit --tier, a tier whose service sources
 * do not exist yet boots the kernel alone, with a notice.
 * The disk is --disk FILE, or build/<arch>/disk.img, created (64 MiB, sparse) on
 * first use and kept, so what one run writes is there in the next (QEMU locks
 * it: two runs at once need a --disk each). --entry images get only --disk.
 * --net attaches a network card (virtio-net) and says what it reaches
 * (parseNet in build/qemu.ts): none (the default: no card), user (QEMU's NAT to
 * the host's network), user:restrict (QEMU's NAT, nothing beyond it), or
 * dgram:GUESTPORT:PEERPORT (frames as UDP datagrams to a test peer on 127.0.0.1).
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import type { Arch } from "../intrinsics/table.js";
import { bootstrapKeyOrExit, buildOrExit, bundleOrExit, DEFAULT_TIER, tierBundleOrExit } from "./build.js";
import { loadTier, ManifestError } from "../build/manifest.js";
import { checkServiceSources, MissingServiceError } from "../build/tier.js";
import type { BootstrapKey } from "../trust/bootstrap-key.js";
import { AAVMF_CODE, AAVMF_VARS, createDisk, OVMF_CODE, OVMF_VARS, parseNet, qemuArgs, type QemuNet } from "../build/qemu.js";
import { tail, watchQemu } from "../build/qemu-session.js";

export interface RunFlags {
  arch: Arch;
  smp: string;
  mem: string;
  gdb?: boolean;
  expect?: string;
  timeout: string;
  entry?: string;
  append?: string;
  programs?: string;
  tier?: string;
  initrd?: string;
  key?: string;
  services?: string;
  disk?: string;
  cpu?: string;
  net: string;
  image?: string;
  firmware?: string;
}

const DEFAULT_DISK_BYTES = 64 * 1024 * 1024;

/** The disk to attach: --disk FILE (must exist), or the arch's default disk, created on first use. */
export function diskFor(arch: Arch, disk?: string): string {
  if (disk) {
    if (!existsSync(disk)) {
      process.stderr.write(`cambi run: no disk image ${disk} (create one with: truncate -s 64M ${disk})\n`);
      process.exit(2);
    }
    return path.resolve(disk);
  }
  const file = path.join(REPO_ROOT, "build", arch, "disk.img");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    createDisk(file, DEFAULT_DISK_BYTES);
  }
  return file;
}

/** True if the tier's services all have sources; a bad manifest is an error. */
function tierReady(tier: string, servicesDir?: string): boolean {
  try {
    checkServiceSources(loadTier(tier), servicesDir ? path.resolve(servicesDir) : undefined);
    return true;
  } catch (e) {
    if (e instanceof ManifestError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    if (!(e instanceof MissingServiceError)) throw e;
    process.stderr.write(`cambi run: no boot bundle (${e.message.split("\n")[0]}); booting the kernel alone\n`);
    return false;
  }
}

async function initrdFor(flags: RunFlags, variant: string, key: BootstrapKey): Promise<string | undefined> {
  if (flags.initrd) return path.resolve(flags.initrd);
  if (flags.programs) return bundleOrExit(flags.arch, flags.programs.split(","), variant);
  if (flags.entry && !flags.tier) return undefined;
  const tier = flags.tier ?? DEFAULT_TIER;
  if (!flags.tier && !tierReady(tier, flags.services)) return undefined;
  return tierBundleOrExit(flags.arch, tier, key, { quiet: !!flags.expect, ...(flags.services ? { servicesDir: flags.services } : {}) });
}

/** The --net of flags, or exit 2 with the forms it takes. */
function netOrExit(spec: string): QemuNet {
  try {
    return parseNet(spec);
  } catch (e) {
    process.stderr.write(`cambi run: ${(e as Error).message}\n`);
    process.exit(2);
  }
}

/** --image FILE --firmware uefi|bios: QEMU's arguments to boot a `cambi image` disk, and the temporary folder of the UEFI variable store. */
function imageBoot(flags: RunFlags, net: QemuNet): { cmd: string; args: string[]; tmp?: string } {
  const image = path.resolve(flags.image!);
  if (!existsSync(image)) {
    process.stderr.write(`cambi run: no image ${flags.image} (build one with: cambi image --arch ${flags.arch})\n`);
    process.exit(2);
  }
  // The image's UEFI loader names its arch (EFI/BOOT/BOOTX64.EFI or BOOTAA64.EFI, as 8.3 directory entries).
  const bytes = readFileSync(image);
  const imageArch = bytes.includes("BOOTAA64EFI") ? "aarch64" : bytes.includes("BOOTX64 EFI") ? "x86_64" : undefined;
  if (imageArch && imageArch !== flags.arch) {
    process.stderr.write(`cambi run: ${flags.image} is an ${imageArch} image: add --arch ${imageArch}\n`);
    process.exit(2);
  }
  const firmware = flags.firmware ?? "uefi";
  if (firmware !== "uefi" && firmware !== "bios") {
    process.stderr.write(`cambi run: --firmware ${firmware}: expected uefi or bios\n`);
    process.exit(2);
  }
  if (firmware === "bios" && flags.arch !== "x86_64") {
    process.stderr.write(`cambi run: --firmware bios boots x86_64 only\n`);
    process.exit(2);
  }
  let tmp: string | undefined;
  let vars: string | undefined;
  if (firmware === "uefi") {
    const [code, store, pkg] = flags.arch === "x86_64" ? [OVMF_CODE, OVMF_VARS, "ovmf"] : [AAVMF_CODE, AAVMF_VARS, "qemu-efi-aarch64"];
    if (!existsSync(code)) {
      process.stderr.write(`cambi run: no UEFI firmware ${code} (Debian's ${pkg}; run scripts/setup.sh)\n`);
      process.exit(2);
    }
    tmp = mkdtempSync(path.join(tmpdir(), "cambi-uefi-"));
    vars = path.join(tmp, "vars.fd");
    copyFileSync(store, vars);
  }
  const q = qemuArgs(flags.arch, "", {
    smp: Number(flags.smp),
    memMiB: Number(flags.mem),
    gdb: !!flags.gdb,
    net,
    ...(flags.cpu ? { cpu: flags.cpu } : {}),
    disk: diskFor(flags.arch, flags.disk),
    boot: { image, firmware, ...(vars ? { vars } : {}) },
  });
  return { ...q, ...(tmp ? { tmp } : {}) };
}

export async function runCommand(flags: RunFlags): Promise<void> {
  const net = netOrExit(flags.net);
  if (flags.image) {
    const { cmd, args, tmp } = imageBoot(flags, net);
    const cleanup = () => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    };
    return runQemu(flags, cmd, args, cleanup);
  }
  const variant = flags.entry ? path.basename(flags.entry, ".ts") : "kernel";
  const key = bootstrapKeyOrExit(flags.key);
  // The bundle first: a missing service fails before the longer kernel build.
  const initrd = await initrdFor(flags, variant, key);
  // For gdb, a kernel without link-time inlining across modules: every .ts line keeps its own code.
  const build = flags.gdb ? { variant: `${variant}-debug`, lto: false } : flags.entry ? { variant } : {};
  const b = await buildOrExit(flags.arch, { quiet: !!flags.expect, bootstrap: key, ...(flags.entry ? { entry: flags.entry } : {}), ...build });
  const { cmd, args } = qemuArgs(flags.arch, b.bootImage, {
    smp: Number(flags.smp),
    memMiB: Number(flags.mem),
    gdb: !!flags.gdb,
    net,
    ...(flags.append ? { append: flags.append } : {}),
    ...(flags.cpu ? { cpu: flags.cpu } : {}),
    ...(initrd ? { initrd } : {}),
    // Kernel test images (--entry) have no services to use a disk: only an explicit one is attached.
    ...(flags.disk || !flags.entry ? { disk: diskFor(flags.arch, flags.disk) } : {}),
  });
  if (flags.gdb) process.stderr.write(`QEMU waits for gdb on localhost:1234: gdb-multiarch ${b.elf} -ex 'target remote :1234'\n`);
  return runQemu(flags, cmd, args, () => {});
}

async function runQemu(flags: RunFlags, cmd: string, args: string[], cleanup: () => void): Promise<void> {
  if (!flags.expect) {
    const child = spawn(cmd, args, { stdio: "inherit" });
    child.on("exit", (code) => {
      cleanup();
      process.exit(normalizeExit(flags.arch, code));
    });
    return;
  }
  const re = new RegExp(flags.expect);
  const r = await watchQemu(cmd, args, { until: re, timeoutMs: Number(flags.timeout) * 1000, echo: true, stdin: process.stdin });
  cleanup();
  if (r.outcome === "matched") process.exit(0);
  const why = {
    panic: "the kernel panicked",
    timeout: `timed out after ${flags.timeout} s waiting for /${re.source}/`,
    exited: `QEMU exited (status ${r.exitCode}) before /${re.source}/ appeared`,
  }[r.outcome];
  process.stderr.write(`cambi run: ${why}\n--- last 40 lines of serial output ---\n${tail(r.output)}\n`);
  process.exit(r.outcome === "timeout" ? 124 : 1);
}

/** QEMU's exit status for a clean power-off: 0, or 1 from x86 isa-debug-exit code 0. */
export function normalizeExit(arch: Arch, code: number | null): number {
  if (arch === "x86_64" && code === 1) return 0;
  return code ?? 1;
}
