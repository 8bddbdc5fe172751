// Host driver for the ELF gate: reads images (u32 LE machine, u32 LE length, bytes)
// from stdin until EOF and prints the verdict and the accepted layout of each.
import { u8, u16, u32, print, array, slice, hex } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { checkElf, ElfImage } from "../../src/kernel/loader/elf";

const IMAGE: u8[] = array(262144, 0);
const R = new StdinReader();
const img = new ElfImage();

export function main(): u32 {
  let n: u32 = 0;
  while (R.fill()) {
    const machine: u16 = u16(R.u32le());
    const len: u32 = R.u32le();
    const b: u8[] = slice(IMAGE, 0, len);
    R.bytes(b);
    const e = checkElf(b, machine, 0x100_0000n, img);
    print(`image ${n} error ${u32(e)} segments ${img.segments} entry ${hex(img.entry)}`);
    n = u32(n + 1);
  }
  return 0;
}
