/**
 * Signed modules (format in docs/signed-module.md; the kernel's reader is
 * src/kernel/loader/signed-module.ts): a 128-byte header, then the payload (a
 * service ELF). Little-endian:
 *   0    magic "CAMBISIG"                    8 bytes
 *   8    version (1)                         u32
 *   12   header bytes (128)                  u32
 *   16   payload size                        u64
 *   24   signer public key                   32 bytes
 *   56   signature                           64 bytes
 *   120  reserved, zero                      8 bytes
 *   128  payload
 * signature = Ed25519(secret, BLAKE3(bytes 0..56 || payload)), RFC 8032 pure
 * Ed25519 over the 32-byte digest. Bytes 0..56 (magic through signer) are signed
 * with the payload so none of them can be changed; the reserved bytes are not
 * signed and must be zero.
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { ed } from "./noble.js";
import { publicKeyOf } from "./keys.js";

export const SIGNED_MAGIC = "CAMBISIG";
export const SIGNED_VERSION = 1;
export const SIGNED_HEADER_BYTES = 128;
/** Field offsets in the header. */
export const OFF = { magic: 0, version: 8, headerBytes: 12, payloadSize: 16, signer: 24, signature: 56, reserved: 120 } as const;
/** The signed part of the header: magic through signer key. */
export const SIGNED_PREFIX_BYTES = OFF.signature;

/**
 * Verdicts, in the order of the kernel's ModuleVerdict codes (0 = ok). The
 * text is what `cambi verify` prints after "refused: ".
 */
export const VERDICTS = ["ok", "truncated", "bad magic", "unsupported version", "signer is not the given key", "bad signature"] as const;
export type Verdict = (typeof VERDICTS)[number];

export function verdictCode(v: Verdict): number {
  return VERDICTS.indexOf(v);
}

/** The 32-byte digest the signature covers. */
export function moduleDigest(signedPrefix: Uint8Array, payload: Uint8Array): Uint8Array {
  return blake3.create().update(signedPrefix).update(payload).digest();
}

/** Wraps payload (an ELF) in a signed module under the 32-byte secret seed. */
export function signModule(payload: Uint8Array, secret: Uint8Array): Buffer {
  const m = Buffer.alloc(SIGNED_HEADER_BYTES + payload.length);
  m.write(SIGNED_MAGIC, OFF.magic, "ascii");
  m.writeUInt32LE(SIGNED_VERSION, OFF.version);
  m.writeUInt32LE(SIGNED_HEADER_BYTES, OFF.headerBytes);
  m.writeBigUInt64LE(BigInt(payload.length), OFF.payloadSize);
  Buffer.from(publicKeyOf(secret)).copy(m, OFF.signer);
  Buffer.from(payload).copy(m, SIGNED_HEADER_BYTES);
  const sig = ed.sign(moduleDigest(m.subarray(0, SIGNED_PREFIX_BYTES), payload), secret);
  Buffer.from(sig).copy(m, OFF.signature);
  return m;
}

export type VerifyResult = { verdict: "ok"; signer: Uint8Array; payload: Buffer } | { verdict: Exclude<Verdict, "ok"> };

/**
 * Checks a signed module against the one key it must be signed by, in the
 * kernel's order: length, magic, version (with header size and reserved
 * bytes), signer, signature. A length that disagrees with the header's payload
 * size (short, or with trailing bytes) is "truncated".
 */
export function verifyModule(bytes: Uint8Array, key: Uint8Array): VerifyResult {
  const m = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (m.length < SIGNED_HEADER_BYTES) return { verdict: "truncated" };
  if (m.toString("latin1", OFF.magic, OFF.magic + 8) !== SIGNED_MAGIC) return { verdict: "bad magic" };
  if (m.readUInt32LE(OFF.version) !== SIGNED_VERSION || m.readUInt32LE(OFF.headerBytes) !== SIGNED_HEADER_BYTES) return { verdict: "unsupported version" };
  if (m.readBigUInt64LE(OFF.reserved) !== 0n) return { verdict: "unsupported version" };
  if (m.readBigUInt64LE(OFF.payloadSize) !== BigInt(m.length - SIGNED_HEADER_BYTES)) return { verdict: "truncated" };
  const signer = m.subarray(OFF.signer, OFF.signer + 32);
  if (!signer.equals(Buffer.from(key))) return { verdict: "signer is not the given key" };
  const payload = m.subarray(SIGNED_HEADER_BYTES);
  const digest = moduleDigest(m.subarray(0, SIGNED_PREFIX_BYTES), payload);
  let ok = false;
  try {
    ok = ed.verify(m.subarray(OFF.signature, OFF.signature + 64), digest, key, { zip215: false });
  } catch {
    ok = false;
  }
  return ok ? { verdict: "ok", signer: new Uint8Array(signer), payload } : { verdict: "bad signature" };
}

export function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

export function isSignedModule(b: Uint8Array): boolean {
  return b.length >= 8 && Buffer.from(b.subarray(0, 8)).toString("latin1") === SIGNED_MAGIC;
}
