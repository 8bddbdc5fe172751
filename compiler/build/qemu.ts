/**
 * QEMU command lines for both arches (TCG; no KVM here): the machine, serial on
 * stdio, no display, and a way out for tests (isa-debug-exit on x86_64; PSCI
 * SYSTEM_OFF on AArch64). Devices are modern-only virtio-pci functions at fixed
 * slots of the root bus (both machines have PCIe), so their addresses and
 * interrupt lines are the same on every boot: the disk (if any), an entropy
 * source (virtio-rng) and, if asked for, a network card (virtio-net; see QemuNet).
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
  /** The network card and what its cable reaches (default none: no card at all). */
  net?: QemuNet;
  /** Extra arguments, e.g. -icount shift=0 for benchmarks. */
  extra?: string[];
  /**
   * Boot a disk image (`cambi image`) through firmware instead of -kernel: the
   * image as an AHCI disk (x86_64; no CambiOS driver claims it), opened with
   * snapshot=on so a boot never changes the file; UEFI firmware in flash with a
   * copy of its variable store (vars), or SeaBIOS (QEMU's default).
   */
  boot?: { image: string; firmware: "uefi" | "bios"; vars?: string };
}

/** Debian's OVMF (package ovmf): the 4 MiB build, in Debian 12 and 13; AAVMF (qemu-efi-aarch64) for AArch64. */
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
export const AAVMF_CODE = "/usr/share/AAVMF/AAVMF_CODE.fd";
export const AAVMF_VARS = "/usr/share/AAVMF/AAVMF_VARS.fd";
/** The boot disk's slot on aarch64 (virtio-scsi: no CambiOS driver claims it). */
export const BOOT_SCSI_SLOT = 8;

function firmwareArgs(arch: Arch, boot: NonNullable<QemuOptions["boot"]>): string[] {
  const image = boot.image.replaceAll(",", ",,");
  const args: string[] = [];
  if (boot.firmware === "uefi") {
    if (!boot.vars) throw new Error("UEFI boot needs a copy of the firmware's variable store");
    const code = arch === "x86_64" ? OVMF_CODE : AAVMF_CODE;
    args.push("-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${code}`, "-drive", `if=pflash,format=raw,unit=1,file=${boot.vars.replaceAll(",", ",,")}`);
  } else if (arch !== "x86_64") {
    throw new Error("legacy BIOS boots x86_64 only");
  }
  args.push("-drive", `file=${image},format=raw,if=none,id=boot,snapshot=on`);
  if (arch === "x86_64") args.push("-device", "ide-hd,drive=boot,bootindex=0");
  else args.push("-device", `virtio-scsi-pci,id=bootscsi,addr=${BOOT_SCSI_SLOT}`, "-device", "scsi-hd,drive=boot,bus=bootscsi.0,bootindex=0");
  return args;
}

/**
 * The network: none (no card); QEMU's user-mode NAT ("slirp": its own DHCP
 * server, gateway 10.0.2.2, DNS 10.0.2.3), with `restrict` cutting the guest off
 * from everything outside it (what tests use); or a cable to a test peer on this
 * machine, each Ethernet frame one UDP datagram between 127.0.0.1:guestPort
 * (QEMU's end) and 127.0.0.1:peerPort (test/harness/net-peer.ts).
 */
export type QemuNet = { kind: "none" } | { kind: "user"; restrict: boolean } | { kind: "dgram"; guestPort: number; peerPort: number };

/** The card's fixed MAC address (QEMU's own prefix 52:54:00), so tests and DHCP leases can name it. */
export const NET_MAC = "52:54:00:12:34:56";

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
/** Slot 6: its own interrupt line on both machines (q35: PIRQ G, IOAPIC pin 22; virt: the interrupt-map's SPI for slot 6). */
export const NET_SLOT = 6;

export function qemuArgs(arch: Arch, image: string, o: QemuOptions): { cmd: string; args: string[] } {
  const common = ["-m", String(o.memMiB), "-smp", String(o.smp), "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"];
  if (o.boot) {
    common.push(...firmwareArgs(arch, o.boot));
  } else {
    common.push("-kernel", image);
    if (o.initrd) common.push("-initrd", o.initrd);
    if (o.append) common.push("-append", o.append);
  }
  if (o.gdb) common.push("-s", "-S");
  common.push("-nic", "none", "-device", `virtio-rng-pci,disable-legacy=on,addr=${RNG_SLOT}`);
  if (o.disk) common.push("-drive", diskDrive(o.disk), "-device", `virtio-blk-pci,drive=disk0,disable-legacy=on,addr=${DISK_SLOT}`);
  common.push(...netArgs(o.net ?? { kind: "none" }));
  if (o.extra) common.push(...o.extra);
  if (arch === "x86_64") {
    const accel = singleThreadedTcg() ? ["-accel", "tcg,thread=single"] : [];
    return { cmd: "qemu-system-x86_64", args: ["-machine", "q35", "-cpu", o.cpu ?? "max", ...accel, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...common] };
  }
  // Booted by UEFI: no ACPI tables from QEMU, so the firmware hands over the device tree.
  return { cmd: "qemu-system-aarch64", args: ["-machine", `virt,gic-version=3${o.boot ? ",acpi=off" : ""}`, "-cpu", o.cpu ?? "max", ...common] };
}

/**
 * The card: virtio-net-pci, modern only (as the disk), MAC NET_MAC, at NET_SLOT,
 * with no option ROM (nothing boots from the network; x86_64's firmware would
 * otherwise load iPXE), on netdev net0. The cable to a test peer is the dgram
 * netdev (QEMU 7.2 and later), or before 7.2 the socket netdev's UDP mode,
 * which sends the same thing: one frame per datagram, no length prefix.
 */
export function netArgs(net: QemuNet, hasDgram?: boolean): string[] {
  if (net.kind === "none") return [];
  const device = ["-device", `virtio-net-pci,netdev=net0,disable-legacy=on,mac=${NET_MAC},addr=${NET_SLOT},romfile=`];
  if (net.kind === "user") return ["-netdev", `user,id=net0${net.restrict ? ",restrict=on" : ""}`, ...device];
  if (!(hasDgram ?? qemuVersion() >= 702)) return ["-netdev", `socket,id=net0,udp=127.0.0.1:${net.peerPort},localaddr=127.0.0.1:${net.guestPort}`, ...device];
  const local = `local.type=inet,local.host=127.0.0.1,local.port=${net.guestPort}`;
  const remote = `remote.type=inet,remote.host=127.0.0.1,remote.port=${net.peerPort}`;
  return ["-netdev", `dgram,id=net0,${local},${remote}`, ...device];
}

/**
 * `--net` of `cambi run`: "none", "user", "user:restrict", or
 * "dgram:GUESTPORT:PEERPORT". Throws with the accepted forms on anything else.
 */
export function parseNet(spec: string): QemuNet {
  if (spec === "none") return { kind: "none" };
  if (spec === "user") return { kind: "user", restrict: false };
  if (spec === "user:restrict") return { kind: "user", restrict: true };
  const m = /^dgram:(\d{1,5}):(\d{1,5})$/.exec(spec);
  if (m) {
    const guestPort = Number(m[1]);
    const peerPort = Number(m[2]);
    if (guestPort >= 1 && guestPort <= 65535 && peerPort >= 1 && peerPort <= 65535 && guestPort !== peerPort) return { kind: "dgram", guestPort, peerPort };
  }
  throw new Error(`--net ${spec}: expected none, user, user:restrict or dgram:GUESTPORT:PEERPORT (two different ports, 1..65535)`);
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

let version: number | undefined;

/** QEMU's version as major * 100 + minor (702 for 7.2.22; 0 if qemu-system-x86_64 does not answer). */
export function qemuVersion(): number {
  if (version === undefined) {
    try {
      const m = /version (\d+)\.(\d+)/.exec(execFileSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" }));
      version = m ? Number(m[1]) * 100 + Number(m[2]) : 0;
    } catch {
      version = 0;
    }
  }
  return version;
}

/**
 * QEMU before 8.0 (Debian 12 has 7.2) runs x86_64 guests in one host thread:
 * its multi-threaded TCG can route another CPU's MMIO access through a stale
 * address-space map while the PCI bus service remaps BARs (seen as segfaults in
 * memory_region_dispatch_read and msix_table_mmio_* assertions).
 */
export function singleThreadedTcg(): boolean {
  const v = qemuVersion();
  return v > 0 && v < 800;
}
