#!/usr/bin/env node
// Captures what the firmware or loader hands the kernel, for the parsers' host
// tests: boots a `cambi image` disk in QEMU and waits for the kernel's line
//   x86_64 (GRUB, test/kernel/multiboot2.test.ts):
//     "boot: multiboot2 information at 0xADDR, N bytes"
//   aarch64 (UEFI, AAVMF; test/kernel/uefi-memmap.test.ts):
//     "boot: UEFI memory map at 0xADDR, N bytes (...)"
// (the kernel keeps both reserved), then saves those N bytes of guest memory
// with the monitor's pmemsave.
//
//   node scripts/capture-boot-info.mjs IMAGE uefi|bios OUT.bin [aarch64]
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const [image, firmware, out, arch = "x86_64"] = process.argv.slice(2);
if (!image || !["uefi", "bios"].includes(firmware ?? "") || !out || !["x86_64", "aarch64"].includes(arch)) {
  process.stderr.write("usage: capture-boot-info.mjs IMAGE uefi|bios OUT.bin [x86_64|aarch64]\n");
  process.exit(2);
}
const tmp = mkdtempSync(path.join(tmpdir(), "cambi-mb2-"));
const serial = path.join(tmp, "serial.txt");
const a64 = arch === "aarch64";
const machine = a64 ? ["-machine", "virt,gic-version=3,acpi=off"] : ["-machine", "q35"];
const args = [...machine, "-cpu", "max", "-m", "128", "-display", "none", "-no-reboot", "-serial", `file:${serial}`, "-monitor", "stdio"];
if (firmware === "uefi") {
  const [code, vars] = a64 ? ["/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd"] : ["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"];
  copyFileSync(vars, path.join(tmp, "vars.fd"));
  args.push("-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${code}`, "-drive", `if=pflash,format=raw,unit=1,file=${path.join(tmp, "vars.fd")}`);
}
args.push("-drive", `file=${path.resolve(image)},format=raw,if=none,id=boot,snapshot=on`);
if (a64) args.push("-device", "virtio-scsi-pci,id=bootscsi,addr=8", "-device", "scsi-hd,drive=boot,bus=bootscsi.0,bootindex=0");
else args.push("-device", "ide-hd,drive=boot,bootindex=0");
const q = spawn(a64 ? "qemu-system-aarch64" : "qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "inherit"] });
q.stdout.resume();
const deadline = Date.now() + 300_000;
const target = path.resolve(out);
let asked = false;
const poll = setInterval(() => {
  const text = existsSync(serial) ? readFileSync(serial, "latin1") : "";
  const m = /boot: (?:multiboot2 information|UEFI memory map) at 0x([0-9a-f]+), (\d+) bytes/.exec(text);
  if (m && !asked && /CambiOS boot OK/.test(text)) {
    asked = true;
    q.stdin.write(`pmemsave 0x${m[1]} ${m[2]} "${target}"\n`);
    q.stdin.write("quit\n");
  }
  if (Date.now() > deadline) {
    process.stderr.write(`capture-boot-info: no boot information line within 300 s:\n${text.slice(-2000)}\n`);
    q.kill();
  }
}, 200);
q.on("exit", (code, sig) => {
  if (!asked) process.stderr.write(`capture-boot-info: QEMU exited (${code ?? sig}) before the line\n`);
  clearInterval(poll);
  rmSync(tmp, { recursive: true, force: true });
  if (!asked || !existsSync(target)) process.exit(1);
  process.stdout.write(`${target}: ${readFileSync(target).length} bytes\n`);
});
