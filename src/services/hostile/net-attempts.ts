/**
 * The hostile service against the network (net tier): the network card
 * without a claim on it, sockets without capabilities, other services'
 * sockets by guessed handles, and the driver's and the kernel's messages
 * forged to the net service. It holds what any socket client holds, send on
 * the net endpoint, and no endpoint of its own to be notified on.
 */
import { u32, u64, print, text } from "kts";
import { call, msgStart, msgSetWordAt, msgSetCaps, msgWordAt, errorOf } from "../../lib/ipc/message";
import { LABEL_TIMER } from "../../lib/ipc/protocol";
import { LABEL_SOCKET_OPEN, LABEL_SOCKET_CLOSE, SOCKET_REGIONS } from "../../lib/net/socket-protocol";
import { LABEL_OPEN as LABEL_NIC_OPEN, LABEL_NOTIFY } from "../../lib/nic/protocol";
import { judge, verdict } from "./verdict";
import { attach } from "./device-attempts";

const NIC: u64 = 0x1af4_1041n;
const PORT: u64 = 7777n;
/** udpecho's port: bound at boot. */
const ECHO_PORT: u64 = 7n;
/** Socket handles are the slot and an opening count (sockets.ts): every slot, its first generations. */
const GENERATIONS: u32 = 4;

export function netAttempts(pci: u64, net: u64, log: u64): void {
  if (errorOf(net) != 0n) return; // a tier without the network
  judge(attach(pci, NIC));
  print(`hostile: attaching the network card without a claim on it: ${text(verdict.bytes, verdict.length)}`);
  judge(openSocket(0x2a07n, 0n, PORT));
  print(`hostile: opening a socket through a forged handle: ${text(verdict.bytes, verdict.length)}`);
  judge(openSocket(net, 0n, PORT));
  print(`hostile: opening a socket without a notification capability: ${text(verdict.bytes, verdict.length)}`);
  judge(openSocket(net, log, ECHO_PORT));
  print(`hostile: opening udpecho's port carrying its log capability (no grant right): ${text(verdict.bytes, verdict.length)}`);

  // Every handle a socket can have had (udpecho's among them): none is this task's to close.
  let closed: u32 = 0;
  let first: u64 = 0n;
  for (let g: u32 = 0; g < GENERATIONS; g++) {
    for (let i: u32 = 0; i < SOCKET_REGIONS; i++) {
      msgStart(LABEL_SOCKET_CLOSE);
      msgSetWordAt(0, u64(u32(i | u32(g << 8))));
      const r: u64 = answerOf(call(net));
      if (errorOf(r) == 0n) closed = u32(closed + 1);
      else if (first == 0n) first = r;
    }
  }
  judge(closed == 0 ? first : 0n);
  print(`hostile: closing ${u32(GENERATIONS * SOCKET_REGIONS)} guessed socket handles (${closed} closed): ${text(verdict.bytes, verdict.length)}`);

  // The driver's and the kernel's messages, forged to net by a task.
  msgStart(LABEL_NIC_OPEN);
  judge(answerOf(call(net)));
  print(`hostile: the network card's OPEN sent to the net service: ${text(verdict.bytes, verdict.length)}`);
  msgStart(LABEL_NOTIFY);
  judge(answerOf(call(net)));
  print(`hostile: the driver's notification sent to the net service as a call: ${text(verdict.bytes, verdict.length)}`);
  msgStart(LABEL_TIMER);
  judge(answerOf(call(net)));
  print(`hostile: a timer message forged to the net service: ${text(verdict.bytes, verdict.length)}`);
}

/** OPEN on `net` carrying `notify` (none if 0): the kernel's error, else net's answer word. */
function openSocket(net: u64, notify: u64, port: u64): u64 {
  msgStart(LABEL_SOCKET_OPEN);
  msgSetWordAt(0, port);
  if (notify != 0n) msgSetCaps(1, notify, 0n);
  return answerOf(call(net));
}

/** A call's result: the kernel's error, or word 0 of the answer (0 or -error). */
function answerOf(r: u64): u64 {
  return errorOf(r) != 0n ? r : msgWordAt(0);
}
