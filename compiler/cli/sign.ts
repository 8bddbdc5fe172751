/** `cambi sign ELF --key SECRET [-o OUT]`: wraps a service ELF in a signed module (default OUT: ELF.signed). */
import { readFileSync, writeFileSync } from "node:fs";
import { KeyFileError, keyPrefix, publicKeyOf, readableByOthers, readSecretKey } from "../trust/keys.js";
import { isElf, isSignedModule, signModule } from "../trust/signed-module.js";

function fail(msg: string): never {
  process.stderr.write(`cambi sign: ${msg}\n`);
  process.exit(1);
}

export function signCommand(input: string, flags: { key: string; out?: string }): void {
  let elf: Buffer;
  try {
    elf = readFileSync(input);
  } catch (e) {
    fail(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (isSignedModule(elf)) fail(`${input} is already a signed module; sign the ELF itself`);
  if (!isElf(elf)) fail(`${input} is not an ELF file (no \\x7fELF magic); only service ELFs can be signed`);
  let secret: Uint8Array;
  try {
    secret = readSecretKey(flags.key);
  } catch (e) {
    if (e instanceof KeyFileError) fail(e.message);
    throw e;
  }
  if (readableByOthers(flags.key)) process.stderr.write(`cambi sign: warning: secret key ${flags.key} is readable by other users (chmod 600 it)\n`);
  const out = flags.out ?? `${input}.signed`;
  const m = signModule(elf, secret);
  writeFileSync(out, m);
  process.stdout.write(`signed ${out} (${m.length} bytes, signer ${keyPrefix(publicKeyOf(secret))})\n`);
}
