/**
 * ntp: sets the wall clock by SNTP (src/lib/net/sntp.ts) through a UDP socket
 * of the net service (src/lib/net/socket.ts). Single-threaded: it waits in
 * receive on its own endpoint for its timer, the net service's socket
 * notifications and the shell's SYNC calls (src/lib/net/ntp-protocol.ts,
 * answered at once).
 *
 * It asks net for its configuration (INFO) every POLL_NANOS until there is an
 * address, then sends a request to the server: the one the shell named last,
 * else the DHCP server, else the gateway. A valid reply sets the clock
 * (clockSet) and the next request goes RESYNC_NANOS later; without a valid
 * reply within the timeout (2 s, doubling to 64 s) the request is sent again,
 * on a fresh socket (net may have restarted).
 *
 * Times: the SNTP exchange runs on the monotonic clock shifted by the wall
 * clock's offset when the request goes out (0 while the clock is not set), so
 * T1 and T4 are on one clock even if the wall clock is set in between.
 *
 * Capabilities: [0] endpoint "ntp" (send, receive, grant), [1] endpoint "net"
 * (send), [2] clock.
 */
import { u8, u16, u32, u64, i64, bool, array, print, text } from "kts";
import { sysClockSet, sysTimerSet } from "../../lib/sys/syscalls.generated";
import { capAt, call, receive, reply, msgLabel, msgStart, msgSetWordAt, msgWordAt, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { KERNEL_SENDER, LABEL_TIMER } from "../../lib/ipc/protocol";
import { ERR_INVALID, errorText, errorName } from "../../lib/errors";
import { now, wallClock, NANOS_PER_SECOND, NANOS_PER_MILLI } from "../../lib/time";
import { utcText } from "../../lib/calendar";
import { Line } from "../../lib/format";
import { Entry, Status } from "../../lib/channel/channel";
import { LABEL_NET_INFO, INFO_CONFIG, INFO_GATEWAY, INFO_SERVER, CONFIG_NONE } from "../../lib/net/ipc-protocol";
import { LABEL_SOCKET_NOTIFY, OP_RECEIVE, ST_OK, SOCKET_MAX_DATAGRAM } from "../../lib/net/socket-protocol";
import { UdpClient, completionOp, sourceIp, sourcePort } from "../../lib/net/socket";
import { SntpClient, SntpResult, SntpStatus, NTP_PORT, NTP_PACKET } from "../../lib/net/sntp";
import { LABEL_NTP_SYNC, SYNC_SERVER } from "../../lib/net/ntp-protocol";
import { appendIp } from "../../lib/net/text";

const SOCKET_VA: u64 = 0x3_0000_0000n;
/** Data-area offsets: the request we send, the buffer for the reply. */
const SEND_AT: u32 = 0;
const RECEIVE_AT: u32 = 2048;
const SEND_ID: u32 = 1;
const RECEIVE_ID: u32 = 2;
const POLL_NANOS: u64 = u64(500n * NANOS_PER_MILLI);
const FIRST_TIMEOUT: u64 = u64(2n * NANOS_PER_SECOND);
const MAX_TIMEOUT: u64 = u64(64n * NANOS_PER_SECOND);
const RESYNC_NANOS: u64 = u64(64n * NANOS_PER_SECOND);

enum State {
  /** No address yet (or no server known): INFO every POLL_NANOS. */
  Configuring = 0,
  /** A request is out; the timer is its timeout. */
  Waiting = 1,
  /** Set; the timer is the next sync. */
  Synced = 2,
}

const socket = new UdpClient();
const sntp = new SntpClient();
const result = new SntpResult();
const done = new Entry();
const packet: u8[] = array(SOCKET_MAX_DATAGRAM, 0);
const row = new Line();
const timeText: u8[] = array(32, 0);
const kiss: u8[] = array(4, 0);

let endpoint: u64 = 0n;
let net: u64 = 0n;
let clock: u64 = 0n;
let state: State = State.Configuring;
/** The server named by the shell (0: none), and the one asked. */
let chosen: u32 = 0;
let server: u32 = 0;
let timeout: u64 = FIRST_TIMEOUT;
/** Local clock = monotonic + base (the wall clock's offset when the request went out). */
let base: u64 = 0n;
let wasSet: bool = false;
/** A receive buffer is with net. */
let posted: bool = false;
/** "no server" and "no answer" are said once until something changes. */
let saidNoServer: bool = false;
let saidNoAnswer: bool = false;

export function main(): u32 {
  endpoint = capAt(0n);
  net = capAt(1n);
  clock = capAt(2n);
  arm(0n);
  for (;;) {
    const e: u64 = errorOf(receive(endpoint));
    if (e != 0n) {
      print(`ntp: receive failed (${text(errorText, errorName(e))})`);
      return 1;
    }
    const label: u32 = msgLabel();
    const fromKernel: bool = msgSender() == KERNEL_SENDER;
    if (fromKernel && label == LABEL_TIMER) timer();
    else if (msgIsCall()) {
      if (label == LABEL_NTP_SYNC) syncCall();
      else {
        msgStart(label);
        msgSetWordAt(0, u64(0n - ERR_INVALID));
        reply();
      }
    } else if (!fromKernel && label == LABEL_SOCKET_NOTIFY) completions();
  }
}

/** Arms the timer for nanos from now (at least 1 ns: 0 would disarm it). */
function arm(nanos: u64): void {
  sysTimerSet(endpoint, nanos == 0n ? 1n : nanos);
}

function timer(): void {
  if (state == State.Waiting) {
    if (!saidNoAnswer) {
      row.clear();
      appendIp(row, server);
      print(`ntp: no answer from ${text(row.bytes, row.length)}; trying again`);
      saidNoAnswer = true;
    }
    // A fresh socket: if net restarted, the old one is served by no one.
    socket.close();
    posted = false;
    timeout = timeout >= u64(MAX_TIMEOUT / 2n) ? MAX_TIMEOUT : u64(timeout * 2n);
  }
  request();
}

/** SYNC from the shell: a request goes out now (to word 0's server if not 0). */
function syncCall(): void {
  const asked: u64 = msgWordAt(0);
  if (asked > 0xffff_ffffn) {
    msgStart(LABEL_NTP_SYNC);
    msgSetWordAt(0, u64(0n - ERR_INVALID));
    reply();
    return;
  }
  if (asked != 0n) chosen = u32(asked);
  // The reply goes first: request() calls net, and the shell waits meanwhile.
  const pick: u32 = chosen != 0 ? chosen : server;
  msgStart(LABEL_NTP_SYNC);
  msgSetWordAt(0, 0n);
  msgSetWordAt(SYNC_SERVER, u64(pick));
  reply();
  timeout = FIRST_TIMEOUT;
  saidNoAnswer = false;
  saidNoServer = false;
  request();
}

/** Sends a request if the network is configured and a server known; else polls again later. */
function request(): void {
  if (!configured()) {
    state = State.Configuring;
    arm(POLL_NANOS);
    return;
  }
  if (!socket.opened()) {
    const e: u64 = socket.open(net, endpoint, SOCKET_VA, 0);
    if (e != 0n) {
      print(`ntp: no socket (${text(errorText, errorName(e))})`);
      state = State.Configuring;
      arm(POLL_NANOS);
      return;
    }
    posted = false;
  }
  if (!posted) posted = socket.receiveInto(RECEIVE_ID, RECEIVE_AT, SOCKET_MAX_DATAGRAM) != Status.Full;
  const wall: u64 = wallClock();
  const mono: u64 = now();
  wasSet = wall != 0n;
  base = wasSet ? u64(wall - mono) : 0n;
  const n: u32 = sntp.request(packet, 0, u64(mono + base));
  socket.channel.writeData(SEND_AT, packet, 0, n);
  socket.send(SEND_ID, SEND_AT, n, server, u16(NTP_PORT));
  state = State.Waiting;
  arm(timeout);
}

/** Asks net for its address and picks the server; false if there is no address or no server. */
function configured(): bool {
  msgStart(LABEL_NET_INFO);
  const c: u64 = errorOf(call(net));
  if (c != 0n || msgWordAt(0) != 0n || u32(msgWordAt(INFO_CONFIG)) == CONFIG_NONE) return false;
  const dhcp: u32 = u32(msgWordAt(INFO_SERVER));
  const gateway: u32 = u32(msgWordAt(INFO_GATEWAY));
  server = chosen != 0 ? chosen : dhcp != 0 ? dhcp : gateway;
  if (server == 0) {
    if (!saidNoServer) print("ntp: no time server known (the shell's ntp a.b.c.d names one)");
    saidNoServer = true;
    return false;
  }
  return true;
}

/** Takes the socket's completions: the reply (checked, then the clock is set), send failures. */
function completions(): void {
  if (!socket.opened()) return;
  while (socket.next(done)) {
    if (completionOp(done) != OP_RECEIVE) {
      if (done.code != ST_OK) print(`ntp: the request was not sent (status ${done.code}, stack code ${done.arg})`);
      continue;
    }
    posted = false;
    const at: u64 = now();
    if (done.code == ST_OK && sourceIp(done) == server && sourcePort(done) == u16(NTP_PORT) && done.length >= NTP_PACKET) {
      if (socket.channel.readData(done.offset, packet, 0, done.length)) answer(done.length, at);
    }
    posted = socket.receiveInto(RECEIVE_ID, RECEIVE_AT, SOCKET_MAX_DATAGRAM) != Status.Full;
  }
}

/** Checks a reply of n bytes received at monotonic time `at`; sets the clock if it is good. */
function answer(n: u32, at: u64): void {
  const s: SntpStatus = sntp.reply(packet, 0, n, u64(at + base), result);
  if (s == SntpStatus.NotWaiting || s == SntpStatus.BadOriginate) return; // late, duplicate or forged
  row.clear();
  appendIp(row, server);
  if (s != SntpStatus.Ok) {
    // The timeout's retry (with back-off) stands; it need not also say there was no answer.
    saidNoAnswer = true;
    if (s == SntpStatus.KissOfDeath) {
      for (let i: u32 = 0; i < 4; i++) kiss[i] = u8(result.kissCode >>> u32(24 - 8 * i));
      print(`ntp: reply from ${text(row.bytes, row.length)} refused: kiss-o'-death ${text(kiss, 4)}`);
    } else {
      print(`ntp: reply from ${text(row.bytes, row.length)} refused (SNTP status ${u32(s)})`);
    }
    return;
  }
  // result.time is the UTC time at `at`.
  const utc: u64 = u64(result.time + u64(now() - at));
  const e: u64 = errorOf(sysClockSet(clock, utc));
  if (e != 0n) {
    print(`ntp: clockSet failed (${text(errorText, errorName(e))})`);
    return;
  }
  const len: u32 = utcText(utc, timeText);
  const delay: i64 = i64(result.delay / 1000n);
  if (wasSet) {
    const offset: i64 = i64(result.offset / 1_000_000n);
    print(`ntp: clock set to ${text(timeText, len)} from ${text(row.bytes, row.length)} (offset ${offset} ms, delay ${delay} us)`);
  } else {
    print(`ntp: clock set to ${text(timeText, len)} from ${text(row.bytes, row.length)} (offset: the clock was not set; delay ${delay} us)`);
  }
  state = State.Synced;
  timeout = FIRST_TIMEOUT;
  saidNoAnswer = false;
  arm(RESYNC_NANOS);
}
