// Ed25519 signing benchmark program (KTS, host): signs one message N times with
// ed25519Sign (src/lib/crypto/ed25519-sign.ts) and returns 1 if any signature differs
// from the one @noble/ed25519 made. The seed, public key, message, expected signature
// and N come from .gen/ed25519-vector.ts, written by bench/compiler/run.ts. The
// instruction count is taken under callgrind with
// --toggle-collect=lib_crypto_ed25519_sign__ed25519Sign.
import { u8, u32, bool, array, print } from "kts";
import { ed25519Sign } from "../../src/lib/crypto/ed25519-sign";
import { RUNS, SEED, PUBLIC_KEY, SIGNATURE, MESSAGE } from "./.gen/ed25519-vector";

const SIG: u8[] = array(64, 0);

function differs(a: u8[], b: u8[]): bool {
  for (let i: u32 = 0; i < 64; i++) {
    if (a[i] != b[i]) return true;
  }
  return false;
}

export function main(): u32 {
  let failures: u32 = 0;
  for (let i: u32 = 0; i < RUNS; i++) {
    ed25519Sign(SEED, PUBLIC_KEY, MESSAGE, SIG);
    if (differs(SIG, SIGNATURE)) failures = u32(failures + 1);
  }
  print(`KTS: ${failures} of ${RUNS} signatures differ`);
  if (failures != 0) return 1;
  return 0;
}
