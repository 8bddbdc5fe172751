#!/usr/bin/env node
// Captures the Multiboot2 information GRUB hands the kernel, for the parser's
// host test (test/kernel/multiboot2.test.ts): boots a `cambi image` disk in
// QEMU under the given firmware, waits for the kernel's line
// "boot: multiboot2 information at 0xADDR, N bytes" (the structure stays
// reserved), and saves those N bytes of guest memory with the monitor's pmemsave.
//
//   node scripts/capture-multiboot2.mjs IMAGE uefi|bios OUT.bin
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const [image, firmware, out] = process.argv.slice(2);
if (!image || !["uefi", "bios"].includes(firmware ?? "") || !out) {
  process.stderr.write("usage: capture-multiboot2.mjs IMAGE uefi|bios OUT.bin\n");
  process.exit(2);
}
const tmp = mkdtempSync(path.join(tmpdir(), "cambi-mb2-"));
const serial = path.join(tmp, "serial.txt");
const args = ["-machine", "q35", "-cpu", "max", "-m", "128", "-display", "none", "-no-reboot", "-serial", `file:${serial}`, "-monitor", "stdio"];
if (firmware === "uefi") {
  copyFileSync("/usr/share/OVMF/OVMF_VARS_4M.fd", path.join(tmp, "vars.fd"));
  args.push("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd", "-drive", `if=pflash,format=raw,unit=1,file=${path.join(tmp, "vars.fd")}`);
}
args.push("-drive", `file=${path.resolve(image)},format=raw,if=none,id=boot,snapshot=on`, "-device", "ide-hd,drive=boot,bootindex=0");
const q = spawn("qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "inherit"] });
q.stdout.resume();
const deadline = Date.now() + 300_000;
const target = path.resolve(out);
let asked = false;
const poll = setInterval(() => {
  const text = existsSync(serial) ? readFileSync(serial, "latin1") : "";
  const m = /boot: multiboot2 information at 0x([0-9a-f]+), (\d+) bytes/.exec(text);
  if (m && !asked && /CambiOS boot OK/.test(text)) {
    asked = true;
    q.stdin.write(`pmemsave 0x${m[1]} ${m[2]} "${target}"\n`);
    q.stdin.write("quit\n");
  }
  if (Date.now() > deadline) {
    process.stderr.write(`capture-multiboot2: no multiboot2 line within 300 s:\n${text.slice(-2000)}\n`);
    q.kill();
  }
}, 200);
q.on("exit", (code, sig) => {
  if (!asked) process.stderr.write(`capture-multiboot2: QEMU exited (${code ?? sig}) before the line\n`);
  clearInterval(poll);
  rmSync(tmp, { recursive: true, force: true });
  if (!asked || !existsSync(target)) process.exit(1);
  process.stdout.write(`${target}: ${readFileSync(target).length} bytes\n`);
});
