/**
 * nictest (net tier): the virtio-net driver's client for the driver test. It
 * opens the NIC, posts receive buffers, and asks QEMU's user network for the
 * gateway's MAC address with an ARP request (10.0.2.15 asking for 10.0.2.2),
 * sent from and answered into the channel's buffers; then it prints the driver's
 * counters. Capabilities: [0] endpoint "nic" (send).
 */
import { u8, u32, u64, usize, bool, array, print, text } from "kts";
import { capAt, msgWordAt } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { Entry } from "../../lib/channel/channel";
import { Line } from "../../lib/format";
import { NicClient } from "../../lib/nic/client";
import { OP_RECEIVE, ST_OK, STATS_RX_FRAMES, STATS_TX_FRAMES, STATS_ERRORS, STATS_LINK, FRAME_MAX } from "../../lib/nic/protocol";

const NIC_VA: usize = 0x3_0000_0000n;
const BUFFER: u32 = 2048;
const RECEIVE_BUFFERS: u32 = 16;
/** The send buffer follows the receive buffers. */
const SEND_AT: u32 = u32(RECEIVE_BUFFERS * BUFFER);
const GATEWAY: u32 = 0x0a00_0202; // 10.0.2.2
const US: u32 = 0x0a00_020f; // 10.0.2.15
const TRIES: u32 = 20;

const nic = new NicClient();
const done = new Entry();
const frame: u8[] = array(FRAME_MAX, 0);
const row = new Line();

export function main(): u32 {
  const e: u64 = nic.open(capAt(0n), NIC_VA, 0n);
  if (e != 0n) {
    print(`nictest: open failed (${text(errorText, errorName(e))})`);
    return 1;
  }
  print(`nictest: opened, ${nic.bytes} bytes of channel, MTU ${nic.mtu}, link ${nic.link}`);
  for (let i: u32 = 0; i < RECEIVE_BUFFERS; i++) nic.receiveInto(i, u32(i * BUFFER), BUFFER);
  for (let attempt: u32 = 0; attempt < TRIES; attempt++) {
    arpRequest();
    nic.channel.writeData(SEND_AT, frame, 0, 42);
    nic.send(1000, SEND_AT, 42);
    // A few waits per request: the send completes first, the answer (if any) after it.
    for (let w: u32 = 0; w < 3; w++) {
      const r: u64 = nic.wait();
      if (r != 0n) {
        print(`nictest: wait failed (${text(errorText, errorName(r))})`);
        return 1;
      }
      while (nic.next(done)) {
        if (done.arg != u64(OP_RECEIVE)) continue;
        if (done.code == ST_OK && isArpReply()) {
          printStats();
          return 0;
        }
        // Not the answer: the buffer goes back to the device.
        nic.receiveInto(done.id, u32(done.id * BUFFER), BUFFER);
      }
    }
  }
  print("nictest: no ARP reply from the gateway");
  printStats();
  return 1;
}

/** An ARP request from our MAC and address for the gateway's, broadcast. */
function arpRequest(): void {
  for (let i: u32 = 0; i < 6; i++) {
    frame[i] = 0xff;
    frame[u32(6 + i)] = u8(u64(nic.mac >> u64(8 * i)) & 0xffn);
    frame[u32(22 + i)] = frame[u32(6 + i)];
    frame[u32(32 + i)] = 0;
  }
  frame[12] = 0x08; // ARP
  frame[13] = 0x06;
  const fixed: u8[] = array(8, 0);
  // Ethernet (1), IPv4 (0x0800), address sizes 6 and 4, request (1).
  fixed[1] = 1;
  fixed[2] = 0x08;
  fixed[4] = 6;
  fixed[5] = 4;
  fixed[7] = 1;
  for (let i: u32 = 0; i < 8; i++) frame[u32(14 + i)] = fixed[i];
  for (let i: u32 = 0; i < 4; i++) {
    frame[u32(28 + i)] = u8(u32(US >>> u32(24 - 8 * i)) & 0xff);
    frame[u32(38 + i)] = u8(u32(GATEWAY >>> u32(24 - 8 * i)) & 0xff);
  }
}

/** The received frame is an ARP reply from the gateway: print its MAC. */
function isArpReply(): bool {
  if (done.length < 42) return false;
  nic.channel.readData(done.offset, frame, 0, 42);
  if (frame[12] != 0x08 || frame[13] != 0x06 || frame[21] != 2) return false;
  for (let i: u32 = 0; i < 4; i++) if (frame[u32(28 + i)] != u8(u32(GATEWAY >>> u32(24 - 8 * i)) & 0xff)) return false;
  row.clear();
  for (let i: u32 = 0; i < 6; i++) {
    if (i > 0) row.byte(0x3a);
    row.hexDigits(u64(frame[u32(22 + i)]), 2);
  }
  print(`nictest: ARP reply: 10.0.2.2 is at ${text(row.bytes, row.length)} (${done.length} bytes received in place)`);
  return true;
}

function printStats(): void {
  if (nic.stats() != 0n) return;
  print(`nictest: driver counters: received ${msgWordAt(STATS_RX_FRAMES)}, sent ${msgWordAt(STATS_TX_FRAMES)}, errors ${msgWordAt(STATS_ERRORS)}, link ${msgWordAt(STATS_LINK)}`);
}
