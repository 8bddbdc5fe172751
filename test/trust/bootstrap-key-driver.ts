// Host driver: prints the bootstrap key compiled into the program through the
// kernel's accessor (src/kernel/loader/bootstrap-key.ts), one byte per line.
import { u8, u32, print, array } from "kts";
import { bootstrapKey, BOOTSTRAP_KEY_BYTES } from "../../src/kernel/loader/bootstrap-key";

const KEY: u8[] = array(BOOTSTRAP_KEY_BYTES, 0);

export function main(): u32 {
  bootstrapKey(KEY);
  for (let i: u32 = 0; i < BOOTSTRAP_KEY_BYTES; i++) print(`${KEY[i]}`);
  return 0;
}
