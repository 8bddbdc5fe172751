/**
 * The shell's `ntp [a.b.c.d]`: asks the ntp service (src/lib/net/ntp-protocol.ts)
 * to set the clock now, from that server (and from then on) if one is given.
 * The service answers at once; it prints the outcome itself when the server's
 * reply comes (`ntp: clock set to ...`), and `date` shows the clock.
 */
import { u8, u32, u64, print, text, slice } from "kts";
import { call, msgStart, msgSetWordAt, msgWordAt, errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { Line } from "../../lib/format";
import { appendIp, parseIp, NOT_AN_ADDRESS } from "../../lib/net/text";
import { LABEL_NTP_SYNC, SYNC_SERVER } from "../../lib/net/ntp-protocol";
import { Words } from "./words";

const row = new Line();

export function ntp(service: u64, line: u8[], words: Words): void {
  let server: u64 = 0n;
  if (words.count > 2) {
    print("ntp: usage: ntp [a.b.c.d]");
    return;
  }
  if (words.count == 2) {
    server = parseIp(line, words.start[1], words.length[1]);
    if (server == NOT_AN_ADDRESS || server == 0n) {
      print(`ntp: '${text(slice(line, words.start[1], line.length), words.length[1])}' is not an IPv4 address`);
      return;
    }
  }
  msgStart(LABEL_NTP_SYNC);
  msgSetWordAt(0, server);
  const e: u64 = errorOf(call(service));
  const r: u64 = e != 0n ? e : errorOf(msgWordAt(0));
  if (r != 0n) {
    print(`ntp: the time service did not take it (${text(errorText, errorName(r))})`);
    return;
  }
  const asked: u32 = u32(msgWordAt(SYNC_SERVER));
  if (asked == 0) {
    print("ntp: syncing once the network has an address and a server");
    return;
  }
  row.clear();
  appendIp(row, asked);
  print(`ntp: asking ${text(row.bytes, row.length)}`);
}
