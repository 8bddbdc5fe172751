/**
 * udpecho: the UDP echo service (RFC 862) on port 7, through a socket of the
 * net service (src/lib/net/socket.ts): every datagram is sent back to where
 * it came from, from the buffer it arrived in (no copy here). The data area is
 * cut into BUFFER-byte buffers, each handed to net to receive into; a
 * received one goes out again as a send request, and when that completes it
 * is handed back for receiving. Single-threaded: it waits in receive on its
 * own endpoint for net's notifications and its timer (serveSocket: if net
 * restarted and no longer knows the socket, it opens another).
 *
 * Capabilities: [0] endpoint "udpecho" (send, receive, grant), [1] endpoint
 * "net" (send).
 */
import { u16, u32, u64, print, text } from "kts";
import { capAt } from "../../lib/ipc/message";
import { errorText, errorName } from "../../lib/errors";
import { Entry } from "../../lib/channel/channel";
import { OP_RECEIVE, ST_OK } from "../../lib/net/socket-protocol";
import { UdpClient, serveSocket, completionOp, sourceIp, sourcePort } from "../../lib/net/socket";

const ECHO_PORT: u16 = 7;
const SOCKET_VA: u64 = 0x3_0000_0000n;
const BUFFER: u32 = 1536;
const MAX_BUFFERS: u32 = 16;
/** A line every this many datagrams. */
const REPORT_EVERY: u64 = 10_000n;

const socket = new UdpClient();
const done = new Entry();

let echoed: u64 = 0n;
let failed: u64 = 0n;

export function main(): u32 {
  const endpoint: u64 = capAt(0n);
  const net: u64 = capAt(1n);
  for (;;) {
    socket.openPatiently(net, endpoint, SOCKET_VA, ECHO_PORT);
    let buffers: u32 = u32(socket.channel.dataSize() / BUFFER);
    if (buffers > MAX_BUFFERS) buffers = MAX_BUFFERS;
    for (let i: u32 = 0; i < buffers; i++) socket.receiveInto(i, u32(i * BUFFER), BUFFER);
    print(`udpecho: echoing UDP port ${socket.port} (${buffers} buffers)`);
    const r: u64 = serveSocket(socket, endpoint, done, handle);
    if (r != 0n) {
      print(`udpecho: receive failed (${text(errorText, errorName(r))})`);
      return 1;
    }
    print("udpecho: net no longer knows the socket (it restarted): opening another");
  }
}

function handle(done: Entry): void {
  const id: u32 = done.id;
  const offset: u32 = u32(id * BUFFER);
  if (completionOp(done) == OP_RECEIVE) {
    if (done.code == ST_OK) {
      socket.send(id, done.offset, done.length, sourceIp(done), sourcePort(done));
      return;
    }
  } else {
    if (done.code == ST_OK) echoed = u64(echoed + 1n);
    else failed = u64(failed + 1n);
    if (u64(u64(echoed + failed) % REPORT_EVERY) == 0n) print(`udpecho: ${echoed} datagrams echoed, ${failed} not sent`);
  }
  socket.receiveInto(id, offset, BUFFER);
}
