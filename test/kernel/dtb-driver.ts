/**
 * Device tree parser test driver (KTS program, host target): reads device tree blobs
 * from standard input, runs parseDtb (src/kernel/boot/dtb.ts) on each with a fresh
 * BootInfo and prints the result. test/kernel/dtb.test.ts runs it.
 *
 * Input: either one raw DTB (the input starts with the magic d0 0d fe ed: the whole
 * input is the blob), or a batch: records of a u32 little-endian length followed by
 * that many bytes, until end of input. Blobs are at most 1 MiB.
 *
 * Output, per blob (numbered from 0), always the whole BootInfo (on error it must be
 * untouched):
 *   dtb <index> err <code> size <dtbTotalSize(blob)>
 *   regions <count>
 *   region <base hex> <size hex> <kind>      (count lines)
 *   cpus <count>
 *   cpu <hwid hex>                           (count lines)
 *   initrd <base hex> <size hex>
 *   cmdline <len>
 *   c <b0> ... <b15>                         (ceil(len / 16) lines of decimal bytes, 0-padded)
 */
import { u8, u32, bool, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { BootInfo } from "../../src/kernel/boot/bootinfo";
import { DtbError, parseDtb, dtbTotalSize } from "../../src/kernel/boot/dtb";

const READ_BUF = 65536;
const MAX_BLOB = 1048576;

const BLOB: u8[] = array(MAX_BLOB, 0);

const R = new StdinReader();

function cmdByte(info: BootInfo, i: u32): u32 {
  if (i < info.cmdlineLen) return u32(info.cmdline[i]);
  return 0;
}

function report(index: u32, blob: u8[]): void {
  const info = new BootInfo();
  const e: DtbError = parseDtb(blob, info);
  print(`dtb ${index} err ${u32(e)} size ${dtbTotalSize(blob)}`);
  print(`regions ${info.regionCount}`);
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    print(`region ${hex(r.base)} ${hex(r.size)} ${u32(r.kind)}`);
  }
  print(`cpus ${info.cpuCount}`);
  for (let i: u32 = 0; i < info.cpuCount; i++) {
    print(`cpu ${hex(info.cpuHwIds[i])}`);
  }
  print(`initrd ${hex(info.initrdBase)} ${hex(info.initrdSize)}`);
  print(`cmdline ${info.cmdlineLen}`);
  for (let o: u32 = 0; o < info.cmdlineLen; o = u32(o + 16)) {
    print(`c ${cmdByte(info, o)} ${cmdByte(info, u32(o + 1))} ${cmdByte(info, u32(o + 2))} ${cmdByte(info, u32(o + 3))} ${cmdByte(info, u32(o + 4))} ${cmdByte(info, u32(o + 5))} ${cmdByte(info, u32(o + 6))} ${cmdByte(info, u32(o + 7))} ${cmdByte(info, u32(o + 8))} ${cmdByte(info, u32(o + 9))} ${cmdByte(info, u32(o + 10))} ${cmdByte(info, u32(o + 11))} ${cmdByte(info, u32(o + 12))} ${cmdByte(info, u32(o + 13))} ${cmdByte(info, u32(o + 14))} ${cmdByte(info, u32(o + 15))}`);
  }
}

export function main(): u32 {
  if (!R.fill()) {
    return 0;
  }
  R.bytes(slice(BLOB, 0, 4));
  if (BLOB[0] == 0xd0 && BLOB[1] == 0x0d && BLOB[2] == 0xfe && BLOB[3] == 0xed) {
    // One raw blob: the whole input.
    let n: u32 = 4;
    while (R.fill()) {
      if (n == MAX_BLOB) {
        panic("dtb-driver: blob too large");
      }
      BLOB[n] = R.byte();
      n = u32(n + 1);
    }
    report(0, slice(BLOB, 0, n));
    return 0;
  }
  let index: u32 = 0;
  let len: u32 = u32(u32(BLOB[0]) | (u32(BLOB[1]) << 8) | (u32(BLOB[2]) << 16) | (u32(BLOB[3]) << 24));
  while (true) {
    if (len > MAX_BLOB) {
      panic("dtb-driver: blob too large");
    }
    const blob: u8[] = slice(BLOB, 0, len);
    R.bytes(blob);
    report(index, blob);
    index = u32(index + 1);
    if (!R.fill()) {
      break;
    }
    const b0: u32 = u32(R.byte());
    const b1: u32 = u32(R.byte());
    const b2: u32 = u32(R.byte());
    const b3: u32 = u32(R.byte());
    len = u32(b0 | (b1 << 8) | (b2 << 16) | (b3 << 24));
  }
  return 0;
}
