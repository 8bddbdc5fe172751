/**
 * The shell's network commands, through the net service (src/lib/net/ipc-protocol.ts):
 * `net` (address, gateway, lease, MAC, link, counters), `net drops` (frames
 * dropped, by reason) and `ping <a.b.c.d> [count]`.
 */
import { u8, u16, u32, u64, bool, print, text, slice } from "kts";
import { call, msgStart, msgSetWordAt, msgWordAt, errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { Line } from "../../lib/format";
import { now, sleepNanos, NANOS_PER_MILLI } from "../../lib/time";
import {
  LABEL_NET_INFO, LABEL_NET_PING, LABEL_NET_PING_RESULT, LABEL_NET_DROPS, DROPS_COUNT, DROPS_FIRST, DROPS_PER_CALL, INFO_IP, INFO_NETMASK, INFO_GATEWAY, INFO_LEASE, INFO_CONFIG,
  INFO_RECEIVED, INFO_ACCEPTED, INFO_DROPPED, INFO_SENT, INFO_SEND_FAILED, INFO_LINK, INFO_MAC, CONFIG_NONE, CONFIG_STATIC, CONFIG_NO_CARD,
  PING_FROM, PING_SEQ, PING_RTT, PING_TTL,
} from "../../lib/net/ipc-protocol";
import { appendIp, parseIp, prefixLength, NOT_AN_ADDRESS } from "../../lib/net/text";
import { dropName } from "../../lib/net/counters";
import { Words, NOT_A_NUMBER } from "./words";

const row = new Line();
/** How long ping waits for each reply. */
const PING_WAIT_NANOS: u64 = 1_000_000_000n;

/** net [drops]: the interface's configuration and counters, or its drops by reason. */
export function netCommand(net: u64, line: u8[], words: Words): void {
  if (words.count > 1) {
    if (words.length[1] == 5 && line[words.start[1]] == 0x64) netDrops(net); // drops
    else print("net: usage: net [drops]");
    return;
  }
  netInfo(net);
}

/** net drops: one line per reason with frames dropped, "net: dropped <Reason> <count>". */
function netDrops(net: u64): void {
  let reasons: u64 = 1n;
  let any: bool = false;
  for (let first: u64 = 0n; first < reasons; first = u64(first + u64(DROPS_PER_CALL))) {
    msgStart(LABEL_NET_DROPS);
    msgSetWordAt(0, first);
    const e: u64 = errorOf(call(net));
    const r: u64 = e != 0n ? e : errorOf(msgWordAt(0));
    if (r != 0n) {
      print(`net: ${text(errorText, errorName(r))}`);
      return;
    }
    reasons = msgWordAt(DROPS_COUNT);
    for (let i: u32 = 0; i < DROPS_PER_CALL; i++) {
      const reason: u64 = u64(first + u64(i));
      const count: u64 = msgWordAt(u32(DROPS_FIRST + i));
      if (reason >= reasons || count == 0n) continue;
      row.clear();
      row.length = dropName(u32(reason), row.bytes, 0);
      print(`net: dropped ${text(row.bytes, row.length)} ${count}`);
      any = true;
    }
  }
  if (!any) print("net: nothing dropped");
}

/** net: the interface's configuration and counters. */
function netInfo(net: u64): void {
  msgStart(LABEL_NET_INFO);
  const e: u64 = errorOf(call(net));
  const r: u64 = e != 0n ? e : errorOf(msgWordAt(0));
  if (r != 0n) {
    print(`net: ${text(errorText, errorName(r))}`);
    return;
  }
  row.clear();
  const config: u32 = u32(msgWordAt(INFO_CONFIG));
  if (config == CONFIG_NO_CARD) {
    print("net: no network card (boot with cambi run --net user)");
    return;
  }
  if (config == CONFIG_NONE) print("net: no address yet (DHCP)");
  else {
    appendIp(row, u32(msgWordAt(INFO_IP)));
    row.byte(0x2f);
    row.decimal(u64(prefixLength(u32(msgWordAt(INFO_NETMASK)))));
    if (config == CONFIG_STATIC) print(`net: address ${text(row.bytes, row.length)}, static (boot command line)`);
    else print(`net: address ${text(row.bytes, row.length)}, lease ${msgWordAt(INFO_LEASE)} s`);
    row.clear();
    appendIp(row, u32(msgWordAt(INFO_GATEWAY)));
    print(`net: gateway ${text(row.bytes, row.length)}`);
  }
  row.clear();
  const mac: u64 = msgWordAt(INFO_MAC);
  for (let i: u32 = 0; i < 6; i++) {
    if (i > 0) row.byte(0x3a);
    row.hexDigits(u64(u64(mac >> u64(8 * i)) & 0xffn), 2);
  }
  print(`net: MAC ${text(row.bytes, row.length)}, link up ${msgWordAt(INFO_LINK) == 1n}`);
  print(`net: frames received ${msgWordAt(INFO_RECEIVED)}, accepted ${msgWordAt(INFO_ACCEPTED)}, dropped ${msgWordAt(INFO_DROPPED)}, sent ${msgWordAt(INFO_SENT)}, failed ${msgWordAt(INFO_SEND_FAILED)}`);
}

/** ping <a.b.c.d> [count]: echo requests through the net service, one a second at most, each awaited up to a second. */
export function ping(net: u64, line: u8[], words: Words): void {
  if (words.count < 2) {
    print("ping: usage: ping <a.b.c.d> [count]");
    return;
  }
  const dst: u64 = parseIp(line, words.start[1], words.length[1]);
  if (dst == NOT_AN_ADDRESS) {
    print(`ping: '${text(slice(line, words.start[1], line.length), words.length[1])}' is not an IPv4 address`);
    return;
  }
  let count: u64 = 3n;
  if (words.count > 2) {
    count = words.number(line, 2);
    if (count == NOT_A_NUMBER || count == 0n || count > 100n) {
      print("ping: the count is a number from 1 to 100");
      return;
    }
  }
  row.clear();
  appendIp(row, u32(dst));
  let answered: u64 = 0n;
  for (let seq: u64 = 1n; seq <= count; seq = u64(seq + 1n)) {
    msgStart(LABEL_NET_PING);
    msgSetWordAt(0, dst);
    msgSetWordAt(1, seq);
    const e: u64 = errorOf(call(net));
    if (e != 0n) {
      print(`ping: the net service did not answer (${text(errorText, errorName(e))})`);
      return;
    }
    if (msgWordAt(0) != 0n) {
      // The stack's Send code (+1), negated: no address yet, no route, table full...
      print(`ping: not sent (stack refusal ${u64(0n - msgWordAt(0))})`);
      return;
    }
    const start: u64 = now();
    let got: bool = false;
    while (u64(now() - start) < PING_WAIT_NANOS) {
      msgStart(LABEL_NET_PING_RESULT);
      if (errorOf(call(net)) == 0n && msgWordAt(0) == 0n && u64(msgWordAt(PING_SEQ)) == u64(u16(seq))) {
        const rtt: u64 = msgWordAt(PING_RTT);
        print(`ping: reply from ${text(row.bytes, row.length)} seq ${seq} ttl ${msgWordAt(PING_TTL)} time ${u64(rtt / 1000n)} us`);
        answered = u64(answered + 1n);
        got = true;
        break;
      }
      sleepNanos(u64(5n * NANOS_PER_MILLI));
    }
    if (!got) print(`ping: no reply from ${text(row.bytes, row.length)} seq ${seq}`);
  }
  print(`ping: ${count} sent, ${answered} answered`);
}
