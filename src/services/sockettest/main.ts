"use unsafe";
/**
 * sockettest: a misbehaving client of the net service's UDP sockets
 * (src/lib/net/socket-protocol.ts), in the net tier; each check prints
 * `sockettest: ok: ...` or `sockettest: FAILED: ...`:
 *  - OPEN without a notification capability, and with a port above 65535:
 *    Invalid; a port already bound: AddressInUse; a fifth socket for one task:
 *    NoMemory; CLOSE of a handle that is not ours, or of an earlier opening:
 *    Invalid;
 *  - a request ring's producer index scribbled over: net closes that socket
 *    alone (CLOSE of it is then Invalid, the others still work);
 *  - a socket (port 9) that hands net no buffers while the test peer sends it
 *    datagrams: what does not fit the stack's queue is dropped (counted by
 *    net), and once buffers come the queue's datagrams arrive. The peer's
 *    datagram on port 10 says the flood is over; the count is printed as
 *    `sockettest: port 9 kept <n> datagrams while it did not drain`;
 *  - it then ends without closing its sockets: net sees their capabilities
 *    gone and closes them.
 * Without a datagram on port 10 within WAIT_NANOS it ends all the same.
 *
 * Capabilities: [0] endpoint "sockettest" (send, receive, grant), [1]
 * endpoint "net" (send).
 */
import { u32, u64, usize, bool, print, text } from "kts";
import { store32 } from "kts/unsafe";
import { sysCapDerive, sysTaskId, sysTimerSet } from "../../lib/sys/syscalls.generated";
import { capAt, call, receive, msgLabel, msgStart, msgSetWordAt, msgSetCaps, msgWordAt, msgSender, errorOf } from "../../lib/ipc/message";
import { KERNEL_SENDER, LABEL_TIMER } from "../../lib/ipc/protocol";
import { ERR_INVALID, ERR_NO_MEMORY, ERR_ADDRESS_IN_USE, errorText, errorName } from "../../lib/errors";
import { NANOS_PER_SECOND, NANOS_PER_MILLI } from "../../lib/time";
import { Entry, H_REQ_PRODUCER } from "../../lib/channel/channel";
import { LABEL_SOCKET_OPEN, LABEL_SOCKET_CLOSE, LABEL_SOCKET_NOTIFY, OP_RECEIVE, ST_OK } from "../../lib/net/socket-protocol";
import { UdpClient, completionOp } from "../../lib/net/socket";

const VA: usize = 0x3_0000_0000n;
const VA_STEP: usize = 0x10_0000n;
const WAIT_NANOS: u64 = u64(120n * NANOS_PER_SECOND);
const QUIET_NANOS: u64 = u64(500n * NANOS_PER_MILLI);
/** Buffers handed to the undrained socket at the end, and their size. */
const LATE_BUFFERS: u32 = 40;
const LATE_BUFFER: u32 = 512;

const flooded = new UdpClient();
const broken = new UdpClient();
const signal = new UdpClient();
const spare = new UdpClient();
const extra = new UdpClient();
const done = new Entry();

let endpoint: u64 = 0n;
let net: u64 = 0n;
let passed: u32 = 0;
let failed: u32 = 0;

function check(ok: bool, what: u32, got: u64): void {
  if (ok) passed = u32(passed + 1);
  else failed = u32(failed + 1);
  if (ok) print(`sockettest: ok: check ${what}`);
  else print(`sockettest: FAILED: check ${what} (got ${got})`);
}

/** OPEN by hand: word 0 = port, carrying a fresh notification capability if `carry`; the answer's word 0 as an error code. */
function rawOpen(port: u64, carry: bool): u64 {
  msgStart(LABEL_SOCKET_OPEN);
  msgSetWordAt(0, port);
  if (carry) msgSetCaps(1, sysCapDerive(endpoint, u64(sysTaskId()), 5n, 0n, 0n), 0n);
  const c: u64 = errorOf(call(net));
  return c != 0n ? c : errorOf(msgWordAt(0));
}

/** CLOSE by hand: the answer's word 0 as an error code. */
function rawClose(handle: u64): u64 {
  msgStart(LABEL_SOCKET_CLOSE);
  msgSetWordAt(0, handle);
  const c: u64 = errorOf(call(net));
  return c != 0n ? c : errorOf(msgWordAt(0));
}

function va(i: u32): usize {
  return usize(VA + usize(i) * VA_STEP);
}

export function main(): u32 {
  endpoint = capAt(0n);
  net = capAt(1n);
  let e: u64 = rawOpen(0n, false);
  check(e == ERR_INVALID, 1, e); // no notification capability
  e = rawOpen(0x1_0000n, true);
  check(e == ERR_INVALID, 2, e); // port 65536
  e = flooded.open(net, endpoint, va(0), 9);
  check(e == 0n && flooded.port == 9, 3, e);
  e = extra.open(net, endpoint, va(4), 9);
  check(e == ERR_ADDRESS_IN_USE, 4, e); // port 9 is bound
  e = broken.open(net, endpoint, va(1), 0);
  check(e == 0n && broken.port >= 49152, 5, e);
  e = signal.open(net, endpoint, va(2), 10);
  check(e == 0n, 6, e);
  e = spare.open(net, endpoint, va(3), 0);
  check(e == 0n, 7, e);
  e = extra.open(net, endpoint, va(4), 0);
  check(e == ERR_NO_MEMORY, 8, e); // a fifth socket for one task
  e = rawClose(u64(spare.handle ^ 0x100n));
  check(e == ERR_INVALID, 9, e); // another opening's handle
  e = rawClose(77n);
  check(e == ERR_INVALID, 10, e);
  // A scribbled producer index: net takes it as a protocol error and closes that socket only.
  store32(usize(broken.va + usize(H_REQ_PRODUCER)), 0x4000_0000);
  broken.kick();
  e = rawClose(broken.handle);
  check(e == ERR_INVALID, 11, e); // already closed by net
  e = rawClose(spare.handle);
  check(e == 0n, 12, e); // the others are fine
  e = spare.open(net, endpoint, va(3), 0);
  check(e == 0n, 13, e);
  signal.receiveInto(1, 0, 1472);
  print(`sockettest: ready: port ${flooded.port} takes no buffers, port ${signal.port} listens`);
  sysTimerSet(endpoint, WAIT_NANOS);
  let kept: u32 = 0;
  let draining: bool = false;
  for (;;) {
    const r: u64 = errorOf(receive(endpoint));
    if (r != 0n) {
      print(`sockettest: receive failed (${text(errorText, errorName(r))})`);
      return 1;
    }
    if (msgSender() == KERNEL_SENDER && msgLabel() == LABEL_TIMER) {
      if (!draining) print("sockettest: no datagram on the signal port; ending");
      break;
    }
    if (msgLabel() != LABEL_SOCKET_NOTIFY) continue;
    while (!draining && signal.next(done)) {
      if (completionOp(done) != OP_RECEIVE || done.code != ST_OK) continue;
      // The flood is over: buffers for the queue, and a quiet half second ends the count.
      draining = true;
      for (let i: u32 = 0; i < LATE_BUFFERS; i++) flooded.receiveInto(i, u32(i * LATE_BUFFER), LATE_BUFFER);
      sysTimerSet(endpoint, QUIET_NANOS);
    }
    if (!draining) continue;
    let got: bool = false;
    while (flooded.next(done)) {
      if (completionOp(done) == OP_RECEIVE && done.code == ST_OK) kept = u32(kept + 1);
      got = true;
    }
    if (got) sysTimerSet(endpoint, QUIET_NANOS);
  }
  if (draining) print(`sockettest: port ${flooded.port} kept ${kept} datagrams while it did not drain`);
  print(`sockettest: ${passed} checks passed, ${failed} failed; ending with 3 sockets open`);
  return 0;
}
