/**
 * The object store's protocol (service `store`, endpoint "store"). Objects are
 * named by their BLAKE3-256 hash and owned by the kernel-stamped principal of
 * the task that put them; each carries its writer's Ed25519 signature of the
 * hash (made by the key store), verified with the hash on every get.
 *
 * Object bytes never travel in messages: OPEN lends the caller a session
 * buffer, a 1 MiB memory region the store owns (the caller cannot take it away
 * mid-copy, and the store takes it back from a caller that died). Data calls
 * name bytes at the start of that buffer; the store copies them once, so a
 * client changing its buffer meanwhile only changes what it stores.
 *
 * Every answer: word 0 = ST_* status. Requests and answers (words; bytes
 * [a, b) are payload bytes):
 *   OPEN        -> w1 = the buffer's capability handle (in the caller's table;
 *               map it writable), w2 = its bytes. A second OPEN gives the same.
 *   PUT_BEGIN   w1 = size; [16, 48) hash, [48, 112) signature, [112, 144)
 *               public key                    -> w1 = put id
 *   PUT_DATA    w1 = put id, w2 = offset in the object, w3 = length: the
 *               buffer's first length bytes (chunks in order)
 *   PUT_COMMIT  w1 = put id                   -> durable when answered Ok
 *   PUT_ABORT   w1 = put id
 *   GET_BEGIN   [16, 48) hash; w1 = 1 and [48, 80) owner to pick one owner's
 *               object (else the caller's own, or one granted to it)
 *               -> verified whole: w1 = get id, w2 = size, [24, 56) owner
 *   GET_DATA    w1 = get id, w2 = offset, w3 = length: into the buffer's start
 *   DELETE      [16, 48) hash (the caller's own object)
 *   GRANT       [16, 48) hash, [48, 80) the principal given read access
 *   LIST        w1 = index to start at, w2 = 1 and [24, 56) principal to list
 *               that principal's objects the caller may read (else its own)
 *               -> w1 = entries, w2 = next index (0 = no more);
 *               entries of 40 bytes from byte 24: hash, size
 *   STAT        [16, 48) hash -> w1 = size, w2 = grants, [24, 56) owner,
 *               [56, 88) public key
 *   USAGE       -> w1 = total bytes, w2 = free bytes, w3 = objects,
 *               w4 = the caller's bytes, w5 = its objects, w6 = its byte quota,
 *               w7 = refusals since boot, w8 = damaged records found at mount
 *   VAULT_GET   [16, 48) principal -> [16, 48) secret seed, [48, 80) public key
 *   VAULT_PUT   [16, 48) principal, [48, 80) seed, [80, 112) public key
 *               (only for a holder of the "vault" endpoint: the key store)
 */
import { u8, u32, u64, arrayOf } from "kts";

export const LABEL_OPEN = 0x534f_504e; // "SOPN"
export const LABEL_PUT_BEGIN = 0x5350_4247; // "SPBG"
export const LABEL_PUT_DATA = 0x5350_4454; // "SPDT"
export const LABEL_PUT_COMMIT = 0x5350_434d; // "SPCM"
export const LABEL_PUT_ABORT = 0x5350_4142; // "SPAB"
export const LABEL_GET_BEGIN = 0x5347_4247; // "SGBG"
export const LABEL_GET_DATA = 0x5347_4454; // "SGDT"
export const LABEL_DELETE = 0x5344_454c; // "SDEL"
export const LABEL_GRANT = 0x5347_5254; // "SGRT"
export const LABEL_LIST = 0x534c_5354; // "SLST"
export const LABEL_STAT = 0x5353_5441; // "SSTA"
export const LABEL_USAGE = 0x5355_5347; // "SUSG"
export const LABEL_VAULT_GET = 0x5647_4554; // "VGET"
export const LABEL_VAULT_PUT = 0x5650_5554; // "VPUT"

/** Payload byte offsets. */
export const AT_HASH: u32 = 16;
export const AT_SIGNATURE: u32 = 48;
export const AT_PUBLIC: u32 = 112;
export const AT_SECOND: u32 = 48;
export const AT_THIRD: u32 = 80;
export const AT_ANSWER: u32 = 24;
export const AT_ANSWER_SECOND: u32 = 56;
export const LIST_ENTRY_BYTES: u32 = 40;
export const LIST_MAX: u32 = 5;

export const ST_OK: u64 = 0n;
export const ST_NOT_FOUND: u64 = 1n;
/** The caller may not: not the owner, no grant, not the key store. */
export const ST_DENIED: u64 = 2n;
/** Hash and signature do not match the bytes on the disk: the bytes are never given out. */
export const ST_DAMAGED: u64 = 3n;
/** The principal's byte or object quota would be exceeded. */
export const ST_QUOTA: u64 = 4n;
/** Bigger than the largest object (MAX_OBJECT_BYTES). */
export const ST_TOO_LARGE: u64 = 5n;
/** No contiguous free space of that size, or the object table is full. */
export const ST_NO_SPACE: u64 = 6n;
/** A bad argument: offset or length out of range, chunks out of order, a region too small, an unknown put or get id. */
export const ST_INVALID: u64 = 7n;
/** The data's hash is not the one given at PUT_BEGIN. */
export const ST_HASH_MISMATCH: u64 = 8n;
/** The signature does not verify with the public key, or the key is not the caller's (from the key store). */
export const ST_BAD_SIGNATURE: u64 = 9n;
/** The caller already has this object. */
export const ST_EXISTS: u64 = 10n;
/** The disk failed, or the store has no disk it may use (not a store, a newer version, damaged). */
export const ST_IO: u64 = 11n;
/** Too many puts or gets in progress. */
export const ST_BUSY: u64 = 12n;

export const MAX_OBJECT_BYTES: u64 = 16_777_216n;
/** Every principal's quota: bytes (its puts in progress count) and objects. */
export const QUOTA_BYTES: u64 = 41_943_040n; // 40 MiB
export const QUOTA_OBJECTS: u32 = 64;

/** ST_* names, by status (src/lib/names.ts). */
export const STATUS_NAMES: u8[] = arrayOf([
  0x6f, 0x6b, 0, // ok
  0x6e, 0x6f, 0x74, 0x20, 0x66, 0x6f, 0x75, 0x6e, 0x64, 0, // not found
  0x64, 0x65, 0x6e, 0x69, 0x65, 0x64, 0, // denied
  0x64, 0x61, 0x6d, 0x61, 0x67, 0x65, 0x64, 0, // damaged
  0x6f, 0x76, 0x65, 0x72, 0x20, 0x71, 0x75, 0x6f, 0x74, 0x61, 0, // over quota
  0x74, 0x6f, 0x6f, 0x20, 0x6c, 0x61, 0x72, 0x67, 0x65, 0, // too large
  0x6e, 0x6f, 0x20, 0x73, 0x70, 0x61, 0x63, 0x65, 0, // no space
  0x69, 0x6e, 0x76, 0x61, 0x6c, 0x69, 0x64, 0, // invalid
  0x68, 0x61, 0x73, 0x68, 0x20, 0x6d, 0x69, 0x73, 0x6d, 0x61, 0x74, 0x63, 0x68, 0, // hash mismatch
  0x62, 0x61, 0x64, 0x20, 0x73, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0, // bad signature
  0x65, 0x78, 0x69, 0x73, 0x74, 0x73, 0, // exists
  0x49, 0x2f, 0x4f, 0x20, 0x65, 0x72, 0x72, 0x6f, 0x72, 0, // I/O error
  0x62, 0x75, 0x73, 0x79, 0, // busy
]);
