// The echo exchange of pingclient and pingserver: every payload length, each
// byte a function of the length and its position, transformed in the answer.
import { u8, u32 } from "kts";

export const ECHO_LABEL: u32 = 4;
export const ECHOED_LABEL: u32 = 5;

/** Byte k of an echo message of len bytes (answer: 0 for the request, 1 for the reply). */
export function echoByte(len: u32, k: u32, answer: u32): u8 {
  return u8(u32(u32(len * 7) + u32(k * 13) + u32(answer * 0x5a) + 1) & 0xff);
}
