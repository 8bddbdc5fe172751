// The echo exchange of pingclient and pingserver: every payload length, each
// byte a function of the length and its position, transformed in the answer.
import { u8, u32, u64, bool, array } from "kts";
import { msgStart, msgSetBytes, msgWordAt } from "../../src/lib/ipc/message";

export const ECHO_LABEL: u32 = 4;
export const ECHOED_LABEL: u32 = 5;

/** Byte k of an echo message of len bytes (answer: 0 for the request, 1 for the reply). */
export function echoByte(len: u32, k: u32, answer: u32): u8 {
  return u8(u32(u32(len * 7) + u32(k * 13) + u32(answer * 0x5a) + 1) & 0xff);
}

const staged: u8[] = array(256, 0);

/**
 * Puts an echo message of len bytes (answer: 0 request, 1 reply) in the
 * buffer, with junk (0xee) in the 48 bytes past len first: the other side must
 * see none of it.
 */
export function putEcho(label: u32, len: u32, answer: u32): void {
  for (let k: u32 = 0; k < 48; k++) staged[k] = 0xee;
  msgStart(label);
  msgSetBytes(0, staged, 48);
  for (let k: u32 = 0; k < len; k++) staged[k] = echoByte(len, k, answer);
  msgStart(label);
  msgSetBytes(0, staged, len);
}

/** The bytes past len in len's last payload word of the received message are zero. */
export function junkFree(len: u32): bool {
  const rest: u32 = len & 7;
  if (rest == 0) return true;
  return u64(msgWordAt(len >>> 3) >> u64(rest * 8)) == 0n;
}
