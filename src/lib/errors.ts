/**
 * The system-call error codes (src/abi/syscalls.json, "errors") as constants
 * and as names: errorName(code) spells a code for print's text() hole, e.g.
 * print(`kill: ${text(errorText, errorName(e))}`). One table for every program.
 */
import { u8, u32, u64, array, arrayOf } from "kts";
import { copyName } from "./names";
import { formatDecimal } from "./format";

export const ERR_NO_SYS: u64 = 1n;
export const ERR_BAD_ADDRESS: u64 = 2n;
export const ERR_BAD_CAPABILITY: u64 = 3n;
export const ERR_DENIED: u64 = 4n;
export const ERR_THROTTLED: u64 = 5n;
export const ERR_WOULD_BLOCK: u64 = 6n;
export const ERR_PEER_DIED: u64 = 7n;
export const ERR_NO_MEMORY: u64 = 8n;
export const ERR_INVALID: u64 = 9n;
export const ERR_REFUSED: u64 = 10n;
export const ERR_WRITE_EXEC: u64 = 11n;
export const ERR_ADDRESS_IN_USE: u64 = 12n;

/** The names, in code order (test/services checks them against src/abi/syscalls.json). */
export const ERROR_NAMES: u8[] = arrayOf([
  0x4f, 0x6b, 0, // Ok
  0x4e, 0x6f, 0x53, 0x79, 0x73, 0, // NoSys
  0x42, 0x61, 0x64, 0x41, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0, // BadAddress
  0x42, 0x61, 0x64, 0x43, 0x61, 0x70, 0x61, 0x62, 0x69, 0x6c, 0x69, 0x74, 0x79, 0, // BadCapability
  0x44, 0x65, 0x6e, 0x69, 0x65, 0x64, 0, // Denied
  0x54, 0x68, 0x72, 0x6f, 0x74, 0x74, 0x6c, 0x65, 0x64, 0, // Throttled
  0x57, 0x6f, 0x75, 0x6c, 0x64, 0x42, 0x6c, 0x6f, 0x63, 0x6b, 0, // WouldBlock
  0x50, 0x65, 0x65, 0x72, 0x44, 0x69, 0x65, 0x64, 0, // PeerDied
  0x4e, 0x6f, 0x4d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0, // NoMemory
  0x49, 0x6e, 0x76, 0x61, 0x6c, 0x69, 0x64, 0, // Invalid
  0x52, 0x65, 0x66, 0x75, 0x73, 0x65, 0x64, 0, // Refused
  0x57, 0x72, 0x69, 0x74, 0x65, 0x45, 0x78, 0x65, 0x63, 0, // WriteExec
  0x41, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x49, 0x6e, 0x55, 0x73, 0x65, 0, // AddressInUse
]);
const ERROR_COUNT: u64 = 13n;

/** Where errorName() spells a code. */
export const errorText: u8[] = array(24, 0);

/** Spells error code e into errorText (its name, or its number if it has none); returns the length. */
export function errorName(e: u64): u32 {
  if (e < ERROR_COUNT) return copyName(ERROR_NAMES, u32(e), errorText, 0);
  return formatDecimal(errorText, 0, e);
}
