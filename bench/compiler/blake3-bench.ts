// BLAKE3 benchmark program (KTS, host): hashes a 1 MiB buffer filled with
// i % 251 using the kernel's blake3Hash and prints the first digest bytes, which
// bench/compiler/run.ts checks against @noble/hashes. The instruction count is
// taken under callgrind with --toggle-collect=lib_crypto_blake3__blake3Hash.
import { u8, u32, print, hex, array } from "kts";
import { blake3Hash } from "../../src/lib/crypto/blake3";

const BUF: u8[] = array(1048576, 0);
const OUT: u8[] = array(32, 0);

export function main(): u32 {
  for (let i: u32 = 0; i < BUF.length; i++) BUF[i] = u8(i % 251);
  blake3Hash(BUF, OUT);
  print(`${hex(OUT[0])} ${hex(OUT[1])} ${hex(OUT[2])} ${hex(OUT[3])} ${hex(OUT[4])} ${hex(OUT[5])} ${hex(OUT[6])} ${hex(OUT[7])}`);
  return 0;
}
