// Ed25519 benchmark program (KTS, host): verifies one signature N times with the
// kernel's ed25519Verify and returns 1 if any verification fails. The vector and
// N come from .gen/ed25519-vector.ts, written by bench/compiler/run.ts (which
// signs a fixed message with @noble/ed25519). The instruction count is taken under
// callgrind with --toggle-collect=lib_crypto_ed25519__ed25519Verify.
import { u32, print } from "kts";
import { ed25519Verify } from "../../src/lib/crypto/ed25519";
import { RUNS, PUBLIC_KEY, SIGNATURE, MESSAGE } from "./.gen/ed25519-vector";

export function main(): u32 {
  let failures: u32 = 0;
  for (let i: u32 = 0; i < RUNS; i++) {
    if (!ed25519Verify(SIGNATURE, MESSAGE, PUBLIC_KEY)) failures = u32(failures + 1);
  }
  print(`KTS: ${failures} of ${RUNS} verifications failed`);
  if (failures != 0) return 1;
  return 0;
}
