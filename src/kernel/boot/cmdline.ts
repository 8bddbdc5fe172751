/**
 * The kernel command line (PVH cmdline / DTB bootargs): space-separated
 * `key=value` words. The kernel itself reads only `loglevel=0..3`; the rest is
 * for services, which read the whole line through bootArgs (kept here).
 */
import { u8, u32, bool, array, arrayOf } from "kts";
import { BootInfo, CMDLINE_MAX } from "./bootinfo";

const kept: u8[] = array(CMDLINE_MAX, 0);
let keptLength: u32 = 0;

/** Keeps the command line for tasks (the boot information's memory is not the kernel's for ever). */
export function cmdlineKeep(info: BootInfo): void {
  keptLength = info.cmdlineLen < CMDLINE_MAX ? info.cmdlineLen : CMDLINE_MAX;
  for (let i: u32 = 0; i < keptLength; i++) kept[i] = info.cmdline[i];
}

/** Copies the command line as booted into out (CMDLINE_MAX bytes); returns its length. */
export function cmdlineKept(out: u8[]): u32 {
  for (let i: u32 = 0; i < keptLength; i++) out[i] = kept[i];
  return keptLength;
}

const LOGLEVEL: u8[] = arrayOf([0x6c, 0x6f, 0x67, 0x6c, 0x65, 0x76, 0x65, 0x6c, 0x3d]); // "loglevel="

function wordStartsWith(info: BootInfo, at: u32, key: u8[]): bool {
  if (u32(at + key.length) > info.cmdlineLen) return false;
  for (let i: u32 = 0; i < key.length; i++) {
    if (info.cmdline[u32(at + i)] != key[i]) return false;
  }
  return true;
}

/** The value of `loglevel=N` (a single digit 0-3), or `fallback`. */
export function cmdlineLogLevel(info: BootInfo, fallback: u32): u32 {
  let at: u32 = 0;
  while (at < info.cmdlineLen) {
    if (wordStartsWith(info, at, LOGLEVEL)) {
      const p: u32 = u32(at + LOGLEVEL.length);
      if (p < info.cmdlineLen) {
        const d: u8 = info.cmdline[p];
        if (d >= 0x30 && d <= 0x33) return u32(d - 0x30);
      }
      return fallback;
    }
    // Skip to the next word.
    while (at < info.cmdlineLen && info.cmdline[at] != 0x20) at = u32(at + 1);
    while (at < info.cmdlineLen && info.cmdline[at] == 0x20) at = u32(at + 1);
  }
  return fallback;
}

/** True if the command line has the word `word` exactly (a flag such as `ipc=slow`). */
export function cmdlineHas(info: BootInfo, word: u8[]): bool {
  let at: u32 = 0;
  while (at < info.cmdlineLen) {
    let end: u32 = at;
    while (end < info.cmdlineLen && info.cmdline[end] != 0x20) end = u32(end + 1);
    if (u32(end - at) == word.length && wordStartsWith(info, at, word)) return true;
    at = end;
    while (at < info.cmdlineLen && info.cmdline[at] == 0x20) at = u32(at + 1);
  }
  return false;
}
