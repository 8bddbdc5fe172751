/**
 * QEMU command lines for both arches (TCG; no KVM here): the machine, serial on
 * stdio, no display, no network card, and a way out for tests (isa-debug-exit on
 * x86_64; PSCI SYSTEM_OFF on AArch64). Devices are modern-only virtio-pci
 * functions at fixed slots of the root bus (both machines have PCIe), so their
 * addresses and interrupt lines are the same on every boot: the disk (if any) and
 * an entropy source (virtio-rng).
 */
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, openSync, statSync } from "node:fs";
import type { Arch } from "../intrinsics/table.js";

export interface QemuOptions {
  smp: number;
  memMiB: number;
  gdb?: boolean;
  initrd?: string;
  /** Kernel command line (PVH cmdline / DTB bootargs). */
  append?: string;
  /**
   * The disk, attached as virtio-blk-pci: a raw image file, or the UNIX socket
   * of an NBD server exporting one (test/harness/crash-disk.ts), so
   * `cambi run --disk SOCKET` works too. See diskDrive.
   */
  disk?: string;
  /** The CPU model (default "max": every feature TCG has, the CPU's random generator included). */
  cpu?: string;
  /** Extra arguments, e.g. -icount shift=0 for benchmarks. */
  extra?: string[];
}

/** Creates a new empty raw disk image of `bytes` (sparse); fails if `file` exists. Returns file. */
export function createDisk(file: string, bytes: number): string {
  const fd = openSync(file, "wx");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return file;
}

/** The devices' PCI slots on the root bus. */
export const DISK_SLOT = 4;
export const RNG_SLOT = 5;

export function qemuArgs(arch: Arch, image: string, o: QemuOptions): { cmd: string; args: string[] } {
  const common = ["-m", String(o.memMiB), "-smp", String(o.smp), "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-kernel", image];
  if (o.initrd) common.push("-initrd", o.initrd);
  if (o.append) common.push("-append", o.append);
  if (o.gdb) common.push("-s", "-S");
  common.push("-nic", "none", "-device", `virtio-rng-pci,disable-legacy=on,addr=${RNG_SLOT}`);
  if (o.disk) common.push("-drive", diskDrive(o.disk), "-device", `virtio-blk-pci,drive=disk0,disable-legacy=on,addr=${DISK_SLOT}`);
  if (o.extra) common.push(...o.extra);
  if (arch === "x86_64") {
    const accel = singleThreadedTcg() ? ["-accel", "tcg,thread=single"] : [];
    return { cmd: "qemu-system-x86_64", args: ["-machine", "q35", "-cpu", o.cpu ?? "max", ...accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...common] };
  }
  return { cmd: "qemu-system-aarch64", args: ["-machine", "virt,gic-version=3", "-cpu", o.cpu ?? "max", ...common] };
}

/**
 * The -drive of the disk (id disk0): a raw image file, or, if `disk` is a UNIX
 * socket, QEMU's NBD client on it (export ""). Both with cache=writeback (QEMU's
 * default): the guest sees a volatile write cache (virtio-blk's FLUSH feature)
 * and each flush it sends reaches the image (fdatasync) or the server (NBD_CMD_FLUSH).
 */
export function diskDrive(disk: string): string {
  const escaped = disk.replaceAll(",", ",,");
  if (isSocket(disk)) return `driver=nbd,server.type=unix,server.path=${escaped},if=none,id=disk0,cache=writeback`;
  return `file=${escaped},if=none,id=disk0,format=raw`;
}

function isSocket(file: string): boolean {
  try {
    return statSync(file).isSocket();
  } catch {
    return false;
  }
}

let singleThreaded: boolean | undefined;

/**
 * QEMU before 8.0 (Debian 12 has 7.2) runs x86_64 guests in one host thread:
 * its multi-threaded TCG can route another CPU's MMIO access through a stale
 * address-space map while the PCI bus service remaps BARs (seen as segfaults in
 * memory_region_dispatch_read and msix_table_mmio_* assertions).
 */
export function singleThreadedTcg(): boolean {
  if (singleThreaded === undefined) {
    let major = 0;
    try {
      major = Number(/version (\d+)\./.exec(execFileSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" }))?.[1] ?? 0);
    } catch {
      major = 0;
    }
    singleThreaded = major > 0 && major < 8;
  }
  return singleThreaded;
}
