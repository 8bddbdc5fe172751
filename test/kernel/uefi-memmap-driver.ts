/**
 * UEFI memory map parser test driver (KTS program, host target): reads records
 * from standard input, runs parseUefiMemoryMap (src/kernel/boot/uefi-memmap.ts) on
 * each with a fresh BootInfo and prints the regions (none on error: BootInfo
 * untouched). test/kernel/uefi-memmap.test.ts runs it in both worlds.
 *
 * Input: records of u32 little-endian length, u32 little-endian descriptor size,
 * then that many bytes (at most 1 MiB), until end of input.
 *
 * Output, per record (numbered from 0):
 *   map <index> err <code>
 *   regions <count>
 *   region <base hex> <size hex> <kind>      (count lines)
 */
import { u8, u32, u64, array, slice, print, hex, panic } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { BootInfo } from "../../src/kernel/boot/bootinfo";
import { UefiMapError, parseUefiMemoryMap } from "../../src/kernel/boot/uefi-memmap";

const MAX_BLOB = 1048576;
const BLOB: u8[] = array(MAX_BLOB, 0);
const R = new StdinReader();

export function main(): u32 {
  let index: u32 = 0;
  while (R.fill()) {
    const len: u32 = R.u32le();
    const descSize: u32 = R.u32le();
    if (len > MAX_BLOB) {
      panic("uefi-memmap-driver: record too large");
    }
    const blob: u8[] = slice(BLOB, 0, len);
    R.bytes(blob);
    const info = new BootInfo();
    const e: UefiMapError = parseUefiMemoryMap(blob, descSize, info);
    print(`map ${index} err ${u32(e)}`);
    print(`regions ${info.regionCount}`);
    for (let i: u32 = 0; i < info.regionCount; i++) {
      const r = info.regions[i];
      const size: u64 = r.size;
      print(`region ${hex(r.base)} ${hex(size)} ${u32(r.kind)}`);
    }
    index = u32(index + 1);
  }
  return 0;
}
