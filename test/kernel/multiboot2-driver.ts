/**
 * Multiboot2 information parser test driver (KTS program, host target): reads
 * records from standard input, runs parseMultiboot2 (src/kernel/boot/multiboot2.ts)
 * on each with a fresh BootInfo and prints the whole BootInfo (on error it must be
 * untouched). test/kernel/multiboot2.test.ts runs it in both worlds.
 *
 * Input: records of u32 little-endian length, u64 little-endian physical address,
 * then that many bytes (at most 1 MiB), until end of input.
 *
 * Output, per record (numbered from 0):
 *   mb2 <index> err <code> size <mb2TotalSize(bytes)>
 *   regions <count>
 *   region <base hex> <size hex> <kind>      (count lines)
 *   initrd <base hex> <size hex>
 *   rsdp <hex> valid <0|1>
 *   cmdline <len>
 *   c <b0> ... <b15>                         (ceil(len / 16) lines of decimal bytes, 0-padded)
 */
import { u8, u32, u64, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { BootInfo } from "../../src/kernel/boot/bootinfo";
import { Mb2Error, parseMultiboot2, mb2TotalSize } from "../../src/kernel/boot/multiboot2";

const MAX_BLOB = 1048576;
const BLOB: u8[] = array(MAX_BLOB, 0);
const HEAD: u8[] = array(12, 0);
const R = new StdinReader();

function cmdByte(info: BootInfo, i: u32): u32 {
  if (i < info.cmdlineLen) return u32(info.cmdline[i]);
  return 0;
}

function report(index: u32, blob: u8[], phys: u64): void {
  const info = new BootInfo();
  const e: Mb2Error = parseMultiboot2(blob, phys, info);
  print(`mb2 ${index} err ${u32(e)} size ${mb2TotalSize(blob)}`);
  print(`regions ${info.regionCount}`);
  for (let i: u32 = 0; i < info.regionCount; i++) {
    const r = info.regions[i];
    print(`region ${hex(r.base)} ${hex(r.size)} ${u32(r.kind)}`);
  }
  print(`initrd ${hex(info.initrdBase)} ${hex(info.initrdSize)}`);
  const valid: u32 = info.valid ? 1 : 0;
  print(`rsdp ${hex(info.rsdp)} valid ${valid}`);
  print(`cmdline ${info.cmdlineLen}`);
  for (let o: u32 = 0; o < info.cmdlineLen; o = u32(o + 16)) {
    print(`c ${cmdByte(info, o)} ${cmdByte(info, u32(o + 1))} ${cmdByte(info, u32(o + 2))} ${cmdByte(info, u32(o + 3))} ${cmdByte(info, u32(o + 4))} ${cmdByte(info, u32(o + 5))} ${cmdByte(info, u32(o + 6))} ${cmdByte(info, u32(o + 7))} ${cmdByte(info, u32(o + 8))} ${cmdByte(info, u32(o + 9))} ${cmdByte(info, u32(o + 10))} ${cmdByte(info, u32(o + 11))} ${cmdByte(info, u32(o + 12))} ${cmdByte(info, u32(o + 13))} ${cmdByte(info, u32(o + 14))} ${cmdByte(info, u32(o + 15))}`);
  }
}

function le(b: u8[], o: u32, n: u32): u64 {
  let v: u64 = 0n;
  for (let i: u32 = 0; i < n; i++) v = u64(v | u64(u64(b[u32(o + i)]) << u64(8 * i)));
  return v;
}

export function main(): u32 {
  let index: u32 = 0;
  while (R.fill()) {
    R.bytes(HEAD);
    const len: u32 = u32(le(HEAD, 0, 4));
    const phys: u64 = le(HEAD, 4, 8);
    if (len > MAX_BLOB) {
      panic("multiboot2-driver: record too large");
    }
    const blob: u8[] = slice(BLOB, 0, len);
    R.bytes(blob);
    report(index, blob, phys);
    index = u32(index + 1);
  }
  return 0;
}
