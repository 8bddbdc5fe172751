/**
 * netbench (netbench tier, for `cambi bench`): answers every UDP datagram on
 * port 9000 with the guest's clocks, so that the peer driving a UDP workload
 * from the host can read how much guest work it cost: 16 bytes, little-endian,
 * the monotonic clock (ns) and the time the CPUs spent halted (ns, memInfo).
 * Under QEMU's `-icount shift=0` a virtual nanosecond is one guest
 * instruction, so the busy time between two answers is the guest
 * instructions spent in between (bench/net/udp.ts).
 *
 * Capabilities: [0] endpoint "netbench" (send, receive, grant), [1] endpoint
 * "net" (send), [2] system (receive: memInfo).
 */
import { u8, u16, u32, u64, array, print, text } from "kts";
import { capAt, errorOf } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { readMemInfo, memRecord } from "../../lib/inspect";
import { field64 } from "../../lib/records";
import { MEM_INFO_IDLE_NANOS } from "../../lib/sys/syscalls.generated";
import { now } from "../../lib/time";
import { Entry } from "../../lib/channel/channel";
import { OP_RECEIVE, ST_OK } from "../../lib/net/socket-protocol";
import { UdpClient, serveSocket, completionOp, sourceIp, sourcePort } from "../../lib/net/socket";

const PORT: u16 = 9000;
const SOCKET_VA: u64 = 0x3_0000_0000n;
const BUFFER: u32 = 64;
const BUFFERS: u32 = 4;
const ANSWER: u32 = 16;

const socket = new UdpClient();
const done = new Entry();
const answer: u8[] = array(ANSWER, 0);

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  for (;;) {
    socket.openPatiently(capAt(1n), endpoint, SOCKET_VA, PORT);
    for (let i: u32 = 0; i < BUFFERS; i++) socket.receiveInto(i, u32(i * BUFFER), BUFFER);
    print(`netbench: answering UDP port ${PORT} with the guest's clocks`);
    const r: u64 = serveSocket(socket, endpoint, done, handle);
    if (r != 0n) {
      print(`netbench: receive failed (${text(errorText, errorName(r))})`);
      return 1;
    }
  }
}

function handle(done: Entry): void {
  const id: u32 = done.id;
  const offset: u32 = u32(id * BUFFER);
  if (completionOp(done) == OP_RECEIVE && done.code == ST_OK) {
    putWord(0, now());
    putWord(8, idleNanos());
    if (socket.channel.writeData(offset, answer, 0, ANSWER)) {
      socket.send(id, offset, ANSWER, sourceIp(done), sourcePort(done));
      return;
    }
  }
  socket.receiveInto(id, offset, BUFFER);
}

function putWord(at: u32, v: u64): void {
  for (let i: u32 = 0; i < 8; i++) answer[u32(at + i)] = u8(u64(v >> u64(8 * i)) & 0xffn);
}

function idleNanos(): u64 {
  if (errorOf(readMemInfo(capAt(2n))) != 0n) return 0n;
  return field64(memRecord, MEM_INFO_IDLE_NANOS);
}
