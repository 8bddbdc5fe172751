/**
 * UDP sockets over IPC: the net service's socket protocol (the server side is
 * src/services/net/sockets.ts, the client library src/lib/net/socket.ts).
 *
 * A socket is a capability. The net service holds SOCKET_REGIONS memory
 * regions (its manifest), one per socket; opening a socket binds a port in
 * the stack, sets up a channel (src/lib/channel, docs/channels.md) in the
 * socket's region with net as the server, and places a capability to the
 * region (map, write) in the caller's table. Whoever holds that capability
 * holds the socket: datagrams move through the channel, IPC carries only
 * notifications, and the net service never blocks a caller (every call is
 * answered at once; nothing waits for a client).
 *
 * OPEN (call): word 0 = the local port (0: an ephemeral one, 49152..65535).
 *   The message carries one capability: SEND (and GRANT, to be carried) on
 *   the caller's own endpoint, where net sends NOTIFY. The caller maps the
 *   region once (its capability has two uses: one for the mapping, the one
 *   left is how net sees that the capability still exists) and attaches as
 *   the client. Answer: word 0 = 0 or -error; word 1 = the socket's handle,
 *   2 = the region capability (the caller's handle), 3 = the region's bytes,
 *   4 = the port bound. Errors: Invalid (no capability carried, a port above
 *   65535), AddressInUse (the port is bound), NoMemory (every socket is
 *   taken, or the caller holds SOCKETS_PER_CLIENT), or the error of placing
 *   the capability. On an error the carried capability is dropped.
 * CLOSE (call, from the task that opened): word 0 = the handle. The port is
 *   unbound and the region capability revoked (the caller's mapping goes).
 *   Answer word 0 = 0, or -Invalid (not an open socket of the caller).
 * CHECK (call): word 0 = the handle. Answer word 0 = 0 if it is an open
 *   socket of the caller, else -Invalid: how a client that only waits for
 *   notifications learns that net restarted (and knows its sockets no more).
 * KICK (asynchronous, no answer): word 0 = the handle: the client queued
 *   requests on a ring net had found empty (pushRequest returned Notify).
 * NOTIFY (asynchronous, net -> the endpoint carried with OPEN): word 0 = the
 *   handle: completions are waiting (pushCompletion or popRequest returned
 *   Notify). A client blocks in receive on its own endpoint, never in a call.
 *
 * The socket ends with CLOSE, with a protocol error on its channel (the
 * channel library's Protocol result: the socket alone is closed and its
 * capability revoked), a request net cannot take (below), or when net sees
 * that the client's capability is gone (the client ended: its capability's
 * remaining use returned to net's; checked every couple of seconds).
 *
 * Channel: SOCKET_RING entries each way; the rest of the region is the data
 * area, divided into buffers as the client likes.
 *
 * Requests:
 *   OP_SEND: data [offset, offset + length) (0..1472 bytes) is one datagram;
 *     arg = destination IPv4 << 16 | destination port. Completed at once with
 *     the same id, offset and length: status ST_OK (value = the stack's Send
 *     code: 0 on the transmit queue, 1 waiting for ARP) or ST_NOT_SENT (value
 *     = Send code: no route, no address yet, transmit queue full, ...), or
 *     ST_INVALID (too long, port 0).
 *   OP_RECEIVE: data [offset, offset + length) (length >= 1) is a buffer for
 *     one received datagram. Net keeps it until a datagram comes, then
 *     completes it: ST_OK, offset = the buffer's, length = the bytes written
 *     (the datagram's, cut to the buffer's length), value = source IPv4 << 16
 *     | source port. A client has at most SOCKET_RING requests outstanding
 *     (buffers held by net included): net holds at most that many buffers, and
 *     one more is a protocol error.
 * Completions: id = the request's, code = the status, offset and length as
 *   above, arg = the value, arg2 = the opcode | the datagram's full length << 32
 *   (receives: more than `length` means the datagram was cut).
 *
 * Datagrams wait in the stack's per-socket queue (32 datagrams, 16 KiB) until
 * the client hands over buffers: a client that never does loses what does not
 * fit, counted as the stack's QueueFull drops and the socket's overflows; it
 * harms no one else.
 */
import { u32 } from "kts";

export const LABEL_SOCKET_OPEN = 0x4e53_4f50; // "NSOP"
export const LABEL_SOCKET_CLOSE = 0x4e53_434c; // "NSCL"
export const LABEL_SOCKET_KICK = 0x4e53_4b4b; // "NSKK"
export const LABEL_SOCKET_NOTIFY = 0x4e53_4e54; // "NSNT"
export const LABEL_SOCKET_CHECK = 0x4e53_434b; // "NSCK"

export const OPEN_HANDLE: u32 = 1;
export const OPEN_REGION: u32 = 2;
export const OPEN_BYTES: u32 = 3;
export const OPEN_PORT: u32 = 4;

/** Sockets the net service has (its manifest's memory regions), and pages each. */
export const SOCKET_REGIONS: u32 = 8;
export const SOCKET_PAGES: u32 = 8;
export const SOCKET_BYTES: u32 = 32768;
/** Sockets one task may hold at once. */
export const SOCKETS_PER_CLIENT: u32 = 4;
/** Entries of each ring. */
export const SOCKET_RING: u32 = 64;
/** Uses the client's region capability gets: one for its mapping, one that shows it still exists. */
export const SOCKET_CAP_USES: u32 = 2;

export const OP_SEND: u32 = 1;
export const OP_RECEIVE: u32 = 2;

export const ST_OK: u32 = 0;
/** The stack did not take the datagram: the value is its Send code (stack.ts). */
export const ST_NOT_SENT: u32 = 1;
/** A malformed request: unknown opcode, a length out of range, destination port 0. */
export const ST_INVALID: u32 = 2;

/** The largest datagram payload (no fragmentation). */
export const SOCKET_MAX_DATAGRAM: u32 = 1472;
