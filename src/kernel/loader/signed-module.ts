/**
 * Signed boot modules (format: docs/signed-module.md; written by `cambi sign`,
 * compiler/trust/signed-module.ts): a 128-byte header, then the payload (an ELF).
 * A module is accepted only if it is signed by the given key: the Ed25519
 * signature (crypto/ed25519.ts) over the BLAKE3 digest (crypto/blake3.ts) of
 * header bytes 0..56 (magic through signer key) and the payload.
 * Untrusted input: every field is range-checked, the answer is a verdict, never a panic.
 */
import { u8, u32, u64, array, arrayOf, slice } from "kts";
import { le32, le64 } from "./le";
import { Blake3Hasher } from "../../lib/crypto/blake3";
import { ed25519Verify } from "../../lib/crypto/ed25519";

/** Codes shared with the toolchain's VERDICTS (compiler/trust/signed-module.ts). */
export enum ModuleVerdict {
  Ok = 0,
  /** Shorter than its header, or its length disagrees with the header's payload size. */
  Truncated = 1,
  BadMagic = 2,
  /** Version, header size or reserved bytes not those of version 1. */
  BadVersion = 3,
  /** The signer named in the header is not the key the module must be signed by. */
  WrongKey = 4,
  BadSignature = 5,
}

export const SIGNED_HEADER_BYTES = 128;
const VERSION = 1;
const OFF_VERSION = 8;
const OFF_HEADER_BYTES = 12;
const OFF_PAYLOAD_SIZE = 16;
const OFF_SIGNER = 24;
/** Bytes 0..56 (magic through signer) are covered by the signature; the signature follows them. */
const OFF_SIGNATURE = 56;
const OFF_RESERVED = 120;
const KEY_BYTES = 32;
const MAGIC: u8[] = arrayOf([0x43, 0x41, 0x4d, 0x42, 0x49, 0x53, 0x49, 0x47]); // "CAMBISIG"

/** BLAKE3 of header bytes 0..56 and the payload; its own function so the hasher's frame ends before verification. */
function moduleDigest(m: u8[], out: u8[]): void {
  const h = new Blake3Hasher();
  h.initDefault();
  h.update(slice(m, 0, OFF_SIGNATURE));
  h.update(slice(m, SIGNED_HEADER_BYTES, m.length));
  h.finalize(out);
}

/** Checks the whole signed module m against key (32 bytes); the checks run in the order of the verdicts. */
export function verifySignedModule(m: u8[], key: u8[]): ModuleVerdict {
  if (m.length < SIGNED_HEADER_BYTES) return ModuleVerdict.Truncated;
  for (let i: u32 = 0; i < 8; i++) if (m[i] != MAGIC[i]) return ModuleVerdict.BadMagic;
  if (le32(m, OFF_VERSION) != VERSION || le32(m, OFF_HEADER_BYTES) != SIGNED_HEADER_BYTES) return ModuleVerdict.BadVersion;
  if (le64(m, OFF_RESERVED) != 0n) return ModuleVerdict.BadVersion;
  if (le64(m, OFF_PAYLOAD_SIZE) != u64(m.length - SIGNED_HEADER_BYTES)) return ModuleVerdict.Truncated;
  if (key.length != KEY_BYTES) return ModuleVerdict.WrongKey;
  for (let i: u32 = 0; i < KEY_BYTES; i++) if (m[u32(OFF_SIGNER + i)] != key[i]) return ModuleVerdict.WrongKey;
  const digest: u8[] = array(32, 0);
  moduleDigest(m, digest);
  if (!ed25519Verify(slice(m, OFF_SIGNATURE, OFF_RESERVED), digest, key)) return ModuleVerdict.BadSignature;
  return ModuleVerdict.Ok;
}

/** Where the payload (the ELF) starts in a verified module: view it with slice(m, offset, offset + size). */
export function signedPayloadOffset(): u32 {
  return SIGNED_HEADER_BYTES;
}

/** The payload's size in a verified module (0 if m is shorter than a header). */
export function signedPayloadSize(m: u8[]): u32 {
  if (m.length < SIGNED_HEADER_BYTES) return 0;
  return u32(m.length - SIGNED_HEADER_BYTES);
}
