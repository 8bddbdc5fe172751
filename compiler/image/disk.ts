/**
 * The bootable disk of `cambi image` (docs/image.md): one GPT disk with
 *  - partition 1, the EFI system partition (FAT32, compiler/image/fat.ts):
 *      EFI/BOOT/BOOTX64.EFI   GRUB for UEFI (grub-mkimage -O x86_64-efi)
 *      BOOT/GRUB/GRUB.CFG     the boot menu: multiboot2 the kernel, module2 the bundle
 *      BOOT/CAMBIOS/KERNEL.ELF the kernel (debug sections stripped)
 *      BOOT/CAMBIOS/BUNDLE.BIN the tier's signed boot bundle
 *  - partition 2, the BIOS boot partition: GRUB's i386-pc core.img, which the
 *    protective MBR's boot code (GRUB's boot.img) loads under legacy BIOS.
 * Both GRUBs come from Debian's grub-efi-amd64-bin and grub-pc-bin and read the
 * same GRUB.CFG from partition 1.
 *
 * Reproducible: GRUB images depend only on the GRUB files and the module list
 * (checked by the image test); the file system's times are `time`; GUIDs and
 * the volume id are derived from the content's BLAKE3.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { buildFat32, fatBytesNeeded, type FatFile } from "./fat.js";
import { buildGpt, guidFrom, GUID_BIOS_BOOT, GUID_ESP, SECTOR } from "./gpt.js";
import { efiApplication } from "./pe.js";

export const GRUB_EFI_DIR = "/usr/lib/grub/x86_64-efi";
export const GRUB_PC_DIR = "/usr/lib/grub/i386-pc";
/** GRUB modules of both images: the disk, GPT, FAT, multiboot2, the menu, the serial console. */
const GRUB_MODULES = ["part_gpt", "fat", "multiboot2", "normal", "configfile", "serial", "terminal", "echo", "test", "search"];

const MIB = 1 << 20;
/** The BIOS boot partition: LBA 2048, 1 MiB. Then the ESP from LBA 4096. */
const BIOS_FIRST = 2048;
const BIOS_SECTORS = 2048;
const ESP_FIRST = 4096;

// GRUB's boot.img (include/grub/i386/pc/boot.h): where core.img's first sector is.
const BOOT_KERNEL_SECTOR = 0x5c;
// diskboot.img, core.img's first sector, ends with a blocklist entry: u64 start, u16 length, u16 segment.
const DISKBOOT_BLOCKLIST = SECTOR - 12;

export class ImageToolMissing extends Error {}

export interface X86Inputs {
  kernelElf: string;
  bundle: string;
  tier: string;
  /** Seconds since 1970: every time in the file system. */
  time: number;
  /** Extra kernel command line. */
  cmdline?: string;
}

function grubMkimage(format: string, dir: string, prefix: string, modules: string[], out: string): Buffer {
  try {
    execFileSync("grub-mkimage", ["-d", dir, "-O", format, "-o", out, "-p", prefix, ...modules], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    throw new ImageToolMissing(`grub-mkimage -O ${format} failed (Debian's grub-efi-amd64-bin and grub-pc-bin; run scripts/setup.sh): ${(e as Error).message}`);
  }
  return readFileSync(out);
}

export function grubCfg(tier: string, cmdline?: string): string {
  return [
    `# CambiOS, tier ${tier} (written by cambi image)`,
    "serial --unit=0 --speed=115200",
    "terminal_input console serial",
    "terminal_output console serial",
    "set timeout=0",
    `menuentry "CambiOS (${tier})" {`,
    `  multiboot2 /BOOT/CAMBIOS/KERNEL.ELF${cmdline ? ` ${cmdline}` : ""}`,
    "  module2 /BOOT/CAMBIOS/BUNDLE.BIN bundle",
    "}",
    "",
  ].join("\n");
}

export interface BuiltImage {
  image: Buffer;
  /** The kernel as it is on the disk (x86_64: ELF without debug sections; aarch64: the Image as a UEFI application). */
  kernel: Buffer;
  bundle: Buffer;
  grubEfi?: Buffer;
  grubCore?: Buffer;
}

/** A seed for the disk's GUIDs and volume id: the BLAKE3 of every file and extra part. */
function contentSeed(files: FatFile[], extra: Uint8Array[] = []): Uint8Array {
  const h = blake3.create();
  for (const f of files) h.update(Buffer.from(f.path)).update(f.data);
  for (const e of extra) h.update(e);
  return blake3(h.digest(), { dkLen: 64 });
}

export interface Arm64Inputs {
  kernelElf: string;
  /** The raw Image (llvm-objcopy -O binary of the ELF). */
  kernelImage: string;
  bundle: string;
  time: number;
}

/**
 * The AArch64 disk: GPT with one partition, the EFI system partition, holding
 * EFI/BOOT/BOOTAA64.EFI (the kernel Image with its PE/COFF header: the firmware
 * runs the kernel itself, src/arch/aarch64/efi.S) and BOOT/CAMBIOS/BUNDLE.BIN.
 */
export function buildArm64Image(inp: Arm64Inputs): BuiltImage {
  const nm = execFileSync("llvm-nm", [inp.kernelElf], { encoding: "utf8" });
  const sym = (name: string): bigint => {
    const m = new RegExp(`^([0-9a-f]+) \\w ${name.replace(/[$]/g, "\\$&")}$`, "m").exec(nm);
    if (!m) throw new Error(`the kernel has no symbol ${name}`);
    return BigInt(`0x${m[1]}`);
  };
  const head = sym("_head");
  const kernel = efiApplication(readFileSync(inp.kernelImage), {
    head,
    textEnd: sym("__text_end"),
    rodataEnd: sym("__rodata_end"),
    kernelEnd: sym("__kernel_end"),
    efiEntry: sym("efi_entry"),
    phys: head - 0xffff_0000_0000_0000n,
  });
  const bundle = readFileSync(inp.bundle);
  const files: FatFile[] = [
    { path: "EFI/BOOT/BOOTAA64.EFI", data: kernel },
    { path: "BOOT/CAMBIOS/BUNDLE.BIN", data: bundle },
  ];
  const seed = contentSeed(files);
  const espBytes = fatBytesNeeded(files);
  const espSectors = espBytes / SECTOR;
  const first = MIB / SECTOR;
  const fat = buildFat32(files, { bytes: espBytes, hiddenSectors: first, volumeId: Buffer.from(seed.subarray(48, 52)).readUInt32LE(0), label: "CAMBIOS", time: inp.time });
  const image = buildGpt({
    sectors: first + espSectors + MIB / SECTOR,
    guid: guidFrom(seed.subarray(0, 16)),
    partitions: [{ type: GUID_ESP, guid: guidFrom(seed.subarray(16, 32)), first, last: first + espSectors - 1, name: "EFI system partition", data: fat }],
  });
  return { image, kernel, bundle };
}

export function buildX86Image(inp: X86Inputs): BuiltImage {
  const tmp = mkdtempSync(path.join(tmpdir(), "cambi-image-"));
  try {
    const stripped = path.join(tmp, "kernel.elf");
    execFileSync("llvm-objcopy", ["--strip-debug", inp.kernelElf, stripped]);
    const kernel = readFileSync(stripped);
    const bundle = readFileSync(inp.bundle);
    const grubEfi = grubMkimage("x86_64-efi", GRUB_EFI_DIR, "/BOOT/GRUB", GRUB_MODULES, path.join(tmp, "BOOTX64.EFI"));
    const core = grubMkimage("i386-pc", GRUB_PC_DIR, "(,gpt1)/BOOT/GRUB", ["biosdisk", ...GRUB_MODULES], path.join(tmp, "core.img"));
    const bootImg = readFileSync(path.join(GRUB_PC_DIR, "boot.img"));
    const files: FatFile[] = [
      { path: "EFI/BOOT/BOOTX64.EFI", data: grubEfi },
      { path: "BOOT/GRUB/GRUB.CFG", data: Buffer.from(grubCfg(inp.tier, inp.cmdline)) },
      { path: "BOOT/CAMBIOS/KERNEL.ELF", data: kernel },
      { path: "BOOT/CAMBIOS/BUNDLE.BIN", data: bundle },
    ];
    // Names derived from the content: the same inputs give the same disk.
    const seed = contentSeed(files, [core]);
    const espBytes = fatBytesNeeded(files);
    const espSectors = espBytes / SECTOR;
    const sectors = ESP_FIRST + espSectors + MIB / SECTOR;
    const fat = buildFat32(files, {
      bytes: espBytes,
      hiddenSectors: ESP_FIRST,
      volumeId: Buffer.from(seed.subarray(48, 52)).readUInt32LE(0),
      label: "CAMBIOS",
      time: inp.time,
    });
    // core.img: its first sector (diskboot) loads the rest from the next LBAs.
    const coreSectors = Math.ceil(core.length / SECTOR);
    if (coreSectors > BIOS_SECTORS) throw new Error(`GRUB's core.img (${core.length} bytes) does not fit the 1 MiB BIOS boot partition`);
    const corePadded = Buffer.alloc(coreSectors * SECTOR);
    core.copy(corePadded);
    corePadded.writeBigUInt64LE(BigInt(BIOS_FIRST + 1), DISKBOOT_BLOCKLIST);
    corePadded.writeUInt16LE(coreSectors - 1, DISKBOOT_BLOCKLIST + 8);
    const mbrCode = Buffer.from(bootImg.subarray(0, 440));
    mbrCode.writeBigUInt64LE(BigInt(BIOS_FIRST), BOOT_KERNEL_SECTOR);
    const image = buildGpt({
      sectors,
      guid: guidFrom(seed.subarray(0, 16)),
      mbrCode,
      partitions: [
        { type: GUID_ESP, guid: guidFrom(seed.subarray(16, 32)), first: ESP_FIRST, last: ESP_FIRST + espSectors - 1, name: "EFI system partition", data: fat },
        { type: GUID_BIOS_BOOT, guid: guidFrom(seed.subarray(32, 48)), first: BIOS_FIRST, last: BIOS_FIRST + BIOS_SECTORS - 1, name: "BIOS boot partition", data: corePadded },
      ],
    });
    return { image, kernel, bundle, grubEfi, grubCore: core };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
