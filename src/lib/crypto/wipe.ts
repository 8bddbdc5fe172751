/**
 * Clearing secret temporaries (signing's expanded key, nonce, scalar digits, hasher
 * state) before their stack frames are given up.
 *
 * These are ordinary stores. A C compiler may delete stores to memory that is never
 * read again; it keeps these as long as the call comes from another module: each KTS
 * module is its own C file, and without link-time optimization the stores happen in
 * a function that cannot know its array is about to die. Under ThinLTO (the default
 * for boot images) the wipe may be inlined and then removed. KTS offers no store that
 * both worlds keep (the volatile MMIO stores are privileged, and addressOf has no Node
 * meaning), so this is best effort; copies in registers and spilled temporaries of
 * the arithmetic are not reached at all.
 */
import { u8, u32, u64, i8, i64 } from "kts";

export function wipeBytes(b: u8[]): void {
  const n = b.length;
  for (let i: u32 = 0; i < n; i++) {
    b[i] = 0;
  }
}

export function wipeSigned8(b: i8[]): void {
  const n = b.length;
  for (let i: u32 = 0; i < n; i++) {
    b[i] = 0;
  }
}

export function wipeWords32(w: u32[]): void {
  const n = w.length;
  for (let i: u32 = 0; i < n; i++) {
    w[i] = 0;
  }
}

export function wipeWords64(w: u64[]): void {
  const n = w.length;
  for (let i: u32 = 0; i < n; i++) {
    w[i] = 0n;
  }
}

export function wipeSigned64(w: i64[]): void {
  const n = w.length;
  for (let i: u32 = 0; i < n; i++) {
    w[i] = 0n;
  }
}
