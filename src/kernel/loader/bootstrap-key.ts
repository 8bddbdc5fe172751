"use unsafe";
/**
 * The bootstrap principal's Ed25519 public key, the one key boot modules must be
 * signed by. `cambi build` compiles it into the image (a generated C file
 * defining kts_bootstrap_key_byte: compiler/build/bootstrap-key-c.ts); a kernel
 * built without a key does not link, so no build can accept unsigned modules.
 */
import { u8, u32 } from "kts";

declare function kts_bootstrap_key_byte(i: u32): u8;

export const BOOTSTRAP_KEY_BYTES = 32;

/** Copies the key into out (32 bytes). */
export function bootstrapKey(out: u8[]): void {
  for (let i: u32 = 0; i < BOOTSTRAP_KEY_BYTES; i++) out[i] = kts_bootstrap_key_byte(i);
}
