/**
 * `cambi keygen -o DIR`: a new Ed25519 key pair, DIR/cambi.key (secret, mode
 * 0600) and DIR/cambi.pub. Never overwrites a key; never prints the secret.
 */
import path from "node:path";
import { existsSync } from "node:fs";
import { createFileExclusive, generateKeyPair, keyPrefix, publicKeyText, secretKeyText } from "../trust/keys.js";

export const SECRET_FILE = "cambi.key";
export const PUBLIC_FILE = "cambi.pub";

export function keygenCommand(flags: { out: string }): void {
  const secretFile = path.join(flags.out, SECRET_FILE);
  const publicFile = path.join(flags.out, PUBLIC_FILE);
  for (const f of [secretFile, publicFile]) {
    if (existsSync(f)) {
      process.stderr.write(`cambi keygen: ${f} already exists; refusing to overwrite a key (move it away first)\n`);
      process.exit(1);
    }
  }
  const pair = generateKeyPair();
  if (!createFileExclusive(secretFile, secretKeyText(pair.secret), 0o600)) {
    process.stderr.write(`cambi keygen: ${secretFile} appeared meanwhile; refusing to overwrite it\n`);
    process.exit(1);
  }
  if (!createFileExclusive(publicFile, publicKeyText(pair.publicKey), 0o644)) {
    process.stderr.write(`cambi keygen: ${publicFile} appeared meanwhile; refusing to overwrite it\n`);
    process.exit(1);
  }
  process.stdout.write(`wrote ${secretFile} (secret, mode 0600) and ${publicFile} (public key ${keyPrefix(pair.publicKey)}…)\n`);
}
