/**
 * The block-I/O benchmark under Debian's Linux kernel, so that CambiOS's block
 * figures have a reference measured the same way: CambiOS's QEMU command line
 * (qemuArgs of compiler/build/qemu.ts: q35 / virt, -cpu max, the disk as
 * virtio-blk-pci at slot 4), one CPU, `-icount shift=0`. The kernel and its
 * virtio modules come from Debian's current linux-image package, fetched with
 * apt at benchmark time and cached under build/bench/linux/<arch>/; /init is
 * workload.c, built static with clang; the initramfs is written by cpio.ts.
 *
 * The unit: with -icount shift=0 a virtual nanosecond is one guest instruction
 * while the CPU runs, but while it halts waiting for QEMU to finish a request
 * the virtual clock follows the host's clock (icount's default sleep=on). So
 * nanos = instructions run + host time halted, and instructionsPerRequest
 * (nanos / requests, the rule of `cambi bench`) is an upper bound; the
 * guest also reports its halted time (Linux's idle + iowait time), which gives
 * busyInstructionsPerRequest, the instructions alone.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { REPO_ROOT } from "../../compiler/project/root.js";
import { qemuArgs } from "../../compiler/build/qemu.js";
import { tail, watchQemu } from "../../compiler/build/qemu-session.js";
import { newcArchive, type CpioEntry } from "./cpio.js";

export type LinuxArch = "x86_64" | "aarch64";

export interface BlockFigure {
  workload: string;
  requests: number;
  /** Virtual (icount) nanoseconds around the request loop, measured by the guest. */
  nanos: number;
  /** nanos / requests: at -icount shift=0 one virtual ns is one instruction (plus host time while halted). */
  instructionsPerRequest: number;
  /** Of nanos, the time the CPU was halted (idle or waiting for the device): host time, not instructions. */
  haltedNanos: number;
  /** (nanos - haltedNanos) / requests: the guest instructions run per request. */
  busyInstructionsPerRequest: number;
  /** Virtual-time throughput of 4 KiB requests. */
  mibPerSecond: number;
}

const BLOCK = 4096;
const DISK_BYTES = 64 * 1024 * 1024;
const WORKLOADS = ["seq-read", "rand-read", "seq-write", "rand-write"];
/** What a virtio-blk disk on PCI needs; their dependencies are found in the modules themselves. */
const ROOT_MODULES = ["virtio_pci", "virtio_blk"];
const DEB_ARCH: Record<LinuxArch, string> = { x86_64: "amd64", aarch64: "arm64" };
const CLANG_TARGET: Record<LinuxArch, string> = { x86_64: "x86_64-linux-gnu", aarch64: "aarch64-linux-gnu" };
const WORKLOAD_C = path.join(import.meta.dirname, "workload.c");
/** TCG boots Linux in tens of seconds; the slack is for a loaded machine. */
const TIMEOUT_MS = 20 * 60 * 1000;

const progress = (msg: string) => process.stderr.write(`linux-block: ${msg}\n`);

function run(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${out}`);
  return { status: r.status, out };
}

/** apt and dpkg need root; sudo when we are not it (as scripts/setup.sh does). */
function asRoot(cmd: string, args: string[]): void {
  if (process.getuid?.() === 0) run(cmd, args);
  else run("sudo", [cmd, ...args]);
}

const installed = (pkg: string) => run("dpkg-query", ["-W", "-f=${Status}", pkg], { allowFail: true }).out.includes("install ok installed");
const hostDebArch = () => run("dpkg", ["--print-architecture"]).out.trim();

let aptUpdated = false;
function aptUpdate(): void {
  if (aptUpdated) return;
  progress("apt-get update");
  asRoot("apt-get", ["update"]);
  aptUpdated = true;
}

/** Lets apt see packages of debArch (dpkg --add-architecture), refreshing the lists once if it had to. */
function ensureAptArch(debArch: string): void {
  if (debArch === hostDebArch()) return;
  const foreign = run("dpkg", ["--print-foreign-architectures"]).out.split(/\s+/);
  if (foreign.includes(debArch)) return;
  progress(`dpkg --add-architecture ${debArch}`);
  asRoot("dpkg", ["--add-architecture", debArch]);
  aptUpdate();
}

/** Installs what is missing of pkgs, idempotently. */
function aptInstall(pkgs: string[]): void {
  const missing = pkgs.filter((p) => !installed(p));
  if (missing.length === 0) return;
  if (run("apt-cache", ["show", ...missing], { allowFail: true }).status !== 0) aptUpdate();
  progress(`apt-get install ${missing.join(" ")}`);
  asRoot("apt-get", ["install", "-y", "--no-install-recommends", ...missing]);
}

/** The versioned kernel package the metapackage linux-image-<debArch> depends on now, e.g. linux-image-6.1.0-57-amd64. */
function currentKernelPackage(debArch: string): string {
  const meta = `linux-image-${debArch}:${debArch}`;
  const look = () => run("apt-cache", ["depends", meta], { allowFail: true }).out;
  let out = look();
  const re = new RegExp(`^\\s*Depends: (linux-image-[0-9][^\\s:]*-${debArch})(?::${debArch})?\\s*$`, "m");
  if (!re.test(out)) {
    aptUpdate();
    out = look();
  }
  const m = re.exec(out);
  if (!m) throw new Error(`cannot resolve ${meta} to a kernel package:\n${out}`);
  return m[1]!;
}

function decompress(file: string): Buffer {
  if (file.endsWith(".xz")) return spawnBytes("xz", ["-dc", file]);
  if (file.endsWith(".zst")) return spawnBytes("zstd", ["-dc", file]);
  if (file.endsWith(".gz")) return gunzipSync(fs.readFileSync(file));
  return fs.readFileSync(file);
}

function spawnBytes(cmd: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 256 << 20, input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr?.toString() ?? r.error?.message}`);
  return r.stdout;
}

/**
 * The plain arm64 Image inside Debian's vmlinuz: as is (Debian 12), gzipped, or
 * an EFI zboot image (PE with "zimg" at 4, payload offset/size at 8/12 and the
 * compression's name at 24) in case a later kernel is built that way.
 */
export function arm64Image(vmlinuz: Buffer, name: string): Buffer {
  let image = vmlinuz;
  if (image[0] === 0x1f && image[1] === 0x8b) image = gunzipSync(image);
  else if (image.toString("latin1", 4, 8) === "zimg") {
    const payload = image.subarray(image.readUInt32LE(8), image.readUInt32LE(8) + image.readUInt32LE(12));
    const kind = image.toString("latin1", 24, 56).replace(/\0.*$/s, "");
    if (kind === "gzip") image = gunzipSync(payload);
    else if (kind.startsWith("zstd")) {
      aptInstall(["zstd"]);
      // The kernel's zstd rule may append the size (4 bytes), which zstd reads as a bad frame.
      try {
        image = spawnBytes("zstd", ["-dc"], payload);
      } catch {
        image = spawnBytes("zstd", ["-dc"], payload.subarray(0, payload.length - 4));
      }
    } else throw new Error(`${name}: EFI zboot image compressed with ${kind}, which this benchmark cannot unpack`);
  }
  if (image.readUInt32LE(56) !== 0x644d5241) throw new Error(`${name}: not an arm64 Image (no "ARM\\x64" magic at 56)`);
  return image;
}

/** A module's dependencies, from its .modinfo section ("depends=a,b\0"). */
function moduleDepends(ko: Buffer): string[] {
  const at = ko.indexOf("\0depends=");
  if (at < 0) return [];
  const start = at + "\0depends=".length;
  const s = ko.toString("latin1", start, ko.indexOf(0, start));
  return s.split(",").filter((x) => x !== "");
}

const moduleName = (file: string) => path.basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, "").replaceAll("-", "_");

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export interface LinuxKernel {
  /** e.g. "linux-image-6.1.0-57-amd64 6.1.192-3" */
  name: string;
  /** The image QEMU boots with -kernel (uncompressed Image on arm64). */
  image: string;
  /** Modules to load in this order, named NN-<module>.ko. */
  modules: string[];
}

/**
 * Debian's current kernel for arch, cached: the image, and the modules a
 * virtio-blk disk on PCI needs that the package's config does not build in,
 * with their dependencies before them.
 */
export function debianKernel(arch: LinuxArch): LinuxKernel {
  const debArch = DEB_ARCH[arch];
  ensureAptArch(debArch);
  const pkg = currentKernelPackage(debArch);
  const archDir = path.join(REPO_ROOT, "build/bench/linux", arch);
  const dir = path.join(archDir, pkg);
  const stamp = path.join(dir, "kernel.txt");
  if (!fs.existsSync(stamp)) {
    fs.mkdirSync(archDir, { recursive: true });
    const work = fs.mkdtempSync(path.join(archDir, ".fetch-"));
    try {
      // _apt must be able to write here, or apt warns and downloads unsandboxed.
      fs.chmodSync(work, 0o777);
      progress(`apt-get download ${pkg}:${debArch}`);
      run("apt-get", ["download", `${pkg}:${debArch}`], { cwd: work });
      const deb = fs.readdirSync(work).find((f) => f.endsWith(".deb"));
      if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
      const version = run("dpkg-deb", ["-f", path.join(work, deb), "Version"]).out.trim();
      const root = path.join(work, "root");
      run("dpkg-deb", ["-x", path.join(work, deb), root]);
      const out = path.join(work, "out");
      fs.mkdirSync(path.join(out, "modules"), { recursive: true });

      const boot = path.join(root, "boot");
      const vmlinuz = fs.readdirSync(boot).find((f) => f.startsWith("vmlinuz-"));
      if (!vmlinuz) throw new Error(`${deb} has no /boot/vmlinuz-*`);
      const image = fs.readFileSync(path.join(boot, vmlinuz));
      // x86's bzImage decompresses itself; an arm64 Image is given to QEMU uncompressed.
      fs.writeFileSync(path.join(out, "kernel"), arch === "aarch64" ? arm64Image(image, vmlinuz) : image);
      const config = fs.readdirSync(boot).find((f) => f.startsWith("config-"));
      if (config) fs.copyFileSync(path.join(boot, config), path.join(out, "config"));

      // Debian 12 keeps modules in /lib/modules, 13 (merged /usr) in /usr/lib/modules.
      const modRoot = ["lib/modules", "usr/lib/modules"].map((d) => path.join(root, d)).find((d) => fs.existsSync(d));
      if (!modRoot) throw new Error(`${deb} has no lib/modules`);
      const kdir = path.join(modRoot, fs.readdirSync(modRoot)[0]!);
      const builtinFile = path.join(kdir, "modules.builtin");
      const builtin = new Set(fs.existsSync(builtinFile) ? fs.readFileSync(builtinFile, "utf8").split("\n").filter(Boolean).map(moduleName) : []);
      const files = new Map<string, string>();
      for (const f of walk(kdir)) if (/\.ko(\.(xz|zst|gz))?$/.test(f)) files.set(moduleName(f), f);

      const order: { name: string; data: Buffer }[] = [];
      const seen = new Set<string>();
      const visit = (name: string, from: string) => {
        if (seen.has(name) || builtin.has(name)) return;
        seen.add(name);
        const file = files.get(name);
        if (!file) throw new Error(`module ${name} (needed by ${from}) is neither built into ${pkg} nor shipped by it`);
        const data = decompress(file);
        for (const dep of moduleDepends(data)) visit(dep, name);
        order.push({ name, data });
      };
      for (const m of ROOT_MODULES) visit(m, "a virtio-blk disk on PCI");
      order.forEach((m, i) => fs.writeFileSync(path.join(out, "modules", `${String(i).padStart(2, "0")}-${m.name}.ko`), m.data));
      fs.writeFileSync(path.join(out, "kernel.txt"), `${pkg} ${version}\n`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(out, dir);
      // Kernels an earlier run cached that are no longer current.
      for (const old of fs.readdirSync(archDir)) if (old.startsWith("linux-image-") && old !== pkg) fs.rmSync(path.join(archDir, old), { recursive: true, force: true });
    } finally {
      // The .deb and its tree are hundreds of MiB; only what boots is kept.
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const modDir = path.join(dir, "modules");
  return {
    name: fs.readFileSync(stamp, "utf8").trim(),
    image: path.join(dir, "kernel"),
    modules: fs.readdirSync(modDir).sort().map((f) => path.join(modDir, f)),
  };
}

/** The packages clang needs to link a static C program for arch on this host. */
function libcPackages(arch: LinuxArch): string[] {
  const debArch = DEB_ARCH[arch];
  if (debArch === hostDebArch()) return ["libc6-dev"];
  // Clang takes the newest GCC it finds; the cross libgcc of the host's GCC is the one Debian pairs with its cross libc.
  const gccDir = "/usr/lib/gcc";
  const triples = fs.existsSync(gccDir) ? fs.readdirSync(gccDir) : [];
  const majors = triples.flatMap((t) => fs.readdirSync(path.join(gccDir, t)).filter((v) => /^\d+$/.test(v)).map(Number)).sort((a, b) => b - a);
  if (majors.length === 0) throw new Error(`no GCC support files in ${gccDir}: is clang installed? (bash scripts/setup.sh)`);
  return [`libc6-dev-${debArch}-cross`, `libgcc-${majors[0]}-dev-${debArch}-cross`];
}

/** workload.c built static for arch (rebuilt when the source is newer). */
export function buildWorkload(arch: LinuxArch): string {
  const exe = path.join(REPO_ROOT, "build/bench/linux", arch, "init");
  if (fs.existsSync(exe) && fs.statSync(exe).mtimeMs >= fs.statSync(WORKLOAD_C).mtimeMs) return exe;
  aptInstall(["clang", "lld", ...libcPackages(arch)]);
  fs.mkdirSync(path.dirname(exe), { recursive: true });
  const tmp = `${exe}.${process.pid}`;
  run("clang", [`--target=${CLANG_TARGET[arch]}`, "-static", "-O2", "-Wall", "-Werror", "-fuse-ld=lld", "-o", tmp, WORKLOAD_C]);
  fs.renameSync(tmp, exe);
  return exe;
}

function initramfs(init: string, modules: string[]): Buffer {
  const entries: CpioEntry[] = [
    { kind: "dir", name: "dev" },
    // The kernel opens /dev/console for init's stdin/stdout/stderr before init mounts devtmpfs.
    { kind: "chardev", name: "dev/console", major: 5, minor: 1 },
    { kind: "dir", name: "proc" },
    { kind: "dir", name: "sys" },
    { kind: "file", name: "init", data: fs.readFileSync(init), mode: 0o755 },
    { kind: "dir", name: "modules" },
    ...modules.map((m): CpioEntry => ({ kind: "file", name: `modules/${path.basename(m)}`, data: fs.readFileSync(m) })),
  ];
  return newcArchive(entries);
}

/**
 * Boots Debian's kernel for arch with the workload as /init on a fresh sparse
 * 64 MiB disk and returns its four figures.
 */
export async function linuxBlockBench(
  arch: LinuxArch,
  opts?: { requests?: number },
): Promise<{ kernel: string; figures: BlockFigure[] }> {
  const requests = opts?.requests ?? 2000;
  if (!Number.isInteger(requests) || requests <= 0) throw new Error(`requests must be a positive integer, not ${requests}`);
  aptInstall([arch === "x86_64" ? "qemu-system-x86" : "qemu-system-arm", "xz-utils"]);
  const kernel = debianKernel(arch);
  const init = buildWorkload(arch);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "linux-block-"));
  try {
    const initrd = path.join(tmp, "initramfs.cpio");
    fs.writeFileSync(initrd, initramfs(init, kernel.modules));
    const disk = path.join(tmp, "disk.img");
    fs.writeFileSync(disk, "");
    fs.truncateSync(disk, DISK_BYTES);
    const console = arch === "x86_64" ? "ttyS0" : "ttyAMA0";
    // Words after "--" are /init's arguments; panic=-1 plus -no-reboot turns a panic into QEMU exiting.
    const append = `console=${console} quiet panic=-1 -- ${requests}`;
    const { cmd, args } = qemuArgs(arch, kernel.image, { smp: 1, memMiB: 256, initrd, disk, append, extra: ["-icount", "shift=0"] });
    progress(`${arch}: booting ${kernel.name} under QEMU -icount shift=0, ${requests} requests per workload…`);
    const r = await watchQemu(cmd, args, { until: /linux-block (done|error[^\n]*\n)/, timeoutMs: TIMEOUT_MS, echo: false });
    if (r.outcome !== "matched" || r.match![1] !== "done") {
      throw new Error(`${arch}: the Linux benchmark did not finish (${r.outcome}${r.match ? `: ${r.match[0].trim()}` : ""})\n${tail(r.output)}`);
    }
    const figures: BlockFigure[] = [];
    for (const m of r.output.matchAll(/^linux-block (\S+) requests (\d+) ns (\d+) halted-ns (\d+)\r?$/gm)) {
      const n = Number(m[2]);
      const nanos = Number(m[3]);
      const halted = Number(m[4]);
      figures.push({
        workload: m[1]!,
        requests: n,
        nanos,
        // icount shift=0: one virtual ns per guest instruction (see the unit above).
        instructionsPerRequest: Math.round(nanos / n),
        haltedNanos: halted,
        busyInstructionsPerRequest: Math.round((nanos - halted) / n),
        mibPerSecond: Number(((n * BLOCK) / (nanos / 1e9) / 2 ** 20).toFixed(3)),
      });
    }
    const got = figures.map((f) => f.workload).join(",");
    if (got !== WORKLOADS.join(",")) throw new Error(`${arch}: expected figures for ${WORKLOADS.join(", ")}, got ${got || "none"}\n${tail(r.output)}`);
    return { kernel: kernel.name, figures };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
