/**
 * The key store's protocol (service `keys`, endpoint "keys"): every principal
 * has an Ed25519 key pair, made on its first request and kept on the disk by
 * the object store's vault. The secret key never leaves the key store; whose
 * key signs is decided by the kernel-stamped principal of the caller, never by
 * anything in the request.
 *
 * PUBLIC (call): word 0 = PUBLIC_MINE (the caller's key, made if it has none)
 *   or PUBLIC_OF with a principal at bytes [8, 40) (only if it has a key).
 *   Answer: word 0 = KEYS_* status, bytes [8, 40) = the public key, [40, 72)
 *   = the principal it belongs to.
 * SIGN (call): bytes [8, 40) = a 32-byte digest, signed with the caller's key
 *   (made if it has none). Answer: word 0 = status, bytes [8, 72) = the
 *   signature, [72, 104) = the public key that verifies it.
 */
import { u32, u64 } from "kts";

export const LABEL_KEYS_PUBLIC = 0x4b50_5542; // "KPUB"
export const LABEL_KEYS_SIGN = 0x4b53_474e; // "KSGN"

export const PUBLIC_MINE: u64 = 0n;
export const PUBLIC_OF: u64 = 1n;

export const KEYS_ARG: u32 = 8;
export const KEYS_PRINCIPAL: u32 = 40;
export const KEYS_SIGNATURE: u32 = 8;
export const KEYS_SIGNED_BY: u32 = 72;

export const KEYS_OK: u64 = 0n;
/** PUBLIC_OF a principal that has no key. */
export const KEYS_NOT_FOUND: u64 = 1n;
/** The keys cannot be kept: the store is missing, refused the disk, or failed to write. */
export const KEYS_STORAGE: u64 = 2n;
/** A malformed request (an unknown label or word). */
export const KEYS_INVALID: u64 = 3n;
/** The store's vault is full. */
export const KEYS_FULL: u64 = 4n;
