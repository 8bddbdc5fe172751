/**
 * Ed25519 key pairs and their files. A key file is one line of text:
 *   cambi-ed25519-secret-v1 <64 hex digits>   (cambi.key: the RFC 8032 32-byte seed, mode 0600)
 *   cambi-ed25519-public-v1 <64 hex digits>   (cambi.pub: the 32-byte public key)
 * The secret never leaves its file: nothing here prints or logs it.
 */
import { closeSync, existsSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { ed } from "./noble.js";

export const SECRET_TAG = "cambi-ed25519-secret-v1";
export const PUBLIC_TAG = "cambi-ed25519-public-v1";
export const KEY_BYTES = 32;

export class KeyFileError extends Error {}

export interface KeyPair {
  secret: Uint8Array;
  publicKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const secret = ed.utils.randomSecretKey();
  return { secret, publicKey: ed.getPublicKey(secret) };
}

export function publicKeyOf(secret: Uint8Array): Uint8Array {
  return ed.getPublicKey(secret);
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** What a key is called in messages: the first 16 hex digits of the public key. */
export function keyPrefix(publicKey: Uint8Array): string {
  return toHex(publicKey).slice(0, 16);
}

export function secretKeyText(secret: Uint8Array): string {
  return `${SECRET_TAG} ${toHex(secret)}\n`;
}

export function publicKeyText(publicKey: Uint8Array): string {
  return `${PUBLIC_TAG} ${toHex(publicKey)}\n`;
}

function parseKeyText(file: string, text: string, tag: string, what: string): Uint8Array {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 2 || fields[0] !== tag || !/^[0-9a-fA-F]{64}$/.test(fields[1]!)) {
    const other = fields[0] === SECRET_TAG || fields[0] === PUBLIC_TAG ? ` (it is a ${fields[0] === SECRET_TAG ? "secret" : "public"} key file)` : "";
    throw new KeyFileError(`${file}: not a cambi ${what} key file${other}; expected one line "${tag} <64 hex digits>"`);
  }
  return new Uint8Array(Buffer.from(fields[1]!, "hex"));
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KeyFileError(`cannot read key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readSecretKey(file: string): Uint8Array {
  return parseKeyText(file, readText(file), SECRET_TAG, "secret");
}

export function readPublicKey(file: string): Uint8Array {
  return parseKeyText(file, readText(file), PUBLIC_TAG, "public");
}

/** True if group or others may read the file (a secret key should be 0600). */
export function readableByOthers(file: string): boolean {
  return (statSync(file).mode & 0o077) !== 0;
}

/**
 * Writes text to a new file with the given mode, atomically and never over an
 * existing file: a private temporary file is linked into place (link fails if the
 * name exists), so a concurrent writer or reader never sees half a key.
 * Returns false if the file already exists.
 */
export function createFileExclusive(file: string, text: string, mode: number): boolean {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(file)) return false;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, "wx", mode);
  try {
    fchmodSync(fd, mode); // exactly this mode, whatever the umask
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}
