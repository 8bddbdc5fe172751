"use unsafe";
// Calls the server 200 times through its first capability (an endpoint it may
// only send to), checks every answer, and reports the round-trip time; then
// sends it 100 one-way messages (label 3, no answer; a full share of the queue
// waits for the server: yield and again) and reports the time per message.
// Then echoes messages of every payload length 0..40 and 256 (label 4: up to
// 24 bytes they travel in registers, longer ones in memory), checks each answer
// byte for byte, and that malformed register tags are refused.
import { u8, u32, u64, bool, array, print } from "kts";
import { addressOf } from "kts/unsafe";
import { sysTime, sysYield } from "../../src/lib/sys/syscalls.generated";
import { capAt, call, send, msgSetLabel, msgSetWord, msgWord, msgSender, msgBytes, msgLength, msgLabel, msgPrincipalByte, errorOf } from "../../src/lib/ipc/message";
import { ECHO_LABEL, ECHOED_LABEL, echoByte, putEcho, junkFree } from "./ping-echo";

declare function kts_syscall(n: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): u64;

const ROUNDS = 200;
const SENDS = 100;
/** SysError.WouldBlock: this sender's share of the queue is full. */
const WOULD_BLOCK: u64 = 6n;

const bytes: u8[] = array(256, 0);
const scratch: u8[] = array(336, 0);

/** Echoes one message of len bytes; true if the answer is right. */
function echo(ep: u64, len: u32): bool {
  putEcho(ECHO_LABEL, len, 0);
  let r: u64 = call(ep);
  // The one-way sends before may still fill this sender's share of the queue (the message stays in the buffer).
  while (errorOf(r) == WOULD_BLOCK) {
    sysYield();
    r = call(ep);
  }
  if (errorOf(r) != 0n || msgLabel() != ECHOED_LABEL || msgLength() != len) {
    print(`client: echo of ${len} bytes: error ${errorOf(r)}, label ${msgLabel()}, length ${msgLength()}`);
    return false;
  }
  msgBytes(0, bytes);
  let principal: u32 = 0;
  for (let i: u32 = 0; i < 32; i++) principal = u32(principal + u32(msgPrincipalByte(i)));
  for (let k: u32 = 0; k < len; k++) {
    if (bytes[k] != echoByte(len, k, 1)) {
      print(`client: echo of ${len} bytes: byte ${k} is ${bytes[k]}`);
      return false;
    }
  }
  if (principal == 0) print(`client: echo of ${len} bytes: no principal stamped`);
  if (!junkFree(len)) print(`client: echo of ${len} bytes: junk past the length`);
  return principal != 0 && junkFree(len);
}

export function main(): u32 {
  const ep: u64 = capAt(0n);
  const start: u64 = sysTime();
  for (let i: u32 = 0; i < ROUNDS; i++) {
    msgSetLabel(1);
    msgSetWord(u64(i));
    const r: u64 = call(ep);
    if (errorOf(r) != 0n || msgWord() != u64(u64(i) + 1n)) {
      print(`client: round ${i} failed: error ${errorOf(r)}, answer ${msgWord()}`);
      return 1;
    }
  }
  const ns: u64 = u64(sysTime() - start);
  print(`client: ${ROUNDS} call/reply round trips ok, server task ${msgSender()}, ${u64(ns / u64(ROUNDS))} ns each`);
  print(`bench: ipc_roundtrip ${u64(ns / u64(ROUNDS))}`);
  const sendStart: u64 = sysTime();
  let sent: u32 = 0;
  while (sent < SENDS) {
    msgSetLabel(3);
    msgSetWord(u64(sent));
    const r: u64 = send(ep);
    if (errorOf(r) == WOULD_BLOCK) sysYield();
    else if (errorOf(r) != 0n) {
      print(`client: send ${sent} failed: error ${errorOf(r)}`);
      return 1;
    } else sent = u32(sent + 1);
  }
  print(`bench: ipc_send_oneway ${u64(u64(sysTime() - sendStart) / u64(SENDS))}`);
  // After the timed part (the bench's probes stop at the first send).
  let shapes: u32 = 0;
  for (let len: u32 = 0; len < 41; len++) if (echo(ep, len)) shapes = u32(shapes + 1);
  if (echo(ep, 256)) shapes = u32(shapes + 1);
  print(`client: ${shapes} of 42 message shapes echoed ok`);
  // Register tags (bit 63: the message is in registers): reserved bits set, or a length over 24, are refused (Invalid, 9).
  const reserved: u64 = kts_syscall(12n, ep, addressOf(scratch), 0x8000_0100_0000_0004n, 0n, 0n, 0n);
  const long: u64 = kts_syscall(12n, ep, addressOf(scratch), 0x8000_0019_0000_0004n, 0n, 0n, 0n);
  print(`client: bad register tags refused: ${errorOf(reserved)} ${errorOf(long)}`);
  // The last sends may still fill this sender's share of the queue.
  msgSetLabel(0xdead);
  while (errorOf(call(ep)) == WOULD_BLOCK) {
    sysYield();
    msgSetLabel(0xdead);
  }
  return 0;
}
