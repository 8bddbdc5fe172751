// Host driver for the kernel's signed-module verifier: reads requests
// (u32 LE length, the module, the 32-byte key) from stdin until EOF and prints
// each verdict with the payload's offset and size.
import { u8, u32, print, array, slice } from "kts";
import { StdinReader } from "../harness/stdin-reader";
import { verifySignedModule, signedPayloadOffset, signedPayloadSize } from "../../src/kernel/loader/signed-module";

const MODULE: u8[] = array(262144, 0);
const KEY: u8[] = array(32, 0);
const R = new StdinReader();

export function main(): u32 {
  let n: u32 = 0;
  while (R.fill()) {
    const len: u32 = R.u32le();
    const m: u8[] = slice(MODULE, 0, len);
    R.bytes(m);
    R.bytes(KEY);
    const v = verifySignedModule(m, KEY);
    print(`module ${n} verdict ${u32(v)} payload ${signedPayloadOffset()} ${signedPayloadSize(m)}`);
    n = u32(n + 1);
  }
  return 0;
}
