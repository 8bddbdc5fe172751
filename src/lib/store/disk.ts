/**
 * The object store engine's view of a block device (docs/store-format.md): an
 * I/O buffer and four functions. Every block transfer of the engine goes
 * through the buffer: read/write move `count` 512-byte blocks between the
 * device and the buffer at `bufOffset`; flush makes every completed write
 * durable. load/store copy bytes between the buffer and the engine's own
 * arrays (the engine never touches raw memory itself, so it runs in both
 * worlds; a service implements them with raw.ts on its mapping of the block
 * channel's data area, a test on a static array).
 *
 * read/write/flush return 0 for success, anything else is an I/O error.
 */
import { u8, u32, u64, usize } from "kts";

export const BLOCK_BYTES: u32 = 512;

export type BlockIo = (block: u64, count: u32, bufOffset: u32) => u32;
export type FlushIo = () => u32;
/** Copies n bytes between the buffer at bufOffset and bytes[at..at+n). */
export type BufCopy = (bufOffset: u32, bytes: u8[], at: u32, n: u32) => void;

function noIo(block: u64, count: u32, bufOffset: u32): u32 {
  return 1;
}
function noFlush(): u32 {
  return 1;
}
function noCopy(bufOffset: u32, bytes: u8[], at: u32, n: u32): void {}

export class Disk {
  /** Address of the I/O buffer (informational for the engine: it uses load/store). */
  base: usize = 0n;
  /** Size of the I/O buffer in bytes (at least 4096). */
  bytes: u32 = 0;
  /** Device size in 512-byte blocks. */
  blocks: u64 = 0n;
  read: BlockIo = noIo;
  write: BlockIo = noIo;
  flush: FlushIo = noFlush;
  /** buffer -> bytes */
  load: BufCopy = noCopy;
  /** bytes -> buffer */
  store: BufCopy = noCopy;
}
