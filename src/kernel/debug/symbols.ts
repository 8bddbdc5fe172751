"use unsafe";
/**
 * Code locations for fault reports and panics: a program counter printed with
 * its .ts file:line, and frame-pointer backtraces. The kernel is built with
 * frame pointers; on both arches a frame record is [fp] = caller's fp,
 * [fp + 8] = return address. Reads only kernel stack memory.
 */
import { u32, u64, usize } from "kts";
import { load64 } from "kts/unsafe";

const MAX_FRAMES: u32 = 16;

declare function kts_print_frame(label: u32, pc: u64): void;

/** Prints one line "  #label 0x… at file.ts:line" (the location from the image's line table). */
export function printCodeLocation(label: u32, pc: usize): void {
  kts_print_frame(label, pc);
}

/** Walks frame records from fp while they look like kernel stack addresses. */
export function printBacktrace(fp: usize): void {
  let frame: usize = fp;
  for (let i: u32 = 0; i < MAX_FRAMES; i++) {
    if (frame < 0xffff_0000_0000_0000n || (frame & 7n) != 0n) return;
    const ret: u64 = load64(usize(frame + 8n));
    if (ret == 0n) return;
    printCodeLocation(i, ret);
    frame = load64(frame);
  }
}
