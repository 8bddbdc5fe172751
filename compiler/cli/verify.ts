/**
 * `cambi verify MODULE --pubkey PUB`: checks a signed module as the kernel does.
 * Prints "ok: signed by <key prefix>" (exit 0) or "refused: <reason>" (exit 1);
 * the reasons are the kernel's verdicts (compiler/trust/signed-module.ts VERDICTS).
 */
import { readFileSync } from "node:fs";
import { KeyFileError, keyPrefix, readPublicKey } from "../trust/keys.js";
import { verifyModule } from "../trust/signed-module.js";

function fail(msg: string): never {
  process.stderr.write(`cambi verify: ${msg}\n`);
  process.exit(1);
}

export function verifyCommand(input: string, flags: { pubkey: string }): void {
  let key: Uint8Array;
  let m: Buffer;
  try {
    key = readPublicKey(flags.pubkey);
    m = readFileSync(input);
  } catch (e) {
    if (e instanceof KeyFileError) fail(e.message);
    fail(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = verifyModule(m, key);
  if (r.verdict === "ok") {
    process.stdout.write(`ok: signed by ${keyPrefix(r.signer)}\n`);
    return;
  }
  process.stdout.write(`refused: ${r.verdict}\n`);
  process.exit(1);
}
