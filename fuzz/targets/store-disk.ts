// The object store fuzz target's disk (and the seed program's): up to 512
// blocks of 512 bytes in one array, a 32 KiB I/O buffer, every transfer
// range-checked (a request outside the device is an I/O error, as a real
// device's would be). Images travel sparse: a 2-byte header (pages, flags),
// then records of a u16 block number, a flags byte (bit 0: seal the block,
// i.e. write the BLAKE3 checksum a store's records and superblocks carry over
// bytes 0..480 into bytes 480..512) and the block's 512 bytes.
import { u8, u32, u64, bool, array, copyBytes, fillBytes } from "kts";
import { Disk } from "../../src/lib/store/disk";
import { seal } from "../../src/lib/store/format";

export const MAX_PAGES = 64;
export const MAX_BLOCKS = 512;
export const BUF_BYTES = 32768;
export const RECORD_IN: u32 = 515;
const DISK: u8[] = array(MAX_BLOCKS * 512, 0);
export const BUF: u8[] = array(BUF_BYTES, 0);
const block: u8[] = array(512, 0);
let blocks: u32 = 0;
export let writes: u32 = 0;

function inRange(b: u64, count: u32, bufOffset: u32): bool {
  return count != 0 && b < u64(blocks) && u64(count) <= u64(u64(blocks) - b) && u64(u64(bufOffset) + u64(u32(count) * 512)) <= u64(BUF_BYTES);
}

function diskRead(b: u64, count: u32, bufOffset: u32): u32 {
  if (!inRange(b, count, bufOffset)) return 2;
  copyBytes(BUF, bufOffset, DISK, u32(u32(b) * 512), u32(count * 512));
  return 0;
}

function diskWrite(b: u64, count: u32, bufOffset: u32): u32 {
  if (!inRange(b, count, bufOffset)) return 2;
  writes = u32(writes + 1);
  copyBytes(DISK, u32(u32(b) * 512), BUF, bufOffset, u32(count * 512));
  return 0;
}

function diskFlush(): u32 {
  return 0;
}

function bufLoad(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  copyBytes(bytes, at, BUF, bufOffset, n);
}

function bufStore(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {
  copyBytes(BUF, bufOffset, bytes, at, n);
}

/** A zeroed device of pages 4 KiB pages. */
export function attachDisk(d: Disk, pages: u32): void {
  blocks = u32(pages * 8);
  fillBytes(DISK, 0, u32(MAX_BLOCKS * 512), 0);
  d.base = 0n;
  d.bytes = BUF_BYTES;
  d.blocks = u64(blocks);
  d.read = diskRead;
  d.write = diskWrite;
  d.flush = diskFlush;
  d.load = bufLoad;
  d.store = bufStore;
}

export function diskBlocks(): u32 {
  return blocks;
}

/** Pages of the device an image asks for (3 .. MAX_PAGES). */
export function imagePages(b: u8[]): u32 {
  return b.length == 0 ? 3 : u32(3 + u32(u32(b[0]) % u32(MAX_PAGES - 2)));
}

export function imageFlags(b: u8[]): u8 {
  return b.length < 2 ? 0 : b[1];
}

/** Places an image's blocks on the attached device (a short last block is zero-padded). */
export function placeImage(b: u8[]): void {
  for (let at: u32 = 2; u32(at + 3) <= b.length; at = u32(at + RECORD_IN)) {
    const n: u32 = u32(u32(u32(b[at]) | u32(u32(b[u32(at + 1)]) << 8)) % blocks);
    const flags: u8 = b[u32(at + 2)];
    const have: u32 = u32(b.length - u32(at + 3)) < 512 ? u32(b.length - u32(at + 3)) : 512;
    fillBytes(block, 0, 512, 0);
    copyBytes(block, 0, b, u32(at + 3), have);
    if ((flags & 1) != 0) seal(block);
    copyBytes(DISK, u32(n * 512), block, 0, 512);
  }
}

/** Copies block n of the device into out (the seed program writes images out). */
export function diskBlock(n: u32, out: u8[]): void {
  copyBytes(out, 0, DISK, u32(n * 512), 512);
}

export function blockIsZero(n: u32): bool {
  for (let i: u32 = 0; i < 512; i++) if (DISK[u32(u32(n * 512) + i)] != 0) return false;
  return true;
}
