"use unsafe";
/**
 * net: the network stack service (src/lib/net/stack.ts) between the NIC driver
 * and the services that use the network. Single-threaded: it waits in receive
 * on its endpoint for three kinds of message, and never blocks anywhere else:
 *  - the driver's notifications (NIC protocol, LABEL_NOTIFY): completions on
 *    the channel: received frames go through the stack and their buffers back
 *    to the device; sent frames' buffers come free;
 *  - its timer (timerSet, every TICK_NANOS): ARP, ping and DHCP timers;
 *  - calls of the net protocol (src/lib/net/ipc-protocol.ts), answered at once.
 * It configures the interface by DHCP at start, or after STATIC_AFTER without
 * a lease by the boot command line's net.static= (bootArgs). If the driver
 * dies, the next kick or notification fails: net opens the NIC again (waiting
 * for init to restart the driver) and goes on; frames in flight are lost,
 * never corrupted. A driver without a card answers OPEN with Invalid: net then
 * stays up with the network down (`down`), answering its callers.
 *
 * Capabilities: [0] endpoint "nic" (send), [1] endpoint "net" (send, receive,
 * grant), [2] random (a seed for DHCP transaction ids and ephemeral ports),
 * [3..10] memory (the UDP sockets' regions: sockets.ts).
 */
import { u8, u16, u32, u64, usize, bool, array, arrayOf, min, print, text } from "kts";
import { sysCapDerive, sysRandom, sysTaskId, sysTimerSet, sysBootArgs } from "../../lib/sys/syscalls.generated";
import { capAt, receive, reply, msgLabel, msgStart, msgSetWordAt, msgWordAt, msgIsCall, msgSender, errorOf } from "../../lib/ipc/message";
import { KERNEL_SENDER, LABEL_TIMER } from "../../lib/ipc/protocol";
import { ERR_INVALID, errorText, errorName } from "../../lib/errors";
import { addressOf } from "kts/unsafe";
import { now } from "../../lib/time";
import { Entry } from "../../lib/channel/channel";
import { Line } from "../../lib/format";
import { NicClient } from "../../lib/nic/client";
import { LABEL_NOTIFY, OP_RECEIVE, ST_OK, STATS_CLIENT } from "../../lib/nic/protocol";
import { NetStack, Send } from "../../lib/net/stack";
import { PingReply } from "../../lib/net/icmp";
import { ETH_MAX_FRAME } from "../../lib/net/ethernet";
import { appendIp, prefixLength } from "../../lib/net/text";
import { NetConfig } from "../../lib/net/config";
import { StaticConfig, staticConfig } from "../../lib/net/static-config";
import { socketsInit, socketCall, socketsRun } from "./sockets";
import {
  LABEL_NET_INFO, LABEL_NET_PING, LABEL_NET_PING_RESULT, LABEL_NET_DROPS, DROPS_COUNT, DROPS_FIRST, DROPS_PER_CALL, INFO_IP, INFO_NETMASK, INFO_GATEWAY, INFO_LEASE, INFO_CONFIG,
  INFO_RECEIVED, INFO_ACCEPTED, INFO_DROPPED, INFO_SENT, INFO_SEND_FAILED, INFO_LINK, INFO_MAC, INFO_SERVER,
  CONFIG_NONE, CONFIG_DHCP, CONFIG_STATIC, CONFIG_NO_CARD, PING_FROM, PING_SEQ, PING_RTT, PING_TTL,
} from "../../lib/net/ipc-protocol";

const NIC_VA: usize = 0x3_0000_0000n;
const BUFFER: u32 = 2048;
const RX_BUFFERS: u32 = 48;
const TX_BUFFERS: u32 = 32;
/** Transmit buffers follow the receive buffers in the channel's data area. */
const TX_FIRST: u32 = RX_BUFFERS;
const TICK_NANOS: u64 = 100_000_000n;
const RIGHTS_SEND_GRANT: u64 = 5n;
/** The boot command line's net.static= is taken when DHCP has not configured us this long after start. */
const STATIC_AFTER: u64 = 10_000_000_000n;

const nic = new NicClient();
const stack = new NetStack();
const done = new Entry();
const frame: u8[] = array(ETH_MAX_FRAME, 0);
const txFree: bool[] = array(TX_BUFFERS, true);
const pong = new PingReply();
const seedBytes: u8[] = array(8, 0);
const row = new Line();
const macBytes: u8[] = array(6, 0);

let nicEndpoint: u64 = 0n;
let netEndpoint: u64 = 0n;
let seed: u32 = 0;
/** No network card (the driver found none): callers are served, nothing is sent or received. */
let down: bool = false;
/** net.static= from the boot command line, while it waits to be the fallback. */
const fallback = new NetConfig();
let fallbackPending: bool = false;
let startedAt: u64 = 0n;
const bootArgs: u8[] = array(256, 0);
/** The configuration last printed (its address), to say when it changes. */
let shownIp: u32 = 0;

export function main(): u32 {
  nicEndpoint = capAt(0n);
  netEndpoint = capAt(1n);
  if (errorOf(sysRandom(capAt(2n), addressOf(seedBytes), 8n)) == 0n) {
    seed = u32(u32(seedBytes[0]) | u32(u32(seedBytes[1]) << 8) | u32(u32(seedBytes[2]) << 16) | u32(u32(seedBytes[3]) << 24));
  }
  const opened: u64 = openNic();
  if (opened == ERR_INVALID) down = true;
  else if (opened != 0n) return 1;
  for (let i: u32 = 0; i < 6; i++) macBytes[i] = u8(u64(nic.mac >> u64(8 * i)) & 0xffn);
  stack.init(macBytes, 0, seed);
  socketsInit(3);
  if (!down) stack.startDhcp(now(), seed);
  readStaticConfig();
  flush();
  sysTimerSet(netEndpoint, TICK_NANOS);
  for (;;) {
    const e: u64 = errorOf(receive(netEndpoint));
    if (e != 0n) {
      print(`net: receive failed (${text(errorText, errorName(e))})`);
      return 1;
    }
    const label: u32 = msgLabel();
    const fromKernel: bool = msgSender() == KERNEL_SENDER;
    if (fromKernel && label == LABEL_TIMER) {
      // A restarted driver does not know us: its notifications stopped with the old one.
      if (!down && !nicAlive()) reopen();
      stack.tick(now());
      if (fallbackPending && stack.config.ip == 0 && u64(now() - startedAt) >= STATIC_AFTER) useStatic();
      sysTimerSet(netEndpoint, TICK_NANOS);
      collect();
    } else if (!fromKernel && label == LABEL_NOTIFY && !msgIsCall()) {
      // The driver's (or anyone's: polling the channel is harmless); a call is answered below.
      collect();
    } else if (msgIsCall()) {
      if (label == LABEL_NET_INFO) info();
      else if (label == LABEL_NET_PING) ping();
      else if (label == LABEL_NET_PING_RESULT) pingResult();
      else if (label == LABEL_NET_DROPS) drops();
      else if (!socketCall(stack, label)) answer(label, ERR_INVALID);
    }
    socketsRun(stack, flush);
    reportConfig();
  }
}

/** The fallback configuration of the boot command line (net.static=A.B.C.D/N[,GATEWAY]), said if malformed. */
function readStaticConfig(): void {
  startedAt = now();
  const r: u64 = sysBootArgs(addressOf(bootArgs), u64(bootArgs.length));
  if (errorOf(r) != 0n) return;
  const length: u32 = r < u64(bootArgs.length) ? u32(r) : bootArgs.length;
  const found: StaticConfig = staticConfig(bootArgs, length, fallback);
  if (found == StaticConfig.Malformed) print("net: net.static= on the boot command line is not A.B.C.D/N or A.B.C.D/N,GATEWAY (on the subnet): ignored");
  fallbackPending = found == StaticConfig.Ok && !down;
}

/** DHCP did not configure us in time: the static configuration, and DHCP stops. */
function useStatic(): void {
  fallbackPending = false;
  print("net: no DHCP lease after 10 s: using net.static= from the boot command line");
  stack.configure(fallback);
}

/**
 * Opens the NIC (waiting for its driver), asking to be notified; posts every
 * receive buffer. 0, or the error: Invalid is the driver's answer when it
 * found no card.
 */
function openNic(): u64 {
  const notify: u64 = sysCapDerive(netEndpoint, u64(sysTaskId()), RIGHTS_SEND_GRANT, 0n, 0n);
  if (errorOf(notify) != 0n) {
    print(`net: cannot make a notification capability (${text(errorText, errorName(errorOf(notify)))})`);
    return errorOf(notify);
  }
  const e: u64 = nic.open(nicEndpoint, NIC_VA, notify);
  if (e == ERR_INVALID) {
    print("net: no network card: the network stays down");
    return e;
  }
  if (e != 0n) {
    print(`net: the NIC did not open (${text(errorText, errorName(e))})`);
    return e;
  }
  // No more receive buffers than the device holds: more would wait on the ring in front of our sends.
  const posted: u32 = min(RX_BUFFERS, nic.receiveBuffers);
  for (let i: u32 = 0; i < posted; i++) nic.receiveInto(i, u32(i * BUFFER), BUFFER);
  for (let i: u32 = 0; i < TX_BUFFERS; i++) txFree[i] = true;
  nic.kick();
  return 0n;
}

/** The driver still has our channel open (a call: it waits while init restarts a dead driver). */
function nicAlive(): bool {
  const e: u64 = nic.stats();
  return e == 0n && msgWordAt(STATS_CLIENT) == 1n;
}

/** The driver went away: a fresh channel once init has restarted it; what was in flight is lost. */
function reopen(): void {
  print("net: the NIC driver is gone; opening it again");
  if (openNic() == 0n) print("net: the NIC is back");
}

/** Takes the driver's completions: received frames into the stack (buffer back to the device), sent buffers free. */
function collect(): void {
  if (down) return;
  while (nic.next(done)) {
    if (done.arg == u64(OP_RECEIVE)) {
      if (done.code == ST_OK && done.length <= ETH_MAX_FRAME && nic.channel.readData(done.offset, frame, 0, done.length)) {
        stack.receive(frame, done.length, now());
      }
      if (done.id < RX_BUFFERS) nic.receiveInto(done.id, u32(done.id * BUFFER), BUFFER);
    } else if (done.id >= TX_FIRST && done.id < u32(TX_FIRST + TX_BUFFERS)) {
      txFree[u32(done.id - TX_FIRST)] = true;
    }
  }
  flush();
}

/** Moves the stack's outgoing frames into free transmit buffers and hands them (and re-posted receive buffers) to the driver. */
function flush(): void {
  if (down) return;
  for (let b: u32 = 0; b < TX_BUFFERS; b++) {
    if (stack.txPending() == 0) break;
    if (!txFree[b]) continue;
    const len: u32 = stack.txTake(frame);
    const offset: u32 = u32(u32(TX_FIRST + b) * BUFFER);
    if (!nic.channel.writeData(offset, frame, 0, len)) continue;
    txFree[b] = false;
    nic.send(u32(TX_FIRST + b), offset, len);
  }
  if (errorOf(nic.kick()) != 0n) reopen();
}

function answer(label: u32, err: u64): void {
  msgStart(label);
  msgSetWordAt(0, u64(0n - err));
  reply();
}

function configKind(): u32 {
  if (down) return CONFIG_NO_CARD;
  if (stack.config.ip == 0) return CONFIG_NONE;
  return stack.config.server == 0 ? CONFIG_STATIC : CONFIG_DHCP;
}

function info(): void {
  const c = stack.counters;
  msgStart(LABEL_NET_INFO);
  msgSetWordAt(0, 0n);
  msgSetWordAt(INFO_IP, u64(stack.config.ip));
  msgSetWordAt(INFO_NETMASK, u64(stack.config.netmask));
  msgSetWordAt(INFO_GATEWAY, u64(stack.config.gateway));
  msgSetWordAt(INFO_LEASE, u64(stack.config.leaseSecs));
  msgSetWordAt(INFO_CONFIG, u64(configKind()));
  msgSetWordAt(INFO_RECEIVED, c.received);
  msgSetWordAt(INFO_ACCEPTED, c.accepted);
  msgSetWordAt(INFO_DROPPED, c.dropped);
  msgSetWordAt(INFO_SENT, c.sent);
  msgSetWordAt(INFO_SEND_FAILED, c.sendFailed);
  msgSetWordAt(INFO_LINK, u64(nic.link));
  msgSetWordAt(INFO_MAC, nic.mac);
  msgSetWordAt(INFO_SERVER, u64(stack.config.server));
  reply();
}

function ping(): void {
  const dst: u32 = u32(msgWordAt(0));
  const seq: u16 = u16(msgWordAt(1));
  const r: Send = stack.ping(dst, u16(u32(msgSender()) + 0x4300), seq, now());
  flush();
  msgStart(LABEL_NET_PING);
  msgSetWordAt(0, r == Send.Sent || r == Send.Pending ? 0n : u64(0n - u64(u32(r) + 1)));
  reply();
}

/** The drop counters from reason msgWordAt(0) on (ipc-protocol.ts DROPS). */
function drops(): void {
  const first: u64 = msgWordAt(0);
  const c = stack.counters;
  msgStart(LABEL_NET_DROPS);
  msgSetWordAt(0, 0n);
  msgSetWordAt(DROPS_COUNT, u64(c.drops.length));
  for (let i: u32 = 0; i < DROPS_PER_CALL; i++) {
    const r: u64 = u64(first + u64(i));
    msgSetWordAt(u32(DROPS_FIRST + i), r < u64(c.drops.length) ? c.drops[u32(r)] : 0n);
  }
  reply();
}

function pingResult(): void {
  msgStart(LABEL_NET_PING_RESULT);
  if (!stack.pingTake(pong)) {
    msgSetWordAt(0, 0xffff_ffff_ffff_ffffn);
    reply();
    return;
  }
  msgSetWordAt(0, 0n);
  msgSetWordAt(PING_FROM, u64(pong.from));
  msgSetWordAt(PING_SEQ, u64(pong.seq));
  msgSetWordAt(PING_RTT, pong.rtt);
  msgSetWordAt(PING_TTL, u64(pong.ttl));
  reply();
}

/** Says when the address changes (a lease, its loss). */
function reportConfig(): void {
  const ip: u32 = stack.config.ip;
  if (ip == shownIp) return;
  shownIp = ip;
  if (ip == 0) {
    print("net: no address");
    return;
  }
  row.clear();
  appendIp(row, ip);
  row.byte(0x2f); // /
  row.decimal(u64(prefixLength(stack.config.netmask)));
  row.append(GATEWAY_TEXT, 0, GATEWAY_TEXT.length);
  appendIp(row, stack.config.gateway);
  if (stack.config.server == 0) print(`net: ${text(row.bytes, row.length)} (static, from the boot command line)`);
  else print(`net: ${text(row.bytes, row.length)} (DHCP lease ${stack.config.leaseSecs} s)`);
}

/** " gateway " */
const GATEWAY_TEXT: u8[] = arrayOf([0x20, 0x67, 0x61, 0x74, 0x65, 0x77, 0x61, 0x79, 0x20]);
