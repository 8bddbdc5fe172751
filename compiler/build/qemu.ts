/**
 * QEMU command lines for both arches (TCG; no KVM here): the machine, serial on
 * stdio, no display, no network card, and a way out for tests (isa-debug-exit on
 * x86_64; PSCI SYSTEM_OFF on AArch64). Devices are modern-only virtio-pci
 * functions at fixed slots of the root bus (both machines have PCIe), so their
 * addresses and interrupt lines are the same on every boot: the disk (if any) and
 * an entropy source (virtio-rng).
 */
import type { Arch } from "../intrinsics/table.js";

export interface QemuOptions {
  smp: number;
  memMiB: number;
  gdb?: boolean;
  initrd?: string;
  /** Kernel command line (PVH cmdline / DTB bootargs). */
  append?: string;
  /** A raw disk image attached as virtio-blk-pci. */
  disk?: string;
  /** Extra arguments, e.g. -icount shift=0 for benchmarks. */
  extra?: string[];
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
  if (o.disk) {
    const file = o.disk.replaceAll(",", ",,");
    common.push("-drive", `file=${file},if=none,id=disk0,format=raw`, "-device", `virtio-blk-pci,drive=disk0,disable-legacy=on,addr=${DISK_SLOT}`);
  }
  if (o.extra) common.push(...o.extra);
  if (arch === "x86_64") {
    return { cmd: "qemu-system-x86_64", args: ["-machine", "q35", "-cpu", "max", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...common] };
  }
  return { cmd: "qemu-system-aarch64", args: ["-machine", "virt,gic-version=3", "-cpu", "max", ...common] };
}
